"""Write a built graph to a Cypher server over Bolt (Neo4j 5, FalkorDB) with the official driver.

    from kg.push_bolt import push
    counts = push(kg.load("out"), "bolt://127.0.0.1:7687", auth=("neo4j", "secret"))

The model is the embedded engine's (`kg.engines.cypher_ddl`), so the same Cypher answers on both:
`(:Entity {id})` nodes, plus one label per node type and its ancestors (`:Entity:Company:Organization`)
taken from the schema's closed type list; one relationship type per edge type (`FELL_BY`, MERGEd on
`fact_id`); `(:Entity)-[:HAS_MEASURE]->(:Measure {fact_id})` for value facts; provenance as
`(:Claim {fact_id})-[:HAS_EVIDENCE]->(:Evidence {id})`; and the contagion steps of `kg.channels` as
`(:Entity)-[:CHANNEL {id, via, fact_id, n_sources}]->(:Entity)`. Properties are the layout's
typed columns; dates are ISO strings (`r.date = '2025-01-27'`), lists are lists of strings.

Order: indexes/constraints first, then nodes, then relationships, each as a parameterised
`UNWIND $rows AS row MERGE ...` in batches of `batch` rows. Labels, relationship types and
property names in the query text come only from the schema (and are checked to be identifiers);
every value is a parameter. Entity types are checked against the schema before anything is
written, so a type such as "Company}) DETACH DELETE n //" stops the push with nothing written.
Everything is MERGE + SET, so pushing the same graph again changes nothing (same counts). It
merges, it does not replace: nodes, labels and properties that an earlier push wrote and the
graph no longer has stay on the server (push into an empty database to replace a graph).

What FalkorDB (4.16, over its Bolt port) needs, all detected by probing the server, never by its
agent string (it says "Neo4j/5.13.0"):

- No `CREATE CONSTRAINT` in its Cypher (unique constraints are the Redis command
  `GRAPH.CONSTRAINT CREATE`, which Bolt cannot send) and no `CREATE INDEX IF NOT EXISTS`: the push
  creates the exact-match index `CREATE INDEX FOR (n:Entity) ON (n.id)` (same for Measure.fact_id,
  Claim.fact_id, Evidence.id) unless `CALL db.indexes()` already lists it. Uniqueness then rests on
  MERGE with one writer at a time. Neo4j gets named `CREATE CONSTRAINT ... IF NOT EXISTS`.
- Bolt parameters are pasted into the query text as literals (`CYPHER name=value ...`): a string
  with `'` breaks the statement and `\\` is read as an escape, so strings (in lists and maps too)
  are sent escaped (`\\` -> `\\\\`, `'` -> `\\'`) when a probe shows the server needs it, and then
  round-trip unchanged. Floats are printed with 6 decimals (1e-10 arrives as 0.0) and `toFloat()`
  of a string parses as a 32-bit float, so every DOUBLE column travels as three integers
  `[m, a, b]` with value = m * 2^a * 2^b (exact for any finite double) and is rebuilt in Cypher;
  the same statement runs on Neo4j.
- Parameters and statement are pasted into a 4 KB buffer: past it the server crashes. Batches are
  cut by bytes as well as rows (an upper bound: the rows' JSON), so a FalkorDB batch holds about a
  dozen rows; a row too big alone is written without its longest properties, which are then
  appended in pieces (`SET x.p = x.p + $part`).
- A returned `date` value crashes the server, hence dates as strings.
- Bolt database selection is ignored (one graph per server) and `rollback` does nothing: a failed
  push leaves the batches already written, and running it again completes it (idempotent).
- After any client sends GOODBYE (every neo4j driver does on close) the server answers no new
  Bolt connection: push with a driver you keep (`push_driver`) or restart the server after.
"""
from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from kg.engines.cypher_ddl import Table, cell, layout, rows
from kg.schema.model import Schema, load_schema

#: node tables and their key property (the MERGE key, indexed / unique)
NODE_KEYS = {"Entity": "id", "Measure": "fact_id", "Claim": "fact_id", "Evidence": "id"}
#: relationship tables that are not edge types: their end labels and end keys
LINKS = {"HAS_MEASURE": ("Entity", "Measure"), "HAS_EVIDENCE": ("Claim", "Evidence"),
         "CHANNEL": ("Entity", "Entity")}
#: the MERGE key of each relationship table (None: at most one such link between two nodes)
REL_KEYS = {"HAS_MEASURE": None, "HAS_EVIDENCE": None, "CHANNEL": "id"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: server-flavour probe value: four characters, a, backslash, backslash, b
_BACKSLASH_PROBE = "a\\\\b"
_STRING_PROBE = "it's \"q\" \\ `x` é\n"


class PushError(Exception):
    """The graph cannot be written: a type not in the schema, a failed statement, lost rows."""


# -- how values travel -------------------------------------------------------------------------
#: FalkorDB 4.16 pastes parameters into a fixed 4 KB buffer ahead of the query text: a statement
#: plus parameters past that crashes the server (measured: 4,072 bytes pass, 4,100 kill it)
FALKORDB_TEXT_LIMIT = 4096
#: bytes kept free under that limit (the `CYPHER name=` prefix, rounding of the estimate)
TEXT_MARGIN = 256


@dataclass(frozen=True)
class Codec:
    """How parameter values must be encoded for one server (found by `probe`)."""

    flavour: str = "neo4j"        # "neo4j" or "falkordb" (what DDL the server takes)
    escape_strings: bool = False  # the server pastes string parameters into the query text
    exact_floats: bool = True     # float parameters arrive unchanged
    text_limit: int | None = None  # bytes of statement + parameters the server survives

    def encode(self, value: Any) -> Any:
        """`value` with every string (in lists and maps too) escaped when the server needs it."""
        if isinstance(value, str):
            return value.replace("\\", "\\\\").replace("'", "\\'") if self.escape_strings else value
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {self.encode(k): self.encode(v) for k, v in value.items()}
        return value

    def size(self, value: Any) -> int:
        """An upper bound of the bytes `value` takes once pasted into the query text: its JSON
        (quoted keys, `, ` and `: ` separators, escapes doubled) is never shorter than FalkorDB's
        `{key: 'value'}` form."""
        return len(json.dumps(self.encode(value), ensure_ascii=False).encode("utf-8"))

    def budget(self, statement: str) -> int | None:
        """Bytes of parameters that may go with `statement` (None: no limit)."""
        if self.text_limit is None:
            return None
        return self.text_limit - TEXT_MARGIN - len(statement.encode("utf-8"))


def float_parts(x: float) -> list[int] | None:
    """[m, a, b] with m * 2^a * 2^b == x exactly (integers travel exactly, floats may not)."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        raise PushError(f"{x!r} cannot be stored: not a finite number")
    mantissa, exponent = math.frexp(x)
    m, e = int(mantissa * (1 << 53)), exponent - 53
    a = e // 2  # two factors, each a normal power of two, so neither under- nor overflows
    return [m, a, e - a]


def probe(driver: Any, database: str | None = None) -> Codec:
    """Ask the server how it treats strings and floats in parameters, and which DDL it speaks."""
    kw = {"database_": database} if database else {}
    flavour = "neo4j"
    try:
        driver.execute_query("CALL dbms.components() YIELD name RETURN name", **kw)
    except Exception:  # FalkorDB: no such procedure (reported as UnknownError over Bolt)
        try:
            driver.execute_query("CALL db.indexes()", **kw)
            flavour = "falkordb"
        except Exception as exc:
            raise PushError(f"the server answers neither dbms.components() (Neo4j) nor "
                            f"db.indexes() (FalkorDB): {exc}") from exc
    records = driver.execute_query("RETURN $s AS s, $f AS f", s=_BACKSLASH_PROBE,
                                   f=0.1234567890123456, **kw).records
    got, f = records[0]["s"], records[0]["f"]
    if got == _BACKSLASH_PROBE:
        escape = False
    elif got == "a\\b":
        escape = True
    else:
        raise PushError(f"the server changes string parameters in an unknown way: "
                        f"{_BACKSLASH_PROBE!r} came back as {got!r}")
    codec = Codec(flavour, escape, f == 0.1234567890123456,
                  FALKORDB_TEXT_LIMIT if flavour == "falkordb" else None)
    back = driver.execute_query("RETURN $s AS s", s=codec.encode(_STRING_PROBE), **kw).records[0]["s"]
    if back != _STRING_PROBE:
        raise PushError(f"string parameters do not round-trip: {_STRING_PROBE!r} came back as {back!r}")
    return codec


# -- rows and statements -----------------------------------------------------------------------
def _ident(name: str, what: str) -> str:
    if not isinstance(name, str) or not _IDENT.match(name):
        raise PushError(f"{what} {name!r} is not an identifier; refusing to put it in a query")
    return f"`{name}`"


def _value(value: Any, kind: str) -> Any:
    out = cell(value, kind)
    return out.isoformat() if hasattr(out, "isoformat") else out


def _row(table: Table, record: Mapping[str, Any], skip: Iterable[str] = (),
         split_floats: bool = True) -> dict:
    """One UNWIND row (not yet encoded): `props` (non-null columns but floats), `num` (floats as
    [m, a, b]); with `split_floats` False, floats stay plain in `props` and `num` is empty."""
    props, num = {}, {}
    for name, kind in table.columns:
        if name in skip:
            continue
        value = _value(record.get(name), kind)
        if value is None:
            continue
        if kind == "DOUBLE" and split_floats:
            num[name] = float_parts(value)
        else:
            props[name] = value
    return {"props": props, "num": num}


def _set_floats(var: str, table: Table, split_floats: bool = True) -> str:
    """SET clauses that rebuild each DOUBLE column from its [m, a, b] (null removes the property)."""
    if not split_floats:
        return ""
    parts = []
    for name, kind in table.columns:
        if kind == "DOUBLE":
            col, src = _ident(name, "property"), f"row.num.{_ident(name, 'property')}"
            parts.append(f"{var}.{col} = {src}[0] * (2.0 ^ {src}[1]) * (2.0 ^ {src}[2])")
    return ("\nSET " + ", ".join(parts)) if parts else ""


@dataclass
class Step:
    """One statement and its rows: a node label or a relationship type of the layout."""

    kind: str                  # "node" or "rel"
    name: str                  # the table: Entity, Claim, FELL_BY, CHANNEL...
    statement: str             # UNWIND $rows AS row MERGE ... RETURN count(*) AS written
    match: str | None          # UNWIND $rows AS row MATCH ... binding `x` by key (for appends)
    rows: list[dict]
    table: Table | None = None  # the layout table: typed columns (kg.exporters.neo4j_csv)
    labels: tuple[str, ...] = ()  # labels set besides the table's own (entity type, ancestors)


def node_step(table: Table, records: list[dict], labels: tuple[str, ...] = (),
              split_floats: bool = True) -> Step:
    key = NODE_KEYS[table.name]
    extra = "".join(":" + _ident(label, "label") for label in labels)
    head = f"{_ident(table.name, 'label')} {{{_ident(key, 'property')}: row.key}}"
    statement = (f"UNWIND $rows AS row\nMERGE (n:{head})\n"
                 f"SET n += row.props{', n' + extra if extra else ''}"
                 f"{_set_floats('n', table, split_floats)}\nRETURN count(*) AS written")
    rows_ = [{**_row(table, r, (key,), split_floats), "key": r[key]} for r in records]
    return Step("node", table.name, statement, f"UNWIND $rows AS row\nMATCH (x:{head})\n", rows_,
                table, labels)


def rel_step(table: Table, records: list[dict], split_floats: bool = True) -> Step:
    src, dst = LINKS.get(table.name, ("Entity", "Entity"))
    key = REL_KEYS.get(table.name, "fact_id")
    a = f"{_ident(src, 'label')} {{{_ident(NODE_KEYS[src], 'property')}: row.src}}"
    b = f"{_ident(dst, 'label')} {{{_ident(NODE_KEYS[dst], 'property')}: row.dst}}"
    rtype = _ident(table.name, "relationship type")
    head = f"UNWIND $rows AS row\nMATCH (a:{a})\nMATCH (b:{b})\n"
    if key is None:
        statement, match = head + f"MERGE (a)-[r:{rtype}]->(b)\nRETURN count(*) AS written", None
    else:
        rel = f"{rtype} {{{_ident(key, 'property')}: row.key}}"
        statement = (head + f"MERGE (a)-[r:{rel}]->(b)\nSET r += row.props"
                     f"{_set_floats('r', table, split_floats)}\n"
                     f"RETURN count(*) AS written")
        match = f"UNWIND $rows AS row\nMATCH (:{a})-[x:{rel}]->(:{b})\n"
    rows_ = []
    for r in records:
        row = _row(table, r, (key,) if key else (), split_floats)
        row.update(src=r["from"], dst=r["to"], key=r[key] if key else None)
        rows_.append(row)
    return Step("rel", table.name, statement, match, rows_, table)


def entity_labels(schema: Schema, node_type: str) -> tuple[str, ...]:
    """Extra labels for an entity of `node_type`: the type and its ancestors, Entity left out."""
    if node_type not in schema.node_types:
        raise PushError(f"entity type {node_type!r} is not in the schema")
    labels = tuple(t for t in schema.ancestors(node_type) if t != "Entity")
    for label in labels:
        _ident(label, "label")
        if label in NODE_KEYS:
            raise PushError(f"entity type {label!r} clashes with the built-in label {label}")
    return labels


def plan(graph: Any, schema: Schema | None = None, split_floats: bool = True) -> list[Step]:
    """Every statement with its rows, nodes first; PushError on a bad type before any write.

    `split_floats` False: DOUBLE values stay plain floats in `props` (for a script whose rows are
    literals, `kg.exporters.cypher`); True sends them as exact [m, a, b] parameters."""
    schema = schema or load_schema()
    tables = {t.name: t for t in layout(schema)}
    data = rows(graph, schema)
    bad = sorted({str(e["type"]) for e in data["Entity"] if e["type"] not in schema.node_types})
    if bad:
        raise PushError(f"entity types not in the schema (nothing was written): {', '.join(map(repr, bad))}")
    bad = sorted({str(f.p) for f in graph.facts() if f.p not in schema.edges})
    if bad:
        raise PushError(f"predicates not in the schema (nothing was written): {', '.join(map(repr, bad))}")
    steps: list[Step] = []
    by_type: dict[str, list[dict]] = {}
    for record in data["Entity"]:
        by_type.setdefault(record["type"], []).append(record)
    for node_type in sorted(by_type):
        steps.append(node_step(tables["Entity"], by_type[node_type], entity_labels(schema, node_type),
                               split_floats))
    for name in ("Measure", "Claim", "Evidence"):
        steps.append(node_step(tables[name], data[name], split_floats=split_floats))
    for table in tables.values():
        if table.ends is not None:
            if table.predicate is None and table.name not in LINKS:
                raise PushError(f"unknown relationship table {table.name}")
            steps.append(rel_step(table, data[table.name], split_floats))
    return steps


# -- writing -----------------------------------------------------------------------------------
def constraints() -> list[tuple[str, str]]:
    """(what, statement) of the named, idempotent Neo4j uniqueness constraint of each node key."""
    out = []
    for label, key in NODE_KEYS.items():
        name = f"{label.lower()}_{key}"
        out.append((f"unique {label}.{key}",
                    f"CREATE CONSTRAINT {_ident(name, 'constraint')} IF NOT EXISTS "
                    f"FOR (n:{_ident(label, 'label')}) REQUIRE n.{_ident(key, 'property')} IS UNIQUE"))
    return out


def _ddl(driver: Any, codec: Codec, kw: dict) -> list[str]:
    done = []
    if codec.flavour == "falkordb":
        existing = {(r["label"], tuple(r["properties"]))
                    for r in driver.execute_query("CALL db.indexes()", **kw).records
                    if r.get("entitytype", "NODE") == "NODE"}
        for label, key in NODE_KEYS.items():
            if (label, (key,)) not in existing:
                driver.execute_query(f"CREATE INDEX FOR (n:{_ident(label, 'label')}) "
                                     f"ON (n.{_ident(key, 'property')})", **kw)
            done.append(f"index {label}.{key}")
        return done
    for what, statement in constraints():
        driver.execute_query(statement, **kw)
        done.append(what)
    return done


class _Writer:
    def __init__(self, driver: Any, codec: Codec, batch: int, kw: dict) -> None:
        self.driver, self.codec, self.batch, self.kw = driver, codec, batch, kw
        self.created = {"nodes": 0, "relationships": 0, "properties": 0}
        self.statements = 0

    def run(self, statement: str, chunk: list[dict], what: str) -> int:
        """Send one batch; the number of rows it wrote."""
        try:
            result = self.driver.execute_query(statement, rows=self.codec.encode(chunk), **self.kw)
        except Exception as exc:
            raise PushError(f"writing {what} failed: {exc}") from exc
        self.statements += 1
        c = result.summary.counters
        self.created["nodes"] += c.nodes_created
        self.created["relationships"] += c.relationships_created
        self.created["properties"] += c.properties_set
        return result.records[0]["written"] if result.records else 0

    def step(self, step: Step) -> int:
        """Write every row of `step` in batches of at most `batch` rows (and, on a server with a
        text limit, at most its budget of bytes); a row too big alone is written in pieces."""
        budget = self.codec.budget(step.statement)
        written, chunk, size = 0, [], 2
        for row in step.rows:
            cost = self.codec.size(row) + 2 if budget is not None else 0
            if budget is not None and cost + 2 > budget:
                written += self.oversized(step, row, budget)
                continue
            if chunk and (len(chunk) >= self.batch or (budget is not None and size + cost > budget)):
                written += self.flush(step, chunk)
                chunk, size = [], 2
            chunk.append(row)
            size += cost
        if chunk:
            written += self.flush(step, chunk)
        return written

    def flush(self, step: Step, chunk: list[dict]) -> int:
        n = self.run(step.statement, chunk, step.name)
        if n != len(chunk):
            raise PushError(f"{step.name}: {len(chunk) - n} of {len(chunk)} rows were not written "
                            f"(an end node is missing?)")
        return n

    def oversized(self, step: Step, row: dict, budget: int) -> int:
        """Write `row` without its longest properties, then append those in pieces."""
        base = {**row, "props": dict(row["props"])}
        moved = []
        while self.codec.size(base) + 4 > budget and base["props"]:
            name = max(base["props"], key=lambda k: self.codec.size(base["props"][k]))
            moved.append((name, base["props"].pop(name)))
        if self.codec.size(base) + 4 > budget or step.match is None:
            raise PushError(f"{step.name} {row.get('key')!r}: too large for the server's "
                            f"{self.codec.text_limit}-byte statement limit")
        self.flush(step, [base])
        for name, value in moved:
            col = _ident(name, "property")
            statement = (step.match + f"SET x.{col} = CASE WHEN row.first THEN row.part "
                         f"ELSE x.{col} + row.part END\nRETURN count(*) AS written")
            keys = {k: row[k] for k in ("key", "src", "dst") if k in row}
            room = self.codec.budget(statement) - self.codec.size({**keys, "first": False, "part": ""}) - 8
            for i, part in enumerate(_pieces(value, room, self.codec)):
                if self.run(statement, [{**keys, "first": i == 0, "part": part}], step.name) != 1:
                    raise PushError(f"{step.name} {row.get('key')!r}: appending {name} failed")
        return 1


def _pieces(value: Any, room: int, codec: Codec) -> list[Any]:
    """`value` (a string or a list) cut into parts that each take at most `room` bytes."""
    if isinstance(value, str):
        parts, cur, size = [], [], 0
        for ch in value:
            cost = codec.size(ch) - 2
            if cur and size + cost > room:
                parts.append("".join(cur))
                cur, size = [], 0
            cur.append(ch)
            size += cost
        return parts + ["".join(cur)] if cur or not parts else parts
    if isinstance(value, list):
        parts, cur, size = [], [], 2
        for item in value:
            cost = codec.size(item) + 2
            if cost + 2 > room:
                raise PushError(f"a list item of {cost} bytes is beyond the server's statement limit")
            if cur and size + cost > room:
                parts.append(cur)
                cur, size = [], 2
            cur.append(item)
            size += cost
        return parts + [cur] if cur or not parts else parts
    raise PushError(f"a {type(value).__name__} value beyond the server's statement limit")


def push_driver(graph: Any, driver: Any, database: str | None = None, batch: int = 1000,
                schema: Schema | None = None) -> dict[str, Any]:
    """`push` with an open neo4j driver (the caller closes it)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    start = time.perf_counter()
    steps = plan(graph, schema or load_schema())  # bad types and names: nothing is sent
    kw = {"database_": database} if database else {}
    codec = probe(driver, database)
    writer = _Writer(driver, codec, batch, kw)
    counts: dict[str, Any] = {"server": codec.flavour, "ddl": _ddl(driver, codec, kw),
                              "nodes": 0, "relationships": 0, "by_label": {}, "by_type": {}}
    for step in steps:
        n = writer.step(step)
        bucket = counts["by_label" if step.kind == "node" else "by_type"]
        bucket[step.name] = bucket.get(step.name, 0) + n
        counts["nodes" if step.kind == "node" else "relationships"] += n
    counts["by_label"] = dict(sorted(counts["by_label"].items()))
    counts["by_type"] = dict(sorted(counts["by_type"].items()))
    counts["created"] = writer.created
    counts["statements"] = writer.statements
    counts["seconds"] = round(time.perf_counter() - start, 3)
    return counts


def push(graph: Any, uri: str, auth: Any = None, database: str | None = None,
         batch: int = 1000) -> dict[str, Any]:
    """Write `graph` to the Bolt server at `uri`; counts of nodes and relationships written.

    `nodes` / `relationships` count what the graph has on the server (by_label / by_type per
    table); `created` counts what this run added (zero when the graph was already there).
    """
    import neo4j

    from kg import netguard
    schema = load_schema()
    plan(graph, schema)  # a bad type: PushError before connecting, nothing written
    # the network guard lets the driver resolve and reach this host:port, nothing else
    with netguard.allowing(uri), neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
        driver.verify_connectivity()
        return push_driver(graph, driver, database=database, batch=batch, schema=schema)


def push_cli(graph_dir: str | Path, uri: str, user: str | None = None,
             password: str | None = None, database: str | None = None,
             batch: int = 1000, as_json: bool = False) -> dict[str, Any]:
    """`kg push bolt://HOST:PORT --graph DIR [--user U] [--password P] [--database D] [--json]`.

    The counts on stdout (one line, or JSON). User and password default to NEO4J_USERNAME and
    NEO4J_PASSWORD. Exits 1 when DIR is not a graph or holds a type outside the schema, 3 when
    the server cannot be reached or a write fails.
    """
    import os

    import click

    from kg.cli_common import EXIT_DATA, EXIT_OUTPUT, fail
    from kg.store import load_graph, read_manifest
    try:
        read_manifest(Path(graph_dir))
        graph = load_graph(Path(graph_dir))
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), EXIT_DATA)
    user = user or os.environ.get("NEO4J_USERNAME")
    if password is None:
        password = os.environ.get("NEO4J_PASSWORD")
    auth = (user, password or "") if user else None
    try:
        plan(graph)
    except PushError as exc:
        fail(str(exc), EXIT_DATA)
    try:
        result = push(graph, uri, auth=auth, database=database, batch=batch)
    except PushError as exc:
        fail(f"push to {uri} failed: {exc}", EXIT_OUTPUT)
    except Exception as exc:  # the driver's own errors: unreachable server, refused login...
        fail(f"push to {uri} failed: {type(exc).__name__}: {exc}", EXIT_OUTPUT)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(f"pushed {result['nodes']} nodes and {result['relationships']} relationships to "
                   f"{uri} ({result['server']}, {result['statements']} statements, "
                   f"{result['seconds']:.2f} s); created {result['created']['nodes']} nodes and "
                   f"{result['created']['relationships']} relationships")
    return result
