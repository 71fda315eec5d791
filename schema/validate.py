"""Checks every entity and fact against the schema and reports every problem.

It never stops at the first error: a user fixing a fact sheet wants the whole
list at once, each with its file, line and code.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from kg.diagnostics import Diagnostic
from kg.model import Entity, Evidence, Fact
from kg.schema.model import EdgeSpec, Schema, load_schema
from kg.schema.values import check, check_number

#: a longer name or alias is not a name (and would not fit a database index key)
MAX_NAME_CHARS = 1000


def validate(entities: Mapping[str, Entity], facts: Iterable[Fact],
             schema: Schema | None = None) -> list[Diagnostic]:
    """All problems of a set of records; an empty list means the graph is valid."""
    schema = schema or load_schema()
    out: list[Diagnostic] = []
    for ent in entities.values():
        out.extend(check_entity(ent, schema))
    for fact in facts:
        out.extend(check_fact(fact, entities, schema))
    return out


def check_entity(ent: Entity, schema: Schema) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not schema.patterns["id"].match(ent.id):
        out.append(Diagnostic("bad-value", f"entity id {ent.id!r} does not match the id pattern",
                              ent.loc, "id"))
    if ent.type not in schema.node_types or schema.node_types[ent.type].get("abstract"):
        known = ", ".join(schema.concrete_types())
        out.append(Diagnostic("unknown-node-type", f"entity {ent.id!r} has unknown type "
                              f"{ent.type!r} (known: {known})", ent.loc, "type"))
        return out
    if not isinstance(ent.name, str) or not ent.name.strip():
        out.append(Diagnostic("missing-field", f"entity {ent.id!r} has no name", ent.loc, "name"))
    long = [n for n in [ent.name, *ent.aliases] if isinstance(n, str) and len(n) > MAX_NAME_CHARS]
    if long:  # reported on 'name' (an alias too): the entity is left out, not kept half-named
        what = "name" if long[0] is ent.name else "alias"
        out.append(Diagnostic("bad-value", f"entity {ent.id!r}: its {what} of {len(long[0])} "
                              f"characters is longer than {MAX_NAME_CHARS}", ent.loc, "name"))
    specs = schema.node_props[ent.type]
    for key, value in ent.properties.items():
        out.extend(_check_prop(specs, key, value, f"entity {ent.id!r}", ent, f"{ent.type}"))
    for key, spec in specs.items():
        if spec.required and key != "name" and key not in ent.properties:
            out.append(Diagnostic("missing-field", f"entity {ent.id!r} lacks required {key!r}",
                                  ent.loc, key))
    return out


def _check_prop(specs, key, value, who, rec, owner) -> list[Diagnostic]:
    spec = specs.get(key)
    if spec is None:
        return [Diagnostic("unknown-property", f"{who}: {owner} has no property {key!r}",
                           rec.loc, key)]
    problem = check(spec, value)
    return [Diagnostic("bad-value", f"{who}: {key}: {problem}", rec.loc, key)] if problem else []


def check_fact(fact: Fact, entities: Mapping[str, Entity], schema: Schema) -> list[Diagnostic]:
    who = f"fact {fact.s} {fact.p} {fact.o or fact.value}"
    spec = schema.edges.get(fact.p)
    if spec is None:
        known = ", ".join(sorted(schema.edges))
        return [Diagnostic("unknown-edge-type", f"{who}: unknown predicate {fact.p!r} "
                           f"(known: {known})", fact.loc, "p")]
    out = _check_ends(fact, spec, entities, schema, who)
    out.extend(_check_value(fact, spec, schema, who))
    for key, value in fact.properties.items():
        specs = spec.properties if key in spec.properties else schema.fact_fields
        out.extend(_check_prop(specs, key, value, who, fact, fact.p))
    for key in ("date", "qualifier"):
        val = getattr(fact, key)
        if val is not None:
            out.extend(_check_prop(schema.fact_fields, key, val, who, fact, fact.p))
    out.extend(_check_evidence(fact, schema, who))
    return out


def _check_end(fact: Fact, field: str, allowed: tuple[str, ...], entities, schema: Schema,
               who: str) -> list[Diagnostic]:
    ref, role = getattr(fact, field), "subject" if field == "s" else "object"
    ent = entities.get(ref)
    if ent is None:
        return [Diagnostic("dangling-reference", f"{who}: {role} {ref!r} is not a declared entity",
                           fact.loc, field)]
    if not schema.is_a(ent.type, allowed):
        code = "domain-violation" if field == "s" else "range-violation"
        return [Diagnostic(code, f"{who}: {fact.p} needs a {role} of type {'|'.join(allowed)}, "
                           f"{ref!r} is a {ent.type}", fact.loc, field)]
    return []


def _check_ends(fact: Fact, spec: EdgeSpec, entities, schema: Schema, who: str) -> list[Diagnostic]:
    out = _check_end(fact, "s", spec.domain, entities, schema, who)
    if spec.is_attribute:
        if fact.o is not None:
            out.append(Diagnostic("bad-value", f"{who}: {fact.p} takes a value, not an object "
                                  f"({fact.o!r})", fact.loc, "o"))
        return out
    if fact.o is None:
        return out + [Diagnostic("missing-field", f"{who}: {fact.p} needs an object 'o'", fact.loc, "o")]
    if fact.o == fact.s and not spec.self_loops:
        out.append(Diagnostic("domain-violation", f"{who}: {fact.p} links {fact.s!r} to itself, "
                              "and the schema allows no self-loop for it", fact.loc, "o"))
    return out + _check_end(fact, "o", spec.range, entities, schema, who)


def _check_value(fact: Fact, spec: EdgeSpec, schema: Schema, who: str) -> list[Diagnostic]:
    if fact.value is None:
        if spec.value_required:
            return [Diagnostic("missing-field", f"{who}: {fact.p} needs a value", fact.loc, "value")]
        return []
    if not spec.value_kinds:
        return [Diagnostic("bad-value", f"{who}: {fact.p} takes no value", fact.loc, "value")]
    problem = check_number(fact.value, spec.value_min, spec.value_max)
    if problem:
        return [Diagnostic("bad-value", f"{who}: value {problem}", fact.loc, "value")]
    allowed = schema.units_for(spec.value_kinds)
    if fact.unit not in allowed:
        shown = ", ".join(sorted(allowed)) if len(allowed) < 8 else "a currency code such as USD"
        return [Diagnostic("bad-unit", f"{who}: unit {fact.unit!r} does not fit {fact.p} "
                           f"(expected {shown})", fact.loc, "unit")]
    return []


def _check_evidence(fact: Fact, schema: Schema, who: str) -> list[Diagnostic]:
    if not fact.evidence:
        return [Diagnostic("missing-evidence", f"{who}: no source; give 'source' on the fact, "
                           "an 'evidence' list, or a sheet-level 'source'", fact.loc, "evidence")]
    out: list[Diagnostic] = []
    for ev in fact.evidence:
        problem = _evidence_problem(ev, schema)
        if problem:
            out.append(Diagnostic("bad-evidence", f"{who}: {problem}", fact.loc, "evidence"))
    return out


def _evidence_problem(ev: Evidence, schema: Schema) -> str | None:
    for key, value in ev.to_dict().items():
        spec = schema.evidence_fields.get(key)
        if spec is not None and key != "span":
            problem = check(spec, value)
            if problem:
                return f"evidence {key}: {problem}"
    if ev.span is not None:
        span = ev.span
        ints = len(span) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
        if not ints or span[0] < 0 or span[1] < span[0]:
            return f"evidence span must be [start, end) with 0 <= start <= end, got {list(span)!r}"
        if ev.quote is not None and span[1] - span[0] != len(ev.quote):
            return f"evidence span {list(span)} is {span[1] - span[0]} characters, quote is {len(ev.quote)}"
    return None
