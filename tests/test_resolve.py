"""Entity resolution: one node per real thing, and no wrong merge."""
from __future__ import annotations

from kg.model import Entity
from kg.resolve import resolve


def E(id, type="Company", name=None, aliases=(), **props):
    return Entity(id, type, name or id, list(aliases), props)


REF = [
    E("nvidia", name="Nvidia", aliases=["NVIDIA Corporation"], ticker="NVDA", country="US"),
    E("micron", name="Micron Technology", aliases=["Micron"], ticker="MU", country="US"),
    E("amd", name="Advanced Micro Devices", aliases=["AMD", "Micro-appareils avancés"], ticker="AMD", country="US"),
    E("meta", name="Meta Platforms", aliases=["Meta"], ticker="META", country="US"),
    E("apple", name="Apple", ticker="AAPL", country="US"),
    E("asml", name="ASML Holding", aliases=["ASML"], ticker="ASML", country="NL"),
    E("siemens", name="Siemens", ticker="SIE", country="DE"),
    E("siemens_energy", name="Siemens Energy", ticker="ENR", country="DE"),
]


def one(incoming):
    res = resolve(REF, [incoming])
    return res.renamed.get(incoming.id, incoming.id), res


def test_case_accent_and_legal_form_insensitive():
    assert one(E("x1", name="NVIDIA Corp."))[0] == "nvidia"
    assert one(E("x2", name="micro-appareils AVANCES"))[0] == "amd"
    assert one(E("x3", name="ASML Holding N.V."))[0] == "asml"


def test_ticker_match():
    assert one(E("mu_inc", name="MU Inc", ticker="MU"))[0] == "micron"


def test_fuzzy_misspelling_merges_with_a_clear_winner():
    assert one(E("typo", name="Micron Technolgy"))[0] == "micron"


def test_fuzzy_needs_a_high_score():
    new_id, res = one(E("micro_devices", name="Micro Dev"))
    assert new_id == "micro_devices"
    assert any(d.code == "unresolved-name" for d in res.diagnostics)


def test_homonym_guard_country():
    new_id, res = one(E("meta_fr", name="Meta", country="FR"))
    assert new_id == "meta_fr" and "meta_fr" in res.entities


def test_homonym_guard_type():
    new_id, _ = one(E("apple_fruit", type="Product", name="Apple"))
    assert new_id == "apple_fruit"


def test_siemens_and_siemens_energy_stay_apart():
    assert one(E("se", name="Siemens Energy AG"))[0] == "siemens_energy"
    assert one(E("s", name="Siemens AG"))[0] == "siemens"


def test_ambiguous_name_is_reported_not_merged():
    ref = REF + [E("meta_materials", name="Meta Materials", aliases=["Meta"], ticker="MMAT", country="US")]
    res = resolve(ref, [E("m", name="Meta")])
    assert "m" not in res.renamed
    assert [d.code for d in res.diagnostics] == ["ambiguous-name"]


def test_same_id_incompatible_type_is_a_duplicate():
    res = resolve(REF, [E("nvidia", type="Person", name="Nvidia")])
    assert [d.code for d in res.diagnostics] == ["duplicate-id"]
    assert res.entities["nvidia"].type == "Company"


def test_merge_keeps_names_and_reports_conflicting_properties():
    res = resolve(REF, [E("nvidia", name="Nvidia", aliases=["Nvidiadont"], country="CN")])
    # country differs: the guard refuses the name match, but the id is the same and the
    # type compatible, so it merges and the disagreement is reported, not overwritten.
    assert "Nvidiadont" in res.entities["nvidia"].aliases
    assert res.entities["nvidia"].properties["country"] == "US"
    assert [d.code for d in res.diagnostics] == ["conflict"]


def test_facts_may_name_entities(tmp_path):
    import kg
    sheet = tmp_path / "s.yaml"
    sheet.write_text("source: test\nfacts:\n  - {s: Nvidia, p: competes_with, o: Advanced Micro Devices}\n")
    graph = kg.build([sheet])
    assert any(f.p == "competes_with" and {f.s, f.o} == {"nvidia", "amd"} for f in graph.facts())


def test_fuzzy_never_bends_model_numbers():
    ref = [E("h200", "Product", "Nvidia H200"), E("b200", "Product", "Nvidia B200")]
    res = resolve(ref, [E("h20", "Product", "Nvidia H20"), E("gb200", "Product", "Nvidia GB200")])
    assert not res.renamed and {"h20", "gb200"} <= set(res.entities)
