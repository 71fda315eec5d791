"""GraphML with yFiles graphics, so yEd opens a readable drawing.

Plain GraphML opens in yEd as unlabelled boxes stacked at the origin until the
user runs the Properties Mapper and a layout. Here every node carries a
`y:ShapeNode` (label = entity name, shape and fill by node type, a position)
and every edge a `y:PolyLineEdge` (label = predicate, arrow at the target).

Positions, shapes and colours come from `kg.exporters.drawing`, shared with
the GEXF and DOT exports. All properties are also written as
ordinary typed GraphML keys, the same names as the plain `graphml` export, so
networkx and igraph read the data without knowing about yFiles.

The XML is written by hand with `xml.sax.saxutils`: networkx's writer cannot
emit yFiles elements and ElementTree's namespace prefixes are global state.
`\\r`, `\\t` and newlines in attributes are written as character references
so parsers do not normalise them to spaces.
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.atomic import write_text
from kg.exporters.drawing import (NODE_H, NS_XSI, attr, key_table, lexical, node_width, sorted_edges,
                                  style, text, type_layout)
from kg.exporters.graphml import flat_graph
from kg.registry import register

NS_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
NS_Y = "http://www.yworks.com/xml/graphml"
_SCHEMA = f"{NS_GRAPHML} http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"


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
