"""RDF exports (nt, ttl, jsonld, ttl-star) read back by pyoxigraph and rdflib find the same triples."""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.parser
import yaml
from rdflib.namespace import RDF, RDFS, XSD

import kg
import kg.atomic
from helpers import EXPORT_FIXTURE, assert_golden
from kg.atomic import OutputError
from kg.exporters.rdf import prefixes
from kg.graph import Graph
from kg.rdf import entity_iri, fact_iri, jsonld_context, term, to_ntriples
from kg.schema.model import load_schema
from kg.shacl import validate

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
SCHEMA = load_schema()
NS = rdflib.Namespace(SCHEMA.raw["namespace"])
READERS = {"nt": (ox.RdfFormat.N_TRIPLES, "nt"), "ttl": (ox.RdfFormat.TURTLE, "turtle"),
           "jsonld": (ox.RdfFormat.JSON_LD, "json-ld")}
HOSTILE = ['Quote "double" and \'single\'', "two\nlines\r\nand a tab\t.", "back\\slash at the end\\",
           "</script><script>alert('x')</script>", "Société Générale – Ünïcode ✓ 株式会社 🚀",
           '"""triple""" quotes"', "inner  double  spaces", "a & b <c> {| |} ~ ;"]


@pytest.fixture(scope="module")
def small() -> Graph:
    return kg.build([EXPORT_FIXTURE], reference=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Graph:
    """Entities whose names and quotes try to break each syntax's string escaping."""
    entities = [{"id": f"hostile_{n}", "type": "Company", "name": text, "label_fr": text + " (fr)",
                 "aliases": [text[::-1]]} for n, text in enumerate(HOSTILE)]
    facts = [{"s": "hostile_0", "p": "competes_with", "o": f"hostile_{n}", "source": text, "quote": text}
             for n, text in enumerate(HOSTILE) if n]
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(yaml.safe_dump({"source": "hostile", "entities": entities, "facts": facts},
                                   allow_unicode=True), encoding="utf-8")
    return kg.build([path], reference=False)


@pytest.fixture(scope="module")
def exported(small, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("rdf")
    return {fmt: kg.export(small, fmt, out / f"small.{fmt}").read_text(encoding="utf-8")
            for fmt in ("nt", "ttl", "jsonld", "ttl-star")}


# -- reading back ------------------------------------------------------------------------------
def _ox_term(node):
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)) if node.datatype else None)
    raise AssertionError(f"unexpected term {node!r} (blank node?)")


def read_oxigraph(text: str, fmt: str) -> set[str]:
    """The triples as canonical N-Triples lines, as pyoxigraph reads them."""
    return {f"{q.subject} {q.predicate} {q.object} ." for q in ox.parse(text, format=READERS[fmt][0])}


def read_rdflib(text: str, fmt: str) -> set[str]:
    g = rdflib.Graph().parse(data=text, format=READERS[fmt][1])
    return {f"{_ox_term(s)} {_ox_term(p)} {_ox_term(o)} ." for s, p, o in g}


def canonical(graph: Graph) -> set[str]:
    text = to_ntriples(graph)
    assert "_:" not in text  # no blank nodes: plain set equality is isomorphism
    return set(text.splitlines())


@pytest.mark.parametrize("reader", [read_oxigraph, read_rdflib], ids=["pyoxigraph", "rdflib"])
@pytest.mark.parametrize("fmt", ["nt", "ttl", "jsonld"])
@pytest.mark.parametrize("which", ["small", "hostile", "example"])
def test_each_reader_finds_the_same_triples(which, fmt, reader, request, built_graphs, tmp_path):
    graph = built_graphs["example"][0] if which == "example" else request.getfixturevalue(which)
    text = kg.export(graph, fmt, tmp_path / f"g.{fmt}").read_text(encoding="utf-8")
    assert reader(text, fmt) == canonical(graph)


def test_store_load_counts_every_triple(small, exported):
    for fmt in ("nt", "ttl", "jsonld"):
        store = ox.Store()
        store.load(exported[fmt], format=READERS[fmt][0])
        assert len(store) == len(canonical(small)), fmt


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_entities_edge_values_and_labels_survive(small, exported, fmt):
    g = rdflib.Graph().parse(data=exported[fmt], format=READERS[fmt][1])
    assert len(set(g.subjects(NS.id, None))) == len(small)
    move = next(f for f in small.facts() if f.p == "fell_by" and f.s == "acme_chips")
    node = rdflib.URIRef(fact_iri(move.id))
    assert (node, RDF.type, NS.FellBy) in g
    assert g.value(node, NS.value) == rdflib.Literal("12.5", datatype=XSD.decimal)
    assert g.value(node, NS.value).toPython() == Decimal("12.5")
    assert g.value(node, NS.unit) == rdflib.Literal("percent")
    assert g.value(node, NS.date) == rdflib.Literal("2025-03-03", datatype=XSD.date)
    assert g.value(node, NS.session) == rdflib.Literal("close")
    assert (rdflib.URIRef(entity_iri("acme_chips")), NS.fell_by, rdflib.URIRef(entity_iri("sell_day"))) in g
    label = g.value(rdflib.URIRef(entity_iri("node")), RDFS.label)
    assert label == rdflib.Literal("Nœud Énergie <b>SA</b>", lang="en")
    comment = next(f for f in small.facts() if f.p == "comments_on")
    quote = g.value(rdflib.URIRef(fact_iri(comment.id)), NS.quote)
    assert str(quote) == 'A line with "quotes", a tab\tand a </script> tag should stay text.'
    assert quote.datatype is None and quote.language is None  # a plain xsd:string


def test_hostile_literals_survive_exactly(hostile, tmp_path):
    names = {rdflib.URIRef(entity_iri(e.id)): e.name for e in hostile.entities()}
    assert sorted(names.values()) == sorted(HOSTILE)
    for fmt in ("nt", "ttl", "jsonld"):
        text = kg.export(hostile, fmt, tmp_path / f"h.{fmt}").read_text(encoding="utf-8")
        g = rdflib.Graph().parse(data=text, format=READERS[fmt][1])
        for node, name in names.items():
            labels = {(str(lit), lit.language) for lit in g.objects(node, RDFS.label)}
            assert labels == {(name, "en"), (name + " (fr)", "fr")}, (fmt, name)
            assert {str(a) for a in g.objects(node, NS.alias)} == {name[::-1]}
        quotes = {str(q) for q in g.objects(None, NS.quote)}
        assert quotes == set(HOSTILE[1:]), fmt


# -- the formats themselves --------------------------------------------------------------------
def test_nt_is_the_canonical_text(small, exported):
    assert exported["nt"] == to_ntriples(small)
    lines = exported["nt"].splitlines()
    assert lines == sorted(lines)


def test_ttl_binds_the_prefixes_and_needs_no_base(exported):
    text = exported["ttl"]
    header = "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in prefixes(SCHEMA))
    assert text.startswith(header)
    assert "@base" not in text and "BASE" not in text
    elsewhere = ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri="http://elsewhere.invalid/x/")
    assert {f"{q.subject} {q.predicate} {q.object} ." for q in elsewhere} == set(exported["nt"].splitlines())
    assert "id:acme_chips a ns:Company ;\n    rdfs:label \"Acme Chips\"@en ;" in text
    assert "    ns:value 12.5 .\n" in text and 'ns:date "2025-03-03"^^xsd:date' in text


def _walk(value, key=None):
    yield key, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


def test_jsonld_context_is_inline(exported):
    doc = json.loads(exported["jsonld"])
    assert set(doc) == {"@context", "@graph"}
    ctx = doc["@context"]
    assert ctx == jsonld_context(SCHEMA)
    assert ctx["@version"] == 1.1 and ctx["@vocab"] == SCHEMA.raw["namespace"] and ctx["@protected"] is True
    assert ctx["fell_by"] == {"@id": "ns:fell_by", "@type": "@id"}
    assert all(isinstance(v, dict) for k, v in _walk(doc) if k == "@context")  # never a URL
    assert not re.search(r'"@context"\s*:\s*"', exported["jsonld"])
    ids = [node["id"] for node in doc["@graph"]]
    assert [ctx["@base"] + i if "://" not in i else i for i in ids] == sorted(
        ctx["@base"] + i if "://" not in i else i for i in ids)
    node = next(n for n in doc["@graph"] if n["id"] == "node")
    assert node["name"] == "Nœud Énergie <b>SA</b>" and node["type"] == "Company"
    assert "</" not in exported["jsonld"]  # safe inside an HTML <script> element


def test_jsonld_parses_without_network(exported, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("reading the JSON-LD export must not touch the network")
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(rdflib.parser, "_urlopen", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    g = rdflib.Graph().parse(data=exported["jsonld"], format="json-ld")
    assert len(g) == exported["nt"].count("\n")


def test_ttl_star_annotates_each_edge_with_its_fact_node(small, exported):
    quads = list(ox.parse(exported["ttl-star"], format=ox.RdfFormat.TURTLE))
    reifies = [q for q in quads if q.predicate.value == str(RDF) + "reifies"]
    rest = {f"{q.subject} {q.predicate} {q.object} ." for q in quads if q not in reifies}
    assert rest == canonical(small)
    edges = [f for f in small.facts() if f.o is not None]
    assert sorted(q.subject.value for q in reifies) == sorted(fact_iri(f.id) for f in edges)
    for fact in edges:
        triple = next(q.object for q in reifies if q.subject.value == fact_iri(fact.id))
        assert (triple.subject.value, triple.predicate.value, triple.object.value) == (
            entity_iri(fact.s), term(fact.p, SCHEMA), entity_iri(fact.o))
    supplies = {q.subject.value for q in reifies if q.object.predicate.value == term("supplies", SCHEMA)}
    assert len(supplies) == 2  # parallel edges: one triple term, two reifiers
    assert " ~ fact:" in exported["ttl-star"] and "{|" in exported["ttl-star"]


def test_example_ttl_export_conforms_to_the_shapes(built_graphs, tmp_path):
    graph, _ = built_graphs["example"]
    path = kg.export(graph, "ttl", tmp_path / "example.ttl")
    conforms, text, _ = validate(rdflib.Graph().parse(path, format="turtle"))
    assert conforms, text


# -- golden files and determinism --------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["nt", "ttl", "jsonld", "ttl-star"])
def test_golden(exported, fmt):
    assert_golden(f"small.{fmt}", exported[fmt].encode("utf-8"))


def test_exports_are_byte_identical_across_runs(small, exported, tmp_path):
    for fmt, text in exported.items():
        again = kg.build([EXPORT_FIXTURE], reference=False)
        assert kg.export(again, fmt, tmp_path / f"again.{fmt}").read_text(encoding="utf-8") == text, fmt


_DIGESTS = """
import hashlib, sys, tempfile, pathlib, kg
graph = kg.build([sys.argv[1]], reference=False)
out = pathlib.Path(tempfile.mkdtemp())
for fmt in ("nt", "ttl", "jsonld", "ttl-star"):
    print(fmt, hashlib.sha256(kg.export(graph, fmt, out / fmt).read_bytes()).hexdigest())
"""


def test_exports_are_byte_identical_across_hash_seeds(exported):
    want = "".join(f"{fmt} {hashlib.sha256(text.encode()).hexdigest()}\n" for fmt, text in exported.items())
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", _DIGESTS, str(EXPORT_FIXTURE)], env=env,
                             capture_output=True, text=True, check=True, timeout=300)
        assert run.stdout == want, f"PYTHONHASHSEED={seed}"


# -- registry, CLI, atomic writes --------------------------------------------------------------
def test_registered_and_exported_from_the_cli(cli, built_graphs, tmp_path):
    listed = json.loads(cli("plugins", "--json").stdout)["exporter"]
    assert {"nt", "ttl", "jsonld", "ttl-star"} <= set(listed)
    graph, directory = built_graphs["example"]
    out = tmp_path / "example.ttl"
    result = cli("export", "--graph", directory, "--format", "ttl", "-o", out)
    assert result.exit_code == 0, result.output
    assert read_oxigraph(out.read_text(encoding="utf-8"), "ttl") == canonical(graph)


def test_failed_export_leaves_the_old_file_and_no_temporary(small, tmp_path, monkeypatch):
    path = tmp_path / "g.ttl"
    path.write_text("keep")
    with pytest.raises(OutputError):
        kg.export(small, "ttl", path)
    def no_rename(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(kg.atomic.os, "replace", no_rename)  # fails after the whole text is written
    with pytest.raises(OSError):
        kg.export(small, "ttl", path, force=True)
    assert path.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl"]
