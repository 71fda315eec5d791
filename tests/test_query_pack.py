"""The query pack: every question in Cypher and SPARQL, the same rows on both engines."""
from __future__ import annotations

import json

import networkx as nx
import pytest

import kg
from kg import registry
from kg.ask import run
from kg.channels import channels
from kg.queries import pack



@pytest.fixture(scope="module")
def graphs(built_graphs):
    """Graph directories of the example and the seed annotation (built once per session)."""
    return {name: path for name, (_, path) in built_graphs.items()}


@pytest.fixture(scope="module")
def handles(graphs):
    opened = {(g, e): registry.get("engine", e).open(path) for g, path in graphs.items()
              for e in ("cypher", "sparql")}
    yield opened
    for h in opened.values():
        h.close()


def test_every_question_exists_in_both_languages_with_one_header():
    questions = pack()
    assert {"moves", "contagion_paths", "exposure", "why_fell", "commentators", "policy_reach",
            "supply_chain", "conflicts", "provenance"} <= set(questions)
    from kg.queries import parse_header
    for q in questions.values():
        assert set(q.text) == {"cypher", "sparql"}, q.name
        cy, sp = parse_header(q.text["cypher"], "//"), parse_header(q.text["sparql"], "#")
        assert cy["params"] == sp["params"] and cy["columns"] == sp["columns"], q.name
        assert q.title and q.columns and all(p.default is not None for p in q.params), q.name


@pytest.mark.parametrize("graph", ["example", "seed"])
@pytest.mark.parametrize("name", sorted(pack()))
def test_cypher_and_sparql_give_the_same_rows(name, graph, graphs, handles):
    cy = run(name, graphs[graph], "cypher", handle=handles[(graph, "cypher")])
    sp = run(name, graphs[graph], "sparql", handle=handles[(graph, "sparql")])
    assert cy == sp
    if graph == "example" or name in ("moves", "commentators", "contagion_paths", "provenance"):
        assert cy, f"{name} gives no rows on the {graph} graph with its defaults"


def _simple_paths(graph_dir, source, target, hops, allowed):
    g = nx.MultiDiGraph()
    for c in channels(kg.load(graph_dir)):
        if c.via in allowed:
            g.add_edge(c.src, c.dst, key=c.id, via=c.via)
    out = set()
    for path in nx.all_simple_edge_paths(g, source, target, cutoff=hops):
        nodes = [path[0][0]] + [e[1] for e in path]
        out.add((">".join(nodes), ">".join(g.edges[e]["via"] for e in path)))
    return out


def test_contagion_paths_are_the_simple_paths(graphs, handles):
    allowed = "supplies,competes_with,uses,makes"
    rows = run("contagion_paths", graphs["example"], "cypher", {"channels": allowed, "max_hops": "4"},
               handle=handles[("example", "cypher")])
    assert {(r["path"], r["edge_types"]) for r in rows} == _simple_paths(
        graphs["example"], "deepseek", "micron", 4, allowed.split(","))


@pytest.mark.parametrize("hops", [1, 2, 3, 4, 5])
def test_exposure_counts_the_simple_paths_for_every_hop_bound(graphs, handles, hops):
    """Each hop bound switches path lengths on and off in the Cypher text: every bound gives the
    fewest hops and the number of simple paths (parallel channels apart) that a walk finds."""
    allowed = "supplies,competes_with,uses,makes,developed,partner_of,invests_in"
    params = {"max_hops": str(hops), "channels": allowed}
    cy = run("exposure", graphs["example"], "cypher", params, handle=handles[("example", "cypher")])
    assert cy == run("exposure", graphs["example"], "sparql", params, handle=handles[("example", "sparql")])
    graph = kg.load(graphs["example"])
    out: dict[str, list] = {}
    for c in channels(graph):
        if c.via in allowed.split(","):
            out.setdefault(c.src, []).append(c.dst)
    found: dict[str, tuple[int, int]] = {}

    def walk(node: str, seen: set, depth: int) -> None:
        for nxt in out.get(node, []) if depth < hops else []:
            if nxt not in seen:
                best, n = found.get(nxt, (depth + 1, 0))
                found[nxt] = (min(best, depth + 1), n + 1)
                walk(nxt, seen | {nxt}, depth + 1)
    walk("deepseek", {"deepseek"}, 0)
    kinds = {e.id: e.type for e in graph.entities()}
    expected = {k: v for k, v in found.items() if kinds[k] in ("Company", "Organization", "MarketIndex")}
    assert {r["entity"]: (r["hops"], r["paths"]) for r in cy} == expected and expected


def test_deepseek_reaches_the_fallers_with_evidence_on_every_hop(graphs, handles):
    for target in ("nvidia", "micron", "asml", "broadcom", "siemens_energy"):
        rows = run("contagion_paths", graphs["seed"], "sparql", {"target": target},
                   handle=handles[("seed", "sparql")])
        assert any(all(int(n) >= 1 for n in r["evidence"].split(">")) for r in rows), target


def test_query_cli(cli, graphs):
    listed = json.loads(cli("query", "--list", "--json").stdout)
    assert {"name", "title", "params"} <= set(listed[0])
    result = cli("query", "moves", "--graph", graphs["example"], "--engine", "sparql",
                 "--param", "date=2025-01-27", "--format", "json")
    rows = json.loads(result.stdout)
    assert rows[0]["entity"] == "vistra" and rows[0]["value"] == 28.27
    csv_out = cli("query", "moves", "--graph", graphs["example"], "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "entity,name,predicate,value,qualifier,session,sources"
    bad = cli("query", "moves", "--graph", graphs["example"], "--param", "nope=1")
    assert bad.exit_code == 1 and "no parameter" in bad.stderr


def test_adhoc_queries_are_read_only_and_bound(cli, graphs):
    refused = cli("sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "--graph",
                  graphs["seed"])
    assert refused.exit_code == 1 and "SERVICE" in refused.stderr
    refused = cli("cypher", "MATCH (n:Entity) DETACH DELETE n", "--graph", graphs["seed"])
    assert refused.exit_code == 1 and "read-only" in refused.stderr
    ok = cli("cypher", "MATCH (n:Entity {id: $id}) RETURN n.name AS name", "--graph", graphs["seed"],
             "--param", "id=nvidia", "--format", "json")
    assert json.loads(ok.stdout) == [{"name": "Nvidia"}]
    injected = cli("cypher", "MATCH (n:Entity {id: $id}) RETURN n.name AS name", "--graph", graphs["seed"],
                   "--param", "id=x'}) DETACH DELETE n //", "--format", "json")
    assert json.loads(injected.stdout) == []
