"""One fact per claim, however many sources make it; disagreements kept and flagged.

Two facts with the same content merge and pool their evidence (the
corroboration count is the number of evidences). Facts in the same slot of a
single-valued predicate (one Nvidia close on one day) with different content
are all kept, each marked with the ids it conflicts with, and reported.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from kg.diagnostics import Diagnostic
from kg.factstore import FactStore
from kg.model import Evidence, Fact, _num, canonical_json
from kg.schema.model import Schema, load_schema

#: Properties that date or weigh a claim without changing what it says.
_NOT_CONTENT = ("as_of", "confidence")


def _orient(fact: Fact, schema: Schema) -> None:
    spec = schema.edges.get(fact.p)
    if spec and spec.symmetric and fact.o is not None and fact.o < fact.s:
        fact.s, fact.o = fact.o, fact.s


def _field(fact: Fact, name: str):
    return getattr(fact, name) if name in ("s", "o", "date") else fact.properties.get(name)


def content_key(fact: Fact) -> str:
    props = {k: v for k, v in fact.properties.items() if k not in _NOT_CONTENT}
    return canonical_json([fact.s, fact.p, fact.o, _num(fact.value), fact.unit, fact.qualifier,
                           fact.date, props])


def slot_key(fact: Fact, schema: Schema) -> str | None:
    spec = schema.edges.get(fact.p)
    if spec is None or not spec.single_valued:
        return None
    return canonical_json([fact.p, *[_field(fact, f) for f in spec.key]])


def _absorb(target: Fact, other: Fact, seen: set[str]) -> None:
    """Pool `other`'s evidence into `target` (`seen`: the sort keys `target` already has)."""
    for ev in other.evidence:
        if ev.sort_key() not in seen:
            target.evidence.append(ev)
            seen.add(ev.sort_key())
    for k in _NOT_CONTENT:
        if k in other.properties and str(other.properties[k]) > str(target.properties.get(k, "")):
            target.properties[k] = other.properties[k]
    for k, v in other.annotations.items():
        target.annotations.setdefault(k, v)


def merge_facts(facts: list[Fact], schema: Schema | None = None) -> tuple[list[Fact], list[Diagnostic]]:
    """Deduplicate by content, then flag single-valued slots with several contents."""
    store = FactStore()
    try:
        diags = merge_into(facts, store, schema)
        return list(store.facts()), diags
    finally:
        store.close()


def merge_into(facts: Iterable[Fact], store: FactStore, schema: Schema | None = None) -> list[Diagnostic]:
    """`merge_facts` for a stream of claims of any length: the merged facts go to `store`
    (read them with `store.facts()`), only one group of claims is in memory at a time."""
    schema = schema or load_schema()
    store.add_keyed(_keyed(facts, schema))
    store.add_merged(_folded(store.keyed_groups(), schema))
    return _flag_conflicts(store)


def _keyed(facts: Iterable[Fact], schema: Schema) -> Iterator[tuple[str, int, str | None, Fact]]:
    """Each claim oriented, its evidence in order (a claim alone with its content is then the
    merged fact), with its content key, position and slot."""
    for pos, fact in enumerate(facts):
        _orient(fact, schema)
        fact.evidence.sort(key=Evidence.sort_key)
        yield content_key(fact), pos, slot_key(fact, schema), fact


def _folded(groups: Iterable[list[tuple[int, Fact]]], schema: Schema) -> Iterator[tuple[Fact, str | None, int]]:
    """One fact per group of claims (the first, with the others' evidence), its slot, and the
    position of the group's last claim."""
    for group in groups:
        target = group[0][1]
        seen = {e.sort_key() for e in target.evidence}
        for _, other in group[1:]:
            _absorb(target, other, seen)
        target.evidence.sort(key=Evidence.sort_key)
        yield target, slot_key(target, schema), group[-1][0]


def _flag_conflicts(store: FactStore) -> list[Diagnostic]:
    """One report per disagreeing slot, located at the claim that came last (the contradiction)."""
    diags = []
    for slot in store.crowded_slots():
        group = store.in_slot(slot)
        ids = [f.id for _, f in group]  # a fact's id is a hash of its content: computed once each
        for own, (_, fact) in zip(ids, group):
            fact.annotations["conflicts_with"] = [i for i in ids if i != own]
            store.replace(fact, own)
        group.sort(key=lambda pair: pair[0])
        facts = [f for _, f in group]
        shown = "; ".join(_describe(f) for f in facts)
        diags.append(Diagnostic("conflict", f"{facts[0].s} {facts[0].p}: sources disagree: {shown}",
                                facts[-1].loc))
    return diags


def _describe(fact: Fact) -> str:
    what = fact.o if fact.value is None else f"{fact.qualifier or 'exact'} {fact.value} {fact.unit or ''}".strip()
    sources = ", ".join(sorted({e.source for e in fact.evidence})) or "no source"
    return f"{what} ({sources})"
