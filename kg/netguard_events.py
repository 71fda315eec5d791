"""What the network guard's audit hook (kg.netguard) decides for each standard-library event.

Every audit event carries its destination in a shape of its own: a socket and an address, a
name to resolve, an address to reverse, a host and port, a URL. Each check below reads one shape
and answers with the destination it refuses (text for the message), or None to let it pass;
`kg.netguard` raises the `NetworkDenied`. Kept apart from the switch and the public API so the
rules per event can be read, and extended with a new event, in one place.
"""
from __future__ import annotations

import socket
from typing import Any, Callable
from urllib.parse import urlsplit

from kg.netguard_allowances import allows, host_allowed_any_port
from kg.netguard_targets import DEFAULT_PORTS, format_target, is_ip, is_loopback, norm_host, port_number

#: URL schemes that reach no other host through urllib
_LOCAL_SCHEMES = frozenset({"file", "data"})
_INET = (socket.AF_INET, socket.AF_INET6)
_AF_UNIX = getattr(socket, "AF_UNIX", None)


def _sock_dest(event: str, args: tuple) -> str | None:
    """A connect or datagram: Unix sockets pass, an internet address only if allowed."""
    sock, address = args[0], args[1]
    family = getattr(sock, "family", None)
    if _AF_UNIX is not None and family == _AF_UNIX:
        return None
    if address is None and event == "socket.sendmsg":
        return None  # a connected socket: its connect was checked
    if family in _INET and isinstance(address, tuple) and len(address) >= 2:
        if allows(address[0], address[1]):
            return None
        return format_target(norm_host(address[0]), port_number(address[1]))
    return f"{address!r} (address family {family!r})"


def _lookup(event: str, host: Any, port: Any = None) -> str | None:
    """A name lookup: an IP literal makes no query; a name only for an allowed host."""
    if host is None or host in ("", b""):
        return None  # passive / any-address lookups make no query
    h = norm_host(host)
    if is_ip(h) or allows(h, port) or (port is None and host_allowed_any_port(h)):
        return None
    if port is not None and port_number(port) is None and host_allowed_any_port(h):
        return None  # an unknown service name for an allowed host
    return format_target(h, port_number(port)) if port not in (None, 0) else h


def _reverse(event: str, host: Any, port: Any = None) -> str | None:
    """A reverse lookup: loopback, or an allowed host."""
    h = norm_host(host)
    if is_loopback(h) or allows(h, port) or host_allowed_any_port(h):
        return None
    return h


def _host_port(event: str, host: Any, port: Any) -> str | None:
    """A protocol library's connect (http.client, ftplib, smtplib...): an allowed host:port."""
    if allows(host, port if port not in (None, 0, -1) else None) or (
            port in (None, 0, -1) and host_allowed_any_port(host)):
        return None
    return format_target(norm_host(host), port_number(port))


def _url(event: str, url: Any) -> str | None:
    """A URL (urllib, webbrowser): file: and data: pass, others only to an allowed host."""
    text = str(url)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in _LOCAL_SCHEMES and parts.hostname in (None, "", "localhost"):
        return None
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port if port is not None else DEFAULT_PORTS.get(scheme)
    if parts.hostname and allows(parts.hostname, port):
        return None
    return text if len(text) <= 200 else text[:200] + "..."


#: audit event -> check(event, args): the refused destination, or None
EVENT_CHECKS: dict[str, Callable[[str, tuple], str | None]] = {
    "socket.connect": _sock_dest,
    "socket.sendto": _sock_dest,
    "socket.sendmsg": _sock_dest,
    "socket.getaddrinfo": lambda e, a: _lookup(e, a[0], a[1]),
    "socket.gethostbyname": lambda e, a: _lookup(e, a[0]),
    "socket.gethostbyname_ex": lambda e, a: _lookup(e, a[0]),
    "socket.gethostbyaddr": lambda e, a: _reverse(e, a[0]),
    "socket.getnameinfo": lambda e, a: _reverse(e, *(a[0][:2] if isinstance(a[0], tuple) else (a[0],))),
    "urllib.Request": lambda e, a: _url(e, a[0]),
    "http.client.connect": lambda e, a: _host_port(e, a[1], a[2]),
    "ftplib.connect": lambda e, a: _host_port(e, a[1], a[2]),
    "smtplib.connect": lambda e, a: _host_port(e, a[1], a[2]),
    "poplib.connect": lambda e, a: _host_port(e, a[1], a[2]),
    "imaplib.open": lambda e, a: _host_port(e, a[1], a[2]),
    "nntplib.connect": lambda e, a: _host_port(e, a[1], a[2]),
    "telnetlib.Telnet.open": lambda e, a: _host_port(e, a[1], a[2]),
    "webbrowser.open": lambda e, a: _url(e, a[0]),
}
