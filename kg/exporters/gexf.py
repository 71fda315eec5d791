"""GEXF 1.3 for Gephi, readable back by `networkx.read_gexf`.

Written by hand rather than with `networkx.write_gexf`, whose 1.3 entry
declares a misspelt XSI namespace and treats properties named id, label, pid,
start, end, weight, type or viz as GEXF keywords (our node `type` and the
`weight` of `supplies` would be swallowed). Here a property whose name is a
keyword, or that networkx's reader fills in itself, is declared with a `kg_`
prefix (`type` -> `kg_type`); every other property keeps the name it has in
the plain GraphML export. Attribute ids are the titles, so the file reads well.

Time: dated edges (fell_by, rose_by, comments_on...) exist on their day only,
written as the inclusive interval start = end = date with
`timeformat="date"`; the graph is `mode="dynamic"` only when some edge has a
full YYYY-MM-DD date. Intervals only, never timestamps, since GEXF forbids
mixing them; other dates stay ordinary string attributes. Parallel edges are
allowed by `kind` = predicate and unique edge ids (the fact ids). Labels are
entity names and predicates; colours and positions reuse the yEd styling.
C0 control characters are dropped: XML 1.0 cannot carry them even escaped.
"""
from __future__ import annotations

import re
from pathlib import Path

import networkx as nx

from kg.atomic import write_text
from kg.exporters.graphml import flat_graph
from kg.exporters.drawing import NS_XSI, attr, key_table, lexical, sorted_edges, style, type_layout
from kg.registry import register

NS_GEXF = "http://gexf.net/1.3"
NS_VIZ = "http://gexf.net/1.3/viz"

#: Names GEXF (or networkx's reader) gives a meaning of its own on nodes and edges.
RESERVED = frozenset({"id", "label", "pid", "start", "end", "weight", "type", "viz", "kind",
                      "spells", "parents", "slices", "timestamp", "timestamps", "networkx_key"})
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def title(name: str, taken: set[str]) -> str:
    """The attribute title for property `name`: prefixed with kg_ when GEXF owns the name."""
    if name not in RESERVED:
        return name
    out = f"kg_{name}"
    while out in taken:
        out = f"kg_{out}"
    return out


def _titles(keys: dict[str, str]) -> dict[str, str]:
    return {k: title(k, set(keys)) for k in keys}


def _declarations(cls: str, keys: dict[str, str], titles: dict[str, str]) -> list[str]:
    if not keys:
        return []
    lines = [f'    <attributes class="{cls}">']  # 1.3 dropped `mode` here; values are static
    lines += [f'      <attribute id={attr(titles[k])} title={attr(titles[k])} type="{t}"/>'
              for k, t in sorted(keys.items(), key=lambda kv: titles[kv[0]])]
    return lines + ["    </attributes>"]


def _attvalues(data: dict, keys: dict[str, str], titles: dict[str, str], indent: str) -> list[str]:
    if not data:
        return []
    lines = [f"{indent}<attvalues>"]
    lines += [f"{indent}  <attvalue for={attr(titles[k])} value={attr(lexical(v, keys[k]))}/>"
              for k, v in sorted(data.items(), key=lambda kv: titles[kv[0]])]
    return lines + [f"{indent}</attvalues>"]


def _viz(node_type: str, centre: tuple[float, float]) -> list[str]:
    rgb = style(node_type).colour.lstrip("#")
    r, g, b = (int(rgb[i:i + 2], 16) for i in (0, 2, 4))
    return [f'        <viz:color r="{r}" g="{g}" b="{b}"/>',
            f'        <viz:position x="{centre[0]:.1f}" y="{centre[1]:.1f}" z="0.0"/>']


def day(data: dict) -> str | None:
    value = data.get("date")
    return value if isinstance(value, str) and _DAY.match(value) else None


def _header(dynamic: bool) -> list[str]:
    time = ' timeformat="date" timerepresentation="interval"' if dynamic else ""
    return ['<?xml version="1.0" encoding="UTF-8"?>',
            f'<gexf xmlns="{NS_GEXF}" xmlns:xsi="{NS_XSI}" xmlns:viz="{NS_VIZ}"',
            f'      xsi:schemaLocation="{NS_GEXF} {NS_GEXF}/gexf.xsd" version="1.3">',
            "  <meta>", "    <creator>ripplekg</creator>",
            "    <description>ripplekg knowledge graph</description>", "  </meta>",
            f'  <graph mode="{"dynamic" if dynamic else "static"}" defaultedgetype="directed"{time}>']


def render(g: nx.MultiDiGraph) -> str:
    nodes = sorted(g.nodes(data=True))
    edges = sorted_edges(g)
    node_keys = key_table([d for _, d in nodes])
    edge_keys = key_table([d for *_, d in edges])
    node_titles, edge_titles = _titles(node_keys), _titles(edge_keys)
    dynamic = any(day(d) for *_, d in edges)
    layout = type_layout({n: str(d.get("type", "")) for n, d in nodes})
    out = _header(dynamic)
    out += _declarations("node", node_keys, node_titles)
    out += _declarations("edge", edge_keys, edge_titles)
    out.append("    <nodes>")
    for node, data in nodes:
        out.append(f"      <node id={attr(node)} label={attr(str(data.get('name', node)))}>")
        out += _attvalues(data, node_keys, node_titles, "        ")
        out += _viz(str(data.get("type", "")), layout[node])
        out.append("      </node>")
    out += ["    </nodes>", "    <edges>"]
    for s, o, key, data in edges:
        when = day(data)
        span = f' start="{when}" end="{when}"' if when else ""
        predicate = str(data.get("p", ""))
        out.append(f"      <edge id={attr(key)} source={attr(s)} target={attr(o)} "
                   f"kind={attr(predicate)} label={attr(predicate)}{span}>")
        out += _attvalues(data, edge_keys, edge_titles, "        ")
        out.append("      </edge>")
    out += ["    </edges>", "  </graph>", "</gexf>"]
    return "\n".join(out) + "\n"


@register("exporter", "gexf")
class GexfExporter:
    suffix = ".gexf"

    def write(self, graph, path: Path) -> None:
        write_text(path, render(flat_graph(graph)))
