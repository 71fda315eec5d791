"""The statements that write a graph to a Cypher server, with their rows: the plan of a push.

Why a module of its own: the plan is what `kg push bolt://...` (`kg.push_bolt`), the Cypher
script export (`kg.exporters.cypher`) and the Neo4j import files (`kg.exporters.neo4j_csv`) all
write, so the three give the same model; none of it talks to a server.

The model is the embedded engine's (`kg.engines.cypher_ddl`), so the same Cypher answers on both:
`(:Entity {id})` nodes, plus one label per node type and its ancestors (`:Entity:Company:Organization`)
taken from the schema's closed type list; one relationship type per edge type (`FELL_BY`, MERGEd on
`fact_id`); `(:Entity)-[:HAS_MEASURE]->(:Measure {fact_id})` for value facts; provenance as
`(:Claim {fact_id})-[:HAS_EVIDENCE]->(:Evidence {id})`; and the contagion steps of `kg.channels` as
`(:Entity)-[:CHANNEL {id, via, fact_id, n_sources}]->(:Entity)`. Properties are the layout's
typed columns; dates are ISO strings (`r.date = '2025-01-27'`: a returned `date` value crashes
FalkorDB), lists are lists of strings.

Each step is a parameterised `UNWIND $rows AS row MERGE ... SET ...`: labels, relationship types
and property names in the query text come only from the schema (and are checked to be
identifiers); every value is a parameter. Entity types and predicates are checked against the
schema before anything is written, so a type such as "Company}) DETACH DELETE n //" stops the push
with nothing written. MERGE + SET makes every statement idempotent: sending a batch twice (a
retry, a second push) leaves what sending it once leaves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from kg.engines.cypher_ddl import Table, cell, layout, rows
from kg.push_codec import PushError, float_parts
from kg.schema.model import Schema, load_schema

#: node tables and their key property (the MERGE key, indexed / unique)
NODE_KEYS = {"Entity": "id", "Measure": "fact_id", "Claim": "fact_id", "Evidence": "id"}
#: relationship tables that are not edge types: their end labels and end keys
LINKS = {"HAS_MEASURE": ("Entity", "Measure"), "HAS_EVIDENCE": ("Claim", "Evidence"),
         "CHANNEL": ("Entity", "Entity")}
#: the MERGE key of each relationship table (None: at most one such link between two nodes)
REL_KEYS = {"HAS_MEASURE": None, "HAS_EVIDENCE": None, "CHANNEL": "id"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _ident(name: str, what: str) -> str:
    """`name` quoted for the query text; PushError unless it is a plain identifier."""
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
    """MERGE the nodes of `table` on their key, SET their properties and extra `labels`."""
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
    """MERGE the relationships of `table` between nodes MATCHed by key (on its own key, if any)."""
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


def constraints() -> list[tuple[str, str]]:
    """(what, statement) of the named, idempotent Neo4j uniqueness constraint of each node key."""
    out = []
    for label, key in NODE_KEYS.items():
        name = f"{label.lower()}_{key}"
        out.append((f"unique {label}.{key}",
                    f"CREATE CONSTRAINT {_ident(name, 'constraint')} IF NOT EXISTS "
                    f"FOR (n:{_ident(label, 'label')}) REQUIRE n.{_ident(key, 'property')} IS UNIQUE"))
    return out
