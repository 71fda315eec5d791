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
Everything is MERGE + SET, so pushing the same graph again changes nothing (same counts).

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
- A returned `date` value crashes the server, hence dates as strings.
- Bolt database selection is ignored (one graph per server) and `rollback` does nothing: a failed
  push leaves the batches already written, and running it again completes it (idempotent).
"""
from __future__ import annotations

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
@dataclass(frozen=True)
class Codec:
    """How parameter values must be encoded for one server (found by `probe`)."""

    flavour: str = "neo4j"        # "neo4j" or "falkordb" (what DDL the server takes)
    escape_strings: bool = False  # the server pastes string parameters into the query text
    exact_floats: bool = True     # float parameters arrive unchanged

    def encode(self, value: Any) -> Any:
        """`value` with every string (in lists and maps too) escaped when the server needs it."""
        if isinstance(value, str):
            return value.replace("\\", "\\\\").replace("'", "\\'") if self.escape_strings else value
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {self.encode(k): self.encode(v) for k, v in value.items()}
        return value


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
    codec = Codec(flavour, escape, f == 0.1234567890123456)
    back = driver.execute_query("RETURN $s AS s", s=codec.encode(_STRING_PROBE), **kw).records[0]["s"]
    if back != _STRING_PROBE:
        raise PushError(f"string parameters do not round-trip: {_STRING_PROBE!r} came back as {back!r}")
    return codec


# -- rows and statements -----------------------------------------------------------------------
def _ident(name: str, what: str) -> str:
    if not _IDENT.match(name):
        raise PushError(f"{what} {name!r} is not an identifier; refusing to put it in a query")
    return f"`{name}`"


def _value(value: Any, kind: str) -> Any:
    out = cell(value, kind)
    return out.isoformat() if hasattr(out, "isoformat") else out


def _row(table: Table, record: Mapping[str, Any], codec: Codec, skip: Iterable[str] = ()) -> dict:
    """One UNWIND row: the key, `props` (non-null, non-float columns), `num` (floats as ints)."""
    props, num = {}, {}
    for name, kind in table.columns:
        if name in skip:
            continue
        value = _value(record.get(name), kind)
        if value is None:
            continue
        if kind == "DOUBLE":
            num[name] = float_parts(value)
        else:
            props[name] = value
    row = {"props": props, "num": num}
    return codec.encode(row)


def _set_floats(var: str, table: Table) -> str:
    """SET clauses that rebuild each DOUBLE column from its [m, a, b] (null removes the property)."""
    parts = []
    for name, kind in table.columns:
        if kind == "DOUBLE":
            col, src = _ident(name, "property"), f"row.num.{_ident(name, 'property')}"
            parts.append(f"{var}.{col} = {src}[0] * (2.0 ^ {src}[1]) * (2.0 ^ {src}[2])")
    return ("\nSET " + ", ".join(parts)) if parts else ""


def node_statement(table: Table, labels: tuple[str, ...] = ()) -> str:
    key = NODE_KEYS[table.name]
    extra = "".join(":" + _ident(label, "label") for label in labels)
    return (f"UNWIND $rows AS row\n"
            f"MERGE (n:{_ident(table.name, 'label')} {{{_ident(key, 'property')}: row.key}})\n"
            f"SET n += row.props{', n' + extra if extra else ''}"
            f"{_set_floats('n', table)}\n"
            f"RETURN count(*) AS written")


def rel_statement(table: Table) -> str:
    src, dst = LINKS.get(table.name, ("Entity", "Entity"))
    key = REL_KEYS.get(table.name, "fact_id")
    match = (f"UNWIND $rows AS row\n"
             f"MATCH (a:{_ident(src, 'label')} {{{_ident(NODE_KEYS[src], 'property')}: row.src}})\n"
             f"MATCH (b:{_ident(dst, 'label')} {{{_ident(NODE_KEYS[dst], 'property')}: row.dst}})\n")
    rtype = _ident(table.name, "relationship type")
    if key is None:
        return match + f"MERGE (a)-[r:{rtype}]->(b)\nRETURN count(*) AS written"
    return (match + f"MERGE (a)-[r:{rtype} {{{_ident(key, 'property')}: row.key}}]->(b)\n"
            f"SET r += row.props{_set_floats('r', table)}\nRETURN count(*) AS written")


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


@dataclass
class Plan:
    """Every statement and its rows, computed (and checked) before anything is written."""

    ddl: list[tuple[str, str]]                    # (label, key)
    nodes: list[tuple[str, str, list[dict]]]      # (table, statement, rows)
    rels: list[tuple[str, str, list[dict]]]


def plan(graph: Any, schema: Schema | None = None, codec: Codec = Codec()) -> Plan:
    """The statements and rows for `graph`; PushError before any write on a bad type or name."""
    schema = schema or load_schema()
    tables = {t.name: t for t in layout(schema)}
    data = rows(graph, schema)
    bad = sorted({e["type"] for e in data["Entity"] if e["type"] not in schema.node_types}, key=str)
    if bad:
        raise PushError(f"entity types not in the schema (nothing was written): {', '.join(map(repr, bad))}")
    nodes: list[tuple[str, str, list[dict]]] = []
    by_type: dict[str, list[dict]] = {}
    for record in data["Entity"]:
        by_type.setdefault(record["type"], []).append(record)
    for node_type in sorted(by_type):
        stmt = node_statement(tables["Entity"], entity_labels(schema, node_type))
        out = [{**_row(tables["Entity"], r, codec, skip=("id",)), "key": codec.encode(r["id"])}
               for r in by_type[node_type]]
        nodes.append(("Entity", stmt, out))
    for name in ("Measure", "Claim", "Evidence"):
        key = NODE_KEYS[name]
        out = [{**_row(tables[name], r, codec, skip=(key,)), "key": codec.encode(r[key])}
               for r in data[name]]
        nodes.append((name, node_statement(tables[name]), out))
    rels: list[tuple[str, str, list[dict]]] = []
    for table in tables.values():
        if table.ends is None:
            continue
        if table.predicate is None and table.name not in LINKS:
            raise PushError(f"unknown relationship table {table.name}")
        key = REL_KEYS.get(table.name, "fact_id")
        out = []
        for r in data[table.name]:
            row = _row(table, r, codec, skip=(key,) if key else ())
            row.update(src=codec.encode(r["from"]), dst=codec.encode(r["to"]),
                       key=codec.encode(r[key]) if key else None)
            out.append(row)
        rels.append((table.name, rel_statement(table), out))
    return Plan([(name, key) for name, key in NODE_KEYS.items()], nodes, rels)


# -- writing -----------------------------------------------------------------------------------
def _ddl(driver: Any, codec: Codec, ddl: list[tuple[str, str]], kw: dict) -> list[str]:
    done = []
    if codec.flavour == "falkordb":
        existing = {(r["label"], tuple(r["properties"]))
                    for r in driver.execute_query("CALL db.indexes()", **kw).records
                    if r.get("entitytype", "NODE") == "NODE"}
        for label, key in ddl:
            if (label, (key,)) not in existing:
                driver.execute_query(f"CREATE INDEX FOR (n:{_ident(label, 'label')}) "
                                     f"ON (n.{_ident(key, 'property')})", **kw)
            done.append(f"index {label}.{key}")
        return done
    for label, key in ddl:
        name = f"{label.lower()}_{key}"
        driver.execute_query(f"CREATE CONSTRAINT {_ident(name, 'constraint')} IF NOT EXISTS "
                             f"FOR (n:{_ident(label, 'label')}) REQUIRE n.{_ident(key, 'property')} "
                             f"IS UNIQUE", **kw)
        done.append(f"unique {label}.{key}")
    return done


def _write(driver: Any, statement: str, records: list[dict], batch: int, kw: dict,
           what: str) -> tuple[int, dict[str, int]]:
    written, created = 0, {"nodes": 0, "relationships": 0, "properties": 0}
    for start in range(0, len(records), batch):
        chunk = records[start:start + batch]
        try:
            result = driver.execute_query(statement, rows=chunk, **kw)
        except Exception as exc:
            raise PushError(f"writing {what} (rows {start}-{start + len(chunk) - 1}) failed: {exc}") from exc
        n = result.records[0]["written"] if result.records else 0
        if n != len(chunk):
            raise PushError(f"{what}: {len(chunk) - n} of {len(chunk)} rows were not written "
                            f"(an end node is missing?)")
        written += n
        c = result.summary.counters
        created["nodes"] += c.nodes_created
        created["relationships"] += c.relationships_created
        created["properties"] += c.properties_set
    return written, created


def push_driver(graph: Any, driver: Any, database: str | None = None, batch: int = 1000,
                schema: Schema | None = None) -> dict[str, Any]:
    """`push` with an open neo4j driver (the caller closes it)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    start = time.perf_counter()
    schema = schema or load_schema()
    plan(graph, schema)  # refuse bad types and names before talking to the server
    kw = {"database_": database} if database else {}
    codec = probe(driver, database)
    work = plan(graph, schema, codec)
    ddl = _ddl(driver, codec, work.ddl, kw)
    counts: dict[str, Any] = {"server": codec.flavour, "ddl": ddl, "nodes": 0, "relationships": 0,
                              "by_label": {}, "by_type": {},
                              "created": {"nodes": 0, "relationships": 0, "properties": 0}}
    for kind, items in (("nodes", work.nodes), ("relationships", work.rels)):
        bucket = counts["by_label" if kind == "nodes" else "by_type"]
        for name, statement, records in items:
            n, created = _write(driver, statement, records, batch, kw, name)
            bucket[name] = bucket.get(name, 0) + n
            counts[kind] += n
            for k, v in created.items():
                counts["created"][k] += v
    counts["by_label"] = dict(sorted(counts["by_label"].items()))
    counts["by_type"] = dict(sorted(counts["by_type"].items()))
    counts["seconds"] = round(time.perf_counter() - start, 3)
    return counts


def push(graph: Any, uri: str, auth: Any = None, database: str | None = None,
         batch: int = 1000) -> dict[str, Any]:
    """Write `graph` to the Bolt server at `uri`; counts of nodes and relationships written.

    `nodes` / `relationships` count what the graph has on the server (by_label / by_type per
    table); `created` counts what this run added (zero when the graph was already there).
    """
    import neo4j
    schema = load_schema()
    plan(graph, schema)  # nothing connects, nothing is written, when a type is bad
    with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
        driver.verify_connectivity()
        return push_driver(graph, driver, database=database, batch=batch, schema=schema)


def push_cli(graph_dir: str | Path, uri: str, user: str | None = None,
             password: str | None = None, database: str | None = None,
             batch: int = 1000) -> dict[str, Any]:
    """For `kg push bolt://HOST:PORT --graph DIR [--user U --password P]`: load and push."""
    from kg.store import load_graph
    auth = (user, password or "") if user else None
    return push(load_graph(Path(graph_dir)), uri, auth=auth, database=database, batch=batch)
