"""The RDF view of a graph, computed from the schema so that the two never drift apart.

Entities become resources, every fact becomes an n-ary node holding the claim (subject,
object, value, qualifier, date, properties, evidence), and an edge fact also keeps the
plain triple `s ns:p o` as a shortcut for path queries. N-Triples output is sorted, so
the same graph gives byte-identical text to diff, hash and cache.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable
from urllib.parse import quote

import rdflib
from pyoxigraph import Literal, NamedNode
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.channels import Channel, channels
from kg.graph import Graph
from kg.model import Entity, Evidence, Fact
from kg.schema.model import Schema, load_schema

#: Bump when the mapping changes, so caches of earlier output are rebuilt.
MAPPING_VERSION = 2  # 2: ns:predicate on fact nodes, ns:Channel steps
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
Triple = tuple[NamedNode, NamedNode, NamedNode | Literal]
_RDF_TYPE = NamedNode(str(RDF.type))
_LABEL = NamedNode(str(RDFS.label))
_COMMENT = NamedNode(str(RDFS.comment))


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
    schema = schema or load_schema()
    return schema.raw["resource_namespace"] + quote(entity_id, safe="-._~")


def fact_iri(fact_id: str, schema: Schema | None = None) -> str:
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
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "date" if isinstance(value, dt.date) else "string"


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


# -- triples -------------------------------------------------------------------
def _entity_triples(ent: Entity, schema: Schema) -> Iterable[Triple]:
    s = NamedNode(entity_iri(ent.id, schema))
    props = schema.node_props.get(ent.type, {})
    yield s, _RDF_TYPE, NamedNode(term(ent.type, schema))
    yield s, _LABEL, Literal(ent.name, language="en")
    yield s, NamedNode(term("id", schema)), Literal(ent.id)
    for alias in ent.aliases:
        yield s, NamedNode(term("alias", schema)), Literal(alias)
    for name, value in sorted(ent.properties.items()):
        if name == "label_fr":
            yield s, _LABEL, Literal(str(value), language="fr")
            continue
        spec = props.get(name)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            yield s, NamedNode(term(name, schema)), literal(item, spec.type if spec else None)


def _fact_triples(fact: Fact, schema: Schema) -> Iterable[Triple]:
    node = NamedNode(fact_iri(fact.id, schema))
    spec = schema.edges.get(fact.p)
    known = {**schema.fact_fields, **(spec.properties if spec else {})}
    ns = lambda name: NamedNode(term(name, schema))  # noqa: E731
    yield node, _RDF_TYPE, ns(camel(fact.p))
    yield node, ns("predicate"), Literal(fact.p)
    yield node, ns("subject"), NamedNode(entity_iri(fact.s, schema))
    if fact.o is not None:
        obj = NamedNode(entity_iri(fact.o, schema))
        yield NamedNode(entity_iri(fact.s, schema)), ns(fact.p), obj
        yield node, ns("object"), obj
    for name in ("value", "unit", "qualifier", "date"):
        value = getattr(fact, name)
        if value is not None:
            yield node, ns(name), literal(value, FACT_TERMS[name])
    for name, value in sorted(fact.properties.items()):
        prop = known.get(name)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            yield node, ns(name), literal(item, prop.type if prop else None)
    yield node, ns("nSources"), literal(len(fact.evidence), "integer")
    others = fact.annotations.get("conflicts_with") or []
    for other in sorted([others] if isinstance(others, str) else map(str, others)):
        yield node, ns("conflictsWith"), NamedNode(fact_iri(other, schema))
    for key in ("note", "comment"):
        if fact.annotations.get(key):
            yield node, _COMMENT, Literal(str(fact.annotations[key]))
    for number, ev in enumerate(sorted(fact.evidence, key=Evidence.sort_key), start=1):
        ev_node = NamedNode(f"{node.value}/evidence/{number}")
        yield node, ns("evidence"), ev_node
        yield from _evidence_triples(ev_node, ev, schema)


def _evidence_triples(node: NamedNode, ev: Evidence, schema: Schema) -> Iterable[Triple]:
    yield node, _RDF_TYPE, NamedNode(term("Evidence", schema))
    values = {k: v for k, v in ev.to_dict().items() if k != "span"}
    if ev.span is not None:
        values.update(spanStart=ev.span[0], spanEnd=ev.span[1])
    for name, value in sorted(values.items()):
        yield node, NamedNode(term(name, schema)), literal(value, EVIDENCE_TERMS.get(name))


def _line(triple: Triple) -> str:
    return f"{triple[0]} {triple[1]} {triple[2]} .\n"


def to_triples(graph: Graph, schema: Schema | None = None) -> list[Triple]:
    """Every triple of `graph`, deduplicated and sorted by N-Triples line."""
    schema = schema or load_schema()
    unique: dict[str, Triple] = {}
    for ent in graph.entities():
        unique.update((_line(t), t) for t in _entity_triples(ent, schema))
    for fact in graph.facts():
        unique.update((_line(t), t) for t in _fact_triples(fact, schema))
    for step in channels(graph, schema):
        unique.update((_line(t), t) for t in _channel_triples(step, schema))
    return [unique[line] for line in sorted(unique)]


def _channel_triples(step: Channel, schema: Schema) -> Iterable[Triple]:
    """One step a shock can take (kg.channels): the traversal unit of the contagion questions."""
    node = NamedNode(f"{schema.raw['resource_namespace']}channel/{quote(step.id, safe='')}")
    ns = lambda name: NamedNode(term(name, schema))  # noqa: E731
    yield node, _RDF_TYPE, ns("Channel")
    yield node, ns("from"), NamedNode(entity_iri(step.src, schema))
    yield node, ns("to"), NamedNode(entity_iri(step.dst, schema))
    yield node, ns("via"), Literal(step.via)
    yield node, ns("nSources"), literal(step.n_sources, "integer")
    yield node, ns("claim"), NamedNode(fact_iri(step.fact_id, schema))


def to_ntriples(graph: Graph, schema: Schema | None = None) -> str:
    """Canonical N-Triples: one sorted line per triple, no blank nodes."""
    return "".join(_line(t) for t in to_triples(graph, schema))


def to_rdflib(graph: Graph, schema: Schema | None = None) -> rdflib.Graph:
    schema = schema or load_schema()
    out = rdflib.Graph()
    _bind(out, schema)
    return out.parse(data=to_ntriples(graph, schema), format="nt")


def _bind(g: rdflib.Graph, schema: Schema) -> None:
    g.bind("ns", schema.raw["namespace"])
    g.bind("id", schema.raw["resource_namespace"])


# -- vocabulary ----------------------------------------------------------------
def vocabulary(schema: Schema | None = None) -> rdflib.Graph:
    """OWL/RDFS classes and properties of the mapping, with the schema's docs."""
    schema = schema or load_schema()
    g = rdflib.Graph()
    _bind(g, schema)
    ns = lambda name: rdflib.URIRef(term(name, schema))  # noqa: E731

    def declare(node: rdflib.URIRef, kind: rdflib.URIRef, label: str, doc: str = "") -> None:
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, rdflib.Literal(label)))
        if doc:
            g.add((node, RDFS.comment, rdflib.Literal(doc)))

    def union(classes: Iterable[str]) -> rdflib.term.Node:
        names = sorted(set(classes))
        if len(names) == 1:
            return ns(names[0])
        node = rdflib.BNode()
        members = rdflib.BNode()
        Collection(g, members, [ns(n) for n in names])
        g.add((node, RDF.type, OWL.Class))
        g.add((node, OWL.unionOf, members))
        return node

    for name, block in sorted(schema.node_types.items()):
        declare(ns(name), OWL.Class, name, block.get("doc", ""))
        if block.get("is_a"):
            g.add((ns(name), RDFS.subClassOf, ns(block["is_a"])))
    declare(ns("Fact"), OWL.Class, "Fact", "A claim with its evidence: one n-ary node per fact.")
    declare(ns("Evidence"), OWL.Class, "Evidence", "Where a fact comes from.")
    for name, edge in sorted(schema.edges.items()):
        cls = ns(camel(name))
        declare(cls, OWL.Class, camel(name), edge.doc or f"A fact of predicate `{name}`.")
        g.add((cls, RDFS.subClassOf, ns("Fact")))
        if not edge.is_attribute:
            declare(ns(name), OWL.ObjectProperty, name.replace("_", " "), edge.doc)
            if edge.symmetric:
                g.add((ns(name), RDF.type, OWL.SymmetricProperty))
            g.add((ns(name), RDFS.domain, union(edge.domain)))
            g.add((ns(name), RDFS.range, union(edge.range)))
    for name, domain, range_, doc in (
            ("subject", "Fact", "Entity", "The fact's subject."),
            ("object", "Fact", "Entity", "The fact's object, for an edge fact."),
            ("evidence", "Fact", "Evidence", "A source supporting the fact."),
            ("conflictsWith", "Fact", "Fact", "A fact in the same slot with another value.")):
        declare(ns(name), OWL.ObjectProperty, name, doc)
        g.add((ns(name), RDFS.domain, ns(domain)))
        g.add((ns(name), RDFS.range, ns(range_)))
    for name, prop in data_properties(schema).items():
        declare(ns(name), OWL.DatatypeProperty, name, prop.doc)
        g.add((ns(name), RDFS.domain, union(prop.owners)))
        g.add((ns(name), RDFS.range, rdflib.URIRef(XSD_NS + XSD_TYPES[prop.type])))
    return g


def jsonld_context(schema: Schema | None = None) -> dict[str, Any]:
    """An inline JSON-LD 1.1 @context: no remote context, so nothing is fetched.

    Entity records (`id`, `type`, `name`, `aliases`...) read as JSON-LD with it:
    ids resolve against the resource namespace, types against the vocabulary.
    """
    schema = schema or load_schema()
    ns = schema.raw["namespace"]
    ctx: dict[str, Any] = {
        "@version": 1.1, "@protected": True, "@vocab": ns, "@base": schema.raw["resource_namespace"],
        "@language": "en", "ns": ns, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": XSD_NS,
        "owl": str(OWL), "id": "@id", "type": "@type", "name": "rdfs:label",
        "label_fr": {"@id": "rdfs:label", "@language": "fr"},
        "aliases": {"@id": "ns:alias", "@container": "@set", "@language": None},
    }
    for name, prop in data_properties(schema).items():
        if name in ctx or name == "alias":
            continue
        if prop.type in ("date", "year"):
            ctx[name] = {"@id": f"ns:{name}", "@type": f"xsd:{XSD_TYPES[prop.type]}"}
        elif prop.type in ("string", "list"):
            ctx[name] = {"@id": f"ns:{name}", "@language": None}
    links = ["subject", "object", "evidence", "conflictsWith"]
    links += [n for n, e in schema.edges.items() if not e.is_attribute]
    for name in sorted(links):
        ctx[name] = {"@id": f"ns:{name}", "@type": "@id"}
    return dict(sorted(ctx.items(), key=lambda kv: (not kv[0].startswith("@"), kv[0])))
