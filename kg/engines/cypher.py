"""Embedded Cypher over a built graph, with Ladybug (the maintained Kùzu fork).

Why embedded: the query pack, the demo and the tests need Cypher with no server. A graph
directory (what `kg build -o DIR` writes) is loaded into a Ladybug database cached at
`DIR/.cache/ladybug/`; the cache is keyed by the manifest's file hashes, the DDL and the Ladybug
version (`key` file), and rebuilt when any of them differs. A build fills a temporary sibling
directory and is swapped in only when complete, so an interrupted build never leaves half a
database.

Tables come from the schema (see `kg.engines.cypher_ddl` for the model): `Entity` nodes with a
`type` column, one REL table per edge type in UPPER_SNAKE, value facts as `Measure` nodes
(`HAS_MEASURE`), and provenance as `Claim -[:HAS_EVIDENCE]-> Evidence`. Loading is bulk: each
table is written to Parquet in a temporary directory and read with one `COPY ... FROM`.

Queries are read-only twice over: a tokenizer that skips string literals, comments and quoted
names refuses write clauses (CREATE, MERGE, SET, DELETE, DROP, COPY, ALTER, INSTALL, LOAD,
ATTACH...), `CALL` of anything but a catalogue procedure and several statements in one text; and
the database itself is opened read-only. Parameters are always bound, never pasted, and a
`$name` without a value is an error (Ladybug would silently read it as null). Rows come back as
plain Python: dates as ISO strings, lists as lists, nodes and relationships as property dicts
with `_label`, paths as `{"nodes": [...], "rels": [...]}` (each rel with `_src`/`_dst` ids).

Dialect (Ladybug 0.22): variable-length patterns are WALKs by default; write `* TRAIL` (Neo4j's
semantics) or filter `WHERE is_acyclic(p)` (simple paths); `* ACYCLIC` parses but gives wrong
counts. Several rel types are written `[:SUPPLIES|COMPETES_WITH*1..4]`; shortest paths as
`[:SUPPLIES* SHORTEST 1..6]`, not `shortestPath()`. No list comprehension (use
`list_transform(l, x -> ...)` or `properties(nodes(p), 'id')`), no `type()` (use `label()`), no
map projection, `CALL {}`, `FOREACH` or `SET +=`; `EXISTS {}` and `COUNT {}` work.
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import math
import re
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from kg.atomic import atomic_dir
from kg.engines import (MEMORY, TIMEOUT, Handle, QueryError, QueryOutOfMemory, QueryTimeout, budget,
                        memory_budget)
from kg.engines.cypher_ddl import Table, cell, ddl, layout, rows
from kg.model import canonical_json
from kg.registry import register
from kg.schema.model import Schema, load_schema

#: bump when the table layout or the loader changes meaning, to invalidate every cache
LAYOUT_VERSION = 2  # 2: CHANNEL steps
CACHE_DIR = Path(".cache") / "ladybug"
DB_FILE = "graph.lbug"
KEY_FILE = "key"

#: words that start a clause which writes, reads files or changes the session
WRITE_WORDS = frozenset("""CREATE MERGE SET DELETE DETACH REMOVE DROP COPY ALTER INSTALL
    UNINSTALL LOAD ATTACH USE IMPORT EXPORT CHECKPOINT BEGIN COMMIT ROLLBACK FOREACH""".split())
#: procedures that only read the catalogue; everything else after CALL is refused
READ_PROCEDURES = frozenset("""show_tables table_info show_connection show_functions
    show_indexes show_macros show_sequences show_graphs show_projected_graphs show_warnings
    show_attached_databases show_loaded_extensions show_official_extensions current_setting
    db_version storage_version catalog_version stats_info storage_info""".split())
_TOKEN = re.compile(r"""
    (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted>`[^`]*`)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


class WriteRefused(QueryError):
    """A statement that would write (or read files, or change settings) on a read-only engine."""


# -- read-only guard ---------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    """Words and punctuation of `text`; string literals, comments and `quoted` names dropped."""
    out = []
    for m in _TOKEN.finditer(text):
        if m.lastgroup in ("word", "other"):
            out.append(m.group())
    return out


def check_read_only(text: str) -> None:
    """Raise WriteRefused unless `text` is one statement that only reads the graph."""
    toks = tokens(text)
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else ""
        if tok == ";" and any(t != ";" for t in toks[i + 1:]):
            raise WriteRefused("one statement per query")
        if prev in (".", "$"):  # n.set, $load: a property or a parameter, not a clause
            continue
        word = tok.upper()
        if word in WRITE_WORDS:
            raise WriteRefused(f"{word} is refused: the Cypher engine is read-only")
        if word == "CALL":
            proc = toks[i + 1].lower() if i + 1 < len(toks) else ""
            if proc not in READ_PROCEDURES or toks[i + 2:i + 3] != ["("]:
                raise WriteRefused(f"CALL {proc or '?'} is refused: only catalogue procedures "
                                   f"({', '.join(sorted(READ_PROCEDURES))}) may be called")


def parameter_names(text: str) -> set[str]:
    toks = tokens(text)
    return {toks[i + 1] for i, t in enumerate(toks[:-1]) if t == "$"}


def checked_params(text: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters of a statement that may run: read-only (`check_read_only`), every
    `$name` given a value. Shared by the embedded engine and the Bolt engine."""
    params = dict(params or {})
    check_read_only(text)
    missing = sorted(parameter_names(text) - set(params))
    if missing:
        raise QueryError(f"no value for parameter(s): {', '.join('$' + m for m in missing)}")
    return params


# -- results -----------------------------------------------------------------------------------
def _node_key(ref: Any) -> tuple | None:
    return (ref.get("table"), ref.get("offset")) if isinstance(ref, dict) else None


def _element(d: dict, ids: Mapping[tuple, Any] | None = None) -> dict:
    out = {"_label": d.get("_LABEL")}
    if ids is not None and "_SRC" in d:
        out["_src"], out["_dst"] = ids.get(_node_key(d["_SRC"])), ids.get(_node_key(d["_DST"]))
    out.update((k, plain(v)) for k, v in d.items() if not k.startswith("_"))
    return out


def plain(value: Any) -> Any:
    """A Ladybug value as builtins: ISO dates, lists, dicts for nodes, rels and paths."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict) and "_NODES" in value:
        nodes = value.get("_NODES") or []
        ids = {_node_key(n.get("_ID")): n.get("id", n.get("fact_id")) for n in nodes}
        return {"nodes": [_element(n) for n in nodes],
                "rels": [_element(r, ids) for r in value.get("_RELS") or []]}
    if isinstance(value, dict) and "_ID" in value:
        return _element(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


# -- building ----------------------------------------------------------------------------------
def _arrow_type(kind: str) -> Any:
    import pyarrow as pa
    return {"STRING": pa.string(), "DOUBLE": pa.float64(), "INT64": pa.int64(),
            "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "STRING[]": pa.list_(pa.string())}[kind]


def _arrow(table: Table, records: list[dict[str, Any]]) -> Any:
    """The rows of `table` as a typed Arrow table (REL tables: `from`, `to` first)."""
    import pyarrow as pa
    cols = ([("from", "STRING"), ("to", "STRING")] if table.ends else []) + list(table.columns)
    return pa.table({name: pa.array([cell(r.get(name), kind) for r in records],
                                    type=_arrow_type(kind)) for name, kind in cols})


def _literal(path: Path) -> str:
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_database(graph: Any, db_path: Path, schema: Schema | None = None) -> None:
    """Create the tables of `schema` in a new database at `db_path` and bulk-load `graph`."""
    import ladybug
    import pyarrow.parquet as pq
    schema = schema or load_schema()
    data = rows(graph, schema)
    db = ladybug.Database(str(db_path), auto_checkpoint=False)  # one checkpoint: 3x faster
    try:
        conn = ladybug.Connection(db)
        for statement in ddl(schema):
            conn.execute(statement)
        with tempfile.TemporaryDirectory(prefix="ripplekg-ladybug-") as tmp:
            for table in layout(schema):
                if data[table.name]:
                    path = Path(tmp) / f"{table.name}.parquet"
                    pq.write_table(_arrow(table, data[table.name]), path)
                    conn.execute(f"COPY {table.name} FROM {_literal(path)}")
        conn.execute("CHECKPOINT")
        conn.close()
    finally:
        db.close()


def cache_key(manifest: Mapping[str, Any], schema: Schema, version: str) -> str:
    """What the cached database depends on: the graph files, the DDL, the Ladybug version."""
    body = canonical_json({"layout": LAYOUT_VERSION, "ladybug": version,
                           "ddl": ddl(schema), "files": manifest.get("files", {})})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _cached_key(cache: Path) -> str | None:
    """The key of the database cached in `cache`, None when there is none."""
    if not (cache / DB_FILE).is_file():
        return None
    try:
        return (cache / KEY_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


# -- the engine --------------------------------------------------------------------------------
@dataclass
class CypherHandle(Handle):
    """An open, read-only database over one graph directory."""

    graph_dir: Path
    db_path: Path
    key: str
    rebuilt: bool
    build_seconds: float
    memory: int  # MiB: Ladybug's buffer pool, which a query's intermediate results share
    database: Any = field(repr=False)
    connection: Any = field(repr=False)

    def close(self) -> None:
        self.connection.close()
        self.database.close()


@register("engine", "cypher")
class CypherEngine:
    name = "cypher"
    language = "cypher"
    read_only = True
    timeout = TIMEOUT
    memory = MEMORY

    def ddl(self, schema: Schema | None = None) -> list[str]:
        return ddl(schema or load_schema())

    def open(self, graph_dir: str | Path, memory: int | None = None) -> CypherHandle:
        """Open `graph_dir`'s cached database, (re)building it first when it is stale. Its
        queries share `memory` MiB (default `self.memory`): one that needs more fails with
        QueryOutOfMemory, and the handle stays usable."""
        import ladybug
        from kg.store import load_graph, read_manifest
        mib = memory_budget(self.memory if memory is None else memory)
        graph_dir = Path(graph_dir)
        schema = load_schema()
        key = cache_key(read_manifest(graph_dir), schema, ladybug.__version__)
        cache = graph_dir / CACHE_DIR
        rebuilt, seconds = _cached_key(cache) != key, 0.0
        if rebuilt:
            start = time.perf_counter()
            graph = load_graph(graph_dir)
            with atomic_dir(cache) as tmp:
                build_database(graph, tmp / DB_FILE, schema)
                (tmp / KEY_FILE).write_text(key + "\n", encoding="utf-8")
            seconds = time.perf_counter() - start
        database = ladybug.Database(str(cache / DB_FILE), read_only=True, buffer_pool_size=mib * 2**20)
        return CypherHandle(graph_dir, cache / DB_FILE, key, rebuilt, seconds, mib, database,
                            ladybug.Connection(database))

    def query(self, handle: CypherHandle, text: str, params: Mapping[str, Any] | None = None,
              timeout: float | None = None) -> list[dict[str, Any]]:
        """Run one read-only statement with bound parameters; rows as plain dicts. Past `timeout`
        seconds of wall clock (default `self.timeout`; math.inf for none) Ladybug stops it:
        QueryTimeout, and the handle stays usable."""
        params = checked_params(text, params)
        seconds = budget(self.timeout if timeout is None else timeout)
        handle.connection.set_query_timeout(0 if math.isinf(seconds) else max(1, round(seconds * 1000)))
        try:
            result = handle.connection.execute(text, params)
        except RuntimeError as exc:
            if str(exc).startswith("Interrupted"):
                raise QueryTimeout.after(seconds) from None
            if str(exc).startswith("Buffer manager exception: Unable to allocate memory"):
                raise QueryOutOfMemory.over(handle.memory) from None
            raise QueryError(str(exc)) from exc
        names = result.get_column_names()
        out = [dict(zip(names, (plain(v) for v in row))) for row in result.get_all()]
        result.close()
        return out

    def close(self, handle: CypherHandle) -> None:
        handle.close()
