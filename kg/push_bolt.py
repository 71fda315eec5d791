"""Write a built graph to a Cypher server over Bolt (Neo4j 5, FalkorDB) with the official driver.

    from kg.push_bolt import push
    counts = push(kg.load("out"), "bolt://127.0.0.1:7687", auth=("neo4j", "secret"))

Why this module: it is the entry point of `kg push bolt://...` (`push_cli`) and of the Python API
(`push`, `push_driver`): it connects, probes the server, creates the indexes or constraints, and
runs the plan. The work is in three modules, and every name other code imports from here is
re-exported from them:

- `kg.push_codec`: how values travel (probing the server; FalkorDB's escaped strings, floats as
  exact integer parts, 4 KB statement limit); `PushError`.
- `kg.push_plan`: the model and its statements (`plan`, `Step`, `constraints`, `NODE_KEYS`...),
  shared with the Cypher and Neo4j CSV exporters.
- `kg.push_writer`: batches cut by rows and bytes, pieces of oversized rows, and retries.

Order: indexes/constraints first, then nodes, then relationships, each as a parameterised
`UNWIND $rows AS row MERGE ...` in batches of `batch` rows. Everything is MERGE + SET, so pushing
the same graph again changes nothing (same counts). It merges, it does not replace: nodes, labels
and properties that an earlier push wrote and the graph no longer has stay on the server (push
into an empty database to replace a graph).

Transient errors (a deadlock, a leader switch, a dropped connection) are retried by the driver's
`execute_query` (for up to its `max_transaction_retry_time`, 30 s by default); a connection lost
during COMMIT, which the driver does not retry, is retried by `kg.push_writer` (a bounded number of
times, with backoff), since every batch is idempotent. Nothing else is retried. An error that
outlasts the retries stops the push with PushError (`kg push`: the message and exit status 3);
pushing again completes it.

Neo4j gets named `CREATE CONSTRAINT ... IF NOT EXISTS`. What FalkorDB (4.16, over its Bolt port)
needs besides the codec, all detected by probing the server, never by its agent string:

- No `CREATE CONSTRAINT` in its Cypher (unique constraints are the Redis command
  `GRAPH.CONSTRAINT CREATE`, which Bolt cannot send) and no `CREATE INDEX IF NOT EXISTS`: the push
  creates the exact-match index `CREATE INDEX FOR (n:Entity) ON (n.id)` (same for Measure.fact_id,
  Claim.fact_id, Evidence.id) unless `CALL db.indexes()` already lists it (and, when a retried
  CREATE INDEX fails, once it is listed). Uniqueness then rests on MERGE with one writer at a time.
- Bolt database selection is ignored (one graph per server) and `rollback` does nothing: a failed
  push leaves the batches already written, and running it again completes it (idempotent).
- After any client sends GOODBYE (every neo4j driver does on close) the server answers no new
  Bolt connection: push with a driver you keep (`push_driver`) or restart the server after.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from kg.push_codec import FALKORDB_TEXT_LIMIT, TEXT_MARGIN, Codec, PushError, float_parts, probe
from kg.push_plan import (LINKS, NODE_KEYS, REL_KEYS, Step, _ident, constraints, entity_labels,
                          node_step, plan, rel_step)
from kg.push_writer import _Writer
from kg.schema.model import Schema, load_schema

__all__ = ["FALKORDB_TEXT_LIMIT", "LINKS", "NODE_KEYS", "REL_KEYS", "TEXT_MARGIN", "Codec",
           "PushError", "Step", "constraints", "entity_labels", "float_parts", "node_step", "plan",
           "probe", "push", "push_cli", "push_driver", "rel_step"]


def _indexed(driver: Any, kw: dict) -> set[tuple[str, tuple[str, ...]]]:
    """(label, properties) of every node index FalkorDB lists."""
    return {(r["label"], tuple(r["properties"]))
            for r in driver.execute_query("CALL db.indexes()", **kw).records
            if r.get("entitytype", "NODE") == "NODE"}


def _create_index(driver: Any, label: str, key: str, kw: dict) -> None:
    """CREATE INDEX on FalkorDB, which refuses an existing one: when the driver sent it again
    after a lost connection, the first one may have made it, so an error with the index listed
    is success."""
    try:
        driver.execute_query(f"CREATE INDEX FOR (n:{_ident(label, 'label')}) "
                             f"ON (n.{_ident(key, 'property')})", **kw)
    except Exception:
        if (label, (key,)) not in _indexed(driver, kw):
            raise


def _ddl(driver: Any, codec: Codec, kw: dict) -> list[str]:
    """Create the key indexes (FalkorDB) or uniqueness constraints (Neo4j); what exists."""
    if codec.flavour == "falkordb":
        existing = _indexed(driver, kw)
        for label, key in NODE_KEYS.items():
            if (label, (key,)) not in existing:
                _create_index(driver, label, key, kw)
        return [f"index {label}.{key}" for label, key in NODE_KEYS.items()]
    done = []
    for what, statement in constraints():
        driver.execute_query(statement, **kw)
        done.append(what)
    return done


def push_driver(graph: Any, driver: Any, database: str | None = None, batch: int = 1000,
                schema: Schema | None = None) -> dict[str, Any]:
    """`push` with an open neo4j driver (the caller closes it).

    `retries` counts the batches this push sent again itself (see `kg.push_writer`); the
    driver's own retries happen inside `execute_query` and are not counted."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    start = time.perf_counter()
    steps = plan(graph, schema or load_schema())  # bad types and names: nothing is sent
    kw = {"database_": database} if database else {}
    codec = probe(driver, database)
    writer = _Writer(driver, codec, batch, kw)
    counts: dict[str, Any] = {"server": codec.flavour, "ddl": _ddl(driver, codec, kw),
                              "nodes": 0, "relationships": 0, "by_label": {}, "by_type": {}}
    for step in steps:
        n = writer.step(step)
        bucket = counts["by_label" if step.kind == "node" else "by_type"]
        bucket[step.name] = bucket.get(step.name, 0) + n
        counts["nodes" if step.kind == "node" else "relationships"] += n
    counts["by_label"] = dict(sorted(counts["by_label"].items()))
    counts["by_type"] = dict(sorted(counts["by_type"].items()))
    counts["created"] = writer.created
    counts["statements"] = writer.statements
    counts["retries"] = writer.retries
    counts["seconds"] = round(time.perf_counter() - start, 3)
    return counts


def push(graph: Any, uri: str, auth: Any = None, database: str | None = None,
         batch: int = 1000) -> dict[str, Any]:
    """Write `graph` to the Bolt server at `uri`; counts of nodes and relationships written.

    `nodes` / `relationships` count what the graph has on the server (by_label / by_type per
    table); `created` counts what this run added (zero when the graph was already there).
    """
    import neo4j

    from kg import netguard
    schema = load_schema()
    plan(graph, schema)  # a bad type: PushError before connecting, nothing written
    # the network guard lets the driver resolve and reach this host:port, nothing else
    with netguard.allowing(uri), neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
        driver.verify_connectivity()
        return push_driver(graph, driver, database=database, batch=batch, schema=schema)


def push_cli(graph_dir: str | Path, uri: str, user: str | None = None,
             password: str | None = None, database: str | None = None,
             batch: int = 1000, as_json: bool = False) -> dict[str, Any]:
    """`kg push bolt://HOST:PORT --graph DIR [--user U] [--password P] [--database D] [--json]`.

    The counts on stdout (one line, or JSON). User and password default to NEO4J_USERNAME and
    NEO4J_PASSWORD. Exits 1 when DIR is not a graph or holds a type outside the schema, 3 when
    the server cannot be reached or a write fails.
    """
    import os

    import click

    from kg.cli_common import EXIT_DATA, EXIT_OUTPUT, fail
    from kg.store import load_graph, read_manifest
    try:
        read_manifest(Path(graph_dir))
        graph = load_graph(Path(graph_dir))
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), EXIT_DATA)
    user = user or os.environ.get("NEO4J_USERNAME")
    if password is None:
        password = os.environ.get("NEO4J_PASSWORD")
    auth = (user, password or "") if user else None
    try:
        plan(graph)
    except PushError as exc:
        fail(str(exc), EXIT_DATA)
    try:
        result = push(graph, uri, auth=auth, database=database, batch=batch)
    except PushError as exc:
        fail(f"push to {uri} failed: {exc}", EXIT_OUTPUT)
    except Exception as exc:  # the driver's own errors: unreachable server, refused login...
        fail(f"push to {uri} failed: {type(exc).__name__}: {exc}", EXIT_OUTPUT)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(f"pushed {result['nodes']} nodes and {result['relationships']} relationships to "
                   f"{uri} ({result['server']}, {result['statements']} statements, "
                   f"{result['seconds']:.2f} s); created {result['created']['nodes']} nodes and "
                   f"{result['created']['relationships']} relationships")
    return result
