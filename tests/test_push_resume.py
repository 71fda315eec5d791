"""An interrupted `kg push` to a Bolt server, pushed again, leaves what one clean push leaves.

`kg.push_bolt` writes with MERGE + SET in batches and FalkorDB cannot roll a batch back, so a
push stopped midway (Ctrl-C, a lost connection) leaves the batches already sent; pushing again
must complete it to exactly the state of a single clean push: the same nodes per label,
relationships per type and properties (compared in full, not only counted). Pushing the same
graph twice is tested in tests/test_falkordb.py (test_push_is_idempotent, test_kg_push_bolt_cli).
"""
from __future__ import annotations

import json

import pytest

import kg
from kg import push_bolt
from kg.model import canonical_json
from kg.push_bolt import push_driver

from falkordb_server import falkordb_server
from helpers import GOLD

DRIVER = {"max_transaction_retry_time": 2.0, "connection_timeout": 10.0}


def _driver(uri: str):
    import neo4j
    return neo4j.GraphDatabase.driver(uri, auth=None, **DRIVER)


def _state(driver) -> dict:
    """Nodes per label, relationships per type, property counts, and every node and
    relationship with its labels / type and properties (sorted)."""
    def q(text: str) -> list:
        return driver.execute_query(text).records
    nodes = sorted(canonical_json([sorted(r["l"]), r["p"]]) for r in
                   q("MATCH (n) RETURN labels(n) AS l, properties(n) AS p"))
    rels = sorted(canonical_json([r["a"], r["t"], r["b"], r["p"]]) for r in q(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.id, a.fact_id) AS a, type(r) AS t, "
        "coalesce(b.id, b.fact_id) AS b, properties(r) AS p"))
    return {
        "labels": {r["l"]: r["n"] for r in q("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n")},
        "types": {r["t"]: r["n"] for r in q("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")},
        "properties": sum(len(json.loads(n)[1]) for n in nodes) + sum(len(json.loads(r)[3]) for r in rels),
        "nodes": nodes, "relationships": rels,
    }


class _Stop(KeyboardInterrupt):
    """Ctrl-C in the middle of a push."""


def _interrupted_after(monkeypatch, batches: int) -> None:
    """Make the writer raise once `batches` statements have been sent."""
    real = push_bolt._Writer.run
    sent = {"n": 0}

    def run(self, statement, chunk, what):
        if sent["n"] >= batches:
            raise _Stop(f"after {batches} batches")
        sent["n"] += 1
        return real(self, statement, chunk, what)
    monkeypatch.setattr(push_bolt._Writer, "run", run)


@pytest.fixture(scope="module")
def graph():
    return kg.build([GOLD], reference=False)


@pytest.fixture(scope="module")
def clean(graph):
    """(counts, server state) of one push into an empty server."""
    with falkordb_server() as server, _driver(server.uri) as driver:
        counts = push_driver(graph, driver)
        return counts, _state(driver)


def test_an_interrupted_push_pushed_again_is_a_clean_push(graph, clean, monkeypatch):
    counts, want = clean
    assert counts["statements"] > 20 and want["properties"] > 0
    assert want["labels"]["Entity"] == len(list(graph.entities()))
    with falkordb_server() as server, _driver(server.uri) as driver:
        for stop_at in (counts["statements"] // 3, counts["statements"] - 5):
            with monkeypatch.context() as m:
                _interrupted_after(m, stop_at)
                with pytest.raises(_Stop):
                    push_driver(graph, driver)
            if stop_at == counts["statements"] // 3:  # the first push stopped: a partial graph
                partial = _state(driver)
                assert 0 < len(partial["nodes"]) < len(want["nodes"])
            again = push_driver(graph, driver)
            assert {k: again[k] for k in ("nodes", "relationships", "by_label", "by_type")} == \
                   {k: counts[k] for k in ("nodes", "relationships", "by_label", "by_type")}
            got = _state(driver)
            assert (got["labels"], got["types"], got["properties"]) == \
                   (want["labels"], want["types"], want["properties"])
            assert got == want
