"""The loading stage of a build: every input's records, gathered without holding the corpus.

Why a module of its own: this is where a build's memory would grow with its corpus, so it is
where that is prevented. Articles are read from disk only when a worker is free for them (not
all at once), cached extractions are read when their turn comes, and every entity mention and
claim goes straight to the on-disk store (`kg.factstore`).
Articles, the slow input, go through the content-hash cache (`kg.extract_cache`) and other
processes or a Dask cluster (`kg.parallel`); every path gives the same records in the same
order, so the graph does not depend on how it was built.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from kg.diagnostics import ERROR, Diagnostic
from kg.factstore import FactStore
from kg.loading import LoadResult, load_file, loader_for
from kg.model import Entity

if TYPE_CHECKING:
    from kg.extract_cache import ExtractCache


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


@dataclass
class Collected:
    """What loading keeps in memory: diagnostics and the reference's entities. Entity mentions
    and claims are in `store`, on disk."""

    store: FactStore
    reference: list[Entity] = field(default_factory=list)
    reference_diagnostics: list[Diagnostic] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def take_reference(self, result: LoadResult) -> None:
        self.reference = result.entities
        self.reference_diagnostics = result.diagnostics
        for fact in result.facts:
            self.store.add_claim(fact, reference=True)

    def take(self, result: LoadResult) -> int:
        """Keep one input's records; the number of errors among its diagnostics."""
        for ent in result.entities:
            self.store.add_entity(ent)
        for fact in result.facts:
            self.store.add_claim(fact)
        self.diagnostics.extend(result.diagnostics)
        return sum(d.severity == ERROR for d in result.diagnostics)


class _Jobs:
    """The articles to extract, read from disk only when a worker takes them."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator:
        from kg.extract_cache import read_job
        return (read_job(path) for path in self.paths)


def load_all(files: list[Path], reference: bool, into: Collected, progress: Callable | None = None,
             extract: ExtractOptions | None = None, max_errors: int | None = None,
             stats: LoadStats | None = None, errors_before: int = 0) -> None:
    """The reference registry and every input's records, in input order, into `into`.

    With `max_errors`, reading stops at the input that brings the number of errors (counting
    `errors_before`) to it, whatever the backend.
    """
    from kg.extract_cache import ExtractCache, decode, fingerprint
    from kg.parallel import map_jobs
    extract = extract or ExtractOptions()
    stats = stats if stats is not None else LoadStats()
    cache = ExtractCache(extract.cache) if extract.cache else None
    plan, misses, repeated = _plan(files, fingerprint(), cache)
    # started first: workers load the registry while this process loads the reference
    results = map_jobs(_Jobs(list(misses.values())), extract.workers, extract.scheduler)
    fresh: dict[str, dict] = {}  # extracted records of a key met again later in the input
    errors = errors_before
    try:
        if reference:
            from kg.loaders.reference import load_reference
            into.take_reference(load_reference())
        for index, path in enumerate(progress(files) if progress else files):
            if max_errors is not None and errors >= max_errors:
                stats.unread, stats.stopped = len(files) - index, True
                break
            key, cached, loader = plan[index]
            if key is None:
                result = load_file(path, loader)
            elif cached and (result := cache.load(key, str(path))) is not None:
                stats.cached += 1
            elif cached:  # corrupt past its header, or gone since planning: extracted here
                result = _extract_here(cache, key, path, stats)
            else:
                data = fresh.get(key) or next(results)
                if misses.pop(key, None) is not None:
                    stats.extracted += 1
                    if key in repeated:
                        fresh[key] = data
                    if cache:
                        cache.put(key, data)
                result = decode(data, str(path))
            errors += into.take(result)
        else:
            stats.stopped = max_errors is not None and errors >= max_errors
    finally:
        results.close()
        stats.cache_error = cache.error if cache else None


def _plan(files: list[Path], fingerprint: str, cache: "ExtractCache | None") -> tuple[list, dict, set]:
    """Per input: (cache key, in the cache?, None) for an article, (None, False, the loader's
    name or None) for anything else (its loader is sniffed once, here); the articles to
    extract, once per key, in input order; the keys met more than once."""
    from kg.extract_cache import read_job
    plan: list[tuple[str | None, bool, str | None]] = []
    misses: dict[str, Path] = {}
    seen: set[str] = set()
    repeated: set[str] = set()
    for path in files:
        chosen = loader_for(path) if path.is_file() else None
        name = chosen.name if chosen else None
        if name != "article" or path.stat().st_size > _input_limit():
            plan.append((None, False, name))  # the loader reads it (and reports a file over the limit)
            continue
        try:
            key = read_job(path).key(fingerprint)
        except OSError:  # the loader reports it, as for any unreadable input
            plan.append((None, False, name))
            continue
        (repeated if key in seen else seen).add(key)
        cached = bool(cache) and key not in misses and cache.has(key)
        plan.append((key, cached, None))
        if not cached:
            misses.setdefault(key, path)
    return plan, misses, repeated


def _extract_here(cache: "ExtractCache", key: str, path: Path, stats: LoadStats) -> LoadResult:
    """An article whose cache entry turned out unusable, extracted in this process and stored."""
    from kg.extract_cache import decode, read_job
    from kg.parallel import run_job
    data = run_job(read_job(path))[1]
    cache.put(key, data)
    stats.extracted += 1
    return decode(data, str(path))


def _input_limit() -> int:
    from kg.loaders._readers import max_input_bytes
    return max_input_bytes()
