"""yEd GraphML, GEXF, DOT and node-link exports, read back by each consumer's own reader.

networkx reads graphml-yed, gexf and nodelink (igraph also reads graphml-yed); DOT
is checked with a strict tokenizer below that accepts an ID only as a quoted string
(pydot and the `dot` binary are used too when present, never installed).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import igraph as ig
import networkx as nx
import pytest

import kg
from helpers import EXPORT_FIXTURE, assert_golden
from kg.exporters import gexf as gexf_mod
from kg.exporters.graphml import flat_graph
from kg.exporters.drawing import style
from kg.graph import Graph
from kg.model import Entity, Evidence, Fact

GOLDEN = {"graphml-yed": "small.graphml-yed.graphml", "gexf": "small.gexf",
          "dot": "small.dot", "nodelink": "small.nodelink.json"}
Y = "{http://www.yworks.com/xml/graphml}"
G = "{http://graphml.graphdrawing.org/xmlns}"
X = "{http://gexf.net/1.3}"
GEXF_KEYWORDS = {"id", "label", "pid", "start", "end", "weight", "type", "viz"}


@pytest.fixture(scope="module")
def small():
    return kg.build([EXPORT_FIXTURE], reference=False)


def hostile() -> Graph:
    """Names no loader would let through: C0 controls, a trailing backslash, DOT keywords as ids."""
    ev = [Evidence(source="t", quote="q\x02uote </script>")]
    return Graph(
        [Entity("acme", "Company", "Acme\x01 Corp\x1f", properties={"description": 'bell\x07 & <i> "q" \'a\''}),
         Entity("graph", "Company", "</script><script>alert(1)</script>"),
         Entity("strict", "Person", 'Zoë \\N "back\\'),
         Entity("Node", "Policy", "line\nbreak\r\nand\ttab")],
        [Fact("acme", "supplies", "graph", properties={"product": "tab\there\r\nCRLF", "weight": 0.5}, evidence=ev),
         Fact("acme", "supplies", "graph", properties={"product": "other"}, evidence=ev),
         Fact("strict", "comments_on", "acme", date="2025-03-03", properties={"quote": "a\nb"}, evidence=ev),
         Fact("Node", "targets", "strict", evidence=ev)])


# -- comparing a read-back graph with what was exported ------------------------------
def assert_same_as_flat(read, graph, node_extra=(), edge_extra=(), rename=lambda k: k):
    """Every node and edge (parallel edges by key) with every flat property, types included."""
    flat = flat_graph(graph)
    assert sorted(read.nodes) == sorted(flat.nodes)
    for n, want in flat.nodes(data=True):
        got = {k: v for k, v in read.nodes[n].items() if k not in node_extra}
        assert got == {rename(k): v for k, v in want.items()}, n
    assert sorted(read.edges(keys=True)) == sorted(flat.edges(keys=True))
    for s, o, key, want in flat.edges(keys=True, data=True):
        got = {k: v for k, v in read.edges[s, o, key].items() if k not in edge_extra}
        assert got == {rename(k): v for k, v in want.items()}, key


def read_yed(path) -> nx.MultiDiGraph:
    return nx.read_graphml(path, force_multigraph=True)


def read_gexf(path) -> nx.MultiDiGraph:
    """networkx returns a DiGraph when no edge is parallel; the edge id is still there."""
    g = nx.read_gexf(path)
    if g.is_multigraph():
        return g
    out = nx.MultiDiGraph()
    out.add_nodes_from(g.nodes(data=True))
    out.add_edges_from((s, o, d["id"], d) for s, o, d in g.edges(data=True))
    return out


def read_nodelink(path) -> nx.MultiDiGraph:
    data = json.loads(path.read_text(encoding="utf-8"))
    return nx.node_link_graph(data, edges="edges", key="key", multigraph=True, directed=True)


def check_yed(graph, path):
    assert_same_as_flat(read_yed(path), graph, node_extra={"x", "y", "label", "shape_type"}, edge_extra={"label"})


def check_gexf(graph, path):
    assert_same_as_flat(read_gexf(path), graph, node_extra={"label", "viz"},
                        edge_extra={"id", "label", "start", "end"}, rename=lambda k: gexf_mod.title(k, set()))


def check_nodelink(graph, path):
    read, want = read_nodelink(path), graph.to_networkx()
    assert dict(read.nodes(data=True)) == dict(want.nodes(data=True))
    assert sorted(read.edges(keys=True, data=True), key=str) == sorted(want.edges(keys=True, data=True), key=str)


# -- a strict DOT reader: an ID is only ever a double-quoted string -------------------
_DOT_TOKEN = re.compile(r'\s+|"(?:[^"\\]|\\.)*"|->|[{}\[\];,=]|[A-Za-z]+|.', re.S)


def _unquote(tok: str) -> str:
    assert len(tok) >= 2 and tok[0] == tok[-1] == '"', f"unquoted DOT ID {tok!r}"
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), tok[1:-1], flags=re.S)


def _attrs(toks: list[str], i: int) -> tuple[dict, int]:
    assert toks[i] == "[", toks[i]
    out, i = {}, i + 1
    while toks[i] != "]":
        assert toks[i + 1] == "=", toks[i:i + 3]
        out[_unquote(toks[i])] = _unquote(toks[i + 2])
        i += 3
        if toks[i] == ",":
            i += 1
    return out, i + 1


def parse_dot(text: str) -> tuple[dict, list]:
    toks = [t for t in _DOT_TOKEN.findall(text) if not t.isspace()]
    assert toks[0] == "digraph" and toks[2] == "{", toks[:3]
    _unquote(toks[1])
    nodes, edges, i = {}, [], 3
    while toks[i] != "}":
        if toks[i] in ("graph", "node", "edge"):  # the only bare words: attribute statements
            _, i = _attrs(toks, i + 1)
        elif toks[i + 1] == "->":
            (s, o), (attrs, i) = (_unquote(toks[i]), _unquote(toks[i + 2])), _attrs(toks, i + 3)
            edges.append((s, o, attrs))
        else:
            node, (attrs, i) = _unquote(toks[i]), _attrs(toks, i + 1)
            nodes[node] = attrs
        assert toks[i] == ";", toks[i]
        i += 1
    assert toks[i + 1:] == []
    return nodes, edges


def _lines(value):
    """DOT writes every line break as the `\\n` escape, so CR LF comes back as LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def check_dot(graph, path):
    nodes, edges = parse_dot(path.read_text(encoding="utf-8"))
    flat = flat_graph(graph)
    assert sorted(nodes) == sorted(flat.nodes)
    for n, d in flat.nodes(data=True):
        assert nodes[n]["label"] == _lines(d["name"]) and nodes[n]["kg_type"] == d["type"]
        assert nodes[n]["shape"] == style(d["type"]).dot_shape
    assert sorted((s, o, a["kg_key"]) for s, o, a in edges) == sorted(flat.edges(keys=True))
    for s, o, a in edges:
        want = flat.edges[s, o, a["kg_key"]]
        assert a["label"] == want["p"] and a["kg_p"] == want["p"]
        for k in ("value", "unit", "date", "quote", "product"):
            if k in want:
                assert a[f"kg_{k}"] == (repr(want[k]) if isinstance(want[k], float) else _lines(want[k]))
    return nodes, edges


CHECKS = {"graphml-yed": check_yed, "gexf": check_gexf, "dot": check_dot, "nodelink": check_nodelink}


# -- the tests -----------------------------------------------------------------------
def test_formats_are_registered():
    assert set(GOLDEN) <= set(kg.exporters.formats())


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_round_trip_and_golden_on_fixture(small, fmt, tmp_path):
    path = kg.export(small, fmt, tmp_path / GOLDEN[fmt])
    CHECKS[fmt](small, path)
    assert_golden(GOLDEN[fmt], path.read_bytes())


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_exports_are_byte_identical_and_leave_only_the_output(small, fmt, tmp_path):
    a = kg.export(small, fmt, tmp_path / "a").read_bytes()
    shuffled = Graph(list(small.entities())[::-1], list(small.facts())[::-1])
    b = kg.export(shuffled, fmt, tmp_path / "b").read_bytes()
    assert a == b
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_fixture_values_dates_and_parallel_edges_survive(small, tmp_path):
    fell = ("acme_chips", "sell_day")
    for fmt, read in (("graphml-yed", read_yed), ("gexf", read_gexf), ("nodelink", read_nodelink)):
        g = read(kg.export(small, fmt, tmp_path / fmt))
        assert g.number_of_edges("acme_chips", "borealis_power") == 2, fmt
        (move,) = g.get_edge_data(*fell).values()
        assert (move["p"], move["value"], move["unit"], move["date"]) == ("fell_by", 12.5, "percent", "2025-03-03")
        name = g.nodes["borealis_power"].get("name")
        assert name == 'Borealis "Power" & Grid', fmt


def test_yed_reads_in_igraph(small, tmp_path):
    path = kg.export(small, "graphml-yed", tmp_path / "g.graphml")
    g = ig.Graph.Read_GraphML(str(path))
    assert g.vcount() == len(small) and g.ecount() == len(list(small.edges()))
    by_id = {v["id"]: v for v in g.vs}
    assert by_id["graph"]["name"] == "</script><script>alert(1)</script>"
    assert by_id["node"]["name"] == "Nœud Énergie <b>SA</b>" and by_id["node"]["type"] == "Company"
    assert sorted(g.es["p"]) == sorted(f.p for f in small.edges())
    fell = [e for e in g.es if e["p"] == "fell_by"]
    assert sorted(e["value"] for e in fell) == [7.0, 12.5] and {e["date"] for e in fell} == {"2025-03-03"}


def test_yed_graphics_label_every_node_and_edge(small, tmp_path):
    root = ET.parse(kg.export(small, "graphml-yed", tmp_path / "g.graphml")).getroot()
    keys = {(k.get("for"), k.get("yfiles.type")) for k in root.iter(f"{G}key")}
    assert {("node", "nodegraphics"), ("edge", "edgegraphics")} <= keys
    names = {e.id: e for e in small.entities()}
    spots = set()
    for node in root.iter(f"{G}node"):
        (shape,) = node.iter(f"{Y}ShapeNode")
        entity = names[node.get("id")]
        assert shape.find(f"{Y}NodeLabel").text == entity.name
        assert shape.find(f"{Y}Shape").get("type") == style(entity.type).yed_shape
        assert shape.find(f"{Y}Fill").get("color") == style(entity.type).colour
        geo = shape.find(f"{Y}Geometry")
        spots.add((geo.get("x"), geo.get("y")))
    assert len(spots) == len(small), "nodes are stacked"
    preds = {f.id: f.p for f in small.edges()}
    for edge in root.iter(f"{G}edge"):
        (line,) = edge.iter(f"{Y}PolyLineEdge")
        assert line.find(f"{Y}EdgeLabel").text == preds[edge.get("id")]
        assert line.find(f"{Y}Arrows").get("target") == "standard"


def test_gexf_header_time_and_attribute_names(small, tmp_path):
    path = kg.export(small, "gexf", tmp_path / "g.gexf")
    raw = path.read_text(encoding="utf-8")
    assert 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in raw
    root = ET.parse(path).getroot()
    assert not [e for e in root.iter() if {"timestamp", "timestamps", "mode"} & set(e.attrib) and e.tag != f"{X}graph"]
    assert root.tag == f"{X}gexf" and root.get("version") == "1.3"
    graph = root.find(f"{X}graph")
    assert (graph.get("mode"), graph.get("defaultedgetype"), graph.get("timeformat")) == ("dynamic", "directed", "date")
    declared = [(a.get("id"), a.get("title")) for a in root.iter(f"{X}attribute")]
    assert not {x for pair in declared for x in pair} & GEXF_KEYWORDS
    facts = {f.id: f for f in small.edges()}
    edges = list(root.iter(f"{X}edge"))
    assert len(edges) == len(facts) == len({e.get("id") for e in edges})
    for edge in edges:
        fact = facts[edge.get("id")]
        assert edge.get("kind") == fact.p
        assert (edge.get("start"), edge.get("end")) == (fact.date, fact.date)
    nodes = {n.get("id"): n.get("label") for n in root.iter(f"{X}node")}
    assert nodes == {e.id: e.name for e in small.entities()}


def test_gexf_without_dates_is_static_and_renames_keyword_properties(tmp_path):
    graph = Graph([Entity("a", "Company", "A"), Entity("b", "Company", "B")],
                  [Fact("a", "supplies", "b", properties={"weight": 0.25}, evidence=[Evidence("t")])])
    path = kg.export(graph, "gexf", tmp_path / "g.gexf")
    g = ET.parse(path).getroot().find(f"{X}graph")
    assert g.get("mode") == "static" and g.get("timeformat") is None
    read = read_gexf(path)
    (data,) = read.get_edge_data("a", "b").values()
    assert data["kg_weight"] == 0.25 and "weight" not in data and read.nodes["a"]["kg_type"] == "Company"
    check_gexf(graph, path)


@pytest.mark.parametrize("fmt", ["graphml-yed", "gexf"])
def test_hostile_text_is_escaped_and_control_characters_dropped(fmt, tmp_path):
    graph = hostile()
    path = kg.export(graph, fmt, tmp_path / "g.xml")
    raw = path.read_bytes()
    assert b"<script>" not in raw and b"<i>" not in raw and b"\x01" not in raw and b"\x07" not in raw
    ET.parse(path)  # well-formed XML 1.0
    CHECKS[fmt](graph, path)  # tabs, CR/LF, quotes and '&' come back as written
    read = read_yed(path) if fmt == "graphml-yed" else read_gexf(path)
    assert read.nodes["acme"]["name"] == "Acme Corp"
    assert read.nodes["graph"]["label"] == "</script><script>alert(1)</script>"
    products = {d["product"] for d in read.get_edge_data("acme", "graph").values()}
    assert products == {"other", "tab\there\r\nCRLF"}


def test_hostile_text_in_dot_stays_quoted(tmp_path):
    graph = hostile()
    path = kg.export(graph, "dot", tmp_path / "g.dot")
    nodes, edges = check_dot(graph, path)
    assert set(nodes) == {"acme", "graph", "strict", "Node"}
    assert nodes["strict"]["label"] == 'Zoë \\N "back\\' and nodes["acme"]["label"] == "Acme Corp"
    assert nodes["Node"]["label"] == "line\nbreak\nand\ttab"
    assert "<script>" in nodes["graph"]["label"] and len(edges) == 4
    assert '"strict"' in path.read_text(encoding="utf-8") and "\x01" not in path.read_text(encoding="utf-8")


def test_nodelink_keeps_structure_and_control_characters(tmp_path):
    graph = hostile()
    path = kg.export(graph, "nodelink", tmp_path / "g.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "edges" in data and "links" not in data and data["multigraph"] and data["directed"]
    check_nodelink(graph, path)
    assert read_nodelink(path).nodes["acme"]["name"] == "Acme\x01 Corp\x1f"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` binary not installed")
def test_dot_renders_with_graphviz(small, tmp_path):
    for graph in (small, hostile()):
        path = kg.export(graph, "dot", tmp_path / f"g{len(graph)}.dot")
        run = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, timeout=60)
        assert run.returncode == 0, run.stderr


def test_dot_reads_in_pydot(small, tmp_path):
    pytest.importorskip("pydot")
    g = nx.nx_pydot.read_dot(kg.export(small, "dot", tmp_path / "g.dot"))
    assert g.number_of_nodes() == len(small) and g.number_of_edges() == len(list(small.edges()))


@pytest.mark.parametrize("name", ["example", "seed"])
def test_built_graphs_export_whole(built_graphs, name, tmp_path):
    graph, _ = built_graphs[name]
    for fmt, check in CHECKS.items():
        check(graph, kg.export(graph, fmt, tmp_path / fmt))
    root = ET.parse(tmp_path / "graphml-yed").getroot()
    spots = {(g.get("x"), g.get("y")) for g in root.iter(f"{Y}Geometry")}
    assert len(spots) == len(graph) > 100


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_cli_export(built_graphs, cli, fmt, tmp_path):
    _, graph_dir = built_graphs["example"]
    out = tmp_path / "out"
    result = cli("export", "--graph", graph_dir, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000 and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
