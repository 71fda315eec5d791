"""The RDF view, vocabulary, JSON-LD context and SHACL shapes, all computed from the schema."""
from __future__ import annotations

import copy
import json
import urllib.request

import pyoxigraph
import pytest
import rdflib
import rdflib.parser
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

import kg
from helpers import EXAMPLE, GOLD
from kg.graph import Graph
from kg.rdf import camel, entity_iri, fact_iri, jsonld_context, to_ntriples, to_rdflib, vocabulary
from kg.schema.model import load_schema
from kg.shacl import shapes, validate

SCHEMA = load_schema()
NS = rdflib.Namespace(SCHEMA.raw["namespace"])
ID = rdflib.Namespace(SCHEMA.raw["resource_namespace"])


@pytest.fixture(scope="module")
def example() -> Graph:
    return kg.build([str(EXAMPLE)])


@pytest.fixture(scope="module")
def seed() -> Graph:
    return kg.build([GOLD], reference=False)


@pytest.fixture(scope="module")
def example_rdf(example) -> rdflib.Graph:
    return to_rdflib(example)


def nvidia_fell_17(graph: Graph):
    return next(f for f in graph.edges() if f.p == "fell_by" and f.s == "nvidia" and f.value == 17)


# -- the mapping -------------------------------------------------------------------------------
def test_ntriples_are_byte_identical_across_builds(example):
    again = kg.build([str(EXAMPLE)])
    text = to_ntriples(example)
    assert text == to_ntriples(again)
    lines = text.splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))
    assert "_:" not in text  # no blank nodes: canonical without relabelling


@pytest.mark.parametrize("which", ["example", "seed"])
def test_rdflib_and_pyoxigraph_read_the_same_triples(which, request):
    text = to_ntriples(request.getfixturevalue(which))
    ox = list(pyoxigraph.parse(text, pyoxigraph.RdfFormat.N_TRIPLES))
    rg = rdflib.Graph().parse(data=text, format="nt")
    assert len(ox) == len(rg) == text.count("\n") > 0


def test_every_entity_has_its_english_label_and_type(example, example_rdf):
    for ent in example.entities():
        node = rdflib.URIRef(entity_iri(ent.id))
        assert (node, RDFS.label, rdflib.Literal(ent.name, lang="en")) in example_rdf, ent.id
        assert (node, RDF.type, NS[ent.type]) in example_rdf
        assert (node, NS.id, rdflib.Literal(ent.id)) in example_rdf
        if "label_fr" in ent.properties:
            assert (node, RDFS.label, rdflib.Literal(ent.properties["label_fr"], lang="fr")) in example_rdf


def test_properties_carry_schema_datatypes(example_rdf):
    nvidia = ID.nvidia
    assert example_rdf.value(nvidia, NS.founded).datatype == XSD.gYear
    assert example_rdf.value(nvidia, NS.listed) == rdflib.Literal(True)
    assert example_rdf.value(nvidia, NS.ticker) == rdflib.Literal("NVDA")
    assert rdflib.Literal("NVIDIA") in set(example_rdf.objects(nvidia, NS.alias))
    released = [o for _, _, o in example_rdf.triples((None, NS.released, None))]
    assert released and all(o.datatype == XSD.date for o in released)


def test_fell_by_fact_node_holds_the_claim(example, example_rdf):
    fact = nvidia_fell_17(example)
    node = rdflib.URIRef(fact_iri(fact.id))
    g = example_rdf
    assert (ID.nvidia, NS.fell_by, ID.selloff_2025_01_27) in g  # the traversal shortcut
    assert (node, RDF.type, NS.FellBy) in g
    assert g.value(node, NS.subject) == ID.nvidia and g.value(node, NS.object) == ID.selloff_2025_01_27
    value = g.value(node, NS.value)
    assert value.datatype == XSD.decimal and float(value) == 17
    assert str(g.value(node, NS.qualifier)) == "approx"
    assert g.value(node, NS.date) == rdflib.Literal("2025-01-27", datatype=XSD.date)
    assert str(g.value(node, NS.session)) == "close"
    assert str(g.value(node, NS.unit)) == "percent"
    evidence = sorted(g.objects(node, NS.evidence))
    assert evidence == [rdflib.URIRef(f"{node}/evidence/1")]
    assert (evidence[0], RDF.type, NS.Evidence) in g
    assert str(g.value(evidence[0], NS.source)) == "example wire summary, 2025-01-27"
    assert g.value(evidence[0], NS.confidence).datatype == XSD.decimal
    assert int(g.value(node, NS.nSources)) == 1
    others = {rdflib.URIRef(fact_iri(o)) for o in fact.annotations["conflicts_with"]}
    assert set(g.objects(node, NS.conflictsWith)) == others


def test_every_fact_gets_a_node_with_evidence(example, example_rdf):
    for fact in example.facts():
        node = rdflib.URIRef(fact_iri(fact.id))
        assert (node, RDF.type, NS[camel(fact.p)]) in example_rdf
        assert len(set(example_rdf.objects(node, NS.evidence))) == len(fact.evidence) >= 1


def test_value_facts_have_only_the_nary_node(seed):
    g = to_rdflib(seed)
    fact = next(f for f in seed.values() if f.p == "training_cost")
    node = rdflib.URIRef(fact_iri(fact.id))
    assert (node, RDF.type, NS.TrainingCost) in g
    assert g.value(node, NS.subject) == rdflib.URIRef(entity_iri(fact.s))
    assert g.value(node, NS.object) is None and str(g.value(node, NS.unit)) == fact.unit
    assert not list(g.triples((None, NS.training_cost, None)))


def test_span_and_language_of_evidence():
    ent = kg.Entity("acme", "Company", "Acme")
    ev = kg.Evidence("a.txt", quote="Acme", span=(3, 7), lang="fr")
    g = to_rdflib(Graph([ent], [kg.Fact("acme", "employees", value=10, unit="count", evidence=[ev])]))
    node = next(g.subjects(RDF.type, NS.Evidence))
    assert (int(g.value(node, NS.spanStart)), int(g.value(node, NS.spanEnd))) == (3, 7)
    assert g.value(node, NS.spanStart).datatype == XSD.integer and str(g.value(node, NS.lang)) == "fr"


# -- vocabulary and JSON-LD --------------------------------------------------------------------
def test_vocabulary_follows_the_schema():
    v = vocabulary(SCHEMA)
    for name, block in SCHEMA.node_types.items():
        assert (NS[name], RDF.type, OWL.Class) in v
        if block.get("is_a"):
            assert (NS[name], RDFS.subClassOf, NS[block["is_a"]]) in v
    for cls in ("FellBy", "Supplies", "CommentsOn", "MarketCapLoss"):
        assert (NS[cls], RDFS.subClassOf, NS.Fact) in v
    assert (NS.fell_by, RDF.type, OWL.ObjectProperty) in v
    assert str(v.value(NS.fell_by, RDFS.comment)) == SCHEMA.edges["fell_by"].doc
    assert (NS.competes_with, RDF.type, OWL.SymmetricProperty) in v
    assert v.value(NS.supplies, RDFS.range) == NS.Organization
    assert (NS.ticker, RDF.type, OWL.DatatypeProperty) in v
    assert v.value(NS.founded, RDFS.range) == XSD.gYear
    assert v.value(NS.weight, RDFS.domain) == NS.Supplies


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_jsonld_context_is_inline_and_expands_offline(monkeypatch):
    ctx = jsonld_context(SCHEMA)
    assert ctx == jsonld_context(SCHEMA) and ctx["@version"] == 1.1 and "@import" not in ctx
    assert ctx["@language"] == "en" and ctx["supplies"]["@type"] == "@id"

    def no_network(*args, **kwargs):
        raise AssertionError("the JSON-LD context must not fetch anything")
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(rdflib.parser, "_urlopen", no_network)  # what rdflib fetches with
    doc = {"@context": ctx, "id": "acme", "type": "Company", "name": "Acme Chips",
           "label_fr": "Puces Acme", "aliases": ["Acme"], "ticker": "ACME", "founded": 1999,
           "supplies": "nvidia"}
    g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    acme = ID.acme
    assert (acme, RDF.type, NS.Company) in g
    assert (acme, RDFS.label, rdflib.Literal("Acme Chips", lang="en")) in g
    assert (acme, RDFS.label, rdflib.Literal("Puces Acme", lang="fr")) in g
    assert (acme, NS.alias, rdflib.Literal("Acme")) in g
    assert (acme, NS.ticker, rdflib.Literal("ACME")) in g
    assert (acme, NS.founded, rdflib.Literal("1999", datatype=XSD.gYear)) in g
    assert (acme, NS.supplies, ID.nvidia) in g


# -- SHACL -------------------------------------------------------------------------------------
def test_shapes_follow_the_schema():
    g = shapes(SCHEMA)
    for name in SCHEMA.node_types:
        assert (NS[f"{name}Shape"], RDF.type, SH.NodeShape) in g
    assert (NS.FellByShape, SH.targetClass, NS.FellBy) in g
    assert (NS.CompanyShape, SH.targetClass, NS.Company) in g
    assert (NS.EntityShape, SH.targetClass, NS.Company) in g  # subclasses listed: no inference
    value = rdflib.URIRef(f"{NS.FellByShape}/value")
    assert g.value(value, SH.maxInclusive) == rdflib.Literal("100.0", datatype=XSD.decimal)
    session = rdflib.URIRef(f"{NS.FellByShape}/session")
    members = set(rdflib.collection.Collection(g, g.value(session, SH["in"])))
    assert members == {rdflib.Literal(s) for s in SCHEMA.enums["session"]}
    evidence = rdflib.URIRef(f"{NS.FactShape}/evidence")
    assert g.value(evidence, SH.minCount) == rdflib.Literal(1)
    source = rdflib.URIRef(f"{NS.EvidenceShape}/source")
    assert g.value(source, SH.minCount) == rdflib.Literal(1)


@pytest.mark.parametrize("which", ["example", "seed"])
def test_graphs_conform_to_the_shapes(which, request):
    conforms, text, results = validate(request.getfixturevalue(which))
    assert conforms, text
    assert results == []


def test_broken_graph_does_not_conform(seed):
    facts = [copy.deepcopy(f) for f in seed.facts()]
    moves = [f for f in facts if f.p == "fell_by"]
    moves[0].value = 150
    moves[1].evidence = []
    bad_person = next(e.id for e in seed.entities() if e.type == "Person")
    moves[2].s = bad_person
    conforms, text, results = validate(Graph(seed.entities(), facts))
    assert not conforms
    assert "FellByShape/value" in text and "FactShape/evidence" in text
    by_shape = {r["shape"].rsplit("#", 1)[1]: r for r in results}
    assert set(by_shape) == {"FellByShape/value", "FactShape/evidence", "FellByShape/subject"}
    assert by_shape["FellByShape/value"]["value"] == "150.0"
    assert by_shape["FellByShape/value"]["focus"] == fact_iri(moves[0].id)
    assert by_shape["FactShape/evidence"]["focus"] == fact_iri(moves[1].id)
    assert by_shape["FellByShape/subject"]["value"] == entity_iri(bad_person)


def test_validate_accepts_rdf_directly(seed):
    g = to_rdflib(seed)
    ev = next(g.subjects(RDF.type, NS.Evidence))
    g.remove((ev, NS.source, None))
    conforms, _, results = validate(g)
    assert not conforms
    assert [r["shape"].rsplit("#", 1)[1] for r in results] == ["EvidenceShape/source"]
