"""Article extraction mapped over local processes or a Dask cluster, results in input order.

Why: extraction is pure (an article's bytes in, records out) and dominates a build,
so it is the step worth spreading. Every backend runs the same `run_job` on the
same `ArticleJob` (the bytes travel, not a path: a Dask worker on another machine
needs no shared file system) and the results come back in the order the jobs
were given, so `--workers 4` or `--scheduler ...` writes byte-identical files to
a single-process build. At most a window of jobs is in flight: memory stays
bounded and an interrupt cancels little work. The pool (or the Dask client) starts
when `map_jobs` is called, so workers load the registry while the caller loads its
own inputs, and an unreachable scheduler is reported before anything else is done.
"""
from __future__ import annotations

import contextlib
import signal
import tempfile
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterator

from kg.extract_cache import ArticleJob, encode, fingerprint


class ExtractError(Exception):
    """The parallel backend cannot run: dask missing, scheduler unreachable, workers differ."""


def run_job(job: ArticleJob) -> tuple[str, dict[str, Any]]:
    """(extractor fingerprint, encoded records) of one article: the unit of work everywhere.

    The article (and its sidecar) are written under their own names into a private
    temporary directory and read by the registered article loader, exactly as
    `kg build` reads a file; locations are stored relative to that copy.
    """
    from kg import registry
    loader = registry.get("loader", "article")
    with tempfile.TemporaryDirectory(prefix="kg-extract-") as tmp:
        path = Path(tmp) / job.name
        path.write_bytes(job.data)
        if job.sidecar:
            (Path(tmp) / job.sidecar[0]).write_bytes(job.sidecar[1])
        result = loader.load(path)
        return fingerprint(), encode(result, str(path))


def _init_worker(guarded: bool) -> None:
    """Per process, once: the terminal's Ctrl-C is the parent's to handle; the parent's network
    guard (a spawned child does not inherit the audit hook); the registry, loaded."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if guarded:
        from kg import netguard
        netguard.install()
    from kg.loaders.text.gazetteer import registry_gazetteer
    registry_gazetteer()
    fingerprint()


class Results:
    """The results of jobs in job order, at most `window` jobs in flight.

    Iterate it; `close()` it (always: the pipeline does so in a `finally`). Closed with work
    still in flight (an interrupt, --max-errors, an error), the outstanding jobs are cancelled
    and `abort` is called, which may stop the workers at once.
    """

    def __init__(self, jobs: list[ArticleJob], submit: Callable[[ArticleJob], Any],
                 result: Callable[[Any], tuple[str, dict]], cancel: Callable[[Any], Any],
                 window: int, cleanup: contextlib.ExitStack | None = None,
                 abort: Callable[[], None] | None = None) -> None:
        self._todo, self._pending = iter(jobs), deque()
        self._submit, self._result, self._cancel = submit, result, cancel
        self._cleanup, self._abort, self._window = cleanup, abort, window
        self._mine = fingerprint()
        try:
            self._fill()
        except BaseException:
            self.close()
            raise

    def _fill(self) -> None:
        while len(self._pending) < self._window:
            job = next(self._todo, None)
            if job is None:
                return
            self._pending.append(self._submit(job))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        if not self._pending:
            self.close()
            raise StopIteration
        try:
            theirs, data = self._result(self._pending.popleft())
            self._fill()
        except BrokenProcessPool as exc:
            self.close()
            raise ExtractError(f"a worker process died: {exc}") from None
        except BaseException:
            self.close()
            raise
        if theirs != self._mine:  # a Dask worker with another version of ripplekg
            self.close()
            raise ExtractError("a worker runs a different version of the extractor (fingerprint "
                               f"{theirs[:12]} instead of {self._mine[:12]}); install the same "
                               "ripplekg everywhere")
        return data

    def close(self) -> None:
        """Cancel what is still in flight and release the workers (idempotent)."""
        unfinished = bool(self._pending) or next(self._todo, None) is not None
        while self._pending:
            self._cancel(self._pending.popleft())
        if unfinished and self._abort is not None:
            self._abort()
        self._abort = None
        if self._cleanup is not None:
            cleanup, self._cleanup = self._cleanup, None
            cleanup.close()


def map_jobs(jobs: list[ArticleJob], workers: int = 1, scheduler: str | None = None) -> Results:
    """Encoded records of each job, in the order of `jobs`.

    scheduler: a dask.distributed scheduler address (tcp://HOST:PORT); else `workers`
    local processes (spawned, so safe with threads and on every OS); else this process.
    """
    if scheduler and jobs:
        return _dask(jobs, scheduler)
    if workers > 1 and len(jobs) > 1:
        return _pool(jobs, min(workers, len(jobs)))
    return Results(jobs, lambda job: job, run_job, lambda job: None, window=1)


def _guarded() -> bool:
    try:
        from kg import netguard
    except ImportError:
        return False
    return netguard.enabled()


def _pool(jobs: list[ArticleJob], workers: int) -> Results:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(_guarded(),))
    cleanup = contextlib.ExitStack()
    cleanup.callback(pool.shutdown, wait=True, cancel_futures=True)

    def abort() -> None:
        # what the workers are doing will be thrown away: stop them now rather than wait for
        # their articles (or their start-up) to finish
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    return Results(jobs, lambda job: pool.submit(run_job, job), lambda f: f.result(),
                   lambda f: f.cancel(), 4 * workers, cleanup, abort)


def _dask(jobs: list[ArticleJob], address: str) -> Results:
    """On the cluster whose scheduler is at `address`; the network guard lets this process
    reach that address (results come back through the scheduler, not from the workers)."""
    try:
        from distributed import Client
    except ImportError:
        raise ExtractError("--scheduler needs dask.distributed: pip install 'ripplekg[dask]'") from None
    from kg import netguard
    target = address if "://" in address else f"tcp://{address}"
    try:
        netguard.parse_target(target)
    except ValueError as exc:
        raise ExtractError(f"--scheduler {address!r}: {exc}") from None
    cleanup = contextlib.ExitStack()
    try:
        cleanup.enter_context(netguard.allowing(target))
        try:
            client = Client(address, timeout="10s", set_as_default=False, direct_to_workers=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExtractError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        cleanup.callback(client.close)
        threads = sum(client.nthreads().values()) or 1
    except BaseException:
        cleanup.close()
        raise
    return Results(jobs, lambda job: client.submit(run_job, job, pure=False), lambda f: f.result(),
                   lambda f: f.cancel(), max(8, 4 * threads), cleanup)
