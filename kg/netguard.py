"""A process-wide network guard: nothing leaves the process unless a destination was allowed.

ripplekg reads files and writes files; the only commands that talk to a server are the ones
given its address (`kg push URL`, `kg query --engine sparql-http|bolt --endpoint URL`). Parsers
are another matter: rdflib dereferences a JSON-LD `@context` URL while parsing, an XML parser may
fetch an external entity, a plugin may phone home. The guard turns every such attempt into a
`NetworkDenied` error before a packet is sent or a name is looked up.

    from kg import netguard
    netguard.install()                              # once; `kg` does it for every command
    with netguard.allowing("http://127.0.0.1:7878/query"):
        ...                                         # this host and port only, for this block
    handle = netguard.allow("127.0.0.1", 7687)       # the same, until handle.release()

How: an audit hook (PEP 578, `sys.addaudithook`), the mechanism rdflib's security notes point
to, watching the standard library's events: `socket.connect` (and connect_ex), `socket.sendto`,
`socket.sendmsg`, `socket.getaddrinfo`, `socket.gethostbyname(_ex)`, `socket.gethostbyaddr`,
`socket.getnameinfo`, `urllib.Request`, `http.client.connect`, the ftplib/smtplib/poplib/
imaplib/nntplib/telnetlib connects and `webbrowser.open`. A hook cannot be removed, so it
consults a module-level policy:

- off (`enforcing(False)`, `kg --allow-network`): everything passes;
- on: Unix-domain sockets pass (they are not network); a name lookup passes for an IP literal
  (no query is made: the connect is checked instead) and for an allowed host; a connect or a
  datagram passes only to an allowed (host, port); a reverse lookup only for loopback or an
  allowed host; `urllib.Request` passes for file: and data: URLs and allowed hosts; everything
  else raises `NetworkDenied` naming the destination and how to allow it.

Allowances are counted (two holders of the same host:port, one release, still allowed) and
process-wide (a driver may connect from another thread). Allowing a host name also allows the
addresses it resolves to at that moment, on the same port, since a driver connects to those.

Limits (as CPython's documentation says, audit hooks are not a sandbox): a raw
`sock.connect((name, port))` resolves the name before its audit event (the connect is still
refused; create_connection, urllib, http.client, asyncio and the neo4j driver call getaddrinfo
first, which is refused before any query); code in C extensions
that opens sockets itself (not through Python's socket module) and child processes are not
seen; ctypes can do anything. The guard stops the library paths ripplekg uses from fetching
by accident; it does not contain hostile native code.
"""
from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

import click

__all__ = ["Allowance", "NetworkDenied", "allow", "allowed", "allowing", "denial_in", "disable",
           "enable", "enabled", "enforcing", "install", "installed", "parse_target"]

#: default port of each URL scheme ripplekg (or a library it uses) may be given
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "bolt": 7687, "bolt+s": 7687,
                 "bolt+ssc": 7687, "neo4j": 7687, "neo4j+s": 7687, "neo4j+ssc": 7687,
                 "tcp": 8786, "tls": 8786}  # tcp/tls: a Dask scheduler (kg build --scheduler)
#: URL schemes that reach no other host through urllib
_LOCAL_SCHEMES = frozenset({"file", "data"})
_EXIT_DATA = 1  # kg.cli_common.EXIT_DATA (not imported: this module must stay import-light)


class NetworkDenied(click.ClickException):
    """A network access the policy does not allow. A `click.ClickException`: a `kg` command that
    meets one ends with `kg: network access denied: ...` and exit status 1, not a traceback."""

    exit_code = _EXIT_DATA

    def __init__(self, event: str, destination: str) -> None:
        self.event, self.destination = event, destination
        super().__init__(
            f"network access denied: {destination} ({event}). ripplekg reaches only a server "
            f"named on the command line (kg push URL, kg query --endpoint URL); run "
            f"`kg --allow-network ...` to switch the guard off, or in Python wrap the call in "
            f"kg.netguard.allowing({destination!r})")

    def show(self, file: Any = None) -> None:
        click.echo(f"kg: {self.format_message()}", file=file, err=file is None)

    def __reduce__(self) -> tuple:  # pickled back from a worker process as itself
        return (type(self), (self.event, self.destination))


def denial_in(exc: BaseException | None) -> NetworkDenied | None:
    """The NetworkDenied that `exc` is or was raised from (its cause or context chain), or None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, NetworkDenied):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


# -- policy ------------------------------------------------------------------------------------
_lock = threading.Lock()
_enabled = False
_installed = False
#: (host, port or None) -> how many holders allow it; hosts normalised by `_norm_host`
_allowed: dict[tuple[str, int | None], int] = {}


def _norm_host(host: Any) -> str:
    """Lower-case host; an IP literal in canonical form (IPv4-mapped IPv6 as IPv4)."""
    if isinstance(host, bytes):
        host = host.decode("idna", "replace")
    text = str(host).strip().lower().rstrip(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0] if ":" in text else text  # IPv6 zone id
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port(port: Any) -> int | None:
    if port is None or isinstance(port, bool):
        return None
    if isinstance(port, int):
        return port
    if isinstance(port, bytes):
        port = port.decode("ascii", "replace")
    text = str(port).strip()
    if text.isdigit():
        return int(text)
    return DEFAULT_PORTS.get(text.lower())  # a service name ("http")


def _allows(host: Any, port: Any) -> bool:
    h = _norm_host(host)
    return (h, None) in _allowed or (port is not None and (h, _port(port)) in _allowed)


def _host_allowed_any_port(host: Any) -> bool:
    h = _norm_host(host)
    return any(k[0] == h for k in list(_allowed))


def enabled() -> bool:
    """True when the guard is installed and denying."""
    return _installed and _enabled


def installed() -> bool:
    return _installed


def install() -> None:
    """Add the audit hook (once per process; it cannot be removed) and switch the guard on."""
    global _installed, _enabled
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True
        _enabled = True


def enable() -> None:
    """Switch the guard on (installing the hook if needed)."""
    install()


def disable() -> None:
    """Let everything through (the hook stays, consulting this flag)."""
    global _enabled
    _enabled = False


@contextlib.contextmanager
def enforcing(on: bool = True) -> Iterator[None]:
    """The guard on (or off) for the block, then as it was."""
    global _enabled
    before = _enabled
    if on:
        install()
    else:
        _enabled = False
    try:
        yield
    finally:
        _enabled = before


@dataclass(frozen=True)
class Target:
    host: str
    port: int | None
    text: str


def parse_target(target: Any, port: int | None = None) -> Target:
    """(host, port) from a URL (`http://h:p/x`, `bolt://h:p`), `host:port`, `[v6]:port`, a
    bare host, or a (host, port) tuple; a URL without a port gets its scheme's default."""
    if isinstance(target, tuple):
        host, p = target[0], (target[1] if len(target) > 1 else port)
        return Target(_norm_host(host), _port(p), f"{host}:{p}" if p is not None else str(host))
    text = str(target).strip()
    if "://" in text:
        parts = urlsplit(text)
        if not parts.hostname:
            raise ValueError(f"no host in {text!r}")
        try:
            p = parts.port
        except ValueError as exc:
            raise ValueError(f"bad port in {text!r}: {exc}") from None
        if p is None:
            p = port if port is not None else DEFAULT_PORTS.get(parts.scheme.lower())
        host = _norm_host(parts.hostname)
        return Target(host, p, _fmt(host, p))
    host, p = text, port
    if text.startswith("["):
        end = text.find("]")
        host, rest = text[1:end], text[end + 1:]
        if rest.startswith(":") and rest[1:].isdigit():
            p = int(rest[1:])
    elif text.count(":") == 1:
        name, _, num = text.partition(":")
        if num.isdigit():
            host, p = name, int(num)
    if not host:
        raise ValueError(f"no host in {text!r}")
    host = _norm_host(host)
    return Target(host, _port(p), _fmt(host, _port(p)))


def _fmt(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port is not None else shown


class Allowance:
    """One holder's permission to reach some (host, port) pairs; `release()` (or leaving the
    `with` block) takes it back. Releasing twice does nothing."""

    def __init__(self, keys: list[tuple[str, int | None]], text: str) -> None:
        self.keys, self.text, self._live = keys, text, True

    def release(self) -> None:
        with _lock:
            if not self._live:
                return
            self._live = False
            for key in self.keys:
                n = _allowed.get(key, 0) - 1
                if n > 0:
                    _allowed[key] = n
                else:
                    _allowed.pop(key, None)

    def __enter__(self) -> Allowance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Allowance({self.text!r}{'' if self._live else ', released'})"


def _add(keys: list[tuple[str, int | None]]) -> None:
    with _lock:
        for key in keys:
            _allowed[key] = _allowed.get(key, 0) + 1


def allow(target: Any, port: int | None = None, *, resolve: bool = True) -> Allowance:
    """Allow connections to `target` (see `parse_target`; port None: any port of that host)
    until the returned Allowance is released. With the guard on, a host name is resolved now
    (the lookup is allowed) and its addresses are allowed on the same port."""
    t = parse_target(target, port)
    keys = [(t.host, t.port)]
    _add(keys)
    if resolve and _enabled and not _is_ip(t.host):
        extra: list[tuple[str, int | None]] = []
        try:
            infos = socket.getaddrinfo(t.host, t.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            infos = []  # the caller's own connect will report the failed lookup
        for info in infos:
            key = (_norm_host(info[4][0]), t.port)
            if key not in keys and key not in extra:
                extra.append(key)
        _add(extra)
        keys += extra
    return Allowance(keys, t.text)


@contextlib.contextmanager
def allowing(*targets: Any) -> Iterator[None]:
    """Allow each target (URL, host:port, (host, port)) for the duration of the block."""
    held = []
    try:
        for target in targets:
            held.append(allow(target))
        yield
    finally:
        for allowance in reversed(held):
            allowance.release()


def allowed() -> list[str]:
    """The destinations currently allowed, as host:port text (for messages and tests)."""
    return sorted(_fmt(h, p) for h, p in list(_allowed))


# -- the hook ----------------------------------------------------------------------------------
_INET = (socket.AF_INET, socket.AF_INET6)
_AF_UNIX = getattr(socket, "AF_UNIX", None)


def _sock_dest(event: str, args: tuple) -> None:
    sock, address = args[0], args[1]
    family = getattr(sock, "family", None)
    if _AF_UNIX is not None and family == _AF_UNIX:
        return
    if address is None and event == "socket.sendmsg":
        return  # a connected socket: its connect was checked
    if family in _INET and isinstance(address, tuple) and len(address) >= 2:
        if _allows(address[0], address[1]):
            return
        raise NetworkDenied(event, _fmt(_norm_host(address[0]), _port(address[1])))
    raise NetworkDenied(event, f"{address!r} (address family {family!r})")


def _lookup(event: str, host: Any, port: Any = None) -> None:
    if host is None or host in ("", b""):
        return  # passive / any-address lookups make no query
    h = _norm_host(host)
    if _is_ip(h) or _allows(h, port) or (port is None and _host_allowed_any_port(h)):
        return
    if port is not None and _port(port) is None and _host_allowed_any_port(h):
        return  # an unknown service name for an allowed host
    raise NetworkDenied(event, _fmt(h, _port(port)) if port not in (None, 0) else h)


def _reverse(event: str, host: Any, port: Any = None) -> None:
    h = _norm_host(host)
    if _is_loopback(h) or _allows(h, port) or _host_allowed_any_port(h):
        return
    raise NetworkDenied(event, h)


def _host_port(event: str, host: Any, port: Any) -> None:
    if _allows(host, port if port not in (None, 0, -1) else None) or (
            port in (None, 0, -1) and _host_allowed_any_port(host)):
        return
    raise NetworkDenied(event, _fmt(_norm_host(host), _port(port)))


def _url(event: str, url: Any) -> None:
    text = str(url)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in _LOCAL_SCHEMES and parts.hostname in (None, "", "localhost"):
        return
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port if port is not None else DEFAULT_PORTS.get(scheme)
    if parts.hostname and _allows(parts.hostname, port):
        return
    raise NetworkDenied(event, text if len(text) <= 200 else text[:200] + "...")


def _hook(event: str, args: tuple) -> None:
    handler = _HANDLERS.get(event)
    if handler is None or not _enabled:
        return
    handler(event, args)


_HANDLERS = {
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
