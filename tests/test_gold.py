"""The seed annotation builds into a graph that holds every one of its entities and facts."""
from __future__ import annotations

import json
import math

import yaml

import kg
from kg.store import load_graph


def _gold(gold_path):
    # Plain PyYAML reads 465e9 as a string: compare numbers after float().
    return yaml.safe_load(gold_path.read_text(encoding="utf-8"))


def _num(x):
    return None if x is None else float(x)


def _matches(fact, spec) -> bool:
    if (fact.s, fact.p, fact.o) != (spec["s"], spec["p"], spec.get("o")):
        return False
    if spec.get("value") is not None and not math.isclose(float(fact.value), _num(spec["value"])):
        return False
    for key in ("unit", "qualifier"):
        if spec.get(key) is not None and getattr(fact, key) != spec[key]:
            return False
    if spec.get("date") is not None and fact.date != str(spec["date"]):
        return False
    return True


def test_build_without_reference_holds_every_entity_and_fact(cli, gold_path, tmp_path):
    out = tmp_path / "out"
    result = cli("build", gold_path, "--no-reference", "-o", out)
    assert result.exit_code == 0, result.output
    graph = load_graph(out)
    gold = _gold(gold_path)
    for spec in gold["entities"]:
        ent = graph.entity(spec["id"])
        assert (ent.type, ent.name) == (spec["type"], spec["name"])
        for name in spec.get("names", []):
            assert name == ent.name or name in ent.aliases
        for prop in ("ticker", "country"):
            if prop in spec:
                assert ent.properties[prop] == spec[prop]
    facts = list(graph.facts())
    for spec in gold["facts"]:
        hits = [f for f in facts if _matches(f, spec)]
        assert len(hits) == 1, f"gold fact {spec} found {len(hits)} times"
        assert hits[0].evidence and hits[0].evidence[0].source == "article-fr.txt"
    assert len(facts) == len(gold["facts"])
    assert len(list(graph.entities())) == len(gold["entities"])


def test_annotations_survive_as_annotations(gold_path):
    graph = kg.build([gold_path], reference=False)
    optional = [f for f in graph.facts() if f.annotations.get("required") is False]
    assert {(f.s, f.p, f.o) for f in optional} >= {("deepseek", "developed", "janus_pro_7b"),
                                                   ("nvidia", "supplies", "deepseek")}
    assert all("required" not in f.properties and "note" not in f.properties for f in graph.facts())


def test_gold_with_reference_builds_without_errors_and_merges_nodes(cli, gold_path, tmp_path):
    out = tmp_path / "out"
    result = cli("build", gold_path, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["problems"]["errors"] == 0
    graph = load_graph(out)
    nvidia = [e for e in graph.entities() if e.properties.get("ticker") == "NVDA"]
    assert [e.id for e in nvidia] == ["nvidia"]
    # The article's garbled form and the registry's facts meet on one node.
    assert "Nvidiadont" in nvidia[0].aliases
    preds = {f.p for f in graph.facts_about("nvidia")}
    assert {"fell_by", "makes", "supplies", "competes_with"} <= preds
    amd = graph.entity("amd")
    assert "Advanced Micro Devices" in amd.names() and "Micro-appareils avancés" in (
        amd.aliases + amd.properties.get("mt_aliases", []))
