"""Cytoscape.js JSON (`.cyjs`): what Cytoscape.js, Cytoscape desktop and the `html` view read.

`{"data": {...}, "elements": {"nodes": [{"data": {"id": ...}, "position": {...}}],
"edges": [{"data": {"id": FACT_ID, "source": ..., "target": ..., "p": ...}}]}}`.
Ids are strings everywhere, endpoints included (networkx's own writer leaves
endpoints as they were, which Cytoscape.js then fails to match). Properties stay
JSON values, but an integer JavaScript would round (beyond 2^53 - 1) is written as
a string of its digits; parallel edges stay apart by fact id. Every node carries a
precomputed `position`, so a reader needs no layout of its own and the picture is
the same on every run: the layout below is a small force layout with no random
seed (it starts from the entities' types and ids), rounded to whole pixels.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from kg.atomic import write_text
from kg.registry import register

#: data keys Cytoscape.js gives a meaning to; a property with such a name is renamed kg_<name>
_RESERVED = {"id", "source", "target", "parent"}
#: the largest integer a JavaScript number holds exactly; a bigger one is written as its digits
JS_EXACT = 2**53 - 1


def js_exact(value: Any) -> Any:
    """`value` with every integer JavaScript would round (beyond 2^53 - 1) as a string of its
    digits: a reader gets 9007199254740993, not ...992, at the cost of its type."""
    if isinstance(value, dict):
        return {k: js_exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [js_exact(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > JS_EXACT:
        return str(value)
    return value


def graph_name(graph) -> str:
    """The graph's `name` attribute when it has one, otherwise a fixed label (never a path or a date)."""
    return str(getattr(graph, "name", None) or "ripplekg graph")


def _safe_props(items: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    out = {}
    for key, value in items.items():
        if value is None:
            continue
        out[f"kg_{key}" if key in _RESERVED and key not in keep else key] = value
    return out


def value_fact(fact) -> dict[str, Any]:
    """A fact that hangs on its subject (a market cap...): every field but the subject."""
    data = fact.to_dict()
    data.pop("s", None)
    return data


def node_data(graph, entity) -> dict[str, Any]:
    data = _safe_props(entity.to_dict(), keep={"id"})
    data["id"] = str(entity.id)
    values = [value_fact(f) for f in graph.values(entity.id)]
    if values:
        data["values"] = values
    return data


def edge_data(fact) -> dict[str, Any]:
    raw = fact.to_dict()
    raw.pop("s", None)
    raw.pop("o", None)
    data = _safe_props(raw, keep={"id"})
    data.update(id=str(fact.id), source=str(fact.s), target=str(fact.o))
    return data


def elements(graph) -> dict[str, Any]:
    """The whole Cytoscape.js document as a dict (what the `cyjs` file holds, what `html` embeds)."""
    pos = positions(graph)
    nodes = [{"data": node_data(graph, e), "position": {"x": pos[e.id][0], "y": pos[e.id][1]}}
             for e in graph.entities()]
    edges = [{"data": edge_data(f)} for f in graph.edges()]
    return js_exact({"data": {"name": graph_name(graph)}, "directed": True, "multigraph": True,
                     "elements": {"nodes": nodes, "edges": edges}})


def dumps(doc: Any) -> str:
    """Deterministic JSON: sorted keys, UTF-8 text, no NaN (which is not JSON)."""
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


# -- layout ------------------------------------------------------------------
#: pixels per entity: a component of n entities gets a square of side SPACING * sqrt(n)
SPACING = 140.0
#: the grid cell of an entity with no edge (wide enough for its label)
CELL = (180.0, 60.0)


def _components(graph) -> list[list]:
    """Connected components as lists of entities, largest first (ties by smallest id)."""
    g = nx.Graph()
    g.add_nodes_from(e.id for e in graph.entities())
    g.add_edges_from((f.s, f.o) for f in graph.edges())
    comps = [sorted(c) for c in nx.connected_components(g)]
    comps.sort(key=lambda c: (-len(c), c[0]))
    return [[graph.entity(i) for i in c] for c in comps]


def _relax(pos: np.ndarray, pairs: np.ndarray, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold: linked entities attract, all repel, moves shrink each round.
    Repulsion runs in row blocks (memory grows with n, not n^2) and big components get
    fewer rounds, so a large graph costs seconds, not minutes."""
    n = len(pos)
    k = 1.0 / math.sqrt(n)
    rounds = max(10, min(iterations, int(2e8 // (n * n))))
    step = 0.1
    cool = step / (rounds + 1)
    for _ in range(rounds):
        disp = np.zeros_like(pos)
        for lo in range(0, n, 512):
            dx = pos[lo:lo + 512, 0][:, None] - pos[:, 0][None, :]
            dy = pos[lo:lo + 512, 1][:, None] - pos[:, 1][None, :]
            push = (k * k) / np.maximum(dx * dx + dy * dy, 1e-4)
            disp[lo:lo + 512, 0] = (dx * push).sum(axis=1)
            disp[lo:lo + 512, 1] = (dy * push).sum(axis=1)
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            pull = delta * (np.maximum(np.sqrt((delta * delta).sum(axis=1)), 0.01) / k)[:, None]
            np.add.at(disp, pairs[:, 0], -pull)
            np.add.at(disp, pairs[:, 1], pull)
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), 0.01)
        pos = pos + disp * (step / length)[:, None]
        step -= cool
    return pos


def _force_block(graph, ents: list, iterations: int) -> tuple[dict[str, tuple[float, float]], float, float]:
    """One connected component laid out in a square from (0, 0); no random seed: it starts
    from a circle with the entities grouped by type."""
    ents = sorted(ents, key=lambda e: (e.type, e.id))
    index = {e.id: i for i, e in enumerate(ents)}
    n = len(ents)
    angles = np.array([2.0 * math.pi * i / n for i in range(n)])
    pos = np.column_stack([np.cos(angles), np.sin(angles)])
    pairs = sorted({(min(index[f.s], index[f.o]), max(index[f.s], index[f.o]))
                    for e in ents for f in graph.facts_about(e.id) if f.o is not None and f.s != f.o})
    pos = _relax(pos, np.array(pairs, dtype=np.int64).reshape(-1, 2), iterations)
    pos = pos - pos.min(axis=0)
    pos = pos * (SPACING * math.sqrt(n) / (float(pos.max()) or 1.0))
    w, h = (float(v) for v in pos.max(axis=0))
    return {e.id: (float(x), float(y)) for e, (x, y) in zip(ents, pos)}, w, h


def _grid_block(ents: list, width: float) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Entities with no edge, in rows by type then name."""
    ents = sorted(ents, key=lambda e: (e.type, e.name, e.id))
    cols = max(1, int(width // CELL[0]))
    pos = {e.id: ((i % cols) * CELL[0], (i // cols) * CELL[1]) for i, e in enumerate(ents)}
    return pos, min(cols, len(ents)) * CELL[0], math.ceil(len(ents) / cols) * CELL[1]


def _shelves(blocks: list, width: float) -> tuple[dict[str, tuple[float, float]], float]:
    """Blocks left to right in rows no wider than `width`; returns positions and the height used."""
    out, x, y, row = {}, 0.0, 0.0, 0.0
    for pos, w, h in blocks:
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + SPACING, 0.0
        out.update({k: (px + x, py + y) for k, (px, py) in pos.items()})
        x, row = x + w + SPACING, max(row, h)
    return out, y + row


def _side_column(linked: list, lonely: list, height: float) -> tuple[dict[str, tuple[float, float]], float]:
    """The smaller components and the entities without edges, packed about `height` tall:
    the narrowest of a few widths whose packing fits."""
    width = max([w for _, w, _ in linked] + [CELL[0]])
    for _ in range(40):
        blocks = linked + ([_grid_block(lonely, width)] if lonely else [])
        out, used = _shelves(blocks, width)
        if used <= height:
            break
        width *= 1.15
    return out, width


def positions(graph, iterations: int = 150) -> dict[str, tuple[int, int]]:
    """Whole-pixel positions for every entity: the same graph gives the same picture on every run.
    The largest component on the left; the other components and a grid of the entities
    without edges in a column to its right, about as tall as it."""
    comps = _components(graph)
    if not comps:
        return {}
    linked = [_force_block(graph, c, iterations) for c in comps if len(c) > 1]
    lonely = [e for c in comps if len(c) == 1 for e in c]
    main, main_w, main_h = linked.pop(0) if linked else ({}, -SPACING, 0.0)
    side, _ = _side_column(linked, lonely, main_h or math.sqrt(len(lonely) * CELL[0] * CELL[1]))
    out = dict(main)
    out.update({k: (x + main_w + SPACING, y) for k, (x, y) in side.items()})
    return {k: (int(round(x)), int(round(y))) for k, (x, y) in sorted(out.items())}


@register("exporter", "cyjs")
class CyjsExporter:
    suffix = ".cyjs"

    def write(self, graph, path: Path) -> None:
        write_text(path, dumps(elements(graph)))
