"""Cytoscape Exchange format 2 (CX2): the exchange Cytoscape desktop and NDEx recommend.

One JSON array of aspects: the version descriptor, `metaData`, `attributeDeclarations`,
`networkAttributes`, `nodes`, `edges`, and a closing `status`. CX2 readers trust
the declarations, so every attribute is declared with exactly one type and every
value is written in that type: numbers of one key become `double` as soon as one
of them is fractional, lists become `list_of_string`, mappings JSON strings,
and a key whose values disagree otherwise becomes `string`. Element ids are
numbers (entities in id order, facts in id order); the entity and fact ids stay
as the `kg_id` attribute, and nodes carry the same positions as the cyjs export.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.atomic import write_text
from kg.exporters.cyjs import JS_EXACT, dumps, graph_name, js_exact, positions, value_fact
from kg.registry import register

_INT32 = range(-2**31, 2**31)
#: attribute names the exporter sets itself; a property with such a name is renamed prop_<name>
_NODE_OWN = {"name", "type", "kg_id", "aliases", "values"}
_EDGE_OWN = {"interaction", "kg_id", "evidence"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):  # beyond 2^53 - 1 a JavaScript reader (Cytoscape Web, NDEx) rounds it
        return "integer" if value in _INT32 else "long" if abs(value) <= JS_EXACT else "string"
    if isinstance(value, float):
        return "double"
    if isinstance(value, list):
        return "list_of_string"
    return "string"


def declare(bags: list[dict[str, Any]]) -> dict[str, str]:
    """One CX2 type per attribute name, wide enough for every value it takes."""
    kinds: dict[str, set[str]] = {}
    for bag in bags:
        for key, value in bag.items():
            kinds.setdefault(key, set()).add(_kind(value))
    out = {}
    for key, seen in sorted(kinds.items()):
        if len(seen) == 1:
            out[key] = next(iter(seen))
        elif seen <= {"integer", "long", "double"}:
            out[key] = "double" if "double" in seen else "long"
        else:
            out[key] = "string"
    return out


def _text(value: Any) -> str:
    """A value as text; JSON inside it gets big integers as digits too (a reader parses it)."""
    return value if isinstance(value, str) else json.dumps(js_exact(value), sort_keys=True, ensure_ascii=False)


def coerce(value: Any, kind: str) -> Any:
    """`value` written as the declared CX2 type `kind`."""
    if kind == "double":
        return float(value)
    if kind == "list_of_string":
        return [_text(v) for v in value]
    if kind == "string":
        return _text(value)
    return value


def _bag(own: dict[str, Any], props: dict[str, Any], reserved: set[str]) -> dict[str, Any]:
    bag = {k: v for k, v in own.items() if v is not None and v != []}
    for key, value in props.items():
        if value is not None:
            bag[f"prop_{key}" if key in reserved else key] = value
    return bag


def _node_bag(graph, entity) -> dict[str, Any]:
    own = {"name": entity.name, "type": entity.type, "kg_id": entity.id,
           "aliases": sorted(set(entity.aliases)),
           "values": [value_fact(f) for f in graph.values(entity.id)]}
    return _bag(own, dict(sorted(entity.properties.items())), _NODE_OWN)


def _edge_bag(fact) -> dict[str, Any]:
    raw = fact.to_dict(annotations=True)
    evidence = raw.pop("evidence")
    for key in ("id", "s", "p", "o"):
        raw.pop(key)
    own = {"interaction": fact.p, "kg_id": fact.id, "evidence": evidence}
    return _bag(own, raw, _EDGE_OWN)


def _typed(bags: list[dict[str, Any]], types: dict[str, str]) -> list[dict[str, Any]]:
    return [{k: coerce(v, types[k]) for k, v in bag.items()} for bag in bags]


def document(graph) -> list[dict[str, Any]]:
    """The CX2 array for `graph`."""
    ents = list(graph.entities())
    facts = list(graph.edges())
    number = {e.id: i for i, e in enumerate(ents)}
    pos = positions(graph)
    node_bags, edge_bags = [_node_bag(graph, e) for e in ents], [_edge_bag(f) for f in facts]
    node_types, edge_types = declare(node_bags), declare(edge_bags)
    net = {"name": graph_name(graph),
           "description": f"ripplekg export: {len(ents)} entities, {len(facts)} facts as edges"}
    nodes = [{"id": number[e.id], "v": v, "x": pos[e.id][0], "y": pos[e.id][1]}
             for e, v in zip(ents, _typed(node_bags, node_types))]
    edges = [{"id": i, "s": number[f.s], "t": number[f.o], "v": v}
             for i, (f, v) in enumerate(zip(facts, _typed(edge_bags, edge_types)))]
    declarations = {"networkAttributes": {k: {"d": "string"} for k in sorted(net)},
                    "nodes": {k: {"d": t} for k, t in node_types.items()},
                    "edges": {k: {"d": t} for k, t in edge_types.items()}}
    meta = [{"name": "attributeDeclarations", "elementCount": 1},
            {"name": "networkAttributes", "elementCount": 1},
            {"name": "nodes", "elementCount": len(nodes)},
            {"name": "edges", "elementCount": len(edges)}]
    return [{"CXVersion": "2.0", "hasFragments": False}, {"metaData": meta},
            {"attributeDeclarations": [declarations]}, {"networkAttributes": [net]},
            {"nodes": nodes}, {"edges": edges}, {"status": [{"error": "", "success": True}]}]


@register("exporter", "cx2")
class Cx2Exporter:
    suffix = ".cx2"

    def write(self, graph, path: Path) -> None:
        write_text(path, dumps(document(graph)))
