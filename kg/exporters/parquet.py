"""Parquet node and edge tables with an explicit Arrow schema (pandas, polars, DuckDB, Spark).

Why explicit: a schema inferred from the rows changes with the data (a column that is all null
becomes `null`, ints and floats mix), so readers could not rely on it. Here every column's type
comes from the ripplekg schema through the typed layout of `kg.engines.cypher_ddl` (the same
columns `kg push` and the embedded engine use), whatever the graph holds:

- `nodes.parquet`: `id`, `type`, `name` (string, not null), `aliases` (list<string>), then one
  column per node property of the schema, sorted: string, float64 (number), int64 (integer,
  year), bool, date32 (date), list<string> (list).
- `edges.parquet`: one row per fact with an object (parallel edges are separate rows):
  `id` (the fact id, the edge key), `source`, `target`, `type` (the predicate), then the fact
  columns (`value` float64, `unit`, `qualifier`, `date`/`as_of` date32, `n_sources` int64,
  `sources` list<string>, `confidence` float64, `conflicts` bool) and every edge type's
  properties, then `evidence`.
- `values.parquet`: facts without an object (market_cap, training_cost...), same shape without
  `target`, with the value predicates' properties. A separate table rather than edge rows with a
  null target, so `source`/`target` edge lists never hold a null node.

`evidence` is a list of structs (`source`, `quote`, `span_start`, `span_end`, `extractor`,
`confidence`, `lang`, `url`, `line`), in the fact's evidence order, so it stays typed and
queryable (DuckDB `unnest`, pandas lists of dicts) rather than a JSON string.

Deterministic: rows sorted by id, no pandas index, schema metadata only `ripplekg.*` keys with no
timestamp, so two exports of one graph are byte-identical (with the same pyarrow version).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from kg.atomic import atomic_dir
from kg.engines.cypher_ddl import (Columns, cell, entity_columns, entity_row, evidence_columns,
                                   evidence_rows, fact_columns, fact_row)
from kg.registry import register
from kg.schema.model import Schema, load_schema


def _list(item: pa.DataType) -> pa.DataType:
    """A list whose item field is named `element`, as Parquet's LIST spec writes it back."""
    return pa.list_(pa.field("element", item))


ARROW = {"STRING": pa.string(), "DOUBLE": pa.float64(), "INT64": pa.int64(),
         "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "STRING[]": _list(pa.string())}
_REQUIRED = {"id", "type", "name", "source", "target"}


def _fields(columns: Columns) -> list[pa.Field]:
    return [pa.field(name, ARROW[kind], nullable=name not in _REQUIRED) for name, kind in columns]


def evidence_type(schema: Schema) -> pa.DataType:
    return _list(pa.struct(_fields(evidence_columns(schema)[1:])))


def _schema(columns: Columns, table: str, schema: Schema, evidence: bool) -> pa.Schema:
    fields = _fields(columns)
    if evidence:
        fields.append(pa.field("evidence", evidence_type(schema)))
    meta = {"ripplekg.table": table, "ripplekg.schema": f"{schema.raw.get('name')} "
            f"v{schema.version}"}
    return pa.schema(fields, metadata=meta)


def node_columns(schema: Schema) -> Columns:
    return entity_columns(schema)


def fact_table_columns(schema: Schema, edges: bool) -> Columns:
    """id, source, [target,] type, then the fact columns of edge (or value) predicates."""
    preds = sorted(p for p, e in schema.edges.items() if e.is_attribute != edges)
    ends = (("source", "STRING"), ("target", "STRING")) if edges else (("source", "STRING"),)
    rest = tuple(c for c in fact_columns(schema, preds) if c[0] != "fact_id")
    return (("id", "STRING"), *ends, ("type", "STRING"), *rest)


def _typed(record: dict[str, Any], columns: Columns) -> dict[str, Any]:
    return {name: cell(record.get(name), kind) for name, kind in columns}


def _fact_record(fact, columns: Columns, schema: Schema) -> dict[str, Any]:
    record = {**fact_row(fact), "id": fact.id, "source": fact.s, "target": fact.o, "type": fact.p}
    row = _typed(record, columns)
    ev_cols = evidence_columns(schema)[1:]
    row["evidence"] = [_typed(ev, ev_cols) for ev in evidence_rows(fact)]
    return row


def tables(graph: Any, schema: Schema | None = None) -> dict[str, pa.Table]:
    """{file name: Arrow table} for nodes, edges and values."""
    schema = schema or load_schema()
    cols = node_columns(schema)
    nodes = [_typed(entity_row(e), cols) for e in graph.entities()]
    out = {"nodes.parquet": pa.Table.from_pylist(nodes, schema=_schema(cols, "nodes", schema, False))}
    for name, edges, facts in (("edges", True, list(graph.edges())), ("values", False, graph.values())):
        cols = fact_table_columns(schema, edges)
        rows = [_fact_record(f, cols, schema) for f in sorted(facts, key=lambda f: f.id)]
        out[f"{name}.parquet"] = pa.Table.from_pylist(rows, schema=_schema(cols, name, schema, True))
    return out


@register("exporter", "parquet")
class ParquetExporter:
    suffix = ""
    target = "dir"

    def write(self, graph, path: Path) -> None:
        with atomic_dir(path) as tmp:
            for name, table in tables(graph).items():
                pq.write_table(table, tmp / name, compression="zstd")
