"""GraphML with yFiles graphics, so yEd opens a readable drawing.

Plain GraphML opens in yEd as unlabelled boxes stacked at the origin until the
user runs the Properties Mapper and a layout. Here every node carries a
`y:ShapeNode` (label = entity name, shape and fill by node type, a position)
and every edge a `y:PolyLineEdge` (label = predicate, arrow at the target).

Positions come from a grid per node type, blocks side by side: pure
arithmetic, so the file is byte-identical on every machine (a seeded force
layout still depends on the numpy build). All properties are also written as
ordinary typed GraphML keys, the same names as the plain `graphml` export, so
networkx and igraph read the data without knowing about yFiles.

The XML is written by hand with `xml.sax.saxutils`: networkx's writer cannot
emit yFiles elements and ElementTree's namespace prefixes are global state.
`\\r`, `\\t` and newlines in attributes are written as character references
so parsers do not normalise them to spaces.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from kg.atomic import write_text
from kg.exporters.graphml import flat_graph, scalar
from kg.registry import register

NS_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
NS_Y = "http://www.yworks.com/xml/graphml"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = f"{NS_GRAPHML} http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"


@dataclass(frozen=True)
class TypeStyle:
    """How one node type looks, in every drawing export (yEd, GEXF viz, DOT)."""

    colour: str  # "#RRGGBB"
    yed_shape: str
    dot_shape: str
    dot_style: str = "filled"


#: Node types in schema order: the layout places their blocks left to right.
TYPE_STYLES: dict[str, TypeStyle] = {
    "Company": TypeStyle("#8DB6E0", "roundrectangle", "box", "rounded,filled"),
    "Organization": TypeStyle("#A8D5B1", "rectangle", "box"),
    "Person": TypeStyle("#F6C89F", "ellipse", "ellipse"),
    "AIModel": TypeStyle("#C9B3E6", "hexagon", "hexagon"),
    "Product": TypeStyle("#F5E08C", "parallelogram", "parallelogram"),
    "Policy": TypeStyle("#F29E9E", "octagon", "octagon"),
    "MarketIndex": TypeStyle("#9ED9D9", "diamond", "diamond"),
    "Event": TypeStyle("#F7A35C", "triangle", "triangle"),
    "Country": TypeStyle("#D9D9D9", "trapezoid", "trapezium"),
    "Article": TypeStyle("#E6E6CC", "trapezoid2", "note"),
}
DEFAULT_STYLE = TypeStyle("#FFFFFF", "rectangle", "ellipse")

CELL_W, CELL_H, BLOCK_GAP = 220.0, 70.0, 120.0
NODE_H, MAX_NODE_W = 30.0, 200.0


def style(node_type: str | None) -> TypeStyle:
    return TYPE_STYLES.get(node_type or "", DEFAULT_STYLE)


def type_layout(types: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Node centres: one square-ish grid per type (ids sorted), blocks left to right."""
    order = list(TYPE_STYLES) + sorted(set(types.values()) - set(TYPE_STYLES))
    pos: dict[str, tuple[float, float]] = {}
    x0 = 0.0
    for node_type in order:
        members = sorted(n for n, t in types.items() if t == node_type)
        if not members:
            continue
        cols = math.ceil(math.sqrt(len(members)))
        for i, node in enumerate(members):
            pos[node] = (x0 + (i % cols) * CELL_W, (i // cols) * CELL_H)
        x0 += cols * CELL_W + BLOCK_GAP
    return pos


def node_width(label: str) -> float:
    """Roughly the width of `label` in yEd's 12 pt Dialog font, within bounds."""
    return float(min(MAX_NODE_W, max(60, 7 * len(label) + 20)))


# -- typed values, shared with the GEXF writer --------------------------------
def attr_type(values: Iterable) -> str:
    """One declared type per key (GraphML and GEXF share these names)."""
    kinds = {"boolean" if isinstance(v, bool) else "long" if isinstance(v, int)
             else "double" if isinstance(v, float) else "string" for v in values}
    if kinds <= {"long", "double"} and kinds:
        return "double" if "double" in kinds else "long"
    return kinds.pop() if len(kinds) == 1 else "string"


def lexical(value, declared: str) -> str:
    """`value` spelt as its declared type expects (booleans in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if declared == "double" and isinstance(value, (int, float)):
        return repr(float(value))
    return scalar(value) if isinstance(value, str) else str(value)


def text(value: str) -> str:
    """Element content: markup escaped, carriage returns kept as references."""
    return escape(scalar(value), {"\r": "&#13;"})


def attr(value: str) -> str:
    """A quoted attribute value (quoteattr also protects tabs and newlines)."""
    return quoteattr(scalar(value))


def key_table(items: list[dict]) -> dict[str, str]:
    """Attribute name -> declared type over all `items`, sorted by name."""
    names = sorted({k for d in items for k in d})
    return {k: attr_type(d[k] for d in items if k in d) for k in names}


# -- writing -------------------------------------------------------------------
def _keys(node_keys: dict[str, str], edge_keys: dict[str, str]) -> tuple[list[str], dict, dict]:
    lines, node_ids, edge_ids = [], {}, {}
    for domain, table, ids in (("node", node_keys, node_ids), ("edge", edge_keys, edge_ids)):
        for name, kind in table.items():
            ids[name] = f"d{len(node_ids) + len(edge_ids)}"
            lines.append(f'  <key id="{ids[name]}" for="{domain}" attr.name={attr(name)} attr.type="{kind}"/>')
    lines.append('  <key id="ng" for="node" yfiles.type="nodegraphics"/>')
    lines.append('  <key id="eg" for="edge" yfiles.type="edgegraphics"/>')
    return lines, node_ids, edge_ids


def _data(data: dict, ids: dict[str, str], types: dict[str, str]) -> list[str]:
    return [f'      <data key="{ids[k]}">{text(lexical(v, types[k]))}</data>'
            for k, v in sorted(data.items())]


def _shape_node(label: str, node_type: str, centre: tuple[float, float]) -> list[str]:
    look, width = style(node_type), node_width(label)
    x, y = centre[0] - width / 2, centre[1] - NODE_H / 2
    return ['      <data key="ng">', "        <y:ShapeNode>",
            f'          <y:Geometry x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{NODE_H:.1f}"/>',
            f'          <y:Fill color="{look.colour}" transparent="false"/>',
            '          <y:BorderStyle color="#333333" type="line" width="1.0"/>',
            f"          <y:NodeLabel>{text(label)}</y:NodeLabel>",
            f'          <y:Shape type="{look.yed_shape}"/>',
            "        </y:ShapeNode>", "      </data>"]


def _poly_line_edge(label: str) -> list[str]:
    return ['      <data key="eg">', "        <y:PolyLineEdge>",
            '          <y:LineStyle color="#555555" type="line" width="1.0"/>',
            '          <y:Arrows source="none" target="standard"/>',
            f"          <y:EdgeLabel>{text(label)}</y:EdgeLabel>",
            "        </y:PolyLineEdge>", "      </data>"]


def sorted_edges(g: nx.MultiDiGraph) -> list[tuple[str, str, str, dict]]:
    return sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))


def render(g: nx.MultiDiGraph) -> str:
    nodes = sorted(g.nodes(data=True))
    edges = sorted_edges(g)
    node_keys = key_table([d for _, d in nodes])
    edge_keys = key_table([d for *_, d in edges])
    key_lines, node_ids, edge_ids = _keys(node_keys, edge_keys)
    layout = type_layout({n: str(d.get("type", "")) for n, d in nodes})
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<graphml xmlns="{NS_GRAPHML}" xmlns:xsi="{NS_XSI}" xmlns:y="{NS_Y}"',
           f'         xsi:schemaLocation="{_SCHEMA}">', *key_lines,
           '  <graph id="G" edgedefault="directed">']
    for node, data in nodes:
        out.append(f"    <node id={attr(node)}>")
        out += _data(data, node_ids, node_keys)
        out += _shape_node(str(data.get("name", node)), str(data.get("type", "")), layout[node])
        out.append("    </node>")
    for s, o, key, data in edges:
        out.append(f"    <edge id={attr(key)} source={attr(s)} target={attr(o)}>")
        out += _data(data, edge_ids, edge_keys)
        out += _poly_line_edge(str(data.get("p", "")))
        out.append("    </edge>")
    out += ["  </graph>", "</graphml>"]
    return "\n".join(out) + "\n"


@register("exporter", "graphml-yed")
class YedGraphmlExporter:
    suffix = ".graphml"

    def write(self, graph, path: Path) -> None:
        write_text(path, render(flat_graph(graph)))
