"""The middle of a build: collected records -> entity resolution -> validation -> merged facts.

Why a module of its own: it is the one place the three steps meet, and it works on a stream
of claims (from `kg.factstore`) so a corpus of any size passes through with only the entities
in memory. Records that fail validation never enter the graph; every problem is kept in the
diagnostics so the CLI and the build report can show it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from kg.collect import Collected
from kg.diagnostics import ERROR, Diagnostic
from kg.factstore import FactStore
from kg.graph import Tally
from kg.merge import merge_into
from kg.model import Entity, Fact
from kg.resolve import NameIndex, Resolution, resolve, rewrite_facts
from kg.schema.model import Schema, load_schema
from kg.schema.validate import check_entity, check_fact

#: Fields whose errors make an entity unusable; other errors only cost the bad property.
_STRUCTURAL = ("id", "type", "name", None)


@dataclass
class Assembled:
    """A built graph before it is a Graph: valid entities in memory, merged facts in the store."""

    entities: dict[str, Entity]
    store: FactStore
    diagnostics: list[Diagnostic]

    def sorted_entities(self) -> list[Entity]:
        return sorted(self.entities.values(), key=lambda e: e.id)

    def facts(self) -> Iterator[Fact]:
        """Every fact in id order, read from the store (one at a time)."""
        return self.store.facts()

    def counts(self) -> dict:
        tally = Tally()
        for ent in self.entities.values():
            tally.entity(ent)
        for fact in self.facts():
            tally.fact(fact)
        return tally.result()


def assemble(collected: Collected, schema: Schema | None = None) -> Assembled:
    """Resolve, validate and merge collected records (bad records left out)."""
    schema = schema or load_schema()
    diags = collected.reference_diagnostics + collected.diagnostics
    # Input order must not change the graph: mentions meet in a fixed order (FactStore.entities)
    res = resolve(collected.reference, collected.store.entities(), schema)
    diags.extend(res.diagnostics)
    index = NameIndex(schema)  # names as resolved, before validation drops bad properties
    for ent in res.entities.values():
        index.add(ent)
    good, dropped = _valid_entities(res.entities, schema, diags)
    claims = _valid_facts(collected.store.claims(), res, index, good, dropped, schema, diags)
    conflicts = merge_into(claims, collected.store, schema)
    return Assembled(good, collected.store, diags + conflicts)


def _valid_entities(entities: dict[str, Entity], schema: Schema,
                    diags: list[Diagnostic]) -> tuple[dict[str, Entity], dict[str, Entity]]:
    """The usable entities, bad properties dropped; and those left out."""
    good: dict[str, Entity] = {}
    dropped: dict[str, Entity] = {}
    for ent in entities.values():
        problems = check_entity(ent, schema)
        diags.extend(problems)
        errors = [p for p in problems if p.severity == ERROR]
        if any(p.field in _STRUCTURAL for p in errors):
            dropped[ent.id] = ent
            continue
        for p in errors:
            ent.properties.pop(p.field, None)
        good[ent.id] = ent
    return good, dropped


def _valid_facts(claims: Iterable[Fact], res: Resolution, index: NameIndex, good: dict[str, Entity],
                 dropped: dict[str, Entity], schema: Schema, diags: list[Diagnostic]) -> Iterator[Fact]:
    """Claims pointed at canonical ids; those with errors left out (and reported)."""
    for fact in claims:
        rewrite_facts([fact], res, index)
        problems = [_explain(p, fact, dropped) for p in check_fact(fact, good, schema)]
        diags.extend(problems)
        if not any(p.severity == ERROR for p in problems):
            yield fact


def _explain(problem: Diagnostic, fact: Fact, dropped: dict[str, Entity]) -> Diagnostic:
    """A fact about an entity left out for its own errors says so, not 'undeclared'."""
    ref = getattr(fact, problem.field or "", None) if problem.code == "dangling-reference" else None
    if ref not in dropped:
        return problem
    loc = dropped[ref].loc or "its declaration"
    return Diagnostic("dangling-reference", f"fact {fact.s} {fact.p} {fact.o or fact.value}: "
                      f"{ref!r} was left out because of errors at {loc}", problem.loc, problem.field)
