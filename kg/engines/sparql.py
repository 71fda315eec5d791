"""Embedded SPARQL over a built graph, with pyoxigraph: no server for the query pack and tests.

A graph directory's RDF view (kg.rdf) plus the vocabulary (so `?x a/rdfs:subClassOf*
ns:Organization` finds companies) is bulk-loaded into an Oxigraph store cached at
`DIR/.cache/oxigraph/`, keyed (`key` file) by the manifest's file hashes, the mapping version,
the schema and the pyoxigraph version; a stale cache is rebuilt in a temporary sibling and
swapped in whole.

Read-only three times over: the text is checked and its parameters bound by
`kg.engines.sparql_text.prepare` (updates, SERVICE and non-local FROM refused; values never
pasted as raw text); `Store.query` runs no updates; the store is opened read-only. A `$name`
needs a value; a value needs a variable.

Three limits, each a class attribute and an argument. Time: a query gets 60 s of wall clock
(`timeout`, seconds; math.inf for none), after which it is stopped and QueryTimeout raised; the
process and the handle stay usable. pyoxigraph has no timeout, so the query runs in a pooled
worker process that is killed at the deadline (`kg.engines.sparql_budget` says why nothing
lighter stops `?a :p* ?b . ?c :p* ?d`). Memory: the worker may grow by `memory` MiB while it
answers (set when the handle is opened; a quarter of the machine by default), past which it is
killed and QueryOutOfMemory raised: a GROUP BY over a cross product grows by 200 MB a second,
which 60 s would let reach 12 GB. Size: at most 10,000 rows (`max_rows`; RowLimitExceeded, add
LIMIT); solutions stream, so the cap bounds plain pattern queries but not ORDER BY, GROUP BY or
DISTINCT, which see every row first (the time and memory budgets bound those). A bare
`ox.Store` passed instead of a handle (it may live only in memory) is queried in this process,
its time budget only checked between solutions and its memory not bounded.

Rows are plain Python: resource IRIs as entity ids (fact nodes as fact ids, evidence as
`FACT/evidence/N`), other IRIs in full; integers and gYear as int, decimals and doubles as
float, booleans as bool, dates and strings as str, unbound as None. Row order is the query's.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote

import pyoxigraph as ox

from kg.atomic import atomic_dir
from kg.model import canonical_json
from kg.rdf import MAPPING_VERSION, to_ntriples, vocabulary
from kg.engines import (MEMORY, TIMEOUT, Handle, QueryOutOfMemory, QueryTimeout, budget, memory_budget,
                        sparql_budget)
from kg.engines.sparql_text import (  # noqa: F401  (re-exported: the engine's public API)
    PARAM_TYPES, EntityRef, QueryError, QueryRefused, RowLimitExceeded, Term, bind, check, prefixes,
    prepare, variables, with_values)
from kg.registry import register
from kg.schema.model import Schema, load_schema

CACHE_DIR = Path(".cache") / "oxigraph"
STORE_DIR = "store"
KEY_FILE = "key"
MAX_ROWS = 10_000
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = ("integer", "int", "long", "short", "byte", "gyear")  # endings, lower-cased


# -- results -----------------------------------------------------------------------------------
def to_python(term: Any, schema: Schema) -> Any:
    """One result term as a plain Python value (see the module docstring)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return _iri(term.value, schema)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return str(term)
    return _literal(term.value, term.datatype.value)


def _from_wire(item: str | tuple[str | None, str] | None, schema: Schema) -> Any:
    """The same, for a term as a worker sends it (`sparql_budget.wire`)."""
    if item is None:
        return None
    if isinstance(item, str):
        return _iri(item, schema)
    return item[1] if item[0] is None else _literal(item[0], item[1])


def _iri(value: str, schema: Schema) -> str:
    base = schema.raw["resource_namespace"]
    if not value.startswith(base):
        return value
    local = value[len(base):]
    return local[len("fact/"):] if local.startswith("fact/") else unquote(local)


def _literal(value: str, datatype: str) -> Any:
    kind = datatype.removeprefix(_XSD).lower()
    try:
        if kind.isalpha() and kind.endswith(_INTEGERS):
            return int(value)
        if kind in ("decimal", "double", "float"):
            return float(value)
        if kind == "boolean":
            return value in ("true", "1")
    except ValueError:
        pass
    return value


# -- the engine --------------------------------------------------------------------------------
def cache_key(manifest: Mapping[str, Any], schema: Schema) -> str:
    """What the cached store depends on: graph files, mapping, schema, pyoxigraph version."""
    body = canonical_json({"mapping": MAPPING_VERSION, "oxigraph": ox.__version__,
                           "schema": schema.raw, "files": manifest.get("files", {})})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _cached_key(cache: Path) -> str | None:
    try:
        return (cache / KEY_FILE).read_text(encoding="utf-8").strip() if (cache / STORE_DIR).is_dir() else None
    except OSError:
        return None


@dataclass
class SparqlHandle(Handle):
    """An open, read-only store over one graph directory."""

    graph_dir: Path
    store_path: Path
    key: str
    rebuilt: bool
    build_seconds: float
    memory: int  # MiB a query may add to its worker process
    store: ox.Store = field(repr=False)

    def close(self) -> None:
        self.store = None  # type: ignore[assignment]  # pyoxigraph closes on release


@register("engine", "sparql")
class SparqlEngine:
    name = "sparql"
    language = "sparql"
    read_only = True
    max_rows = MAX_ROWS
    timeout = TIMEOUT
    memory = MEMORY

    def __init__(self) -> None:
        self.builds = 0  # stores built by this engine (the cache tests count them)

    def open(self, graph_dir: str | Path, memory: int | None = None) -> SparqlHandle:
        """Open `graph_dir`'s cached store, (re)building it first when it is stale. A query may
        grow its worker by `memory` MiB (default `self.memory`); past that the worker is killed
        and QueryOutOfMemory raised."""
        from kg.store import load_graph, read_manifest
        mib = memory_budget(self.memory if memory is None else memory)
        graph_dir, schema = Path(graph_dir), load_schema()
        key = cache_key(read_manifest(graph_dir), schema)
        cache = graph_dir / CACHE_DIR
        rebuilt, seconds = _cached_key(cache) != key, 0.0
        if rebuilt:
            start = time.perf_counter()
            data = to_ntriples(load_graph(graph_dir), schema)
            data += vocabulary(schema).serialize(format="nt")
            with atomic_dir(cache) as tmp:
                store = ox.Store(str(tmp / STORE_DIR))
                store.bulk_load(input=data.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
                store.flush()
                del store
                (tmp / KEY_FILE).write_text(key + "\n", encoding="utf-8")
            self.builds += 1
            seconds = time.perf_counter() - start
        store = ox.Store.read_only(str(cache / STORE_DIR))
        sparql_budget.warm()  # the first query need not wait for a worker to start
        return SparqlHandle(graph_dir, cache / STORE_DIR, key, rebuilt, seconds, mib, store)

    def query(self, handle: SparqlHandle | ox.Store, text: str,
              params: Mapping[str, object] | None = None, types: Mapping[str, str] | None = None,
              max_rows: int | None = None, timeout: float | None = None) -> list[dict[str, Any]]:
        """Run one read-only query with bound parameters; rows as plain dicts.

        SELECT gives one dict per solution, ASK `[{"ask": bool}]`, CONSTRUCT and DESCRIBE
        one `{"subject", "predicate", "object"}` per triple. Past `timeout` seconds (default
        `self.timeout`) the query is stopped: QueryTimeout.
        """
        schema = load_schema()
        cap = self.max_rows if max_rows is None else max_rows
        seconds = budget(self.timeout if timeout is None else timeout)
        full = prepare(text, params, types, schema)
        if not isinstance(handle, SparqlHandle):
            return _in_process(handle, full, schema, cap, seconds)
        try:
            reply = sparql_budget.evaluate(str(handle.store_path), handle.key, full, prefixes(schema),
                                           cap, seconds, handle.memory * 2**20)
        except sparql_budget.BudgetExceeded:
            raise QueryTimeout.after(seconds) from None
        except sparql_budget.MemoryExceeded:
            raise QueryOutOfMemory.over(handle.memory) from None
        except sparql_budget.WorkerLost as exc:
            raise QueryError(str(exc)) from None
        kind = reply[0]
        if kind == "error":
            raise QueryError(reply[1])
        if kind == "over":
            raise _too_many(cap)
        if kind == "ask":
            return [{"ask": reply[1]}]
        names = reply[1] or ["subject", "predicate", "object"]
        return [{n: _from_wire(t, schema) for n, t in zip(names, row)} for row in reply[2]]

    def close(self, handle: SparqlHandle) -> None:
        handle.close()


def _too_many(cap: int) -> RowLimitExceeded:
    return RowLimitExceeded(f"more than {cap} rows: add LIMIT or raise max_rows")


def _in_process(store: ox.Store, text: str, schema: Schema, cap: int,
                seconds: float) -> list[dict[str, Any]]:
    """A bare store, queried here: the budget is checked between solutions only."""
    deadline = time.monotonic() + seconds if math.isfinite(seconds) else math.inf
    try:
        result = store.query(text, prefixes=prefixes(schema))
    except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
        raise QueryError(str(exc)) from exc
    try:
        return _rows(result, schema, cap, deadline)
    except TimeoutError:
        raise QueryTimeout.after(seconds) from None


def _rows(result: Any, schema: Schema, cap: int, deadline: float = math.inf) -> list[dict[str, Any]]:
    if isinstance(result, ox.QueryBoolean):
        return [{"ask": bool(result)}]
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = ({n: to_python(sol[n], schema) for n in names} for sol in result)
    else:
        rows = ({"subject": to_python(t.subject, schema), "predicate": to_python(t.predicate, schema),
                 "object": to_python(t.object, schema)} for t in result)
    out = []
    for row in rows:
        if len(out) == cap:
            raise _too_many(cap)
        if time.monotonic() > deadline:
            raise TimeoutError
        out.append(row)
    return out
