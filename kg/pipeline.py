"""The pipeline: loaders -> facts -> entity resolution -> validation -> Graph.

Data flow one way: nothing here knows about output formats or query engines.
Records that fail validation never enter the graph; every problem is kept on
`graph.diagnostics` so the CLI and the build report can show it. Articles, the
slow input, are extracted through a content-hash cache (`kg.extract_cache`) and
in other processes or on a Dask cluster (`kg.parallel`); every path gives the
same records in the same order, so the graph does not depend on how it was built.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from kg.diagnostics import ERROR, Diagnostic, render_text
from kg.graph import Graph
from kg.loading import LoadResult, load_file, loader_for
from kg.merge import merge_facts
from kg.model import Entity, Fact, Location
from kg.resolve import NameIndex, resolve, rewrite_facts
from kg.schema.model import Schema, load_schema
from kg.schema.validate import check_entity, check_fact

if TYPE_CHECKING:
    from kg.extract_cache import ArticleJob, ExtractCache


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
class ExtractOptions:
    """How articles are extracted: in how many processes or on which Dask scheduler, with which cache."""

    workers: int = 1
    scheduler: str | None = None
    cache: Path | None = None


@dataclass
class LoadStats:
    """What a build read: articles extracted or taken from the cache, inputs left unread."""

    extracted: int = 0
    cached: int = 0
    unread: int = 0
    stopped: bool = False  # --max-errors reached
    cache_error: str | None = None  # the cache could not be written (the build went on)


def load_all(files: list[Path], reference: bool, progress: Callable | None = None,
             extract: ExtractOptions | None = None, max_errors: int | None = None,
             stats: LoadStats | None = None, errors_before: int = 0) -> tuple[LoadResult, LoadResult]:
    """The reference registry and every input's records, in input order.

    Articles (the slow part) go through the extraction cache and `kg.parallel`; the
    rest load here. With `max_errors`, reading stops at the input that brings the
    number of errors (counting `errors_before`) to it, whatever the backend.
    """
    from kg.extract_cache import ExtractCache, decode, fingerprint, read_job
    from kg.parallel import map_jobs
    extract = extract or ExtractOptions()
    stats = stats if stats is not None else LoadStats()
    cache = ExtractCache(extract.cache) if extract.cache else None
    plan, misses, repeated = _plan(files, read_job, fingerprint(), cache)
    # started first: workers load the registry while this process loads the reference
    results = map_jobs([job for job, _ in misses.values()], extract.workers, extract.scheduler)
    fresh: dict[str, dict] = {}  # extracted records of a key met again later in the input
    ref, loaded, errors = LoadResult(), LoadResult(), errors_before
    try:
        if reference:
            from kg.loaders.reference import load_reference
            ref = load_reference()
        for index, path in enumerate(progress(files) if progress else files):
            if max_errors is not None and errors >= max_errors:
                stats.unread, stats.stopped = len(files) - index, True
                break
            key, data = plan[index]
            if key is None:
                result = load_file(path)
            elif data is not None:
                result, stats.cached = decode(data, str(path)), stats.cached + 1
            else:
                data = fresh.get(key) or next(results)
                if misses.pop(key, None) is not None:
                    stats.extracted += 1
                    if key in repeated:
                        fresh[key] = data
                    if cache:
                        cache.put(key, data)
                result = decode(data, str(path))
            errors += sum(d.severity == ERROR for d in result.diagnostics)
            loaded.extend(result)
        else:
            stats.stopped = max_errors is not None and errors >= max_errors
    finally:
        results.close()
        stats.cache_error = cache.error if cache else None
    return ref, loaded


def _plan(files: list[Path], read_job: Callable[[Path], "ArticleJob"], fingerprint: str,
          cache: "ExtractCache | None") -> tuple[list, dict, set]:
    """Per input: (cache key, cached records) for an article, (None, None) for anything else;
    the articles to extract, once per key, in input order; the keys met more than once."""
    plan: list[tuple[str | None, dict | None]] = []
    misses: dict[str, tuple] = {}
    seen: set[str] = set()
    repeated: set[str] = set()
    for path in files:
        chosen = loader_for(path) if path.is_file() else None
        if chosen is None or chosen.name != "article" or path.stat().st_size > _input_limit():
            plan.append((None, None))  # the loader reads it (and reports a file over the limit)
            continue
        try:
            job = read_job(path)
        except OSError:  # the loader reports it, as for any unreadable input
            plan.append((None, None))
            continue
        key = job.key(fingerprint)
        (repeated if key in seen else seen).add(key)
        data = cache.get(key) if cache and key not in misses else None
        plan.append((key, data))
        if data is None:
            misses.setdefault(key, (job, path))
    return plan, misses, repeated


def _input_limit() -> int:
    from kg.loaders._readers import max_input_bytes
    return max_input_bytes()


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
          progress: Callable | None = None, extract: ExtractOptions | None = None,
          max_errors: int | None = None, stats: LoadStats | None = None) -> Graph:
    """Build a graph from fact sheets, market moves and articles.

    errors="raise" raises BuildError when any input has an error;
    errors="keep" leaves bad records out and keeps the problems on graph.diagnostics.
    `extract` says how articles are extracted (processes, Dask, cache): the graph is the
    same whichever. `max_errors` stops reading inputs once that many errors were found;
    `stats`, if given, is filled with what was extracted, cached and left unread.
    """
    found = expand(inputs)
    stats = stats if stats is not None else LoadStats()
    ref, loaded = load_all(found.files, reference, progress, extract, max_errors, stats,
                           errors_before=len(found.missing))
    loaded.diagnostics.extend(found.missing)
    graph = assemble(ref, loaded)
    read = found.files[:len(found.files) - stats.unread]
    graph.inputs = [{"name": p.name, "sha256": sha256(p)} for p in read]
    if reference:
        from kg.loaders.reference import reference_digest
        graph.inputs.insert(0, {"name": "reference", "sha256": reference_digest()})
    if errors == "raise" and any(d.severity == ERROR for d in graph.diagnostics):
        raise BuildError(graph.diagnostics)
    return graph
