"""Query engines (embedded and servers), registered with kg.registry under kind "engine"."""
from __future__ import annotations

from typing import Any

#: seconds of wall clock an embedded query may take, unless told otherwise
TIMEOUT = 60.0


def budget(seconds: float) -> float:
    """A time budget as given by a caller: a positive number of seconds (math.inf: none)."""
    value = float(seconds)
    if not value > 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {seconds!r}")
    return value


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


class Handle:
    """What every engine's handle shares: use it in a `with` block and it closes itself."""

    def close(self) -> None:  # pragma: no cover - each handle closes its own resources
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
