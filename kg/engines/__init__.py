"""Query engines (embedded and servers), registered with kg.registry under kind "engine"."""
from __future__ import annotations

from typing import Any


class Handle:
    """What every engine's handle shares: use it in a `with` block and it closes itself."""

    def close(self) -> None:  # pragma: no cover - each handle closes its own resources
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
