"""The schema of the RDF mapping (kg.rdf), for tools that read RDF: OWL/RDFS and JSON-LD.

A SPARQL query walks `rdfs:subClassOf*`, a reasoner or an editor shows classes and property
documentation, a JSON-LD reader needs an @context: none of that is in a graph's triples, and all
of it follows from the schema alone, not from any graph. So it is built here, from the same
terms (kg.rdf_terms) the triples use.
"""
from __future__ import annotations

from typing import Any, Iterable

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg.rdf_terms import XSD_NS, XSD_TYPES, bind_prefixes, camel, data_properties, term
from kg.schema.model import Schema, load_schema


def vocabulary(schema: Schema | None = None) -> rdflib.Graph:
    """OWL/RDFS classes and properties of the mapping, with the schema's docs."""
    schema = schema or load_schema()
    g = rdflib.Graph()
    bind_prefixes(g, schema)
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
