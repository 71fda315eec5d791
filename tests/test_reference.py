"""The packaged reference registry: big enough, valid, sourced, bilingual."""
from __future__ import annotations

from collections import Counter

import pytest

import kg
from kg.loaders.reference import load_reference
from kg.names import key
from kg.resolve import resolve
from kg.model import Entity

RELATIONS = {"supplies", "competes_with", "makes", "partner_of", "invests_in", "member_of",
             "developed", "uses", "founded_by", "headquartered_in", "issued_by", "targets",
             "announced_by", "part_of", "subsidiary_of"}


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def graph():
    return kg.build([], reference=True)


def test_loads_with_zero_problems(graph):
    assert [str(d) for d in graph.diagnostics] == []


def test_size(ref, graph):
    assert len(ref.entities) >= 150
    relations = [f for f in graph.facts() if f.p in RELATIONS]
    assert len(relations) >= 250
    by_p = Counter(f.p for f in relations)
    for p in ("supplies", "competes_with", "makes", "partner_of", "invests_in"):
        assert by_p[p] >= 5, by_p


def test_every_relation_has_a_source_and_as_of_date(ref):
    for fact in ref.facts:
        assert fact.evidence and fact.evidence[0].source.strip(), fact
        assert fact.properties.get("as_of", "") <= "2025-01-27" and fact.properties.get("as_of"), fact


def test_supplies_name_the_product_and_some_carry_exposure_weights(ref):
    supplies = [f for f in ref.facts if f.p == "supplies"]
    assert all(f.properties.get("product") for f in supplies)
    weights = [f.properties["weight"] for f in supplies if "weight" in f.properties]
    assert len(weights) >= 5 and all(0 < w <= 1 for w in weights)


def test_companies_carry_identifiers(ref):
    companies = [e for e in ref.entities if e.type == "Company"]
    assert len(companies) >= 80
    for c in companies:
        assert c.properties.get("country") and c.properties.get("sector"), c.id
        if c.properties.get("listed", True):
            assert c.properties.get("ticker") and c.properties.get("exchange"), c.id
    # Wikidata ids only where they were confirmed: a wrong id is worse than none.
    with_qid = [c for c in companies if c.properties.get("wikidata")]
    assert len(with_qid) >= len(companies) // 4


def test_the_chain_is_covered(ref):
    sectors = Counter(e.properties.get("sector") for e in ref.entities)
    for sector in ("ai_lab", "cloud", "chip_design", "foundry", "memory", "chip_equipment", "eda",
                   "networking", "servers", "power", "energy"):
        assert sectors[sector] >= 1, sector
    ids = {e.id for e in ref.entities}
    assert {"nasdaq_composite", "nasdaq_100", "sp500", "sox", "stoxx600", "nikkei225"} <= ids
    assert {"us_export_controls", "chips_act", "stargate", "usa", "china", "netherlands"} <= ids
    policies = [e for e in ref.entities if e.type == "Policy" and e.properties.get("kind") == "export_control"]
    assert len(policies) >= 5  # the umbrella plus the 2022, 2023, Dec 2024 and Jan 2025 rules


def test_no_alias_names_two_entities(ref):
    owners: dict[str, set[str]] = {}
    for e in ref.entities:
        for name in e.names():
            owners.setdefault(key(name), set()).add(e.id)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared


@pytest.mark.parametrize("name,expected", [
    ("Micro-appareils avancés", "amd"), ("NVIDIA Corporation", "nvidia"), ("Taiwan Semiconductor", "tsmc"),
    ("ASML Holding N.V.", "asml"), ("États-Unis", "usa"), ("Chine", "china"),
])
def test_names_in_both_languages_resolve(ref, name, expected):
    res = resolve(ref.entities, [Entity("probe", _type_of(ref, expected), name)])
    assert res.renamed.get("probe") == expected


def _type_of(ref, ident):
    return next(e.type for e in ref.entities if e.id == ident)
