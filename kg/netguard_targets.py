"""Destinations as the network guard (kg.netguard) compares them: one spelling per host and port.

The same server reaches the guard as a URL on the command line, a `(host, port)` tuple in a
socket event, bytes from a resolver, an IPv4-mapped IPv6 address or a service name ("http").
An allowance only matches a later connect if both are written the same way, so every
destination is normalised here, with no state and nothing but the standard library (the guard
is imported early, by the CLI and the test plugin, and must stay cheap to import).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: default port of each URL scheme ripplekg (or a library it uses) may be given
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "bolt": 7687, "bolt+s": 7687,
                 "bolt+ssc": 7687, "neo4j": 7687, "neo4j+s": 7687, "neo4j+ssc": 7687,
                 "tcp": 8786, "tls": 8786}  # tcp/tls: a Dask scheduler (kg build --scheduler)


def norm_host(host: Any) -> str:
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


def is_ip(host: str) -> bool:
    """True for an IP literal: looking it up makes no query, so only its connect is checked."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """True for a loopback address, whose reverse lookup never leaves the machine."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_number(port: Any) -> int | None:
    """The port as an int: from an int, digits (text or bytes) or a known service name."""
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


@dataclass(frozen=True)
class Target:
    """A destination in the guard's spelling; `text` is how messages and `Allowance` show it."""

    host: str
    port: int | None
    text: str


def parse_target(target: Any, port: int | None = None) -> Target:
    """(host, port) from a URL (`http://h:p/x`, `bolt://h:p`), `host:port`, `[v6]:port`, a
    bare host, or a (host, port) tuple; a URL without a port gets its scheme's default."""
    if isinstance(target, tuple):
        host, p = target[0], (target[1] if len(target) > 1 else port)
        return Target(norm_host(host), port_number(p), f"{host}:{p}" if p is not None else str(host))
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
        host = norm_host(parts.hostname)
        return Target(host, p, format_target(host, p))
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
    host = norm_host(host)
    return Target(host, port_number(p), format_target(host, port_number(p)))


def format_target(host: str, port: int | None) -> str:
    """`host:port` as messages and `allowed()` show it (an IPv6 host in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port is not None else shown
