"""The Cytoscape exports (cyjs, CX2) and the self-contained HTML view, read back as files."""
from __future__ import annotations

import json
import re

import pytest

import kg
from helpers import EXPORT_FIXTURE, assert_golden
from kg.exporters.html import CYTOSCAPE_VERSION, render, script_json

CX2_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "double": lambda v: isinstance(v, float),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) and -2**31 <= v < 2**31,
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "list_of_string": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
}
MIXED = """source: mixed types
entities:
  - {id: a, type: Company, name: A, parent: b, flag: true, big: 1099511627776, tags: [x, y], meta: {k: 1}}
  - {id: b, type: Company, name: B, flag: false, big: 3, tags: [], meta: {k: 2}}
  - {id: c, type: Person, name: "Line\\u2028sep"}
facts:
  - {s: a, p: supplies, o: b, n: 1, mixed: "x", target: 5, source: s1}
  - {s: b, p: supplies, o: a, n: 2.5, mixed: 3, source: s1}
  - {s: c, p: comments_on, o: a, source: s1, quote: "q <&>"}
"""


@pytest.fixture(scope="module")
def graph():
    return kg.build([EXPORT_FIXTURE], reference=False)


@pytest.fixture
def mixed(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text(MIXED, encoding="utf-8")
    return kg.build([path], reference=False)


def _export(graph, fmt, path):
    return kg.export(graph, fmt, path).read_bytes()


# -- cyjs --------------------------------------------------------------------
def test_cyjs_round_trip_keeps_nodes_edges_and_properties(graph, tmp_path):
    doc = json.loads(_export(graph, "cyjs", tmp_path / "g.cyjs"))
    assert doc["data"]["name"] and set(doc["elements"]) == {"nodes", "edges"}
    nodes = {n["data"]["id"]: n for n in doc["elements"]["nodes"]}
    assert list(nodes) == [e.id for e in graph.entities()]
    for ent in graph.entities():
        data = nodes[ent.id]["data"]
        assert (data["name"], data["type"]) == (ent.name, ent.type)
        assert all(data[k] == v for k, v in ent.properties.items())
        pos = nodes[ent.id]["position"]
        assert isinstance(pos["x"], int) and isinstance(pos["y"], int)
    assert nodes["graph"]["data"]["name"] == "</script><script>alert(1)</script>"
    assert nodes["acme_chips"]["data"]["aliases"] == ["ACME Chips Inc.", "Acme"]
    assert nodes["acme_chips"]["data"]["values"][0]["p"] == "market_cap_loss"

    edges = [e["data"] for e in doc["elements"]["edges"]]
    facts = {f.id: f for f in graph.edges()}
    assert len(edges) == len(facts) == 11 and {e["id"] for e in edges} == set(facts)
    supplies = [e for e in edges if (e["source"], e["target"], e["p"]) == ("acme_chips", "borealis_power", "supplies")]
    assert sorted(e["product"] for e in supplies) == ["gate drivers", "power modules"]
    for e in edges:
        fact = facts[e["id"]]
        assert all(isinstance(e[k], str) for k in ("id", "source", "target", "p"))
        assert (e["source"], e["target"], e["p"]) == (fact.s, fact.o, fact.p)
        assert e["source"] in nodes and e["target"] in nodes
        assert all(e[k] == v for k, v in fact.properties.items())
        assert e.get("value") == fact.value and e.get("date") == fact.date
        assert [ev["source"] for ev in e["evidence"]] == sorted(ev.source for ev in fact.evidence)
    fell = next(e for e in edges if e["p"] == "fell_by" and e["source"] == "acme_chips")
    assert fell["value"] == 12.5 and fell["evidence"][0]["quote"].startswith("Acme Chips lost")


def test_cyjs_renames_properties_cytoscape_reserves(mixed, tmp_path):
    doc = json.loads(_export(mixed, "cyjs", tmp_path / "m.cyjs"))
    a = next(n["data"] for n in doc["elements"]["nodes"] if n["data"]["id"] == "a")
    assert "parent" not in a and a["kg_parent"] == "b"  # `parent` would make a compound node
    assert a["meta"] == {"k": 1} and a["tags"] == ["x", "y"] and a["big"] == 2**40
    edge = next(e["data"] for e in doc["elements"]["edges"] if e.get("data", {}).get("kg_target") == 5)
    assert edge["target"] == "b"


# -- CX2 ---------------------------------------------------------------------
def _aspects(doc: list) -> dict:
    out = {}
    for item in doc[1:-1]:
        (name, value), = item.items()
        out[name] = value
    return out


def check_cx2(doc: list, graph) -> dict:
    """The checks a CX2 reader relies on; returns the aspects by name."""
    assert doc[0] == {"CXVersion": "2.0", "hasFragments": False}
    assert doc[-1] == {"status": [{"error": "", "success": True}]}
    aspects = _aspects(doc)
    assert list(aspects) == ["metaData", "attributeDeclarations", "networkAttributes", "nodes", "edges"]
    counts = {m["name"]: m["elementCount"] for m in aspects["metaData"]}
    assert counts == {"attributeDeclarations": 1, "networkAttributes": 1,
                      "nodes": len(graph), "edges": len(list(graph.edges()))}
    decl, = aspects["attributeDeclarations"]
    net, = aspects["networkAttributes"]
    pairs = [("networkAttributes", net)]
    pairs += [("nodes", n["v"]) for n in aspects["nodes"]] + [("edges", e["v"]) for e in aspects["edges"]]
    for kind, bag in pairs:
        for key, value in bag.items():
            assert key in decl[kind], f"{kind} attribute {key!r} is not declared"
            assert CX2_CHECKS[decl[kind][key]["d"]](value), f"{kind}.{key}={value!r} is not {decl[kind][key]}"
    used = {kind: set() for kind in decl}
    for kind, bag in pairs:
        used[kind] |= set(bag)
    assert {k: set(v) for k, v in decl.items()} == used, "a declared attribute is never used"
    node_ids = [n["id"] for n in aspects["nodes"]]
    assert all(type(i) is int for i in node_ids) and len(set(node_ids)) == len(node_ids)
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in aspects["nodes"])
    edge_ids = [e["id"] for e in aspects["edges"]]
    assert all(type(i) is int for i in edge_ids) and len(set(edge_ids)) == len(edge_ids)
    assert all(e["s"] in set(node_ids) and e["t"] in set(node_ids) for e in aspects["edges"])
    assert sorted(n["v"]["kg_id"] for n in aspects["nodes"]) == sorted(e.id for e in graph.entities())
    assert sorted(e["v"]["kg_id"] for e in aspects["edges"]) == sorted(f.id for f in graph.edges())
    return aspects


def test_cx2_structure_declarations_and_ids(graph, tmp_path):
    doc = json.loads(_export(graph, "cx2", tmp_path / "g.cx2"))
    aspects = check_cx2(doc, graph)
    by_number = {n["id"]: n["v"] for n in aspects["nodes"]}
    assert {v["kg_id"]: v["name"] for v in by_number.values()} == {e.id: e.name for e in graph.entities()}
    for edge in aspects["edges"]:
        fact = next(f for f in graph.edges() if f.id == edge["v"]["kg_id"])
        assert (by_number[edge["s"]]["kg_id"], edge["v"]["interaction"], by_number[edge["t"]]["kg_id"]) == \
            (fact.s, fact.p, fact.o)
    decl = aspects["attributeDeclarations"][0]
    assert decl["edges"]["value"] == {"d": "double"}  # 7, 3 and 12.5 share one type
    assert decl["nodes"]["aliases"] == {"d": "list_of_string"}
    assert decl["edges"]["evidence"] == {"d": "list_of_string"}


def test_cx2_widens_types_until_every_value_fits(mixed, tmp_path):
    doc = json.loads(_export(mixed, "cx2", tmp_path / "m.cx2"))
    aspects = check_cx2(doc, mixed)
    decl = aspects["attributeDeclarations"][0]
    assert {k: decl["nodes"][k]["d"] for k in ("big", "flag", "meta", "tags", "parent")} == \
        {"big": "long", "flag": "boolean", "meta": "string", "tags": "list_of_string", "parent": "string"}
    assert {k: decl["edges"][k]["d"] for k in ("n", "mixed", "target")} == \
        {"n": "double", "mixed": "string", "target": "integer"}
    a = next(n["v"] for n in aspects["nodes"] if n["v"]["kg_id"] == "a")
    assert json.loads(a["meta"]) == {"k": 1}
    assert sorted(e["v"]["mixed"] for e in aspects["edges"] if "mixed" in e["v"]) == ["3", "x"]


# -- golden files and determinism --------------------------------------------
@pytest.mark.parametrize("fmt", ["cyjs", "cx2"])
def test_golden(graph, tmp_path, fmt):
    assert_golden(f"small.{fmt}.json", _export(graph, fmt, tmp_path / f"small.{fmt}"))


@pytest.mark.parametrize("fmt", ["cyjs", "cx2", "html"])
def test_exports_are_deterministic(graph, tmp_path, fmt):
    again = kg.build([EXPORT_FIXTURE], reference=False)
    assert _export(graph, fmt, tmp_path / f"a.{fmt}") == _export(again, fmt, tmp_path / f"b.{fmt}")


def test_cli_writes_the_three_formats(cli, graph, tmp_path):
    kg.save(graph, tmp_path / "g")
    for fmt in ("cyjs", "cx2", "html"):
        out = tmp_path / f"g.{fmt}"
        result = cli("export", "--graph", tmp_path / "g", "--format", fmt, "-o", out)
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == _export(graph, fmt, tmp_path / f"direct.{fmt}")


# -- HTML --------------------------------------------------------------------
def _data_block(page: str) -> str:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m, "no kg-data block"
    return m.group(1)


def test_html_embeds_escaped_json_that_parses_back(graph, tmp_path):
    from kg.exporters.cyjs import elements
    graph.name = "Line\u2028and\u2029para & <b>"
    try:
        page = _export(graph, "html", tmp_path / "g.html").decode("utf-8")
    finally:
        del graph.name
    block = _data_block(page)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in block
    doc = json.loads(block)
    assert doc["data"]["name"] == "Line\u2028and\u2029para & <b>"
    assert doc["elements"] == elements(graph)["elements"]
    assert page.count("<script") == 3 and page.count("</script>") == 3
    assert "alert(1)</script>" not in page


def test_html_escapes_the_title(graph):
    page = render(graph, title='</title><script>alert(2)</script> "q" {{LIBRARY}}')
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt; &quot;q&quot; {{LIBRARY}}")
    assert "<script>alert(2)" not in page
    assert page.count('cf.version="') == 1  # a slot name in the data is not filled in


def test_html_is_self_contained_with_the_licence(graph, tmp_path):
    from importlib import resources
    vendor = resources.files("kg.exporters").joinpath("vendor")
    page = _export(graph, "html", tmp_path / "g.html").decode("utf-8")
    licence = vendor.joinpath("cytoscape.LICENSE").read_text(encoding="utf-8")
    assert "Permission is hereby granted" in licence and licence in page
    assert vendor.joinpath("cytoscape.min.js").read_text(encoding="utf-8") in page
    assert f'version="{CYTOSCAPE_VERSION}"' in page
    assert CYTOSCAPE_VERSION in vendor.joinpath("README.md").read_text(encoding="utf-8")
    assert not re.search(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//|@import""", page, re.I)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert "default-src 'none'" in csp and "connect-src" not in csp
    assert page.index("Content-Security-Policy") < page.index("<script")


def test_script_json_escapes_only_inside_strings():
    assert script_json({"a": "</script>&\u2028"}) == '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}'
    assert json.loads(script_json({"a": "</script>&\u2028"})) == {"a": "</script>&\u2028"}
