"""The on-disk claim store and the streamed merge (issue 6: memory that does not grow with the corpus).

A build keeps entity mentions and claims in SQLite (`kg.factstore`) and merges them there
(`kg.merge.merge_into`); these tests pin the orders the in-memory pipeline used to give, check
the streamed merge against a plain dictionary merge written here, and check that `kg build`
(which writes from the store) and `kg.save(kg.build(...))` (which writes a Graph) give the same bytes.
"""
from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

import kg
from kg.factstore import FactStore, dump_entity, dump_fact, load_entity, load_fact
from kg.merge import content_key, merge_facts, slot_key
from kg.model import Entity, Evidence, Fact, Location
from kg.schema.model import load_schema

from corpus import graph_files, write_corpus
from helpers import EXAMPLE


def _fact(s: str, path: str, line: int, source: str = "x") -> Fact:
    return Fact(s, "mentions", "b", evidence=[Evidence(source)], loc=Location(path, line))


def test_records_survive_the_store_unchanged():
    fact = Fact("a", "fell_by", "day", 16.97, "percent", "approx", "2025-01-27", {"session": "close"},
                [Evidence("wire", "it fell", (3, 9), "rules:moves", 0.85, "en", "https://x", 4)],
                {"note": "n"}, Location("a.md", 7))
    ent = Entity("acme", "Company", "Acme", ["ACME Corp"], {"ticker": "ACM"}, Location("s.yaml", 2))
    again = load_fact(dump_fact(fact))
    assert again == fact and again.loc == fact.loc and again.evidence[0].span == (3, 9)
    back = load_entity(dump_entity(ent))
    assert back == ent and back.loc == ent.loc


def test_claims_come_back_reference_first_then_by_file_and_line():
    store = FactStore()
    store.add_claim(_fact("late", "b.md", 1))
    store.add_claim(_fact("ref2", "registry", 9), reference=True)
    store.add_claim(_fact("early", "a.md", 5))
    store.add_claim(_fact("tie-first", "a.md", 2))
    store.add_claim(_fact("ref1", "registry", 1), reference=True)  # the reference keeps its own order
    store.add_claim(_fact("tie-second", "a.md", 2))
    assert [f.s for f in store.claims()] == ["ref2", "ref1", "tie-first", "tie-second", "early", "late"]


def test_entities_come_back_placeholders_last_then_by_place_and_id():
    store = FactStore()
    for ent in (Entity("zed", "Company", "zed", loc=Location("a.md", 1)),          # a placeholder
                Entity("bee", "Company", "Bee", loc=Location("b.md", 1)),
                Entity("ant", "Company", "Ant", loc=Location("a.md", 3)),
                Entity("cat", "Company", "Cat", loc=Location("a.md", 3))):
        store.add_entity(ent)
    assert [e.id for e in store.entities()] == ["ant", "cat", "bee", "zed"]


def _reference_merge(facts: list[Fact]) -> tuple[dict, dict]:
    """What the merge must give, the simple way: {id: sorted evidence sources} and
    {id: conflicts_with}, from a dictionary keyed by content."""
    schema = load_schema()
    merged: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        merged[content_key(fact)].append(fact)
    sources = {}
    slots: dict[str, set[str]] = defaultdict(set)
    for group in merged.values():
        fid = group[0].id
        sources[fid] = sorted({e.source for f in group for e in f.evidence})
        slot = slot_key(group[0], schema)
        if slot is not None:
            slots[slot].add(fid)
    conflicts = {i: sorted(ids - {i}) for ids in slots.values() if len(ids) > 1 for i in ids}
    return sources, conflicts


CLAIMS = st.lists(st.tuples(
    st.sampled_from(["acme", "bolt"]), st.sampled_from(["fell_by", "supplies"]),
    st.sampled_from([5, 5.0, 7]), st.sampled_from(["close", "intraday"]),
    st.sampled_from(["wire A", "wire B", "blog"]), st.integers(1, 40)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(claims=CLAIMS)
def test_the_streamed_merge_equals_a_dictionary_merge(claims):
    facts = []
    for s, p, value, session, source, line in claims:
        if p == "fell_by":
            fact = Fact(s, p, "day", value, "percent", None, "2025-01-27", {"session": session})
        else:
            fact = Fact(s, p, "chips_co", properties={"product": session})
        fact.evidence, fact.loc = [Evidence(source)], Location("sheet.yaml", line)
        facts.append(fact)
    sources, conflicts = _reference_merge(facts)
    out, diags = merge_facts(facts)
    assert [f.id for f in out] == sorted(sources)
    assert {f.id: sorted({e.source for e in f.evidence}) for f in out} == sources
    assert {f.id: f.annotations["conflicts_with"] for f in out if "conflicts_with" in f.annotations} == conflicts
    assert len(diags) == len({tuple(sorted([i, *c])) for i, c in conflicts.items()})


def test_kg_build_writes_what_kg_save_writes(cli, tmp_path):
    """`kg build` streams the graph from the store; the library builds a Graph and saves it."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12)
    inputs = [EXAMPLE, corpus]
    assert cli("build", *inputs, "-o", tmp_path / "streamed", "--no-cache").exit_code == 0
    kg.save(kg.build(inputs), tmp_path / "saved")
    assert graph_files(tmp_path / "streamed") == graph_files(tmp_path / "saved")
