"""Exports read back by their consumers' own libraries find the same graph."""
from __future__ import annotations

import json
from pathlib import Path

import igraph as ig
import networkx as nx
import pandas as pd
import pytest

import kg
from kg.atomic import OutputError
from kg.exporters import formats


@pytest.fixture(scope="module")
def graph(gold_path):
    return kg.build([gold_path], reference=False)


def test_json_is_the_fact_sheet_shape_and_rebuilds(graph, tmp_path):
    path = kg.export(graph, "json", tmp_path / "g.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"entities", "facts"}
    again = kg.build([path], reference=False)
    assert again.to_records() == graph.to_records()


def test_csv_tables_rebuild_the_same_graph(graph, tmp_path):
    out = kg.export(graph, "csv", tmp_path / "tables")
    nodes = pd.read_csv(out / "entities.csv")
    facts = pd.read_csv(out / "facts.csv")
    assert len(nodes) == len(graph) and len(facts) == len(list(graph.facts()))
    again = kg.build([out], reference=False)
    assert again.to_records() == graph.to_records()


def test_graphml_reads_in_networkx_and_igraph(graph, tmp_path):
    path = kg.export(graph, "graphml", tmp_path / "g.graphml")
    g = nx.read_graphml(path, force_multigraph=True)
    assert g.number_of_nodes() == len(graph)
    assert g.number_of_edges() == len(list(graph.edges()))
    assert g.nodes["nvidia"]["name"] == "Nvidia" and g.nodes["nvidia"]["type"] == "Company"
    preds = sorted(d["p"] for _, _, d in g.edges(data=True))
    assert preds == sorted(f.p for f in graph.edges())
    ig_graph = ig.Graph.Read_GraphML(str(path))
    assert ig_graph.vcount() == len(graph) and ig_graph.ecount() == len(list(graph.edges()))
    assert "Nvidia" in ig_graph.vs["name"]


def test_exports_are_deterministic(graph, tmp_path):
    for fmt in ("json", "graphml"):
        a = kg.export(graph, fmt, tmp_path / f"a.{fmt}").read_bytes()
        b = kg.export(graph, fmt, tmp_path / f"b.{fmt}").read_bytes()
        assert a == b


def test_export_refuses_to_overwrite_without_force(graph, tmp_path):
    path = tmp_path / "g.json"
    path.write_text("keep")
    with pytest.raises(OutputError):
        kg.export(graph, "json", path)
    assert path.read_text() == "keep"
    kg.export(graph, "json", path, force=True)
    assert path.read_text() != "keep"


def test_graphml_strips_xml_illegal_characters(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text('source: t\nentities:\n  - {id: a, type: Company, name: "Acme\\u0001 Corp"}\n')
    path = kg.export(kg.build([p], reference=False), "graphml", tmp_path / "g.graphml")
    assert nx.read_graphml(path).nodes["a"]["name"] == "Acme Corp"


def test_example_with_quotes_and_conflicts_round_trips(tmp_path):
    from helpers import EXAMPLE
    graph = kg.build([EXAMPLE])
    comment = next(f for f in graph.facts() if f.p == "comments_on" and f.s == "marion_keller")
    assert comment.properties["quote"].startswith("If a model") and comment.evidence[0].quote == comment.properties["quote"]
    assert len(comment.evidence) == 1
    for fmt in ("json", "csv"):
        again = kg.build([kg.export(graph, fmt, tmp_path / f"g.{fmt}")], reference=False)
        assert again.to_records() == graph.to_records(), fmt


def test_csv_keeps_a_bare_carriage_return_inside_its_cell(tmp_path):
    sheet = tmp_path / "cr.json"
    sheet.write_text(json.dumps({"source": "cr test", "entities": [
        {"id": "a", "type": "Company", "name": "A"}, {"id": "b", "type": "Person", "name": "B"}],
        "facts": [{"s": "b", "p": "comments_on", "o": "a", "quote": "one\rtwo\r\nthree"}]}))
    graph = kg.build([sheet], reference=False)
    out = kg.export(graph, "csv", tmp_path / "tables")
    again = kg.build([out], reference=False)
    assert again.to_records() == graph.to_records()
    assert [e["quote"] for f in again.to_records()["facts"] for e in f["evidence"]] == ["one\rtwo\r\nthree"]


@pytest.mark.parametrize("fmt", formats())
def test_every_format_refuses_to_overwrite_and_writes_only_its_path(fmt, graph, tmp_path):
    from kg import registry
    target = registry.get("exporter", fmt)
    path = tmp_path / "out" / f"g{target.suffix}"
    path.parent.mkdir()
    (tmp_path / "out" / "keep.txt").write_text("keep")
    kg.export(graph, fmt, path)
    first = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if not p.is_relative_to(path))
    assert first == [Path("out"), Path("out/keep.txt")], fmt  # nothing beside the target, no temp file
    with pytest.raises(OutputError):
        kg.export(graph, fmt, path)
    kg.export(graph, fmt, path, force=True)
    link = tmp_path / "out" / f"link{target.suffix}"
    link.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError):
        kg.export(graph, fmt, link, force=True)
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("fmt, files", [("json", [""]), ("graphml", [""]),
                                        ("csv", ["entities.csv", "facts.csv", "tables.schema"])])
def test_golden_files(fmt, files, tmp_path):
    """The fact-sheet exports byte for byte on the shared export fixture (tests/golden/)."""
    from helpers import EXPORT_FIXTURE, assert_golden
    out = kg.export(kg.build([EXPORT_FIXTURE], reference=False), fmt, tmp_path / f"small.{fmt}")
    for name in files:
        assert_golden(f"small.{fmt}{'.' + name if name else ''}", (out / name if name else out).read_bytes())
