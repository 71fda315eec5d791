"""Plain GraphML (networkx, igraph, Gephi, Cytoscape).

GraphML holds only scalars: lists and mappings become JSON strings, missing
values are left out, and C0 control characters (illegal in XML 1.0) are
dropped. The edge key (fact id) and predicate are written as attributes so
parallel edges stay distinguishable (the key is the <edge id>, not a data attribute,
which igraph would refuse).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx

from kg.atomic import atomic_file
from kg.registry import register

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def scalar(value):
    if isinstance(value, (list, dict)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)
    return value


def _unify_numbers(items: list[dict]) -> None:
    """GraphML declares one type per key: a key holding 4 and 2.5 must be double."""
    floats = {k for d in items for k, v in d.items() if isinstance(v, float)}
    for d in items:
        for k in floats & d.keys():
            if isinstance(d[k], int) and not isinstance(d[k], bool):
                d[k] = float(d[k])


def flat_graph(graph) -> nx.MultiDiGraph:
    g = graph.to_networkx()
    nodes = [(n, {k: scalar(v) for k, v in sorted(d.items()) if v is not None and v != []})
             for n, d in g.nodes(data=True)]
    edges = [(s, o, key, {k: scalar(v) for k, v in sorted(d.items()) if v is not None and k != "id"})
             for s, o, key, d in g.edges(keys=True, data=True)]
    _unify_numbers([d for _, d in nodes])
    _unify_numbers([d for *_, d in edges])
    out = nx.MultiDiGraph()
    out.add_nodes_from(nodes)
    for s, o, key, data in edges:
        out.add_edge(s, o, key=key, **data)
    return out


@register("exporter", "graphml")
class GraphmlExporter:
    suffix = ".graphml"

    def write(self, graph, path: Path) -> None:
        g = flat_graph(graph)
        with atomic_file(path, "wb") as fh:
            nx.write_graphml(g, fh, encoding="utf-8", prettyprint=True, named_key_ids=True)
