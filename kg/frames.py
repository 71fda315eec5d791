"""pandas views of a Graph, with column types taken from the schema.

Nullable dtypes (string, Float64, Int64, boolean) keep a missing ticker a
missing value instead of turning integer columns into floats.
"""
from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from kg.schema.model import PropSpec, load_schema

_DTYPES = {"string": "string", "number": "Float64", "integer": "Int64", "year": "Int64",
           "boolean": "boolean", "date": "datetime64[ns]", "list": "object"}


class Frames(NamedTuple):
    nodes: pd.DataFrame
    edges: pd.DataFrame
    values: pd.DataFrame


def _typed(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    for col, dtype in columns.items():
        if dtype == "datetime64[ns]":
            df[col] = pd.to_datetime(df[col], format="ISO8601", errors="coerce")
        elif dtype != "object":
            df[col] = df[col].astype(dtype)
    return df


def _columns(specs: dict[str, PropSpec], present: set[str]) -> dict[str, str]:
    cols = {}
    for name in sorted(present):
        spec = specs.get(name)
        cols[name] = _DTYPES.get(spec.type, "object") if spec else "object"
    return cols


def _fact_rows(facts) -> list[dict]:
    rows = []
    for f in facts:
        row = {"id": f.id, "source": f.s, "target": f.o, "predicate": f.p, "value": f.value,
               "unit": f.unit, "qualifier": f.qualifier, "date": f.date,
               "n_sources": len(f.evidence), "sources": sorted({e.source for e in f.evidence}),
               "confidence": max((e.confidence for e in f.evidence), default=None),
               "conflicts": bool(f.annotations.get("conflicts_with"))}
        row.update(f.properties)
        rows.append(row)
    return rows


def to_frames(graph) -> Frames:
    schema = load_schema()
    node_specs: dict[str, PropSpec] = {}
    for specs in schema.node_props.values():
        node_specs.update(specs)
    ents = list(graph.entities())
    node_rows = [{"id": e.id, "type": e.type, "name": e.name, "aliases": list(e.aliases),
                  **e.properties} for e in ents]
    extra = {k for r in node_rows for k in r} - {"id", "type", "name", "aliases"}
    nodes = _typed(node_rows, {"id": "string", "type": "category", "name": "string",
                               "aliases": "object", **_columns(node_specs, extra)})
    edge_specs: dict[str, PropSpec] = dict(schema.fact_fields)
    for spec in schema.edges.values():
        edge_specs.update(spec.properties)
    base = {"id": "string", "source": "string", "target": "string", "predicate": "category",
            "value": "Float64", "unit": "string", "qualifier": "string", "date": "datetime64[ns]",
            "n_sources": "Int64", "sources": "object", "confidence": "Float64", "conflicts": "boolean"}
    frames = []
    for facts in (list(graph.edges()), graph.values()):
        rows = _fact_rows(facts)
        extra = {k for r in rows for k in r} - set(base)
        frames.append(_typed(rows, {**base, **_columns(edge_specs, extra)}))
    frames[1] = frames[1].drop(columns=["target"])
    return Frames(nodes, frames[0], frames[1])
