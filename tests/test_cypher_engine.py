"""The embedded Cypher engine (Ladybug) over the bundled example.

Path counts state their semantics: Ladybug's default is WALK (a relationship may repeat),
`* TRAIL` forbids repeated relationships and `is_acyclic(p)` repeated nodes (simple paths).
Each count is checked against a plain-Python enumeration of the same semantics.
"""
from __future__ import annotations

import copy
import inspect
import json
import math
import shutil
import time
from collections import Counter

import pytest

import kg
from helpers import EXAMPLE, RUNAWAY
from kg.engines import cypher
from kg.engines.cypher import (CypherEngine, QueryError, QueryOutOfMemory, QueryTimeout, WriteRefused,
                               check_read_only)
from kg.engines.cypher_ddl import ddl, layout, rel_name
from kg.model import Evidence, Fact
from kg.registry import get
from kg.schema.model import load_schema, parse_schema

NVIDIA_FELL = "MATCH (a:Entity {id: $id})-[r:FELL_BY]->(e:Entity) " \
              "RETURN r.value AS value, r.qualifier AS qualifier, r.session AS session, " \
              "r.date AS date, r.conflicts AS conflicts, e.id AS event ORDER BY value"
COUNT = "MATCH (n:Entity) RETURN count(n) AS n"


@pytest.fixture(scope="module")
def graph():
    return kg.build([str(EXAMPLE)])


@pytest.fixture(scope="module")
def graph_dir(graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("cypher") / "graph"
    kg.save(graph, path)
    return path


@pytest.fixture(scope="module")
def engine() -> CypherEngine:
    return get("engine", "cypher")


@pytest.fixture(scope="module")
def handle(engine, graph_dir):
    h = engine.open(graph_dir)
    yield h
    h.close()


def one(engine, handle, text, **params):
    rows = engine.query(handle, text, params)
    assert len(rows) == 1, rows
    return next(iter(rows[0].values()))


def count_paths(graph, preds, s, t, hops, mode):
    """Undirected s-t paths of 1..hops edges over `preds`: walk, trail or simple."""
    adj: dict[str, list[tuple[str, str]]] = {}
    for f in graph.edges():
        if f.p in preds:
            adj.setdefault(f.s, []).append((f.id, f.o))
            adj.setdefault(f.o, []).append((f.id, f.s))

    def walk(node, used, seen, depth):
        found = int(depth > 0 and node == t)
        if depth == hops:
            return found
        for fid, nxt in adj.get(node, []):
            if (mode == "trail" and fid in used) or (mode == "simple" and nxt in seen):
                continue
            found += walk(nxt, used | {fid}, seen | {nxt}, depth + 1)
        return found
    return walk(s, frozenset(), frozenset([s]), 0)


# -- loading -------------------------------------------------------------------------------------
def test_registered_and_cached_under_the_graph(engine, handle, graph_dir):
    assert isinstance(engine, CypherEngine) and engine.read_only
    assert handle.db_path == graph_dir / ".cache" / "ladybug" / "graph.lbug"
    assert (graph_dir / ".cache" / "ladybug" / "key").read_text().strip() == handle.key
    assert handle.rebuilt and handle.build_seconds > 0


def test_node_count_is_the_graph_size(engine, handle, graph):
    assert one(engine, handle, COUNT) == len(graph)


def test_edge_counts_per_rel_table(engine, handle, graph):
    expected = Counter(f.p for f in graph.edges())
    schema = load_schema()
    for pred, spec in sorted(schema.edges.items()):
        if not spec.is_attribute:
            got = one(engine, handle, f"MATCH ()-[r:{rel_name(pred)}]->() RETURN count(r) AS n")
            assert got == expected[pred], pred
    facts = list(graph.facts())
    assert one(engine, handle, "MATCH (m:Measure) RETURN count(m)") == len(graph.values())
    assert one(engine, handle, "MATCH (:Entity)-[h:HAS_MEASURE]->(:Measure) RETURN count(h)") \
        == len(graph.values())
    assert one(engine, handle, "MATCH (c:Claim) RETURN count(c)") == len(facts)
    assert one(engine, handle, "MATCH (:Claim)-[h:HAS_EVIDENCE]->(:Evidence) RETURN count(h)") \
        == sum(len(f.evidence) for f in facts)


def test_entity_columns_are_typed(engine, handle, graph):
    row = engine.query(handle, "MATCH (n:Entity {id: $id}) RETURN n.name AS name, "
                               "n.aliases AS aliases, n.founded AS founded, n.listed AS listed",
                       {"id": "nvidia"})
    ent = graph.entity("nvidia")
    assert row == [{"name": ent.name, "aliases": sorted(set(ent.aliases)),
                    "founded": ent.properties["founded"], "listed": ent.properties["listed"]}]


# -- queries -------------------------------------------------------------------------------------
def test_nvidia_fell_by_with_parameters(engine, handle):
    rows = engine.query(handle, NVIDIA_FELL, {"id": "nvidia"})
    assert rows == [
        {"value": 16.97, "qualifier": "exact", "session": "close", "date": "2025-01-27",
         "conflicts": True, "event": "selloff_2025_01_27"},
        {"value": 17.0, "qualifier": "approx", "session": "close", "date": "2025-01-27",
         "conflicts": True, "event": "selloff_2025_01_27"}]
    json.dumps(rows)  # plain Python values only


def test_provenance_of_a_fact(engine, handle, graph):
    fact = next(f for f in graph.edges() if f.p == "fell_by" and f.s == "nvidia" and f.value == 17)
    rows = engine.query(handle, "MATCH (c:Claim {fact_id: $id})-[:HAS_EVIDENCE]->(e:Evidence) "
                                "RETURN c.subject AS s, e.source AS source, e.quote AS quote",
                        {"id": fact.id})
    assert rows == [{"s": "nvidia", "source": e.source, "quote": e.quote} for e in fact.evidence]
    rel = one(engine, handle, "MATCH ()-[r:FELL_BY {fact_id: $id}]->() RETURN r.sources",
              id=fact.id)
    assert rel == sorted({e.source for e in fact.evidence})


def test_value_facts_hang_on_their_subject(engine, handle):
    rows = engine.query(handle, "MATCH (a:Entity {id: $id})-[:HAS_MEASURE]->(m:Measure) "
                                "RETURN m.predicate AS p, m.value AS v, m.unit AS u, m.date AS d",
                        {"id": "nvidia"})
    assert rows == [{"p": "market_cap_loss", "v": 589e9, "u": "USD", "d": "2025-01-27"}]


def test_paths_from_deepseek_to_micron(engine, handle):
    rows = engine.query(handle, "MATCH p = (a:Entity {id: $s})"
                                "-[:SUPPLIES|COMPETES_WITH* TRAIL 1..4]-(b:Entity {id: $t}) "
                                "RETURN p ORDER BY length(p)",
                        {"s": "deepseek", "t": "micron"})
    assert rows
    for row in rows:
        nodes, rels = row["p"]["nodes"], row["p"]["rels"]
        assert nodes[0]["id"] == "deepseek" and nodes[-1]["id"] == "micron"
        assert {r["_label"] for r in rels} <= {"SUPPLIES", "COMPETES_WITH"}
        ends = [{r["_src"], r["_dst"]} for r in rels]
        assert ends == [{a["id"], b["id"]} for a, b in zip(nodes, nodes[1:])]


@pytest.mark.parametrize("rels,preds", [
    ("SUPPLIES", {"supplies"}),                                   # the portable single-type form
    ("SUPPLIES|COMPETES_WITH", {"supplies", "competes_with"}),    # several types: `|`, one colon
])
def test_path_semantics(engine, handle, graph, rels, preds):
    def pattern(semantics: str) -> str:
        return f"MATCH p = (a:Entity {{id: $s}})-[:{rels}*{semantics} 1..3]-(b:Entity {{id: $t}}) "
    params = {"s": "nvidia", "t": "micron"}
    walks = one(engine, handle, pattern("") + "RETURN count(*)", **params)
    trails = one(engine, handle, pattern(" TRAIL") + "RETURN count(*)", **params)
    simple = one(engine, handle, pattern("") + "WHERE is_acyclic(p) RETURN count(*)", **params)
    assert walks == count_paths(graph, preds, "nvidia", "micron", 3, "walk")
    assert trails == count_paths(graph, preds, "nvidia", "micron", 3, "trail")
    assert simple == count_paths(graph, preds, "nvidia", "micron", 3, "simple")
    assert walks > trails >= simple > 0  # WALK is Ladybug's default: say TRAIL or is_acyclic


# -- DDL -----------------------------------------------------------------------------------------
def test_ddl_is_deterministic_and_covers_the_schema(engine):
    schema = load_schema()
    statements = ddl(schema)
    assert statements == ddl(parse_schema(copy.deepcopy(schema.raw))) == engine.ddl()
    text = "\n".join(statements)
    for pred, spec in schema.edges.items():
        if not spec.is_attribute:
            assert f"CREATE REL TABLE {pred.upper()}(FROM Entity TO Entity" in text
            for prop in spec.properties:
                assert f"`{prop}`" in next(s for s in statements if f" {pred.upper()}(" in s)
    entity = statements[0]
    for props in schema.node_props.values():
        assert all(f"`{p}`" in entity for p in props)
    assert [s.split("(")[0] for s in statements[:4]] == [
        f"CREATE NODE TABLE {n}" for n in ("Entity", "Measure", "Claim", "Evidence")]


def test_ddl_follows_a_changed_schema():
    raw = copy.deepcopy(load_schema().raw)
    raw["edge_types"]["acquires"] = {"domain": ["Organization"], "range": ["Organization"],
                                     "properties": {"price": {"type": "number"},
                                                    "closed": {"type": "date"}}}
    raw["node_types"]["Company"]["properties"]["isin"] = {"type": "string"}
    statements = ddl(parse_schema(raw))
    assert any(s.startswith("CREATE REL TABLE ACQUIRES(") and "`price` DOUBLE" in s
               and "`closed` DATE" in s for s in statements)
    assert "`isin` STRING" in statements[0]
    raw["node_types"]["Person"]["properties"]["ticker"] = {"type": "integer"}
    with pytest.raises(ValueError, match="ticker"):
        ddl(parse_schema(raw))


# -- cache ---------------------------------------------------------------------------------------
def test_cache_reused_then_rebuilt_when_the_graph_changes(engine, handle, graph, graph_dir,
                                                           tmp_path):
    copy_dir = tmp_path / "copy"
    shutil.copytree(graph_dir, copy_dir)
    with engine.open(copy_dir) as again:  # same files, same key: the copied cache is reused
        assert not again.rebuilt and again.key == handle.key
        assert one(engine, again, COUNT) == len(graph)
    (copy_dir / ".cache" / "ladybug" / "key").write_text("stale\n")
    with engine.open(copy_dir) as again:
        assert again.rebuilt and again.key == handle.key

    extra = Fact(s="nvidia", p="supplies", o="micron", properties={"product": "test wafers"},
                 evidence=[Evidence(source="a test")])
    changed = kg.Graph(graph.entities(), [*graph.facts(), extra])
    changed_dir = tmp_path / "changed"
    kg.save(changed, changed_dir)
    shutil.copytree(graph_dir / ".cache", changed_dir / ".cache")  # an old cache left behind
    with engine.open(changed_dir) as new:
        assert new.rebuilt and new.key != handle.key
        assert one(engine, new, "MATCH ()-[r:SUPPLIES {product: $p}]->() RETURN r.fact_id",
                   p="test wafers") == extra.id
    with engine.open(changed_dir) as new:
        assert not new.rebuilt


def test_interrupted_build_leaves_no_half_database(engine, graph_dir, tmp_path, monkeypatch):
    target = tmp_path / "g"
    shutil.copytree(graph_dir, target, ignore=shutil.ignore_patterns(".cache"))

    def crash(graph, db_path, schema=None):
        db_path.write_bytes(b"half a database")
        raise KeyboardInterrupt
    monkeypatch.setattr(cypher, "build_database", crash)
    with pytest.raises(KeyboardInterrupt):
        engine.open(target)
    assert not list((target / ".cache").iterdir())
    monkeypatch.undo()
    with engine.open(target) as h:
        assert h.rebuilt and one(engine, h, COUNT) > 0


# -- read-only -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "CREATE (n:Entity {id: 'x'})",
    "MATCH (n:Entity {id: 'nvidia'}) SET n.name = 'x'",
    "MERGE (n:Entity {id: 'nvidia'}) RETURN n",
    "MATCH (n:Entity) DETACH DELETE n",
    "match (n:Entity) delete n",
    "MATCH (n:Entity) REMOVE n.name",
    "DROP TABLE Entity",
    "COPY Entity FROM '/tmp/x.csv'",
    "ALTER TABLE Entity ADD x INT64",
    "INSTALL json",
    "LOAD FROM '/etc/passwd' RETURN *",
    "ATTACH 'other.lbug' AS other",
    "CALL threads = 1",
    "CALL project_graph('g', ['Entity'], ['SUPPLIES'])",
    "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n",
    "MATCH (n) RETURN n /* harmless */ ; DROP TABLE Entity",
])
def test_write_statements_are_refused(engine, handle, graph, text):
    with pytest.raises(WriteRefused):
        engine.query(handle, text, {})
    assert one(engine, handle, COUNT) == len(graph)


@pytest.mark.parametrize("text", [
    "MATCH (n:Entity) WHERE n.name = 'CREATE SET DELETE' RETURN count(n)",
    "MATCH (n:Entity) WHERE n.name = \"it's DROP\" RETURN count(n)  // DELETE everything",
    "MATCH (n:Entity) /* MERGE */ RETURN count(n);",
    "CALL show_tables() RETURN count(*)",
    "CALL table_info('SUPPLIES') RETURN count(*)",
])
def test_reads_that_mention_write_words_are_allowed(engine, handle, text):
    check_read_only(text)
    assert engine.query(handle, text)


def test_the_database_itself_is_read_only(handle):
    with pytest.raises(RuntimeError, match="read-only"):
        handle.connection.execute("CREATE (n:Entity {id: 'x'})")


def test_parameters_are_values_never_code(engine, handle, graph):
    evil = '"}) DETACH DELETE n //'
    for text in ("MATCH (n:Entity {id: $v}) RETURN n.id",
                 "MATCH (n:Entity) WHERE n.name = $v RETURN n.id"):
        assert engine.query(handle, text, {"v": evil}) == []
    assert one(engine, handle, "RETURN $v AS v", v=evil) == evil
    assert one(engine, handle, COUNT) == len(graph)


def test_a_missing_parameter_is_an_error_not_null(engine, handle):
    with pytest.raises(QueryError, match=r"\$id"):
        engine.query(handle, "MATCH (n:Entity {id: $id}) RETURN n.id", {})
    with pytest.raises(QueryError):
        engine.query(handle, "MATCH (n:Nope) RETURN n", {})


def test_rows_are_plain_python(engine, handle):
    row = engine.query(handle, "MATCH (n:Entity {id: $id}) RETURN n, n.released AS released",
                       {"id": "deepseek_r1"})[0]
    assert row["released"] == row["n"]["released"] and isinstance(row["released"], str)
    assert row["n"]["_label"] == "Entity" and row["n"]["id"] == "deepseek_r1"
    assert not any(k in row["n"] for k in ("_ID", "_LABEL"))
    json.dumps(row)


def test_layout_lists_every_table_once():
    names = [t.name for t in layout(load_schema())]
    assert len(names) == len(set(names))
    assert {"Entity", "Measure", "Claim", "Evidence", "HAS_MEASURE", "HAS_EVIDENCE"} <= set(names)


PATHOLOGICAL = "MATCH (a)-[*1..12]-(b) RETURN count(*) AS n"  # every walk of up to 12 hops: hours


def test_a_pathological_query_is_stopped_at_its_time_budget(engine, handle, graph):
    """Bad-input row 12 for Cypher: Ladybug interrupts the query at the deadline; the handle
    answers the next one."""
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"time budget of 1 s.*--timeout SECONDS"):
        engine.query(handle, PATHOLOGICAL, timeout=1)
    assert 1 <= time.monotonic() - start < 5
    assert engine.query(handle, COUNT)[0]["n"] == len(graph)
    for bad in (0, -2, math.nan):
        with pytest.raises(ValueError, match="positive number of seconds"):
            engine.query(handle, "RETURN 1 AS x", timeout=bad)
    assert engine.query(handle, "RETURN 1 AS x", timeout=math.inf) == [{"x": 1}]




def test_a_query_past_its_memory_budget_fails_and_the_handle_stays_usable(engine, graph_dir, graph):
    with engine.open(graph_dir, memory=64) as small:
        with pytest.raises(QueryOutOfMemory, match=r"memory budget of 64 MiB .*--memory MIB"):
            # 0.2 s with its 64 MiB; with Ladybug's default pool it runs past the 20 s: QueryTimeout
            engine.query(small, RUNAWAY["cypher"], timeout=20)
        assert engine.query(small, COUNT)[0]["n"] == len(graph)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive whole number of MiB"):
            engine.open(graph_dir, memory=bad)


BUDGETS = {  # option: (value, {command: a query past it}, what kg says)
    "--timeout": ("1.5", {"cypher": PATHOLOGICAL,
                          "sparql": "SELECT (COUNT(*) AS ?n) WHERE { ?a (!ns:none)* ?b . ?c (!ns:none)* ?d }"},
                  "QueryTimeout: the query was stopped after its time budget of 1.5 s"),
    "--memory": ("100", RUNAWAY,
                 "QueryOutOfMemory: the query needed more than its memory budget of 100 MiB"),
}


@pytest.mark.parametrize("option", sorted(BUDGETS))
@pytest.mark.parametrize("command", ["cypher", "sparql"])
def test_kg_budgets_stop_an_ad_hoc_query(cli, graph_dir, command, option):
    value, texts, message = BUDGETS[option]
    start = time.monotonic()
    shorter = ("--timeout", "20") if option == "--memory" else ()  # the memory budget, not time, stops it
    result = cli(command, texts[command], "--graph", graph_dir, option, value, *shorter)
    if option == "--timeout":
        assert time.monotonic() - start < 6  # stopped at its 1.5 s, not run on
    assert result.exit_code == 1 and result.stdout == ""
    assert message in result.stderr
    assert cli(command, texts[command], "--graph", graph_dir, option, "0").exit_code == 2  # not a budget


@pytest.mark.parametrize("option, method, given, refusal", [
    ("--timeout", "query", 7.0, "its own transaction timeout"),
    ("--memory", "open", 300, "a server applies its own"),
])
def test_kg_query_passes_its_budgets_to_the_engine(cli, graph_dir, monkeypatch, option, method, given, refusal):
    seen = []
    real = getattr(CypherEngine, method)

    def spy(self, *args, **kwargs):
        call = inspect.signature(real).bind(self, *args, **kwargs)
        call.apply_defaults()
        seen.append(call.arguments[option[2:]])
        return real(self, *args, **kwargs)
    monkeypatch.setattr(CypherEngine, method, spy)
    assert cli("query", "moves", "--graph", graph_dir, option, str(given)).exit_code == 0
    assert cli("query", "moves", "--graph", graph_dir).exit_code == 0
    assert seen == [given, None]
    refused = cli("query", "moves", "--engine", "bolt", "--endpoint", "bolt://127.0.0.1:1", option, "5")
    assert refused.exit_code == 1 and refusal in refused.stderr


def test_a_memory_budget_is_set_when_the_graph_is_opened(graph_dir):
    from kg.ask import run
    with get("engine", "cypher").open(graph_dir) as handle, pytest.raises(ValueError, match="open"):
        run("moves", graph_dir, "cypher", handle=handle, memory=300)
