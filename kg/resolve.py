"""Entity resolution: many sources, one node per real thing, never a wrong merge.

Reference data is loaded first and is canonical. Each later entity is matched
by id, ticker, exact folded name or alias, then fuzzy name (rapidfuzz), and is
merged only when exactly one candidate of a compatible type survives the
homonym guard (different country or Wikidata id means a different thing).
Everything else becomes its own node and is reported. A type the schema marks
`match_by_name: false` (Article) is matched by id only, is never reported as
unresolved, and its names never enter the index (a hundred thousand headlines
sharing their first letters made each fuzzy lookup scan them all).
"""
from __future__ import annotations

from bisect import insort
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from kg.diagnostics import Diagnostic
from kg.model import Entity, Fact
from kg.names import key
from kg.schema.model import Schema, load_schema

FUZZY_MIN_SCORE = 92.0
FUZZY_MIN_LENGTH = 5
FUZZY_MARGIN = 4.0
_GUARDED = ("country", "wikidata", "ticker")


@dataclass
class Resolution:
    entities: dict[str, Entity] = field(default_factory=dict)
    #: input id -> canonical id, for every id that changed
    renamed: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class NameIndex:
    """Look up canonical entities by folded name, alias or ticker."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.by_ticker: dict[str, set[str]] = defaultdict(set)
        #: fuzzy candidates are looked for among names sharing a block (first letters), kept
        #: sorted as they come (sorting a block at each lookup made a big build quadratic)
        self.by_block: dict[str, list[str]] = defaultdict(list)
        #: garbled machine-translation forms, matched exactly (case and accents count)
        self.by_mt: dict[str, set[str]] = defaultdict(set)
        self.entities: dict[str, Entity] = {}

    def add(self, ent: Entity) -> None:
        self.entities[ent.id] = ent
        if not self.schema.matched_by_name(ent.type):
            return  # found by id only: its names are not looked up, and not compared
        for name in ent.names():
            folded = key(name)
            if folded:
                if folded not in self.by_key:
                    insort(self.by_block[_block(folded)], folded)
                self.by_key[folded].add(ent.id)
        ticker = ent.properties.get("ticker")
        if isinstance(ticker, str):
            self.by_ticker[ticker.upper()].add(ent.id)
        for name in ent.properties.get("mt_aliases") or []:
            self.by_mt[str(name)].add(ent.id)

    def _fits(self, ent: Entity, cand_id: str) -> bool:
        cand = self.entities[cand_id]
        if not self.schema.compatible(ent.type, cand.type):
            return False
        for prop in _GUARDED:
            a, b = ent.properties.get(prop), cand.properties.get(prop)
            if a is not None and b is not None and str(a).upper() != str(b).upper():
                return False
        return True

    def exact(self, ent: Entity) -> set[str]:
        found: set[str] = set()
        ticker = ent.properties.get("ticker")
        if isinstance(ticker, str):
            found |= self.by_ticker.get(ticker.upper(), set())
        for name in ent.names():
            found |= self.by_key.get(key(name), set()) | self.by_mt.get(name, set())
        return {c for c in found if self._fits(ent, c)}

    def fuzzy(self, ent: Entity) -> set[str]:
        probe = key(ent.name)
        if len(probe) < FUZZY_MIN_LENGTH:
            return set()
        pool = self.by_block.get(_block(probe), [])
        hits = process.extract(probe, pool, scorer=fuzz.ratio, limit=6,
                               score_cutoff=FUZZY_MIN_SCORE - FUZZY_MARGIN)
        ranked: dict[str, float] = {}
        for name, score, _ in hits:
            if _codes(name) != _codes(probe):
                continue  # H20 is not H200, B200 is not GB200: model codes must agree
            for cand in self.by_key[name]:
                if self._fits(ent, cand):
                    ranked[cand] = max(ranked.get(cand, 0.0), score)
        if not ranked:
            return set()
        best = max(ranked.values())
        if best < FUZZY_MIN_SCORE:
            return set()
        return {c for c, s in ranked.items() if s >= best - FUZZY_MARGIN}

    def lookup(self, name: str) -> set[str]:
        return set(self.by_key.get(key(name), set())) | self.by_mt.get(name, set())


def _block(folded: str) -> str:
    """Names compared for spelling share their first two letters: a typo there is not repaired,
    and the comparison stays linear however many names a build holds."""
    return folded[:2]


def _codes(folded: str) -> list[str]:
    """Tokens holding a digit (model numbers, years): fuzzy matching must not bend them."""
    return [t for t in folded.split() if any(ch.isdigit() for ch in t)]


def _merge_into(target: Entity, other: Entity, diags: list[Diagnostic]) -> None:
    names = set(target.aliases) | set(other.names())
    target.aliases = sorted(n for n in names if n != target.name)
    for prop, value in other.properties.items():
        have = target.properties.get(prop)
        if have is None:
            target.properties[prop] = value
        elif have != value and prop not in ("description", "confidence"):
            diags.append(Diagnostic("conflict", f"entity {target.id!r}: {prop} is {have!r} here and "
                                    f"{value!r} in {other.loc}; kept {have!r}", other.loc, prop))


def _match(index: NameIndex, ent: Entity) -> tuple[set[str], str]:
    same_id = index.entities.get(ent.id)
    if same_id is not None and index.schema.compatible(ent.type, same_id.type):
        return {ent.id}, "id"
    if not index.schema.matched_by_name(ent.type):
        return set(), "id"
    found = index.exact(ent)
    if found:
        return found, "name"
    return index.fuzzy(ent), "fuzzy"


def resolve(reference: list[Entity], incoming: Iterable[Entity], schema: Schema | None = None) -> Resolution:
    """Merge `incoming` into the canonical `reference` entities; report what did not match."""
    schema = schema or load_schema()
    res = Resolution()
    index = NameIndex(schema)
    for ent in reference:
        if ent.id in index.entities:
            _merge_into(index.entities[ent.id], ent, res.diagnostics)
        else:
            index.add(_copy(ent))
    for ent in incoming:
        _resolve_one(index, ent, res, report_new=bool(reference))
    res.entities = index.entities
    return res


def _resolve_one(index: NameIndex, ent: Entity, res: Resolution, report_new: bool) -> None:
    found, how = _match(index, ent)
    if len(found) == 1:
        target = index.entities[next(iter(found))]
        if target.id != ent.id:
            res.renamed[ent.id] = target.id
        _merge_into(target, ent, res.diagnostics)
        index.add(target)
        return
    if len(found) > 1:
        res.diagnostics.append(Diagnostic(
            "ambiguous-name", f"entity {ent.id!r} ({ent.name}) matches {', '.join(sorted(found))} "
            f"by {how}; kept it apart", ent.loc, "name"))
    clash = index.entities.get(ent.id)
    if clash is not None:
        res.diagnostics.append(Diagnostic(
            "duplicate-id", f"id {ent.id!r} is a {clash.type} elsewhere but a {ent.type} here",
            ent.loc, "id"))
        return
    if report_new and not found and index.schema.matched_by_name(ent.type):
        res.diagnostics.append(Diagnostic("unresolved-name", f"{ent.type} {ent.name!r} matched no "
                                          "known entity; added as a new one", ent.loc, "name"))
    index.add(_copy(ent))


def _copy(ent: Entity) -> Entity:
    return Entity(ent.id, ent.type, ent.name, list(ent.aliases), dict(ent.properties), ent.loc)


def rewrite_facts(facts: list[Fact], res: Resolution, index_names: NameIndex | None = None) -> list[Fact]:
    """Point facts at canonical ids; a fact may name an entity instead of giving its id."""
    for fact in facts:
        fact.s = _canonical(fact.s, res, index_names)
        if fact.o is not None:
            fact.o = _canonical(fact.o, res, index_names)
    return facts


def _canonical(ref: str, res: Resolution, index: NameIndex | None) -> str:
    if ref in res.renamed:
        return res.renamed[ref]
    if ref in res.entities or index is None:
        return ref
    found = index.lookup(ref)
    return next(iter(found)) if len(found) == 1 else ref
