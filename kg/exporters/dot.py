"""Graphviz DOT: a `digraph` for `dot -Tsvg`, one statement per node and edge.

Every ID is written as a double-quoted string: node ids, attribute names and
values, the graph name. DOT keywords (node, edge, graph, digraph, subgraph,
strict) are case-insensitive, so an entity called `graph` or `Node` would
otherwise become syntax; and a `<...>` ID is an HTML label, so data never
reaches the file unquoted. Inside quotes a backslash is doubled (Graphviz's
scanner reads `\\\\` as a pair, so a value ending in `\\` still closes its
string, and escString labels show a literal backslash rather than `\\N` and
friends), `"` becomes `\\"`, and line breaks become the `\\n` escape; C0
control characters are dropped.

Labels are entity names and predicates; the shape and fill colour follow the
node type (the yEd table). The data travels as `kg_`-prefixed attributes
(`kg_type`, `kg_p`, `kg_date`, `kg_key` = fact id...), which Graphviz keeps
but ignores, so they never collide with its own `weight`, `id` or `label`.
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.atomic import write_text
from kg.exporters.graphml import flat_graph, scalar
from kg.exporters.drawing import lexical, sorted_edges, style
from kg.registry import register

GRAPH_ATTRS = {"charset": "UTF-8", "rankdir": "LR", "fontname": "Helvetica"}
NODE_ATTRS = {"fontname": "Helvetica", "fontsize": "11"}
EDGE_ATTRS = {"fontname": "Helvetica", "fontsize": "9", "color": "#555555"}


def quote(value) -> str:
    """A DOT double-quoted string: never a bare word, never an HTML string."""
    text = scalar(value) if isinstance(value, str) else lexical(value, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def attr_list(attrs: dict) -> str:
    return "[" + ", ".join(f"{quote(k)}={quote(v)}" for k, v in attrs.items()) + "]"


def _data(data: dict) -> dict[str, object]:
    return {f"kg_{k}": v for k, v in sorted(data.items())}


def _node(node: str, data: dict) -> str:
    look = style(str(data.get("type", "")))
    attrs = {"label": data.get("name", node), "shape": look.dot_shape, "style": look.dot_style,
             "fillcolor": look.colour, **_data(data)}
    return f"  {quote(node)} {attr_list(attrs)};"


def _edge(s: str, o: str, key: str, data: dict) -> str:
    attrs = {"label": data.get("p", ""), "kg_key": key, **_data(data)}
    return f"  {quote(s)} -> {quote(o)} {attr_list(attrs)};"


def render(g: nx.MultiDiGraph, name: str = "ripplekg") -> str:
    out = [f"digraph {quote(name)} {{",
           f"  graph {attr_list(GRAPH_ATTRS)};",
           f"  node {attr_list(NODE_ATTRS)};",
           f"  edge {attr_list(EDGE_ATTRS)};"]
    out += [_node(n, d) for n, d in sorted(g.nodes(data=True))]
    out += [_edge(s, o, k, d) for s, o, k, d in sorted_edges(g)]
    out.append("}")
    return "\n".join(out) + "\n"


@register("exporter", "dot")
class DotExporter:
    suffix = ".dot"

    def write(self, graph, path: Path) -> None:
        write_text(path, render(flat_graph(graph)))
