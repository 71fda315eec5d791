"""An interrupted or disturbed `kg push` to a Bolt server leaves what one clean push leaves.

`kg.push_bolt` writes with MERGE + SET in batches and FalkorDB cannot roll a batch back, so a
push stopped midway (Ctrl-C, a lost connection) leaves the batches already sent; pushing again
must complete it to exactly the state of a single clean push: the same nodes per label,
relationships per type and properties (compared in full, not only counted). Pushing the same
graph twice is tested in tests/test_falkordb.py (test_push_is_idempotent, test_kg_push_bolt_cli).

Transient errors (bad-inputs row 39): a Bolt proxy on loopback (tests/bolt_faults.py) makes one
chosen batch fail on the wire after the server has applied it: a deadlock FAILURE, a dropped
connection, a connection lost during COMMIT. The first two are retried by the neo4j driver's
`execute_query`, the third by `kg.push_writer` (the driver does not retry it); the proxy counts
the attempts, so each test shows the batch really was sent again, and the end state must be the
clean push's, and stay so after a second push. A fault that persists past the retries stops the
push with a clear PushError (`kg push`: exit 3), and a second push completes it.
"""
from __future__ import annotations

import json

import pytest

import kg
from kg import push_writer
from kg.model import canonical_json
from kg.push_bolt import PushError, push_driver

from bolt_faults import Fault, fault_proxy
from falkordb_server import falkordb_server
from helpers import GOLD

DRIVER = {"max_transaction_retry_time": 2.0, "connection_timeout": 10.0}
#: what a push reports that does not depend on how it went
SAME = ("nodes", "relationships", "by_label", "by_type")


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
    real = push_writer._Writer.run
    sent = {"n": 0}

    def run(self, statement, chunk, what):
        if sent["n"] >= batches:
            raise _Stop(f"after {batches} batches")
        sent["n"] += 1
        return real(self, statement, chunk, what)
    monkeypatch.setattr(push_writer._Writer, "run", run)


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


def _same(counts: dict, want: dict) -> bool:
    return {k: counts[k] for k in SAME} == {k: want[k] for k in SAME}


def _created(counts: dict) -> int:
    return counts["created"]["nodes"] + counts["created"]["relationships"]


@pytest.mark.parametrize("mode, times, retried_by", [
    ("transient", 2, "driver"),  # Neo.TransientError.Transaction.DeadlockDetected, twice
    ("drop", 1, "driver"),       # connection cut before the reply: ServiceUnavailable
    ("commit", 2, "kg"),         # connection cut at COMMIT: IncompleteCommit, twice
])
def test_a_transient_error_on_a_batch_is_retried_and_changes_nothing(graph, clean, mode, times,
                                                                     retried_by):
    counts, want = clean
    fault = Fault(mode, batch=counts["statements"] // 2, times=times)
    with falkordb_server() as server, fault_proxy(server.uri, fault) as uri, _driver(uri) as driver:
        got = push_driver(graph, driver)
        assert (fault.injected, fault.attempts) == (times, times + 1)
        assert got["retries"] == (times if retried_by == "kg" else 0)
        assert _same(got, counts) and got["statements"] == counts["statements"]
        # the failed attempts were applied on the server: the retry that counted created less
        assert _created(got) < _created(counts)
        assert _state(driver) == want
        again = push_driver(graph, driver)
        assert _same(again, counts) and _created(again) == 0
        assert _state(driver) == want


def test_a_retried_append_is_appended_once():
    """A value past FalkorDB's statement limit is appended in pieces; a piece the driver sends
    twice (the connection dropped after the server applied it) is appended once."""
    text = ("l'é😀 \\ \"q\" " + "x" * 40 + "\n") * 150  # about 8 KB, several pieces
    small = kg.Graph([kg.Entity("big", "Company", "Big", properties={"description": text})])
    fault = Fault("drop", batch=3, prefix="UNWIND $rows AS row\nMATCH (x:")
    with falkordb_server() as server, fault_proxy(server.uri, fault) as uri, _driver(uri) as driver:
        push_driver(small, driver)
        assert fault.attempts == 2
        got = driver.execute_query("MATCH (n:Entity {id: 'big'}) RETURN n.description AS d").records
        assert got[0]["d"] == text


def test_an_index_created_before_a_lost_reply_is_not_an_error(graph, clean):
    """FalkorDB refuses a second CREATE INDEX: the one the driver re-sends must not fail the push."""
    counts, want = clean
    fault = Fault("drop", batch=1, prefix="CREATE INDEX")
    with falkordb_server() as server, fault_proxy(server.uri, fault) as uri, _driver(uri) as driver:
        got = push_driver(graph, driver)
        assert fault.attempts == 2 and _same(got, counts)
        assert _state(driver) == want


def test_a_persistent_transient_error_stops_the_push_and_pushing_again_completes_it(graph, clean):
    counts, want = clean
    fault = Fault("transient", batch=counts["statements"] // 2, times=None)
    with falkordb_server() as server:
        with fault_proxy(server.uri, fault) as uri, _driver(uri) as driver:
            with pytest.raises(PushError, match=r"transient error outlasted the driver's retries "
                                                r"\(TransientError: .*run the same push again"):
                push_driver(graph, driver)
            assert fault.attempts >= 2  # the driver retried for its 2 s
            partial = _state(driver)
            assert 0 < len(partial["nodes"]) + len(partial["relationships"])
            assert partial != want
        with _driver(server.uri) as driver:
            again = push_driver(graph, driver)
            assert _same(again, counts) and _state(driver) == want


def test_kg_push_reports_a_lost_commit_that_persists(cli, graph, clean, tmp_path):
    """`kg push`: exit 3 and what happened after the bounded retries; pushing again completes."""
    counts, want = clean
    kg.save(graph, tmp_path / "g")
    fault = Fault("commit", batch=counts["statements"] // 2, times=None)
    with falkordb_server() as server:
        with fault_proxy(server.uri, fault) as uri:
            result = cli("push", uri, "--graph", tmp_path / "g")
        assert result.exit_code == 3, result.stderr
        assert f"push to {uri} failed: writing " in result.stderr
        assert (f"the connection was lost during COMMIT, {push_writer.ATTEMPTS} times "
                f"(IncompleteCommit: ") in result.stderr
        assert "run the same push again to complete it" in result.stderr
        assert fault.attempts == push_writer.ATTEMPTS
        result = cli("push", server.uri, "--graph", tmp_path / "g")
        assert result.exit_code == 0, result.stderr
        assert (f"pushed {counts['nodes']} nodes and {counts['relationships']} relationships"
                in result.stdout)
        with _driver(server.uri) as driver:
            assert _state(driver) == want
