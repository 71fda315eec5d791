"""The query pack over HTTP: graphs pushed into an Oxigraph server give the embedded engine's rows.

Every request goes to a server (or a bare socket) these tests start on 127.0.0.1.
"""
from __future__ import annotations

import http.server
import json
import socket
import threading
import time

import pytest

from kg import registry
from kg.ask import order_rows, run
from kg.engines.sparql import QueryError, QueryRefused
from kg.engines import sparql_http
from kg.engines.sparql_http import EndpointError
from kg.push_sparql import PushError, batches, count_triples, endpoints, push, push_cli
from kg.queries import pack

from oxigraph_server import oxigraph_server

GRAPHS = ("example", "seed")
NAMED = "https://ripplekg.dev/id/graph/test"


@pytest.fixture(scope="module")
def built(built_graphs):
    """The example and the seed annotation (with the reference registry), built and saved."""
    return built_graphs


@pytest.fixture(scope="module")
def servers(built, tmp_path_factory):
    """One server per graph, the graph pushed twice into its default graph."""
    with oxigraph_server(tmp_path_factory.mktemp("ox-example")) as ex, \
            oxigraph_server(tmp_path_factory.mktemp("ox-seed")) as seed:
        pushes = {}
        for name, base in (("example", ex), ("seed", seed)):
            pushes[name] = [push(built[name][0], base), push(built[name][0], base)]
        yield {"example": ex, "seed": seed}, pushes


@pytest.fixture
def server(tmp_path):
    """A fresh, empty server for one test."""
    with oxigraph_server(tmp_path) as base:
        yield base


@pytest.fixture
def engine():
    return registry.get("engine", "sparql-http")


def _no_requests(monkeypatch):
    """Make any HTTP request from the engine fail the test."""
    sent = []

    def refuse(*args, **kwargs):
        sent.append(args)
        raise AssertionError(f"a request was sent: {args!r}")
    monkeypatch.setattr(sparql_http._OPENER, "open", refuse)
    return sent


# -- push --------------------------------------------------------------------------------------
@pytest.mark.parametrize("graph", GRAPHS)
def test_push_twice_gives_the_same_count(graph, servers):
    first, second = servers[1][graph]
    assert first["method"] == second["method"] == "graph-store"
    assert first["triples"] == second["triples"] == first["sent"] == second["sent"]
    assert first["sent"] == first["data_triples"] + first["vocabulary_triples"]
    assert first["vocabulary_triples"] > 100 and first["data_triples"] > 1000


def test_update_fallback_and_named_graphs(built, server):
    graph = built["example"][0]
    by_put = push(graph, server, NAMED)
    # no Graph Store endpoint at this path (404): SPARQL Update batches instead
    fallback = [push(graph, server + "/update", NAMED, store_url=server + "/nostore", batch_size=3000)
                for _ in range(2)]
    assert [f["method"] for f in fallback] == ["update", "update"]
    assert fallback[0]["batches"] > 1
    assert by_put["triples"] == fallback[0]["triples"] == fallback[1]["triples"] == by_put["sent"]
    assert count_triples(server + "/query") == 0  # the default graph was left alone
    assert count_triples(server + "/query", NAMED) == by_put["sent"]


def test_update_batches_keep_blank_node_groups_whole():
    lines = [f"<http://x/{i}> <http://p> <http://o> ." for i in range(7)]
    lines += ["_:a <http://p> _:b .", "_:b <http://p> _:c .", "_:c <http://q> \"x _:d .\" ."]
    out = batches(lines, 3)
    assert sorted(sum(out, [])) == sorted(lines)
    holding = [b for b in out if any("_:a" in line for line in b)]
    assert len(holding) == 1 and all(line in holding[0] for line in lines[7:])
    assert all(len(b) <= 3 for b in out)


def test_endpoints_and_bad_targets(built):
    ends = endpoints("http://127.0.0.1:7878/query")
    assert (ends.query, ends.update, ends.store) == (
        "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store")
    assert endpoints("http://127.0.0.1:7878/").store == "http://127.0.0.1:7878/store"
    graph = built["example"][0]
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "127.0.0.1:7878", "http://127.0.0.1:7878/x?y=1"):
        with pytest.raises(PushError):
            push(graph, url)
    with pytest.raises(PushError, match="IRI"):
        push(graph, "http://127.0.0.1:7878", graph_iri="x> } ; DROP ALL ; <y")


def test_push_cli(built, server, capsys):
    result = push_cli(built["example"][1], server, as_json=True)
    assert json.loads(capsys.readouterr().out)["triples"] == result["triples"] == result["sent"]
    push_cli(built["example"][1], server + "/store")
    assert f"the server holds {result['triples']}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        push_cli(built["example"][1], "ftp://127.0.0.1/")
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        push_cli(built["example"][1].parent, server)
    assert exc.value.code == 1


# -- the query pack over HTTP ------------------------------------------------------------------
@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("name", sorted(pack()))
def test_query_pack_over_http_gives_the_embedded_rows(name, graph, built, servers, engine):
    q = pack()[name]
    handle = engine.open(servers[0][graph] + "/query", timeout=300)  # why_fell: ~15 s on the example
    rows = engine.query(handle, q.text["sparql"], q.bind({}), types={p.name: p.type for p in q.params})
    over_http = order_rows(q, [{c: row.get(c) for c in q.columns} for row in rows])
    embedded = run(name, built[graph][1], "sparql")
    assert over_http == embedded
    if graph == "example" or name in ("moves", "commentators", "contagion_paths", "provenance"):
        assert over_http, f"{name} gives no rows on the {graph} graph with its defaults"


def test_values_convert_like_the_embedded_engine(built, servers, engine):
    text = """SELECT ?e ?name ?f ?v ?when ?n ?yes ?iri WHERE {
      ?fact ns:subject $e ; ns:predicate "fell_by" ; ns:value ?v ; ns:date ?when ; ns:nSources ?n .
      BIND(?fact AS ?f) BIND(true AS ?yes) BIND(rdfs:label AS ?iri)
      $e rdfs:label ?name . FILTER(LANG(?name) = "en")
    } ORDER BY ?f"""
    params, types = {"e": "nvidia"}, {"e": "entity"}
    handle = engine.open(servers[0]["example"] + "/query")
    over_http = engine.query(handle, text, params, types)
    embedded_engine = registry.get("engine", "sparql")
    with embedded_engine.open(built["example"][1]) as local:
        assert over_http == embedded_engine.query(local, text, params, types)
    row = over_http[0]
    assert row["e"] == "nvidia" and row["name"] == "Nvidia" and row["yes"] is True
    assert isinstance(row["v"], float) and isinstance(row["n"], int) and row["when"] == "2025-01-27"
    assert row["iri"] == "http://www.w3.org/2000/01/rdf-schema#label"
    assert engine.query(handle, "ASK { $e a ns:Company }", params, types) == [{"ask": True}]
    triples = engine.query(handle, "CONSTRUCT { $e rdfs:label ?n } WHERE { $e rdfs:label ?n }",
                           params, types)
    assert {"subject": "nvidia", "predicate": "http://www.w3.org/2000/01/rdf-schema#label",
            "object": "Nvidia"} in triples


# -- read-only and bound -----------------------------------------------------------------------
REFUSED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "LOAD <http://127.0.0.1:9/data.nt>",
    "LOAD SILENT <http://127.0.0.1:9/data.nt> INTO GRAPH <https://ripplekg.dev/id/g>",
    "DROP ALL",
    "CLEAR DEFAULT",
    "INSERT DATA { <https://ripplekg.dev/id/a> <https://ripplekg.dev/ns#b> 1 }",
    "DELETE WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "SELECT * FROM <http://127.0.0.1:9/graph> WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_before_any_request(text, servers, engine, monkeypatch):
    base = servers[0]["example"]
    before = count_triples(base + "/query")
    handle = engine.open(base + "/query")
    sent = _no_requests(monkeypatch)
    with pytest.raises(QueryError) as exc:  # QueryRefused, or a parse error for a smuggled update
        engine.query(handle, text)
    assert not sent
    if "SERVICE" in text:
        assert isinstance(exc.value, QueryRefused) and "SERVICE" in str(exc.value)
    if text.split()[0] in ("LOAD", "DROP", "CLEAR", "INSERT", "DELETE") or "FROM" in text:
        assert isinstance(exc.value, QueryRefused)
    monkeypatch.undo()
    assert count_triples(base + "/query") == before


def test_parameters_are_literals_not_text(servers, engine):
    base = servers[0]["example"]
    before = count_triples(base + "/query")
    handle = engine.open(base + "/query")
    for evil in ("} ; DROP ALL ;", 'x" } ; DROP ALL ; #', "x' } ; DROP ALL ;\n<a> <b> <c>",
                 "nvidia\\\" } ; DROP ALL ;"):
        assert engine.query(handle, "SELECT ?v WHERE { BIND($s AS ?v) }", {"s": evil},
                            {"s": "string"}) == [{"v": evil}]
        assert engine.query(handle, "SELECT ?e WHERE { ?e ns:id $id }", {"id": evil},
                            {"id": "string"}) == []
    q = pack()["commentators"]
    params = {**q.bind({}), "entity": "} ; DROP ALL ;"}
    assert engine.query(handle, q.text["sparql"], params, {p.name: p.type for p in q.params}) == []
    assert count_triples(base + "/query") == before


def test_missing_and_unused_parameters(servers, engine, monkeypatch):
    handle = engine.open(servers[0]["example"] + "/query")
    sent = _no_requests(monkeypatch)
    with pytest.raises(QueryError, match="no value"):
        engine.query(handle, "SELECT ?n WHERE { $e rdfs:label ?n }")
    with pytest.raises(QueryError, match="unused"):
        engine.query(handle, "SELECT ?n WHERE { ?x rdfs:label ?n }", {"e": "nvidia"})
    assert not sent


# -- HTTP behaviour ----------------------------------------------------------------------------
def test_bad_endpoints_are_refused_before_any_request(engine, monkeypatch):
    from pathlib import Path
    sent = _no_requests(monkeypatch)
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/", "127.0.0.1:7878/query", Path("http://127.0.0.1/q"),
                "http://127.0.0.1:7878/query?x=1"):
        with pytest.raises(QueryError):
            engine.open(url)
    assert not sent


def test_server_errors_are_query_errors(servers, engine):
    handle = engine.open(servers[0]["example"] + "/query")
    with pytest.raises(QueryError, match="refused the query"):
        engine.query(handle, "SELECT ?s WHERE { ?s undeclared:p ?o }")
    with pytest.raises(EndpointError, match="HTTP 404"):
        engine.query(engine.open(servers[0]["example"] + "/nowhere"), "ASK { ?s ?p ?o }")


def test_a_stopped_server_is_an_endpoint_error(tmp_path, engine):
    with oxigraph_server(tmp_path) as base:
        handle = engine.open(base + "/query")
        assert engine.query(handle, "ASK { ?s ?p ?o }") == [{"ask": False}]
    with pytest.raises(EndpointError, match="cannot reach"):
        engine.query(handle, "ASK { ?s ?p ?o }")


def test_a_silent_server_times_out(engine):
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        handle = engine.open(f"http://127.0.0.1:{port}/query", timeout=0.5)
        start = time.monotonic()
        with pytest.raises(EndpointError, match="no answer within"):
            engine.query(handle, "ASK { ?s ?p ?o }")
        assert time.monotonic() - start < 5


def test_redirects_are_not_followed(engine):
    seen = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        handle = engine.open(f"http://127.0.0.1:{server.server_port}/query", timeout=5)
        with pytest.raises(EndpointError, match="redirect"):
            engine.query(handle, "ASK { ?s ?p ?o }")
        assert seen == ["/query"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
