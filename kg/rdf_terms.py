"""The names and values of the RDF mapping (kg.rdf): IRIs, vocabulary terms, typed literals.

Every producer of RDF in ripplekg (the triples of a graph, the OWL vocabulary, the JSON-LD
context, the SHACL shapes, the SPARQL engines' parameters) must spell an entity, a class, a
property and a value the same way, or the pieces stop joining up. They all take those spellings
from here, derived from the schema, so that the mapping cannot drift from it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import rdflib
from pyoxigraph import Literal, NamedNode
from rdflib.namespace import XSD

from kg.schema.model import Schema, load_schema
from kg.schema.values import scalar_kind

XSD_NS = str(XSD)
XSD_TYPES = {"string": "string", "list": "string", "integer": "integer", "number": "decimal",
             "boolean": "boolean", "date": "date", "year": "gYear"}
#: Entity properties that get their own RDF terms instead of `ns:{name}`.
SPECIAL_ENTITY_PROPS = ("name", "aliases", "label_fr")
EVIDENCE_TERMS = {"source": "string", "quote": "string", "spanStart": "integer",
                  "spanEnd": "integer", "extractor": "string", "confidence": "number",
                  "lang": "string", "url": "string", "line": "integer"}
FACT_TERMS = {"value": "number", "unit": "string", "qualifier": "string", "date": "date",
              "nSources": "integer"}


# -- names ---------------------------------------------------------------------
@dataclass(frozen=True)
class DataProp:
    """One datatype property of the vocabulary: its value type and the classes using it."""

    name: str
    type: str
    owners: tuple[str, ...]
    doc: str = ""


def camel(name: str) -> str:
    """`fell_by` -> `FellBy`: the class of a predicate's n-ary fact nodes."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def entity_iri(entity_id: str, schema: Schema | None = None) -> str:
    """The resource of an entity: its id, percent-quoted, in the resource namespace."""
    schema = schema or load_schema()
    return schema.raw["resource_namespace"] + quote(entity_id, safe="-._~")


def fact_iri(fact_id: str, schema: Schema | None = None) -> str:
    """The n-ary node of a fact (`id:fact/...`), which its evidence nodes hang under."""
    return (schema or load_schema()).raw["resource_namespace"] + "fact/" + fact_id


def term(name: str, schema: Schema) -> str:
    """A class or property IRI in the schema's namespace."""
    return schema.raw["namespace"] + quote(name, safe="-._~")


def data_properties(schema: Schema) -> dict[str, DataProp]:
    """Every datatype property, with the classes that carry it (types must agree)."""
    found: dict[str, list[tuple[str, str, str]]] = {}

    def add(name: str, type_: str, owner: str, doc: str = "") -> None:
        found.setdefault(name, []).append((type_, owner, doc))

    add("id", "string", "Entity", "The entity's id in ripplekg.")
    add("alias", "list", "Entity", schema.node_props["Entity"]["aliases"].doc)
    for node_type, block in sorted(schema.node_types.items()):
        for name, spec in sorted((block.get("properties") or {}).items()):
            if name not in SPECIAL_ENTITY_PROPS:
                add(name, spec.get("type", "string"), node_type, spec.get("doc", ""))
    for name, type_ in FACT_TERMS.items():
        add(name, type_, "Fact")
    for name, spec in schema.fact_fields.items():
        add(name, spec.type, "Fact", spec.doc)
    for edge in schema.edges.values():
        for name, spec in edge.properties.items():
            add(name, spec.type, camel(edge.name), spec.doc)
    for name, type_ in EVIDENCE_TERMS.items():
        spec = schema.evidence_fields.get(name)
        add(name, type_, "Evidence", spec.doc if spec else "")
    out = {}
    for name, uses in sorted(found.items()):
        types = {XSD_TYPES[t] for t, _, _ in uses}
        if len(types) > 1:
            raise ValueError(f"schema gives property {name!r} several types: {sorted(types)}")
        doc = next((d for _, _, d in uses if d), "")
        out[name] = DataProp(name, uses[0][0], tuple(sorted({o for _, o, _ in uses})), doc)
    return out


# -- literals ------------------------------------------------------------------
def decimal_lexical(value: float | int) -> str:
    """xsd:decimal text of a number: no exponent, always a fraction (`2.0`, not `2` or `2e0`)."""
    text = format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")
    return text if "." in text else text + ".0"


def literal(value: Any, type_: str | None = None) -> Literal:
    """A typed literal for a schema type (`number`, `year`...), or inferred from Python."""
    if type_ is None or type_ == "list":
        type_ = _infer(value)
    try:
        lexical = _lexical(value, type_)
    except (TypeError, ValueError):
        return Literal(str(value))
    if type_ == "string" or lexical is None:
        return Literal(str(value))
    return Literal(lexical, datatype=NamedNode(XSD_NS + XSD_TYPES[type_]))


def _infer(value: Any) -> str:
    return scalar_kind(value) or ("date" if isinstance(value, dt.date) else "string")


def _lexical(value: Any, type_: str) -> str | None:
    if type_ == "boolean":
        return "true" if value is True else "false" if value is False else None
    if isinstance(value, bool):
        return None
    if type_ == "integer":
        return str(int(value)) if float(value).is_integer() else None
    if type_ == "number":
        num = float(value) if isinstance(value, str) else value
        return decimal_lexical(num) if math.isfinite(num) else None
    if type_ == "year":
        return f"{int(value):04d}"
    if type_ == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(dt.date.fromisoformat(str(value)))
    return None


# -- prefixes ------------------------------------------------------------------
def bind_prefixes(g: rdflib.Graph, schema: Schema) -> None:
    """The `ns:` and `id:` prefixes, so Turtle and the vocabulary read the same way."""
    g.bind("ns", schema.raw["namespace"])
    g.bind("id", schema.raw["resource_namespace"])
