"""A wall-clock budget for embedded SPARQL: evaluation runs in a worker process, killed at the deadline.

Why a process: pyoxigraph 0.5 gives Python no timeout or cancellation (Oxigraph's Rust
CancellationToken is not exposed), and `Store.query` computes an unbounded property path such as
`?a :p* ?b` eagerly, in Rust, before it returns: `?a :p* ?b . ?c :p* ?d` over the example graph
(19,000 triples) has no first solution for about 15 s, and with COUNT(*) none for hours. So a
deadline checked between solutions stops nothing; a custom function in a FILTER is reached only
after the path is computed, and pyoxigraph swallows its exceptions; a thread keeps the caller
responsive (the GIL is released) but cannot be stopped, and the query would go on eating a core
and memory. A process can be killed, and its memory comes back at once.

Memory: each request carries a budget, and while the worker answers it a thread (the query
releases the GIL) reads the worker's resident set every 50 ms; once it has grown past the
budget the worker exits with MEMORY_STATUS, which the caller reports as MemoryExceeded. Where
the resident set cannot be read (no /proc), memory is not bounded.

Cost: workers are pooled and keep their stores open (reopened when a rebuild replaces the store
directory), so an ordinary query pays a pipe round trip and the pickling of its rows (measured:
0.5 ms for a tiny ASK, 1-5 ms for the query pack, tens of ms for 10,000 rows). The first query
of a process needs a worker started (0.15-0.3 s: Python, pyoxigraph, the store); `warm()` starts
one when a store is opened, which leaves 50-80 ms to wait, and again when one is killed. Ctrl-C
in the caller kills the worker too; a worker whose parent dies exits; a forked child starts its
own. This file is also the worker's program (`python -P sparql_budget.py`, standard library and
pyoxigraph only); requests and replies are length-prefixed pickles over its stdin/stdout.
"""
from __future__ import annotations

import atexit
import contextlib
import math
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import IO, Any

IDLE_WORKERS = 2    # kept alive between queries; more concurrent queries start more, then end them
OPEN_STORES = 8     # per worker, least recently used closed first
MEMORY_STATUS = 75  # a worker's exit status when its query outgrew its memory budget
_HEADER = struct.Struct(">Q")


class BudgetExceeded(Exception):
    """The query ran past its budget; its worker was killed."""


class MemoryExceeded(Exception):
    """The query outgrew its memory budget; its worker exited."""


class WorkerLost(Exception):
    """The worker died without answering (killed from outside, out of memory, crashed)."""


def _send(stream: IO[bytes], obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or None at end of stream (the other side is gone)."""
    head = stream.read(_HEADER.size)  # a buffered read: all the bytes asked for, or end of stream
    size = _HEADER.unpack(head)[0] if len(head) == _HEADER.size else -1
    body = stream.read(size) if size >= 0 else b""
    return pickle.loads(body) if size >= 0 and len(body) == size else None


# -- the caller's side -------------------------------------------------------------------------
class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-P", os.path.abspath(__file__)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.expired = False  # killed by its deadline (not by something else)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _expire(self) -> None:
        self.expired = True
        self.proc.kill()

    def close(self) -> None:
        """End the worker. Killed, not asked: it holds nothing but read-only stores, and a pipe
        end copied into a process forked meanwhile would keep it from seeing the end of input."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]

    def ask(self, request: tuple, seconds: float) -> Any:
        """Send one request and wait for its reply; the worker is killed at the deadline."""
        timer = threading.Timer(seconds, self._expire) if math.isfinite(seconds) else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            _send(self.proc.stdin, request)  # type: ignore[arg-type]
            reply = _receive(self.proc.stdout)  # type: ignore[arg-type]
        except (BrokenPipeError, ConnectionResetError):
            reply = None  # it was gone before reading the request
        except BaseException:  # an error, or Ctrl-C, in the caller: the query must not run on
            self.close()
            raise
        finally:
            if timer:
                timer.cancel()
        if reply is None:
            self.close()
            if self.expired:
                raise BudgetExceeded(seconds)
            if self.proc.returncode == MEMORY_STATUS:
                raise MemoryExceeded(request[-1])
            raise WorkerLost(f"the SPARQL worker process died (exit status {self.proc.returncode})")
        return reply


_idle: list[_Worker] = []
_lock = threading.Lock()


def _forget_in_child() -> None:  # a forked child must neither use nor end its parent's workers
    global _lock
    _lock = threading.Lock()
    _idle.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_in_child)


def warm() -> None:
    """Start a worker in the background if none is idle, so the first query need not wait."""
    with _lock:
        if not any(w.alive() for w in _idle):
            _idle.append(_Worker())


def evaluate(store_path: str, key: str, text: str, prefixes: dict[str, str], cap: int,
             seconds: float, memory: int) -> tuple:
    """Run `text` on the read-only store at `store_path` (its `key` file must say `key`) within
    `seconds` of wall-clock time (math.inf: no budget), growing the worker by at most `memory`
    bytes. The reply: ("ask", bool), ("rows", names or None for triples, [tuple of `wire`
    terms, ...]), ("over", cap) when there are more than `cap` rows, or ("error", message).
    Raises BudgetExceeded, MemoryExceeded or WorkerLost."""
    with _lock:
        gone = [w for w in _idle if not w.alive()]
        _idle[:] = [w for w in _idle if w not in gone]
        worker = _idle.pop() if _idle else None
    for dead in gone:
        dead.close()
    worker = worker or _Worker()
    try:
        reply = worker.ask((store_path, key, text, prefixes, cap, memory), seconds)
    except (BudgetExceeded, MemoryExceeded):
        warm()  # the replacement starts now, not at the next query
        raise
    with _lock:
        if not worker.expired and worker.alive() and len(_idle) < IDLE_WORKERS:
            _idle.append(worker)
            return reply
    worker.close()
    return reply


@atexit.register
def shutdown() -> None:
    """End the idle workers (they also end by themselves when this process goes)."""
    with _lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        worker.close()


# -- the worker's side -------------------------------------------------------------------------
def wire(term: Any) -> str | tuple[str | None, str] | None:
    """A result term as plain data, pickled several times faster than the term: an IRI as its
    text, a literal as (lexical form, datatype IRI), anything else (blank node, quoted triple)
    as (None, the caller's text for it)."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return term.value
    if kind == "Literal":
        return (term.value, term.datatype.value)
    if kind == "BlankNode":
        return (None, f"_:{term.value}")
    return None if term is None else (None, str(term))


def _watch_parent(parent: int) -> None:
    while True:  # a worker outliving its caller would run its query to the end: exit instead
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _resident() -> int | None:
    """This process's resident set in bytes, or None where /proc cannot tell."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class _MemoryWatch:
    """While a query runs, exit with MEMORY_STATUS once the worker's resident set passes what
    the query was allowed; between queries, sleep."""

    def __init__(self) -> None:
        self.allowed = 0
        self.running = threading.Event()
        if _resident() is not None:
            threading.Thread(target=self._watch, daemon=True).start()

    def start(self, budget: int) -> None:
        self.allowed = (_resident() or 0) + budget
        self.running.set()

    def stop(self) -> None:
        self.running.clear()

    def _watch(self) -> None:
        while self.running.wait():
            if (_resident() or 0) > self.allowed and self.running.is_set():
                os._exit(MEMORY_STATUS)
            time.sleep(0.05)


def _serve() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's: it kills the worker
    import pyoxigraph as ox
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr, never into the replies
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    watch = _MemoryWatch()
    stores: dict[str, tuple[tuple[int, int], str, Any]] = {}  # path: (directory identity, key, store)

    def store_at(path: str, key: str) -> Any:
        st = os.stat(path)
        ident, cached = (st.st_ino, st.st_ctime_ns), stores.pop(path, None)
        if cached is None or cached[0] != ident:  # first use, or the directory was replaced
            with open(os.path.join(os.path.dirname(path), "key"), encoding="utf-8") as f:
                cached = (ident, f.read().strip(), None)
        if cached[1] != key:
            raise ValueError(f"the store at {path} was rebuilt after this handle was opened: "
                             "open the graph again")
        while len(stores) >= OPEN_STORES:  # least recently used first
            stores.pop(next(iter(stores)))
        stores[path] = (ident, key, ox.Store.read_only(path) if cached[2] is None else cached[2])
        return stores[path][2]

    while (request := _receive(sys.stdin.buffer)) is not None:
        path, key, text, prefixes, cap, memory = request
        try:
            store = store_at(path, key)
            watch.start(memory)
            result = store.query(text, prefixes=prefixes)
            if isinstance(result, ox.QueryBoolean):
                reply: tuple = ("ask", bool(result))
            else:
                solutions = isinstance(result, ox.QuerySolutions)
                names = [v.value for v in result.variables] if solutions else None
                rows: list[tuple] = []
                for item in result:
                    if len(rows) == cap:
                        reply = ("over", cap)
                        break
                    rows.append(tuple(wire(item[n]) for n in names) if names is not None
                                else (wire(item.subject), wire(item.predicate), wire(item.object)))
                else:
                    reply = ("rows", names, rows)
        except Exception as exc:  # reported to the caller as a QueryError
            reply = ("error", str(exc) or type(exc).__name__)
        watch.stop()
        _send(out, reply)


if __name__ == "__main__":
    _serve()
