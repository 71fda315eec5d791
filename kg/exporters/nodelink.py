"""networkx node-link JSON (`node_link_data` / `node_link_graph`).

networkx renamed the edge list `links` -> `edges` (deprecated in 3.4, the new
default in 3.6); a file written under one default and read under the other
loads with zero edges and no error. So the names are passed explicitly:
`edges="edges"`, and `key="key"` for the edge key (the fact id, which keeps
parallel edges apart). Read it back with
`nx.node_link_graph(data, edges="edges", key="key", multigraph=True, directed=True)`.

JSON carries lists and mappings, so attributes keep their structure (aliases,
evidence, value facts) rather than the JSON-in-a-string of the XML formats;
control characters are escaped by JSON, not dropped. Nodes and edges are sorted
and keys sorted, so two exports are byte-identical.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_text
from kg.registry import register

EDGES, KEY = "edges", "key"


def _plain(value: Any) -> Any:
    """Builtins JSON writes as themselves: tuples become lists, dates ISO strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def node_link(graph) -> dict[str, Any]:
    g = graph.to_networkx()
    data = nx.node_link_data(g, edges=EDGES, key=KEY)
    data["nodes"].sort(key=lambda n: n["id"])
    data[EDGES].sort(key=lambda e: (e["source"], e["target"], e[KEY]))
    return _plain(data)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


@register("exporter", "nodelink")
class NodeLinkExporter:
    suffix = ".json"

    def write(self, graph, path: Path) -> None:
        write_text(path, dumps(node_link(graph)))
