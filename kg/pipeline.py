"""The pipeline: loaders -> facts -> entity resolution -> validation -> Graph.

Data flow one way: nothing here knows about output formats or query engines.
Records that fail validation never enter the graph; every problem is kept on
`graph.diagnostics` so the CLI and the build report can show it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from kg.diagnostics import ERROR, Diagnostic, render_text
from kg.graph import Graph
from kg.loading import LoadResult, load_file, loader_for
from kg.merge import merge_facts
from kg.model import Entity, Fact, Location
from kg.resolve import NameIndex, resolve, rewrite_facts
from kg.schema.model import Schema, load_schema
from kg.schema.validate import check_entity, check_fact


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


def load_all(files: list[Path], reference: bool, progress: Callable | None = None) -> tuple[LoadResult, LoadResult]:
    ref = LoadResult()
    if reference:
        from kg.loaders.reference import load_reference
        ref = load_reference()
    loaded = LoadResult()
    for path in (progress(files) if progress else files):
        loaded.extend(load_file(path))
    return ref, loaded


#: Fields whose errors make an entity unusable; other errors only cost the bad property.
_STRUCTURAL = ("id", "type", "name", None)


def _validated(entities: dict[str, Entity], facts: list[Fact], schema: Schema,
               diags: list[Diagnostic]) -> tuple[dict[str, Entity], list[Fact]]:
    """Keep what is valid: bad properties are dropped, bad entities and facts left out."""
    good: dict[str, Entity] = {}
    dropped: dict[str, Entity] = {}
    for ent in entities.values():
        problems = check_entity(ent, schema)
        diags.extend(problems)
        errors = [p for p in problems if p.severity == ERROR]
        if any(p.field in _STRUCTURAL for p in errors):
            dropped[ent.id] = ent
            continue
        for p in errors:
            ent.properties.pop(p.field, None)
        good[ent.id] = ent
    kept = []
    for fact in facts:
        problems = [_explain(p, fact, dropped) for p in check_fact(fact, good, schema)]
        diags.extend(problems)
        if not any(p.severity == ERROR for p in problems):
            kept.append(fact)
    return good, kept


def _explain(problem: Diagnostic, fact: Fact, dropped: dict[str, Entity]) -> Diagnostic:
    """A fact about an entity left out for its own errors says so, not 'undeclared'."""
    ref = getattr(fact, problem.field or "", None) if problem.code == "dangling-reference" else None
    if ref not in dropped:
        return problem
    where = dropped[ref].loc or "its declaration"
    return Diagnostic("dangling-reference", f"fact {fact.s} {fact.p} {fact.o or fact.value}: "
                      f"{ref!r} was left out because of errors at {where}", problem.loc, problem.field)


def assemble(ref: LoadResult, loaded: LoadResult, schema: Schema | None = None) -> Graph:
    """Resolve, validate and merge loaded records into a Graph (bad records left out)."""
    schema = schema or load_schema()
    diags = list(ref.diagnostics) + list(loaded.diagnostics)
    # Input order must not change the graph: records meet in a fixed order, and an
    # entity that only repeats its id as a name (a placeholder) never wins the name.
    entities = sorted(loaded.entities, key=lambda e: (e.name == e.id, _where(e.loc), e.id))
    loaded.facts.sort(key=lambda f: _where(f.loc))
    res = resolve(ref.entities, entities, schema)
    diags.extend(res.diagnostics)
    index = NameIndex(schema)
    for ent in res.entities.values():
        index.add(ent)
    facts = rewrite_facts(ref.facts + loaded.facts, res, index)
    entities, facts = _validated(res.entities, facts, schema, diags)
    facts, conflicts = merge_facts(facts, schema)
    return Graph(entities.values(), facts, diags + conflicts)


def _where(loc: Location | None) -> tuple[str, int]:
    return (loc.path, loc.line or 0) if loc else ("", 0)


def build(inputs: Iterable[str | Path] = (), reference: bool = True, errors: str = "raise",
          progress: Callable | None = None) -> Graph:
    """Build a graph from fact sheets, moves and (later) articles.

    errors="raise" raises BuildError when any input has an error;
    errors="keep" leaves bad records out and keeps the problems on graph.diagnostics.
    """
    found = expand(inputs)
    ref, loaded = load_all(found.files, reference, progress)
    loaded.diagnostics.extend(found.missing)
    graph = assemble(ref, loaded)
    graph.inputs = [{"name": p.name, "sha256": sha256(p)} for p in found.files]
    if reference:
        from kg.loaders.reference import reference_digest
        graph.inputs.insert(0, {"name": "reference", "sha256": reference_digest()})
    if errors == "raise" and any(d.severity == ERROR for d in graph.diagnostics):
        raise BuildError(graph.diagnostics)
    return graph
