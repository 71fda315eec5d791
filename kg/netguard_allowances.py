"""The table of destinations the network guard (kg.netguard) lets through right now.

Two sides read it: the audit hook's checks (kg.netguard_events) on every socket event, and
`kg.netguard.allow` / `allowing`, which add to it. It lives apart so both can import it without
importing each other. Entries are counted, because two holders of the same host:port with one
release must leave it allowed, and process-wide, because a driver may connect from another
thread.
"""
from __future__ import annotations

import threading
from typing import Any

from kg.netguard_targets import format_target, norm_host, port_number

#: guards the table (and kg.netguard's installation of the hook)
lock = threading.Lock()
#: (host, port or None) -> how many holders allow it; hosts normalised by `norm_host`
_allowed: dict[tuple[str, int | None], int] = {}


def allows(host: Any, port: Any) -> bool:
    """True when (host, port), or the host on any port, is allowed."""
    h = norm_host(host)
    return (h, None) in _allowed or (port is not None and (h, port_number(port)) in _allowed)


def host_allowed_any_port(host: Any) -> bool:
    """True when some port of `host` is allowed (enough for a lookup of its name)."""
    h = norm_host(host)
    return any(k[0] == h for k in list(_allowed))


def add(keys: list[tuple[str, int | None]]) -> None:
    """Count one more holder of each key."""
    with lock:
        for key in keys:
            _allowed[key] = _allowed.get(key, 0) + 1


def allowed() -> list[str]:
    """The destinations currently allowed, as host:port text (for messages and tests)."""
    return sorted(format_target(h, p) for h, p in list(_allowed))


class Allowance:
    """One holder's permission to reach some (host, port) pairs; `release()` (or leaving the
    `with` block) takes it back. Releasing twice does nothing."""

    def __init__(self, keys: list[tuple[str, int | None]], text: str) -> None:
        self.keys, self.text, self._live = keys, text, True

    def release(self) -> None:
        with lock:
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
