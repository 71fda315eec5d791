"""The RDF view of a graph, computed from the schema so that the two never drift apart.

Entities become resources, every fact becomes an n-ary node holding the claim (subject,
object, value, qualifier, date, properties, evidence), and an edge fact also keeps the
plain triple `s ns:p o` as a shortcut for path queries. N-Triples output is sorted, so
the same graph gives byte-identical text to diff, hash and cache.

This module turns a graph into triples; the spellings of IRIs and literals are in
`kg.rdf_terms`, and the OWL vocabulary and JSON-LD context, which need no graph, in
`kg.rdf_vocabulary` (both re-exported here).
"""
from __future__ import annotations

from typing import Iterable
from urllib.parse import quote

import rdflib
from pyoxigraph import Literal, NamedNode
from rdflib.namespace import RDF, RDFS

from kg.channels import Channel, channels
from kg.graph import Graph
from kg.model import Entity, Evidence, Fact
from kg.rdf_terms import (EVIDENCE_TERMS, FACT_TERMS, bind_prefixes, camel, entity_iri, fact_iri, literal,
                          term)
from kg.rdf_terms import XSD_TYPES, data_properties  # noqa: F401  (re-exported: kg.shacl imports them from here)
from kg.rdf_vocabulary import jsonld_context, vocabulary  # noqa: F401  (re-exported: the mapping's public API)
from kg.schema.model import Schema, load_schema

#: Bump when the mapping changes, so caches of earlier output are rebuilt.
MAPPING_VERSION = 2  # 2: ns:predicate on fact nodes, ns:Channel steps
Triple = tuple[NamedNode, NamedNode, NamedNode | Literal]
_RDF_TYPE = NamedNode(str(RDF.type))
_LABEL = NamedNode(str(RDFS.label))
_COMMENT = NamedNode(str(RDFS.comment))


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
    """The triples as an rdflib graph with the mapping's prefixes, for SHACL and Turtle."""
    schema = schema or load_schema()
    out = rdflib.Graph()
    bind_prefixes(out, schema)
    return out.parse(data=to_ntriples(graph, schema), format="nt")
