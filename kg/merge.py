"""One fact per claim, however many sources make it; disagreements kept and flagged.

Two facts with the same content merge and pool their evidence (the
corroboration count is the number of evidences). Facts in the same slot of a
single-valued predicate (one Nvidia close on one day) with different content
are all kept, each marked with the ids it conflicts with, and reported.
"""
from __future__ import annotations

from collections import defaultdict

from kg.diagnostics import Diagnostic
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


def _absorb(target: Fact, other: Fact) -> None:
    seen = {e.sort_key() for e in target.evidence}
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
    schema = schema or load_schema()
    merged: dict[str, Fact] = {}
    order: dict[int, int] = {}  # id(fact) -> position of its last claim in the input
    for position, fact in enumerate(facts):
        _orient(fact, schema)
        ck = content_key(fact)
        if ck in merged:
            _absorb(merged[ck], fact)
        else:
            merged[ck] = fact
        order[id(merged[ck])] = position
    for fact in merged.values():
        fact.evidence.sort(key=Evidence.sort_key)
    out = sorted(merged.values(), key=lambda f: f.id)
    return out, _flag_conflicts(out, schema, order)


def _flag_conflicts(facts: list[Fact], schema: Schema, order: dict[int, int]) -> list[Diagnostic]:
    """One report per disagreeing slot, located at the claim that came last (the contradiction)."""
    slots: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        sk = slot_key(fact, schema)
        if sk is not None:
            slots[sk].append(fact)
    diags = []
    for group in slots.values():
        if len(group) < 2:
            continue
        ids = sorted(f.id for f in group)
        for fact in group:
            fact.annotations["conflicts_with"] = [i for i in ids if i != fact.id]
        group.sort(key=lambda f: order[id(f)])
        shown = "; ".join(_describe(f) for f in group)
        diags.append(Diagnostic("conflict", f"{group[0].s} {group[0].p}: sources disagree: {shown}",
                                group[-1].loc))
    return diags


def _describe(fact: Fact) -> str:
    what = fact.o if fact.value is None else f"{fact.qualifier or 'exact'} {fact.value} {fact.unit or ''}".strip()
    sources = ", ".join(sorted({e.source for e in fact.evidence})) or "no source"
    return f"{what} ({sources})"
