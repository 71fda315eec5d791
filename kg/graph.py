"""The graph core: a networkx MultiDiGraph behind a small, stable class.

Nodes are entities; facts with an object are edges keyed by fact id (parallel
edges stay apart); facts with only a value (a market cap, a training cost) hang
on their subject node. Every consumer (stores, exporters, engines, queries)
reads the graph through this class.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Iterator

import networkx as nx

from kg.diagnostics import Diagnostic
from kg.model import Entity, Fact


class Graph:
    def __init__(self, entities: Iterable[Entity] = (), facts: Iterable[Fact] = (),
                 diagnostics: Iterable[Diagnostic] = ()):
        self._g = nx.MultiDiGraph()
        self._values: dict[str, list[Fact]] = {}
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        #: name and sha256 of each input, recorded by kg.build for the manifest
        self.inputs: list[dict[str, str]] = []
        for ent in sorted(entities, key=lambda e: e.id):
            self._g.add_node(ent.id, entity=ent)
        for fact in sorted(facts, key=lambda f: f.id):
            self.add_fact(fact)

    def add_fact(self, fact: Fact) -> None:
        for end in (fact.s, fact.o):
            if end is not None and end not in self._g:
                raise KeyError(f"fact {fact.id} names unknown entity {end!r}")
        if fact.o is None:
            self._values.setdefault(fact.s, []).append(fact)
        else:
            self._g.add_edge(fact.s, fact.o, key=fact.id, fact=fact)

    # -- reading -----------------------------------------------------------
    def __len__(self) -> int:
        return self._g.number_of_nodes()

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._g

    def entity(self, entity_id: str) -> Entity:
        return self._g.nodes[entity_id]["entity"]

    def entities(self) -> Iterator[Entity]:
        for node in sorted(self._g.nodes):
            yield self._g.nodes[node]["entity"]

    def facts(self) -> Iterator[Fact]:
        """Every fact, edges and values alike, in id order."""
        edges = (d["fact"] for _, _, d in self._g.edges(data=True))
        values = (f for fs in self._values.values() for f in fs)
        yield from sorted([*edges, *values], key=lambda f: f.id)

    def edges(self) -> Iterator[Fact]:
        return (f for f in self.facts() if f.o is not None)

    def values(self, entity_id: str | None = None) -> list[Fact]:
        if entity_id is not None:
            return sorted(self._values.get(entity_id, []), key=lambda f: f.id)
        return sorted((f for fs in self._values.values() for f in fs), key=lambda f: f.id)

    def facts_about(self, entity_id: str) -> list[Fact]:
        out = [d["fact"] for _, _, d in self._g.in_edges(entity_id, data=True)]
        out += [d["fact"] for _, _, d in self._g.out_edges(entity_id, data=True)]
        return sorted(out + self._values.get(entity_id, []), key=lambda f: f.id)

    def degree(self) -> dict[str, int]:
        return dict(self._g.degree())

    def counts(self) -> dict[str, Any]:
        tally = Tally()
        for ent in self.entities():
            tally.entity(ent)
        for fact in self.facts():
            tally.fact(fact)
        return tally.result()

    # -- conversions -------------------------------------------------------
    def to_records(self) -> dict[str, list[dict]]:
        """The fact-sheet shape: what `kg build` reads is what this writes."""
        return {"entities": [e.to_dict() for e in self.entities()],
                "facts": [f.to_dict() for f in self.facts()]}

    def to_networkx(self) -> nx.MultiDiGraph:
        """A plain networkx copy: attributes are builtins, edge keys are fact ids."""
        g = nx.MultiDiGraph()
        for ent in self.entities():
            attrs = ent.to_dict()
            attrs.pop("id")
            attrs["values"] = [_edge_attrs(f) for f in self.values(ent.id)]
            g.add_node(ent.id, **attrs)
        for fact in self.edges():
            g.add_edge(fact.s, fact.o, key=fact.id, **_edge_attrs(fact))
        return g

    def to_frames(self):
        """Typed pandas frames of nodes, edges and values (see kg.frames)."""
        from kg.frames import to_frames
        return to_frames(self)


class Tally:
    """What a graph holds, counted in one pass: a graph written from a stream of facts
    (`kg.store.write_records`) is counted as it is written, and gives `Graph.counts()`."""

    def __init__(self) -> None:
        self.types: Counter[str] = Counter()
        self.predicates: Counter[str] = Counter()
        self.edges = self.values = self.evidence = self.conflicting = 0

    def entity(self, ent: Entity) -> None:
        self.types[ent.type] += 1

    def fact(self, fact: Fact) -> None:
        self.predicates[fact.p] += 1
        if fact.o is None:
            self.values += 1
        else:
            self.edges += 1
        self.evidence += len(fact.evidence)
        self.conflicting += bool(fact.annotations.get("conflicts_with"))

    def result(self) -> dict[str, Any]:
        return {
            "entities": sum(self.types.values()),
            "facts": self.edges + self.values,
            "edges": self.edges,
            "values": self.values,
            "evidence": self.evidence,
            "conflicting_facts": self.conflicting,
            "entities_by_type": dict(sorted(self.types.items())),
            "facts_by_predicate": dict(sorted(self.predicates.items())),
        }


def _edge_attrs(fact: Fact) -> dict[str, Any]:
    attrs = fact.to_dict()
    for key in ("s", "o"):
        attrs.pop(key, None)
    attrs["n_sources"] = len(fact.evidence)
    return attrs
