"""What the drawing exports share: a look per node type, a layout, typed XML values.

yEd GraphML, GEXF (viz) and DOT draw the same node types the same way and place nodes on the
same grid, so a graph looks alike in yEd, Gephi and Graphviz. The grid is pure arithmetic (one
square-ish block per node type, blocks left to right), hence byte-identical on every machine,
where a seeded force layout would still depend on the numpy build. The typed-value helpers give
GraphML and GEXF one declared type per key and spell values as that type expects.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from kg.exporters.graphml import scalar

NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"

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


def sorted_edges(g: nx.MultiDiGraph) -> list[tuple[str, str, str, dict]]:
    return sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
