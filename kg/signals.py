"""Signals as exceptions, and short sections no signal may cut in half.

Why: a build must leave the previous graph intact whatever moment it is killed
at. Python turns SIGINT into KeyboardInterrupt, so `finally`/`except` clean-up
runs; SIGTERM (what `kill`, systemd and container runtimes send) kills the
process outright by default, leaving temporaries behind. `sigterm_raises`
makes SIGTERM unwind like Ctrl-C (as `Terminated`, exit 143 = 128 + 15), and
`deferred` holds both signals back for the few renames that swap a directory
into place, so no interrupt lands between "old moved away" and "new moved in".
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator

#: exit status of a process stopped by SIGTERM (the shell's 128 + signal number)
EXIT_TERMINATED = 128 + signal.SIGTERM
_DEFERRED = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind like Ctrl-C (temporaries removed), then exit 143."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(f"signal {signum}")


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` in the main thread (no-op elsewhere)."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then act on the first one that came.

    Python runs signal handlers in the main thread whichever thread the OS picked,
    so swapping the Python-level handlers (not the thread's signal mask) is what
    keeps a pool's or a Dask client's helper threads from letting one through.
    """
    if not _main_thread():
        yield
        return
    pending: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: pending.append(signum)) for sig in _DEFERRED}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pending:
            signal.raise_signal(pending[0])
