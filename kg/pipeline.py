"""The pipeline: loaders -> facts -> entity resolution -> validation -> Graph.

Data flow one way: nothing here knows about output formats or query engines. The
stages live in their own modules: `kg.collect` reads the inputs (articles through the
extraction cache, in other processes or on a Dask cluster), `kg.assemble` resolves,
validates and merges. Claims stay on disk in between (`kg.factstore`), so `assembling`
builds a corpus of any size in bounded memory and `kg build` writes it from there;
`build` gives the same graph as a `Graph` in memory, for the library and small inputs.
"""
from __future__ import annotations

import contextlib
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.assemble import Assembled, assemble
from kg.collect import Collected, ExtractOptions, LoadStats, load_all
from kg.diagnostics import ERROR, Diagnostic, render_text
from kg.factstore import FactStore
from kg.graph import Graph
from kg.loading import loader_for
from kg.model import Location

__all__ = ["Assembled", "BuildError", "ExtractOptions", "Inputs", "LoadStats", "assembling", "build",
           "expand", "sha256"]


class BuildError(Exception):
    """Inputs had errors; `diagnostics` lists every one."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(render_text(diagnostics))


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)
    missing: list[Diagnostic] = field(default_factory=list)


def expand(paths: Iterable[str | Path]) -> Inputs:
    """Files as given; directories contribute every file a loader recognises, sorted."""
    out = Inputs()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.files.extend(p for p in sorted(path.rglob("*"))
                             if p.is_file() and not p.name.startswith(".") and loader_for(p))
        elif path.is_file():
            out.files.append(path)
        else:
            out.missing.append(Diagnostic("syntax-error", "no such file or directory", Location(str(path))))
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Built(Assembled):
    """An assembled graph and what it was built from: input names and hashes, for the manifest."""

    inputs: list[dict[str, str]] = field(default_factory=list)


@contextlib.contextmanager
def assembling(inputs: Iterable[str | Path] = (), reference: bool = True, progress: Callable | None = None,
               extract: ExtractOptions | None = None, max_errors: int | None = None,
               stats: LoadStats | None = None) -> Iterator[Built]:
    """Build a graph in bounded memory: claims go to a temporary SQLite file (in TMPDIR, removed
    on leaving, even on Ctrl-C), and the result is read from there while the context is open.
    Problems are on `.diagnostics`; nothing is raised for bad records."""
    found = expand(inputs)
    stats = stats if stats is not None else LoadStats()
    with tempfile.TemporaryDirectory(prefix="kg-build-") as tmp:
        store = FactStore(Path(tmp) / "facts.sqlite")
        try:
            collected = Collected(store)
            load_all(found.files, reference, collected, progress, extract, max_errors, stats,
                     errors_before=len(found.missing))
            collected.diagnostics.extend(found.missing)
            done = assemble(collected)
            read = found.files[:len(found.files) - stats.unread]
            inputs_seen = [{"name": p.name, "sha256": sha256(p)} for p in read]
            if reference:
                from kg.loaders.reference import reference_digest
                inputs_seen.insert(0, {"name": "reference", "sha256": reference_digest()})
            yield Built(done.entities, done.store, done.diagnostics, inputs_seen)
        finally:
            store.close()


def build(inputs: Iterable[str | Path] = (), reference: bool = True, errors: str = "raise",
          progress: Callable | None = None, extract: ExtractOptions | None = None,
          max_errors: int | None = None, stats: LoadStats | None = None) -> Graph:
    """Build a graph from fact sheets, market moves and articles, as a Graph in memory.

    errors="raise" raises BuildError when any input has an error;
    errors="keep" leaves bad records out and keeps the problems on graph.diagnostics.
    `extract` says how articles are extracted (processes, Dask, cache): the graph is the
    same whichever. `max_errors` stops reading inputs once that many errors were found;
    `stats`, if given, is filled with what was extracted, cached and left unread.
    """
    with assembling(inputs, reference, progress, extract, max_errors, stats) as built:
        graph = Graph(built.entities.values(), built.facts(), built.diagnostics)
        graph.inputs = built.inputs
    if errors == "raise" and any(d.severity == ERROR for d in graph.diagnostics):
        raise BuildError(graph.diagnostics)
    return graph
