"""Query engines (embedded and servers), registered with kg.registry under kind "engine"."""
from __future__ import annotations

import os
from typing import Any

#: seconds of wall clock an embedded query may take, unless told otherwise
TIMEOUT = 60.0


def _quarter_of_memory() -> int:
    """A quarter of this machine's memory in MiB (at least 1 GiB; 4 GiB when it cannot be read)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not POSIX
        return 4096
    return max(1024, total // 4 // 2**20)


#: MiB an embedded engine may use for one query (Ladybug's buffer pool, which also caches the
#: graph's pages; the growth of a SPARQL worker while it answers), unless told otherwise: a
#: quarter of the machine, so a runaway join fails with an error instead of taking the machine
#: (Ladybug would take 80 % of it, and Oxigraph all of it, before the time budget ran out)
MEMORY = _quarter_of_memory()


def budget(seconds: float) -> float:
    """A time budget as given by a caller: a positive number of seconds (math.inf: none)."""
    value = float(seconds)
    if not value > 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {seconds!r}")
    return value


def memory_budget(mib: int | None) -> int:
    """A memory budget as given by a caller (None: the default), in MiB: a positive integer."""
    if mib is None:
        return MEMORY
    if isinstance(mib, bool) or not isinstance(mib, int) or mib < 1:
        raise ValueError(f"memory must be a positive whole number of MiB, not {mib!r}")
    return mib


class QueryError(Exception):
    """A query that cannot run, in any engine: bad syntax, a bad or missing parameter, too many
    rows, a refusal, a server that fails. One base, so a caller catches every engine's errors
    with one `except`."""


class QueryTimeout(QueryError):
    """The query ran past its time budget and was stopped: narrow it, add LIMIT or raise `timeout`."""

    @classmethod
    def after(cls, seconds: float) -> "QueryTimeout":
        """The error for a query stopped at `seconds`, worded the same in every engine."""
        return cls(f"the query was stopped after its time budget of {seconds:g} s: narrow the pattern "
                   "or add LIMIT, or raise the budget (--timeout SECONDS, or timeout= in Python)")


class QueryOutOfMemory(QueryError):
    """The query needed more memory than its budget and was stopped: narrow it or raise `memory`."""

    @classmethod
    def over(cls, mib: int) -> "QueryOutOfMemory":
        """The error for a query stopped at `mib`, worded the same in every engine."""
        return cls(f"the query needed more than its memory budget of {mib} MiB and was stopped: "
                   "narrow the pattern or add LIMIT, or raise the budget (--memory MIB, or "
                   "memory= when opening the graph in Python)")


class Handle:
    """What every engine's handle shares: use it in a `with` block and it closes itself."""

    def close(self) -> None:  # pragma: no cover - each handle closes its own resources
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
