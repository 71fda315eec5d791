"""The Graph class and its networkx and pandas views."""
from __future__ import annotations

import networkx as nx
import pandas as pd

import kg


def test_to_networkx_keeps_parallel_edges_and_values(gold_path):
    graph = kg.build([gold_path], reference=False)
    g = graph.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == len(graph)
    # deepseek -> openai competes_with, and more than one edge between some pairs stays apart
    assert g.nodes["nvidia"]["type"] == "Company" and g.nodes["nvidia"]["ticker"] == "NVDA"
    values = {v["p"]: v for v in g.nodes["nvidia"]["values"]}
    assert values["market_cap_loss"]["value"] == 465e9
    keys = list(g["nvidia"]["selloff_2025_01_27"])
    assert len(keys) == 1 and keys[0].startswith("f")
    edge = g.edges["nvidia", "selloff_2025_01_27", keys[0]]
    assert (edge["p"], edge["value"], edge["qualifier"], edge["n_sources"]) == ("fell_by", 17, "approx", 1)


def test_parallel_edges_are_distinct(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("source: t\nentities:\n  - {id: a, type: Company, name: A}\n  - {id: b, type: Company, name: B}\n"
                 "facts:\n  - {s: a, p: supplies, o: b, product: x}\n  - {s: a, p: partner_of, o: b}\n")
    g = kg.build([p], reference=False).to_networkx()
    assert g.number_of_edges("a", "b") == 2


def test_to_frames_has_typed_columns(gold_path):
    nodes, edges, values = kg.build([gold_path], reference=False).to_frames()
    assert str(nodes["id"].dtype) == "string" and str(nodes["type"].dtype) == "category"
    assert str(edges["value"].dtype) == "Float64"
    assert pd.api.types.is_datetime64_any_dtype(edges["date"])
    assert str(edges["n_sources"].dtype) == "Int64"
    assert edges["predicate"].value_counts()["fell_by"] == 10
    assert set(values["predicate"]) >= {"market_cap_loss", "training_cost", "founded_in", "investment"}
    row = values[(values["source"] == "deepseek_v3")].iloc[0]
    assert row["value"] == 5.6e6 and row["unit"] == "USD" and row["qualifier"] == "approx"
    assert pd.isna(nodes.set_index("id").loc["daniel_newman", "ticker"])


def test_graph_from_frames_round_trip(gold_path):
    graph = kg.build([gold_path], reference=False)
    _, edges, _ = graph.to_frames()
    g = nx.from_pandas_edgelist(edges, "source", "target", edge_attr=True,
                                create_using=nx.MultiDiGraph, edge_key="id")
    assert g.number_of_edges() == graph.to_networkx().number_of_edges()


def test_counts(gold_path):
    c = kg.build([gold_path], reference=False).counts()
    assert c["entities_by_type"]["Person"] == 7
    assert c["facts_by_predicate"]["comments_on"] == 6
    assert c["edges"] + c["values"] == c["facts"]
