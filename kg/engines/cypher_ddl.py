"""The Ladybug table layout of a graph, computed from the schema: DDL and the rows of each table.

Why a layout module: the tables are a function of `schema/ripplekg.yaml`, never a hand-written
copy, so a new node property or edge type reaches the Cypher engine (and the Neo4j constraints
generated later from `ddl()`) without touching this code. Kùzu/Ladybug tables are typed and a
REL table has fixed FROM/TO node tables, which gives this model:

- `Entity` (node, PK `id`): `type`, `name`, `aliases`, then one column per node property of any
  type in the schema, sorted. The entity type lives in the `type` column (Neo4j labels by type are
  added by the `kg push` writer, not here).
- One REL table per edge type, `Entity -> Entity`, named in UPPER_SNAKE (`fell_by` -> `FELL_BY`):
  the fact columns (`FACT_COLUMNS`, plus any other `fact_fields` of the schema) then the edge
  type's own properties, sorted.
- `Measure` (node, PK `fact_id`) for value facts (attributes with no object: market_cap_loss,
  training_cost...), linked from its subject by `HAS_MEASURE` (`Entity -> Measure`).
- `Claim` (node, PK `fact_id`: predicate, subject, object) for every fact, edge or value, and
  `Evidence` (node, PK `fact_id/n`, n the 0-based position in the fact's sorted evidence list;
  columns from the schema's `evidence` block, `span` split into `span_start`/`span_end`) linked by
  `HAS_EVIDENCE` (`Claim -> Evidence`). Provenance of any fact:
  `MATCH (c:Claim {fact_id: $id})-[:HAS_EVIDENCE]->(e:Evidence) RETURN e.source, e.quote`.

Rows: `confidence` is the fact's own `confidence` property when set, else the best evidence
confidence; `sources` are the distinct evidence sources, sorted; `conflicts` is true when the fact
is marked `conflicts_with`. Properties the schema does not define are left out, and a value of the
wrong type becomes null (the validator has already reported both).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable

from kg.channels import channels
from kg.model import Entity, Evidence, Fact
from kg.schema.model import PropSpec, Schema

#: schema property type -> Ladybug column type
TYPES = {"string": "STRING", "number": "DOUBLE", "integer": "INT64", "year": "INT64",
         "boolean": "BOOLEAN", "date": "DATE", "list": "STRING[]"}
#: columns every fact table (edge or Measure) has, in this order
FACT_COLUMNS = (("fact_id", "STRING"), ("value", "DOUBLE"), ("unit", "STRING"),
                ("qualifier", "STRING"), ("date", "DATE"), ("as_of", "DATE"),
                ("n_sources", "INT64"), ("sources", "STRING[]"), ("confidence", "DOUBLE"),
                ("conflicts", "BOOLEAN"))
ENTITY_CORE = (("id", "STRING"), ("type", "STRING"), ("name", "STRING"), ("aliases", "STRING[]"))
CLAIM_COLUMNS = (("fact_id", "STRING"), ("predicate", "STRING"), ("subject", "STRING"),
                 ("object", "STRING"))
#: kg.channels: the steps a shock takes, one REL per step (see the schema's `channels`)
CHANNEL_COLUMNS = (("id", "STRING"), ("via", "STRING"), ("fact_id", "STRING"), ("n_sources", "INT64"))
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Columns = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """One Ladybug table: a node table (with a primary key) or a REL table (with FROM/TO)."""

    name: str
    columns: Columns
    primary_key: str | None = None
    ends: tuple[str, str] | None = None
    predicate: str | None = None

    def create(self) -> str:
        cols = ", ".join(f"`{c}` {t}" for c, t in self.columns)
        if self.ends is None:
            return f"CREATE NODE TABLE {self.name}({cols}, PRIMARY KEY (`{self.primary_key}`))"
        head = f"FROM {self.ends[0]} TO {self.ends[1]}"
        return f"CREATE REL TABLE {self.name}({head}{', ' + cols if cols else ''})"


def rel_name(predicate: str) -> str:
    return predicate.upper()


def _merge(base: Columns, specs: Iterable[PropSpec], where: str) -> Columns:
    """`base`, then one column per spec not already in it, by name; clashing types are an error."""
    cols = dict(base)
    for spec in sorted(specs, key=lambda s: s.name):
        kind = TYPES.get(spec.type, "STRING")
        if not _IDENT.match(spec.name):
            raise ValueError(f"{where}: property {spec.name!r} is not a valid column name")
        if cols.setdefault(spec.name, kind) != kind:
            raise ValueError(f"{where}: property {spec.name!r} is {kind} here and "
                             f"{cols[spec.name]} elsewhere")
    return tuple(cols.items())


def entity_columns(schema: Schema) -> Columns:
    specs = [s for props in schema.node_props.values() for s in props.values()]
    return _merge(ENTITY_CORE, specs, "node properties")


def fact_columns(schema: Schema, predicates: list[str]) -> Columns:
    specs = [*schema.fact_fields.values(),
             *(s for p in predicates for s in schema.edges[p].properties.values())]
    return _merge(FACT_COLUMNS, specs, f"properties of {', '.join(predicates) or 'values'}")


def evidence_columns(schema: Schema) -> Columns:
    cols: list[tuple[str, str]] = [("id", "STRING")]
    for spec in schema.evidence_fields.values():
        if spec.name == "span":
            cols += [("span_start", "INT64"), ("span_end", "INT64")]
        else:
            cols += _merge((), [spec], f"evidence field {spec.name}")
    return tuple(cols)


def layout(schema: Schema) -> list[Table]:
    """Every table, node tables first, in a fixed order."""
    edges = sorted(p for p, e in schema.edges.items() if not e.is_attribute)
    attributes = sorted(p for p, e in schema.edges.items() if e.is_attribute)
    measure = fact_columns(schema, attributes)
    tables = [Table("Entity", entity_columns(schema), primary_key="id"),
              Table("Measure", (measure[0], ("predicate", "STRING"), *measure[1:]),
                    primary_key="fact_id"),
              Table("Claim", CLAIM_COLUMNS, primary_key="fact_id"),
              Table("Evidence", evidence_columns(schema), primary_key="id")]
    tables += [Table(rel_name(p), fact_columns(schema, [p]), ends=("Entity", "Entity"), predicate=p)
               for p in edges]
    tables += [Table("HAS_MEASURE", (), ends=("Entity", "Measure")),
               Table("HAS_EVIDENCE", (), ends=("Claim", "Evidence")),
               Table("CHANNEL", CHANNEL_COLUMNS, ends=("Entity", "Entity"))]
    names = [t.name.lower() for t in tables]  # Ladybug table names ignore case
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ValueError(f"edge types clash with built-in tables: {', '.join(clash)}")
    return tables


def ddl(schema: Schema) -> list[str]:
    """CREATE NODE TABLE / CREATE REL TABLE statements for `schema`, deterministic."""
    return [t.create() for t in layout(schema)]


# -- rows --------------------------------------------------------------------------------------
def cell(value: Any, kind: str) -> Any:
    """`value` as a Python value of Ladybug type `kind`, or None when it is not one."""
    if value is None:
        return None
    if kind == "STRING":
        return value if isinstance(value, str) else str(value)
    if kind == "STRING[]":
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if kind == "BOOLEAN":
        return value if isinstance(value, bool) else None
    if isinstance(value, bool):
        return None
    if kind == "DOUBLE":
        return float(value) if isinstance(value, (int, float)) else None
    if kind == "INT64":
        return int(value) if isinstance(value, (int, float)) and float(value).is_integer() else None
    if kind == "DATE":
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None
    raise ValueError(f"unknown column type {kind}")


def entity_row(ent: Entity) -> dict[str, Any]:
    return {**ent.properties, "id": ent.id, "type": ent.type, "name": ent.name,
            "aliases": sorted(set(ent.aliases))}


def fact_row(fact: Fact) -> dict[str, Any]:
    ev = fact.evidence
    confidence = fact.properties.get("confidence",
                                     max((e.confidence for e in ev), default=None))
    return {**fact.properties, "fact_id": fact.id, "predicate": fact.p, "value": fact.value,
            "unit": fact.unit, "qualifier": fact.qualifier, "date": fact.date,
            "n_sources": len(ev), "sources": sorted({e.source for e in ev}),
            "confidence": confidence, "conflicts": bool(fact.annotations.get("conflicts_with"))}


def evidence_rows(fact: Fact) -> list[dict[str, Any]]:
    rows = []
    for n, ev in enumerate(sorted(fact.evidence, key=Evidence.sort_key)):
        row = {**ev.to_dict(), "id": f"{fact.id}/{n}"}
        if ev.span is not None:
            row["span_start"], row["span_end"] = ev.span
        rows.append(row)
    return rows


def rows(graph: Any, schema: Schema) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table of `layout(schema)`; REL rows carry their ends in `from`/`to`."""
    out: dict[str, list[dict[str, Any]]] = {t.name: [] for t in layout(schema)}
    out["Entity"] = [entity_row(e) for e in graph.entities()]
    for fact in graph.facts():
        out["Claim"].append({"fact_id": fact.id, "predicate": fact.p, "subject": fact.s,
                             "object": fact.o})
        for ev in evidence_rows(fact):
            out["Evidence"].append(ev)
            out["HAS_EVIDENCE"].append({"from": fact.id, "to": ev["id"]})
        if fact.o is None:
            out["Measure"].append(fact_row(fact))
            out["HAS_MEASURE"].append({"from": fact.s, "to": fact.id})
        elif rel_name(fact.p) in out and fact.p in schema.edges:
            out[rel_name(fact.p)].append({**fact_row(fact), "from": fact.s, "to": fact.o})
    out["CHANNEL"] = [{"id": c.id, "via": c.via, "fact_id": c.fact_id, "n_sources": c.n_sources,
                       "from": c.src, "to": c.dst} for c in channels(graph, schema)]
    return out
