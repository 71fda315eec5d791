"""Exporters write a Graph to a format another tool opens (one module per format).

Each module registers `kg.registry.register("exporter", NAME)` an object with
`suffix` and `write(graph, path)`. `export` adds what all share: refusing to
clobber, atomic replacement, never writing through a symlink.
"""
from __future__ import annotations

from pathlib import Path

from kg import registry
from kg.atomic import check_target


def export(graph, fmt: str, path: str | Path, force: bool = False) -> Path:
    """Write `graph` as `fmt` to `path`; refuse to replace an existing file unless `force`."""
    exporter = registry.get("exporter", fmt)
    path = Path(path)
    check_target(path, force=force, kind=getattr(exporter, "target", "file"))
    exporter.write(graph, path)
    return path


def formats() -> list[str]:
    return registry.names("exporter")
