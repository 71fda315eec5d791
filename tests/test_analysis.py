"""Contagion analysis: the propagation model, chokepoints, the backtest and their commands."""
from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

import kg
from kg.analysis import (DEFAULT_WEIGHTS, backtest, chokepoints, load_moves, packaged_moves,
                         propagate, spearman)
from helpers import EXAMPLE


@pytest.fixture(scope="module")
def example():
    return kg.build([EXAMPLE])


@pytest.fixture(scope="module")
def example_dir(example, tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "g"
    kg.save(example, out)
    return out


def toy(tmp_path, facts, entities=(), name="toy.yaml"):
    """A small graph without the registry: every id named in `facts` becomes a Company."""
    ids = sorted({f[k] for f in facts for k in ("s", "o") if k in f} - {e["id"] for e in entities})
    sheet = {"source": "hand-made test graph",
             "entities": [*entities, *({"id": i, "type": "Company", "name": i.upper()} for i in ids)],
             "facts": list(facts)}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(sheet, sort_keys=False))
    return kg.build([path], reference=False)


def impacts(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["entity"], frame["impact"]))


def sup(s, o, **props):
    return {"s": s, "p": "supplies", "o": o, **props}


# ------------------------------------------------------------------ propagate
def test_propagation_is_deterministic_and_bounded(example, tmp_path):
    first = propagate(example, "deepseek")
    assert list(first.columns) == ["entity", "name", "type", "impact", "hops"]
    pd.testing.assert_frame_equal(first, propagate(example, "deepseek"))
    kg.save(example, tmp_path / "g")
    pd.testing.assert_frame_equal(first, propagate(kg.load(tmp_path / "g"), "deepseek"))
    assert first["impact"].between(0.0, 1.0).all() and (first["impact"] > 0).all()
    assert first.iloc[0].to_dict() == {"entity": "deepseek", "name": "DeepSeek", "type": "Company",
                                       "impact": 1.0, "hops": 0}
    assert (first["hops"] <= 4).all() and len(first) > 20
    keys = list(zip(-first["impact"], first["entity"]))
    assert keys == sorted(keys)


def test_direct_supplier_beats_a_three_hop_node(example, tmp_path):
    graph = toy(tmp_path, [sup("s1", "src"), sup("s2", "s1"), sup("s3", "s2")])
    got = propagate(graph, "src").set_index("entity")
    assert got.loc["s1", "hops"] == 1 and got.loc["s3", "hops"] == 3
    assert got.loc["s1", "impact"] > got.loc["s2", "impact"] > got.loc["s3", "impact"] > 0
    assert got.loc["s1", "impact"] == pytest.approx(DEFAULT_WEIGHTS["supplies"] * 0.8)
    nvidia = propagate(example, "nvidia").set_index("entity")
    assert nvidia.loc["sk_hynix", "hops"] == 1          # sk_hynix supplies nvidia
    assert nvidia.loc["sk_hynix", "impact"] > nvidia[nvidia["hops"] == 3]["impact"].max()


def test_cycles_do_not_inflate_impact(tmp_path):
    chain = [sup("a", "src"), sup("b", "a"), sup("c", "b")]
    looped = chain + [sup("src", "c"),                                  # c -> src closes a loop
                      {"s": "a", "p": "competes_with", "o": "b"},       # a <-> b: a 2-cycle
                      sup("a", "c")]                                    # c -> a: another loop
    plain = impacts(propagate(toy(tmp_path, chain, name="chain.yaml"), "src"))
    loops = impacts(propagate(toy(tmp_path, looped, name="loops.yaml"), "src"))
    assert loops["src"] == 1.0
    for node in ("a", "b", "c"):
        assert loops[node] <= plain[node] + 1e-12, node
    # with every link at full strength a loop that echoed would drive impacts to the cap
    full = dict.fromkeys(DEFAULT_WEIGHTS, 1.0)
    ring = [sup("a", "src"), sup("b", "a"), sup("src", "b"), {"s": "a", "p": "competes_with", "o": "b"}]
    got = propagate(toy(tmp_path, ring, name="ring.yaml"), "src", weights=full, max_hops=10)
    assert got.set_index("entity")["impact"].to_dict() == pytest.approx({"src": 1.0, "a": 0.8, "b": 0.64})


def test_changing_a_weight_changes_the_ranking(tmp_path):
    graph = toy(tmp_path, [sup("maker", "src"), {"s": "rival", "p": "competes_with", "o": "src"}])
    default = propagate(graph, "src")
    assert list(default["entity"]) == ["src", "maker", "rival"]       # supplies 0.6 > competes 0.4
    tilted = propagate(graph, "src", weights={"competes_with": 0.9})
    assert list(tilted["entity"]) == ["src", "rival", "maker"]
    assert impacts(tilted)["rival"] == pytest.approx(0.9 * 0.8)
    assert "maker" not in set(propagate(graph, "src", weights={"supplies": 0})["entity"])
    with pytest.raises(ValueError):
        propagate(graph, "src", weights={"supplies": 2})


def test_exposure_scales_supply_links(tmp_path):
    # big gets 60% of its revenue from src (disclosed); small's two customers split what is left
    graph = toy(tmp_path, [sup("big", "src", weight=0.6), sup("small", "src"), sup("small", "other"),
                           sup("big", "other")])
    got = impacts(propagate(graph, "src"))
    step = DEFAULT_WEIGHTS["supplies"] * 0.8
    assert got["big"] == pytest.approx(step * 0.6)
    assert got["small"] == pytest.approx(step * 0.5)


def test_observations_are_not_channels(tmp_path):
    event = {"id": "day", "type": "Event", "name": "A trading day", "date": "2025-01-27"}
    graph = toy(tmp_path, [{"s": "day", "p": "triggered_by", "o": "src"},
                           {"s": "victim", "p": "fell_by", "o": "day", "value": 10, "unit": "percent"}],
                entities=[event])
    assert list(propagate(graph, "src")["entity"]) == ["src"]
    with pytest.raises(KeyError):
        propagate(graph, "nobody")


# ---------------------------------------------------------------- chokepoints
def test_chokepoints_rank_foundry_and_lithography_hubs_high(tmp_path):
    facts = [sup("optics", "litho"), sup("litho", "fab"), sup("litho", "fab2"), sup("litho", "memory"),
             sup("etch", "fab"), sup("fab", "gpu"), sup("fab", "cpu"), sup("fab", "asic"), sup("fab2", "asic"),
             sup("memory", "gpu"), sup("gpu", "cloud1"), sup("gpu", "cloud2"), sup("cpu", "cloud1"),
             sup("asic", "cloud2")]
    table = chokepoints(toy(tmp_path, facts))
    assert list(table.columns) == ["entity", "name", "n_customers", "n_suppliers", "n_downstream",
                                   "captive_share", "betweenness", "score"]
    assert list(table["entity"][:2]) == ["fab", "litho"] or list(table["entity"][:2]) == ["litho", "fab"]
    row = table.set_index("entity")
    assert row.loc["fab", "n_customers"] == 3 and row.loc["fab", "n_suppliers"] == 2
    # of litho's 8 downstream companies, fab2 and memory have no supply path that avoids it
    assert row.loc["litho", "n_downstream"] == 8 and row.loc["litho", "captive_share"] == 0.25
    for end in ("cloud1", "cloud2", "optics", "etch"):
        assert row.loc[end, "score"] == 0.0
    assert table["score"].is_monotonic_decreasing


def test_chokepoints_on_the_example(example):
    table = chokepoints(example)
    assert {"tsmc", "nvidia"} <= set(table["entity"][:5])
    assert table["betweenness"].between(0, 1).all()


# ------------------------------------------------------------------- backtest
@pytest.fixture
def chain(tmp_path):
    graph = toy(tmp_path, [sup("a", "src"), sup("b", "a"), sup("c", "b"), sup("d", "c")])
    return graph, impacts(propagate(graph, "src"))


def test_spearman_by_hand():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833)   # ties: average ranks
    assert spearman([1, 1, 1], [1, 2, 3]) is None and spearman([1], [2]) is None


def test_backtest_perfect_and_reversed(chain):
    graph, imp = chain
    ents = ["a", "b", "c", "d"]
    perfect = pd.DataFrame({"entity": ents, "change_pct": [-100 * imp[e] for e in ents]})
    result = backtest(graph, perfect, "src", k=2)
    assert result["spearman"] == pytest.approx(1.0) and result["hit_rate"] == 1.0
    assert result["n_companies"] == 4 and result["n_reached"] == 4 and result["hits"] == ["a", "b"]
    assert (result["misses"]["rank_diff"] == 0).all()
    reversed_ = pd.DataFrame({"entity": ents, "change_pct": [100 * imp[e] for e in ents]})
    result = backtest(graph, reversed_, "src", k=2)
    assert result["spearman"] == pytest.approx(-1.0) and result["hit_rate"] == 0.0
    assert result["misses"]["rank_diff"].abs().max() == 3


def test_backtest_leaves_out_what_it_cannot_compare(chain):
    graph, _ = chain
    moves = pd.DataFrame({"entity": ["a", "src", None, "ghost", "b"], "ticker": [None, None, "XYZ", None, None],
                          "change_pct": [-5.0, -9.0, -1.0, -2.0, -1.0]})
    result = backtest(graph, moves, "src", k=10)
    assert result["n_companies"] == 2 and result["k_used"] == 2 and result["hit_rate"] == 1.0
    reasons = {s["entity"]: s["reason"] for s in result["skipped"]}
    assert reasons == {"src": "the source of the shock", "XYZ": "not resolved to an entity",
                       "ghost": "not in the graph"}


# ------------------------------------------------------------ the moves file
def test_packaged_moves_resolve_and_are_sourced():
    from kg.loaders.reference import load_reference
    path = packaged_moves()
    assert path.is_file() and path.name == "moves-2025-01-27.csv"
    moves = load_moves(path)
    registry = {e.id: e for e in load_reference().entities}
    assert len(moves) >= 20 and moves["entity"].notna().all()
    assert moves["entity"].is_unique and set(moves["entity"]) <= set(registry)
    assert (moves["date"] == "2025-01-27").all() and (moves["session"] == "close").all()
    assert moves["source"].map(lambda s: isinstance(s, str) and len(s) > 10).all()
    assert moves["change_pct"].between(-40, 10).all()
    for row in moves.itertuples():
        ent = registry[row.entity]
        assert ent.type == {"company": "Company", "index": "MarketIndex"}[row.type], row.entity
        # the ticker names the same entity as the id, except where an ADR traded instead
        if row.entity != "tsmc":
            assert ent.properties.get("ticker") == row.ticker, row.entity
    nvidia = moves.set_index("entity").loc["nvidia", "change_pct"]
    assert nvidia == pytest.approx(-16.97)
    # the moves loader reads it too: one fell_by/rose_by per row, no errors
    graph = kg.build([path])
    assert sum(f.p in ("fell_by", "rose_by") for f in graph.facts()) == len(moves)


def test_load_moves_from_closes_and_tickers(tmp_path):
    path = tmp_path / "closes.csv"
    path.write_text("date,ticker,close\n2025-01-24,NVDA,142.62\n2025-01-27,NVDA,118.42\n"
                    "2025-01-24,^SOX,5000\n2025-01-27,^SOX,4500\n2025-01-24,NOPE,1\n2025-01-27,NOPE,2\n")
    moves = load_moves(path).set_index("ticker")
    assert moves.loc["NVDA", "entity"] == "nvidia" and moves.loc["NVDA", "resolved_by"] == "ticker"
    assert moves.loc["NVDA", "change_pct"] == pytest.approx(-16.97, abs=0.01)
    assert moves.loc["^SOX", "entity"] == "sox" and moves.loc["^SOX", "change_pct"] == pytest.approx(-10)
    assert pd.isna(moves.loc["NOPE", "entity"]) and pd.isna(moves.loc["NOPE", "resolved_by"])
    with pytest.raises(FileNotFoundError):
        load_moves(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,name\n2025-01-27,x\n")
    with pytest.raises(ValueError):
        load_moves(bad)


def test_backtest_on_the_example(example):
    result = backtest(example, load_moves(packaged_moves()), "deepseek", k=10)
    assert result["n_companies"] == int((load_moves(packaged_moves())["type"] == "company").sum())
    assert -1.0 <= result["spearman"] <= 1.0 and 0.0 <= result["hit_rate"] <= 1.0
    assert {s["reason"] for s in result["skipped"]} == {"a MarketIndex, not a company"}
    assert len(result["misses"]) == 10


# ------------------------------------------------------------------------ CLI
def test_cli_contagion(cli, example_dir):
    result = cli("contagion", "--graph", example_dir, "--source", "deepseek", "--top", "5", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 5 and rows[0]["entity"] == "deepseek" and rows[0]["impact"] == 1.0
    text = cli("contagion", "--graph", example_dir, "--source", "nvidia", "--max-hops", "1")
    assert text.exit_code == 0 and "sk_hynix" in text.stdout and "(20 rows)" in text.stdout
    unknown = cli("contagion", "--graph", example_dir, "--source", "ghost")
    assert unknown.exit_code == 1 and "unknown entity" in unknown.stderr


def test_cli_backtest(cli, example_dir, tmp_path):
    result = cli("backtest", "--graph", example_dir, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["moves"].endswith("moves-2025-01-27.csv") and data["k"] == 10
    assert set(data) >= {"spearman", "hit_rate", "misses", "n_companies", "skipped"}
    text = cli("backtest", "--graph", example_dir, "--k", "5")
    assert text.exit_code == 0
    assert "Spearman rank correlation:" in text.stdout and "top-5 hit rate:" in text.stdout
    assert "rank_diff" in text.stdout


def test_cli_fails_cleanly_on_missing_inputs(cli, example_dir, tmp_path):
    for command in (["backtest"], ["contagion", "--source", "nvidia"]):
        result = cli(*command, "--graph", tmp_path / "nowhere")
        assert result.exit_code == 1 and "not a ripplekg graph directory" in result.stderr
        assert result.stdout == ""
    missing = cli("backtest", "--graph", example_dir, "--moves", tmp_path / "none.csv")
    assert missing.exit_code == 1 and "no such moves file" in missing.stderr
