"""Contagion channels: the graph's edges turned in the direction a shock travels.

The schema's `channels` section says, per edge type, whether a shock follows the edge
(forward), runs against it (reverse: a customer's shock reaches its supplier) or both.
Engines load these as their own edges (Cypher: CHANNEL; RDF: ns:Channel nodes), so every
contagion question is one traversal over one edge kind, with the same answer everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.graph import Graph
from kg.schema.model import Schema, load_schema

DIRECTIONS = ("forward", "reverse", "both")


@dataclass(frozen=True)
class Channel:
    src: str
    dst: str
    via: str          # the predicate of the fact behind this step
    fact_id: str
    n_sources: int

    @property
    def id(self) -> str:
        return f"{self.fact_id}/{self.src}>{self.dst}"


def channel_rules(schema: Schema | None = None) -> dict[str, str]:
    schema = schema or load_schema()
    rules = dict(schema.raw.get("channels") or {})
    for predicate, direction in rules.items():
        if predicate not in schema.edges or direction not in DIRECTIONS:
            raise ValueError(f"schema channels: {predicate}: {direction!r} is not a known edge type and "
                             f"one of {', '.join(DIRECTIONS)}")
    return rules


def channels(graph: Graph, schema: Schema | None = None) -> list[Channel]:
    """Every step a shock can take in `graph`, sorted for deterministic loading."""
    rules = channel_rules(schema)
    out: list[Channel] = []
    for fact in graph.edges():
        direction = rules.get(fact.p)
        if direction is None or fact.o is None or fact.s == fact.o:
            continue
        n = len(fact.evidence)
        if direction in ("forward", "both"):
            out.append(Channel(fact.s, fact.o, fact.p, fact.id, n))
        if direction in ("reverse", "both"):
            out.append(Channel(fact.o, fact.s, fact.p, fact.id, n))
    return sorted(out, key=lambda c: (c.src, c.dst, c.via, c.fact_id))
