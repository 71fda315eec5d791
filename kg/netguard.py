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

Layout: this module is the switch and the public API; `kg.netguard_targets` normalises
destinations, `kg.netguard_allowances` holds what is allowed, `kg.netguard_events` decides
each audit event.
"""
from __future__ import annotations

import contextlib
import socket
import sys
from typing import Any, Iterator

import click

from kg.netguard_allowances import Allowance, add, allowed, lock
from kg.netguard_events import EVENT_CHECKS
from kg.netguard_targets import is_ip, norm_host, parse_target  # parse_target: public (__all__)

__all__ = ["Allowance", "NetworkDenied", "allow", "allowed", "allowing", "denial_in", "disable",
           "enable", "enabled", "enforcing", "install", "installed", "parse_target"]

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


# -- the switch --------------------------------------------------------------------------------
_enabled = False
_installed = False


def enabled() -> bool:
    """True when the guard is installed and denying."""
    return _installed and _enabled


def installed() -> bool:
    """True once the audit hook is in place (it stays for the life of the process)."""
    return _installed


def install() -> None:
    """Add the audit hook (once per process; it cannot be removed) and switch the guard on."""
    global _installed, _enabled
    with lock:
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


# -- allowing a destination ----------------------------------------------------------------------
def allow(target: Any, port: int | None = None, *, resolve: bool = True) -> Allowance:
    """Allow connections to `target` (see `parse_target`; port None: any port of that host)
    until the returned Allowance is released. With the guard on, a host name is resolved now
    (the lookup is allowed) and its addresses are allowed on the same port."""
    t = parse_target(target, port)
    keys = [(t.host, t.port)]
    add(keys)
    if resolve and _enabled and not is_ip(t.host):
        extra: list[tuple[str, int | None]] = []
        try:
            infos = socket.getaddrinfo(t.host, t.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            infos = []  # the caller's own connect will report the failed lookup
        for info in infos:
            key = (norm_host(info[4][0]), t.port)
            if key not in keys and key not in extra:
                extra.append(key)
        add(extra)
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


# -- the hook ----------------------------------------------------------------------------------
def _hook(event: str, args: tuple) -> None:
    """The audit hook: with the guard on, a watched event whose destination is refused raises."""
    check = EVENT_CHECKS.get(event)
    if check is None or not _enabled:
        return
    refused = check(event, args)
    if refused is not None:
        raise NetworkDenied(event, refused)
