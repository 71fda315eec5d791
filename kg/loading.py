"""What a loader returns, and how an input file finds its loader.

Loaders live in `kg.loaders` and register themselves; this module only knows
the protocol: `sniff(path, head) -> bool` and `load(path) -> LoadResult`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kg import registry
from kg.diagnostics import Diagnostic
from kg.model import Entity, Fact, Location

HEAD_BYTES = 4096


@dataclass
class LoadResult:
    entities: list[Entity] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, other: "LoadResult") -> None:
        self.entities.extend(other.entities)
        self.facts.extend(other.facts)
        self.diagnostics.extend(other.diagnostics)


class Loader(Protocol):
    name: str
    #: higher wins when several loaders accept a file
    priority: int

    def sniff(self, path: Path, head: str) -> bool: ...

    def load(self, path: Path) -> LoadResult: ...


def read_head(path: Path) -> str:
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES).decode("utf-8", errors="replace")


def loader_for(path: Path) -> Loader | None:
    """The registered loader that accepts `path`, by sniffing its name and first bytes."""
    head = read_head(path)
    candidates = [ld for ld in registry.parts("loader").values() if ld.sniff(path, head)]
    return max(candidates, key=lambda ld: (ld.priority, ld.name), default=None)


def load_file(path: Path, loader: str | None = None) -> LoadResult:
    """Load one input with the named loader, or the one that recognises it."""
    chosen = registry.get("loader", loader) if loader else loader_for(path)
    if chosen is None:
        names = ", ".join(registry.names("loader"))
        return LoadResult(diagnostics=[Diagnostic(
            "syntax-error",
            f"unsupported input format{f' ({path.suffix})' if path.suffix else ''}: ripplekg reads fact "
            "sheets (.yaml, .yml, .json, .jsonl, .ndjson, .csv), market-move CSVs and articles (.txt, "
            f".md, .html); nothing was read from it (loaders: {names})", Location(str(path)))])
    return chosen.load(path)
