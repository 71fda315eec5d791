"""The embedded SPARQL engine (pyoxigraph) over the bundled example: parameters, cache, safety,
the row cap and the time budget."""
from __future__ import annotations

import datetime as dt
import math
import signal
import statistics
import threading
import time

import pytest

import kg
from helpers import EXAMPLE, GOLD, RUNAWAY
from kg.engines import sparql_budget
from kg.engines.sparql import (EntityRef, QueryError, QueryOutOfMemory, QueryRefused, QueryTimeout,
                               RowLimitExceeded, SparqlEngine, bind, with_values)
from kg.registry import get

MOVES = """SELECT ?who ?value ?qualifier ?session WHERE {
  ?f a ns:FellBy ; ns:subject ?who ; ns:value ?value ; ns:session ?session ; ns:qualifier ?qualifier .
  FILTER(?value >= $min)
} ORDER BY DESC(?value) ?who"""
NVIDIA_MOVES = """SELECT ?value ?qualifier ?date ?n ?source WHERE {
  ?f ns:subject $entity ; a ns:FellBy ; ns:value ?value ; ns:qualifier ?qualifier ; ns:date ?date ;
     ns:nSources ?n ; ns:evidence/ns:source ?source .
} ORDER BY ?value"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ASK = "ASK { id:nvidia ns:supplies id:microsoft }"
# bad-input row 12, `?a :p* ?b . ?c :p* ?d` with `:p` any predicate: each side is every pair of
# nodes joined by a path (786,049 on the example, 7 s to compute here, before the first row),
# and the cartesian product of the two is about 6e11 rows: hours, and COUNT yields nothing sooner.
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a (!ns:none)* ?b . ?c (!ns:none)* ?d }"


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("sparql") / "graph"
    kg.save(kg.build([str(EXAMPLE)]), path)
    return path


@pytest.fixture(scope="module")
def engine() -> SparqlEngine:
    return SparqlEngine()


@pytest.fixture(scope="module")
def handle(engine, graph_dir):
    with engine.open(graph_dir) as h:
        yield h


def test_registered_as_the_sparql_engine():
    assert isinstance(get("engine", "sparql"), SparqlEngine)


def test_select_with_a_number_parameter(engine, handle):
    rows = engine.query(handle, MOVES, {"min": 17.0})
    assert rows == [
        {"who": "vistra", "value": 28.27, "qualifier": "exact", "session": "close"},
        {"who": "constellation_energy", "value": 20.85, "qualifier": "exact", "session": "close"},
        {"who": "siemens_energy", "value": 19.89, "qualifier": "exact", "session": "close"},
        {"who": "marvell", "value": 19.1, "qualifier": "exact", "session": "close"},
        {"who": "broadcom", "value": 17.4, "qualifier": "exact", "session": "close"},
        {"who": "nvidia", "value": 17.0, "qualifier": "approx", "session": "close"}]
    assert engine.query(handle, MOVES, {"min": 17}) == rows  # an int binds as xsd:integer
    assert engine.query(handle, MOVES, {"min": 30}) == []


def test_select_with_an_entity_parameter(engine, handle):
    rows = engine.query(handle, NVIDIA_MOVES, {"entity": EntityRef("nvidia")})
    assert rows == [
        {"value": 16.97, "qualifier": "exact", "date": "2025-01-27", "n": 1,
         "source": "Nasdaq closing prices as reported by wire services"},
        {"value": 17.0, "qualifier": "approx", "date": "2025-01-27", "n": 1,
         "source": "example wire summary, 2025-01-27"}]
    typed = engine.query(handle, NVIDIA_MOVES, {"entity": "nvidia"}, types={"entity": "entity"})
    assert typed == rows
    # a plain string is a literal, not the resource
    assert engine.query(handle, NVIDIA_MOVES, {"entity": "nvidia"}) == []


def test_list_date_and_boolean_parameters(engine, handle):
    text = """SELECT ?who WHERE { ?f a ns:FellBy ; ns:subject ?who ; ns:date ?d .
              ?who ns:listed ?listed FILTER(?d = $day) } ORDER BY ?who"""
    rows = engine.query(handle, text, {"who": ["amd", "micron", "nobody"], "day": dt.date(2025, 1, 27),
                                       "listed": True}, types={"who": "entity"})
    assert rows == [{"who": "amd"}, {"who": "micron"}]
    assert engine.query(handle, text, {"who": [], "day": "2025-01-27", "listed": True},
                        types={"who": "entity", "day": "date"}) == []


def test_rows_are_plain_python(engine, handle):
    text = """SELECT ?id ?founded ?listed ?fact ?missing ?cls WHERE {
      $e ns:id ?id ; ns:founded ?founded ; ns:listed ?listed ; a ?cls .
      ?fact ns:subject $e ; a ns:MarketCapLoss . OPTIONAL { $e ns:nothing ?missing } }"""
    [row] = engine.query(handle, text, {"e": EntityRef("nvidia")})
    assert row["id"] == "nvidia" and row["founded"] == 1993 and row["listed"] is True
    assert row["fact"].startswith("f") and len(row["fact"]) == 16 and row["missing"] is None
    assert row["cls"] == "https://ripplekg.dev/ns#Company"
    assert engine.query(handle, "ASK { id:nvidia ns:supplies id:microsoft }") == [{"ask": True}]
    built = engine.query(handle, "CONSTRUCT { ?e ns:fell_by ?o } WHERE { ?e ns:fell_by ?o }",
                         {"e": EntityRef("vistra")})
    assert built == [{"subject": "vistra", "predicate": "https://ripplekg.dev/ns#fell_by",
                      "object": "selloff_2025_01_27"}]


def test_vocabulary_is_loaded_for_subclass_queries(engine, handle):
    text = "SELECT (COUNT(?x) AS ?n) WHERE { ?x a/rdfs:subClassOf* ns:Organization }"
    graph = kg.build([str(EXAMPLE)])
    expected = sum(1 for e in graph.entities() if e.type in ("Organization", "Company"))
    assert engine.query(handle, text) == [{"n": expected}]


def test_cache_is_reused(engine, graph_dir):
    with engine.open(graph_dir):
        pass
    key_file = graph_dir / ".cache" / "oxigraph" / "key"
    builds, mtime = engine.builds, key_file.stat().st_mtime_ns
    with engine.open(graph_dir) as again:
        assert not again.rebuilt
        assert engine.query(again, COUNT)[0]["n"] > 10_000
    assert engine.builds == builds and key_file.stat().st_mtime_ns == mtime


def test_cache_is_rebuilt_for_a_different_graph(tmp_path):
    engine, path = SparqlEngine(), tmp_path / "graph"
    kg.save(kg.build([str(EXAMPLE)]), path)
    with engine.open(path) as first:
        big = engine.query(first, COUNT)[0]["n"]
    kg.save(kg.build([GOLD], reference=False), path)  # a rebuild with other input
    with engine.open(path) as second:
        assert second.rebuilt and engine.builds == 2
        small = engine.query(second, COUNT)[0]["n"]
        with pytest.raises(QueryError, match="rebuilt after this handle was opened"):
            engine.query(first, COUNT)  # a handle on the replaced store answers nothing stale
    assert small < big
    (path / ".cache" / "oxigraph" / "key").write_text("stale\n", encoding="utf-8")
    with engine.open(path) as third:
        assert third.rebuilt and engine.builds == 3
        assert engine.query(third, COUNT)[0]["n"] == small


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "ASK { ?s ?p ?o FILTER EXISTS { { SELECT ?s WHERE { SERVICE ?svc { ?s ?p ?o } } } } }",
    "LOAD <http://example.org/data.ttl>",
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT",
    "CREATE GRAPH <http://example.org/g>",
    "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/> SELECT * FROM ex:g WHERE { ?s ?p ?o }",
])
def test_refused(engine, handle, text):
    with pytest.raises(QueryRefused):
        engine.query(handle, text)
    assert engine.query(handle, COUNT)[0]["n"] > 10_000  # nothing was dropped


def test_a_parameter_is_a_literal_not_query_text(engine, handle):
    before = engine.query(handle, COUNT)
    nasty = '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o '
    text = "SELECT ?e WHERE { ?e ns:ticker $t }"
    assert engine.query(handle, text, {"t": nasty}) == []
    echoed = engine.query(handle, "SELECT ?v WHERE { BIND(STR($p) AS ?v) }", {"p": nasty})
    assert echoed == [{"v": nasty}]
    bound = with_values(text, bind({"t": "} ; DROP ALL"}))
    assert 'VALUES ?t { "} ; DROP ALL" }' in bound
    assert engine.query(handle, COUNT) == before


def test_parameter_errors(engine, handle):
    with pytest.raises(QueryError, match=r"no value.*\$min"):
        engine.query(handle, MOVES)
    with pytest.raises(QueryError, match=r"unused.*\$mni"):
        engine.query(handle, MOVES, {"min": 1, "mni": 2})
    with pytest.raises(QueryError, match="not of type integer"):
        engine.query(handle, MOVES, {"min": "ten"}, types={"min": "integer"})
    with pytest.raises(QueryError, match="bad parameter name"):
        bind({"a b": 1})
    with pytest.raises(QueryError, match="cannot parse"):
        engine.query(handle, "SELEKT ?x WHERE { ?x ?p ?o }")


def test_rows_are_capped(engine, handle):
    with pytest.raises(RowLimitExceeded):
        engine.query(handle, "SELECT * WHERE { ?s ?p ?o }")
    assert len(engine.query(handle, "SELECT * WHERE { ?s ?p ?o } LIMIT 10000")) == 10_000
    with pytest.raises(RowLimitExceeded):
        engine.query(handle, "SELECT ?s WHERE { ?s a ns:Company }", max_rows=5)


def _spy_on_workers(monkeypatch) -> list:
    """The budget's workers, as they answer (to see the one that ran a query)."""
    seen, ask = [], sparql_budget._Worker.ask

    def spy(worker, *args):
        seen.append(worker)
        return ask(worker, *args)
    monkeypatch.setattr(sparql_budget._Worker, "ask", spy)
    return seen


def _within(seconds: float, call):
    """`call()`'s result or exception, failing (not hanging) if it takes longer than `seconds`."""
    out: list = []

    def run():
        try:
            out.append(call())
        except BaseException as exc:  # handed to the test
            out.append(exc)
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, f"still running after {seconds} s: the time budget does not stop it"
    return out[0]


def test_row12_a_pathological_query_is_stopped_at_its_time_budget(engine, handle, monkeypatch):
    seen = _spy_on_workers(monkeypatch)
    start = time.monotonic()
    stopped = _within(20, lambda: engine.query(handle, PATHOLOGICAL, timeout=2))
    elapsed = time.monotonic() - start
    assert isinstance(stopped, QueryTimeout), stopped
    assert "time budget of 2 s" in str(stopped) and "--timeout SECONDS" in str(stopped)
    assert 2 <= elapsed < 3, elapsed
    assert seen[-1].proc.returncode == -signal.SIGKILL  # stopped, not left running
    # the process, the engine and the handle are as usable as before
    assert engine.query(handle, ASK) == [{"ask": True}]
    assert engine.query(handle, COUNT)[0]["n"] > 10_000


def test_row12_through_kg_sparql(cli, graph_dir, monkeypatch):
    monkeypatch.setattr(SparqlEngine, "timeout", 2.0)  # the class default, as the CLI uses it
    start = time.monotonic()
    text = "SELECT * WHERE { ?a (!ns:none)* ?b . ?c (!ns:none)* ?d }"  # the row's very shape
    result = _within(20, lambda: cli("sparql", text, "--graph", graph_dir))
    assert time.monotonic() - start < 3.5
    assert result.exit_code == 1 and result.stdout == ""
    assert "QueryTimeout: the query was stopped after its time budget of 2 s" in result.stderr
    assert cli("sparql", ASK, "--graph", graph_dir, "--format", "json").exit_code == 0


def test_a_query_past_its_memory_budget_is_stopped(engine, graph_dir, monkeypatch):
    """The worker is ended when its query has grown it by the handle's budget, long before the
    time budget; the handle then answers ordinary queries within the same budget."""
    seen = _spy_on_workers(monkeypatch)
    with engine.open(graph_dir, memory=100) as small:
        stopped = _within(30, lambda: engine.query(small, RUNAWAY["sparql"], timeout=60))
        assert isinstance(stopped, QueryOutOfMemory), stopped
        assert "memory budget of 100 MiB" in str(stopped) and "--memory MIB" in str(stopped)
        assert seen[-1].proc.returncode == sparql_budget.MEMORY_STATUS
        assert engine.query(small, ASK) == [{"ask": True}]
        assert engine.query(small, COUNT)[0]["n"] > 10_000
    for bad in (0, -1, 1.5, True, "100"):
        with pytest.raises(ValueError, match="positive whole number of MiB"):
            engine.open(graph_dir, memory=bad)


def test_the_budget_is_a_class_default_and_a_per_query_argument(engine, handle, monkeypatch):
    assert SparqlEngine.timeout == 60
    for bad in (0, -1, math.nan):
        with pytest.raises(ValueError, match="positive number of seconds"):
            engine.query(handle, ASK, timeout=bad)
    assert engine.query(handle, ASK, timeout=math.inf) == [{"ask": True}]
    monkeypatch.setattr(engine, "timeout", 0.5)
    with pytest.raises(QueryTimeout, match="0.5 s"):
        engine.query(handle, PATHOLOGICAL)
    assert engine.query(handle, ASK, timeout=30) == [{"ask": True}]


def test_ordinary_queries_stay_fast_and_equal_in_process_answers(engine, handle):
    for text, params in ((MOVES, {"min": 17.0}), (NVIDIA_MOVES, {"entity": EntityRef("nvidia")}),
                         ("CONSTRUCT { ?e ns:fell_by ?o } WHERE { ?e ns:fell_by ?o }", None),
                         ("SELECT ?b WHERE { BIND(BNODE() AS ?b) }", None), (ASK, None)):
        here = engine.query(handle.store, text, params)  # a bare store: queried in this process
        there = engine.query(handle, text, params)
        assert there == here if "BNODE" not in text else there[0]["b"].startswith("_:")
    engine.query(handle, ASK)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        engine.query(handle, ASK)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.05  # a pipe round trip, not a process start


def test_a_bare_store_gets_a_budget_between_solutions(engine, handle):
    with pytest.raises(QueryTimeout):
        engine.query(handle.store, "SELECT * WHERE { ?s ?p ?o }", max_rows=10**9, timeout=1e-9)


def test_a_worker_that_dies_is_an_error_and_replaced(engine, handle, monkeypatch):
    seen = _spy_on_workers(monkeypatch)
    killer = threading.Timer(0.5, lambda: seen[-1].proc.kill())
    killer.start()
    with pytest.raises(QueryError, match="worker process died") as caught:
        engine.query(handle, PATHOLOGICAL, timeout=30)
    assert not isinstance(caught.value, QueryTimeout)
    assert engine.query(handle, ASK) == [{"ask": True}]
