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


class Handle:
    """What every engine's handle shares: use it in a `with` block and it closes itself."""

    def close(self) -> None:  # pragma: no cover - each handle closes its own resources
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
