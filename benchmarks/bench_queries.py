"""Query-pack latency on generated supply graphs, against plain networkx answering the same question.

    python benchmarks/bench_queries.py --nodes 10000 --edges 50000
    python benchmarks/bench_queries.py --nodes 100000 --edges 1000000   # slow to build

The graph: companies with heavy-tailed supplies links (a few hubs supply many), competes_with
pairs, one day of moves (some reported twice with different figures, so `conflicts` has rows),
a trading-day event triggered by one company, analysts commenting, and a policy targeting a few
companies. Each of the nine questions runs on both embedded engines (the first load of each
engine builds its cache, reported apart; each time is the best of two runs) and the networkx version computes the same answer from
the fact graph or the channel graph (`kg.channels`). The row counts of all three are compared.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import networkx as nx

import kg
from kg import registry
from kg.ask import run
from kg.channels import channels

DAY = "2025-01-27"
POLICY_CHANNELS = "targets,part_of,makes,supplies"
SHOCK_CHANNELS = "supplies,competes_with"


def generate(path: Path, nodes: int, edges: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    lines = ["source: generated benchmark graph", "entities:"]
    lines += [f"  - {{id: c{i}, type: Company, name: Company {i}}}" for i in range(nodes)]
    lines += [f"  - {{id: p{i}, type: Person, name: Analyst {i}}}" for i in range(20)]
    lines += ["  - {id: day, type: Event, name: A trading day, date: 2025-01-27}",
              "  - {id: curbs, type: Policy, name: Export curbs}", "facts:"]
    hubs = max(10, nodes // 100)
    for j in range(edges):
        kind = "supplies" if j % 5 else "competes_with"
        a = rng.randrange(hubs) if rng.random() < 0.5 else rng.randrange(nodes)
        b = rng.randrange(nodes)
        if a != b:
            lines.append(f"  - {{s: c{a}, p: {kind}, o: c{b}, product: part {j % 7}}}")
    for i in range(0, nodes, max(1, nodes // 200)):
        lines.append(f"  - {{s: c{i}, p: fell_by, o: day, value: {1 + i % 17}, unit: percent, date: {DAY}}}")
        if i % 7 == 0:  # a second source with another figure: a conflict
            lines.append(f"  - {{s: c{i}, p: fell_by, o: day, value: {2 + i % 17}.5, unit: percent, "
                         f"date: {DAY}, source: second wire}}")
    lines.append("  - {s: day, p: triggered_by, o: c0}")
    for i in range(20):
        lines.append(f"  - {{s: p{i}, p: works_for, o: c{i + 1}, role: analyst}}")
        lines.append(f"  - {{s: p{i}, p: comments_on, o: c0, quote: Remark number {i}., date: {DAY}}}")
    for i in range(1, nodes, max(1, nodes // 20)):
        lines.append(f"  - {{s: curbs, p: targets, o: c{i}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the networkx answers ----------------------------------------------------------------------
def channel_graph(graph, vias: str) -> nx.MultiDiGraph:
    keep, g = set(vias.split(",")), nx.MultiDiGraph()
    for c in channels(graph):
        if c.via in keep:
            g.add_edge(c.src, c.dst, via=c.via)
    return g


def simple_paths_from(g: nx.MultiDiGraph, source: str, hops: int) -> Counter:
    """Number of simple paths of at most `hops` steps from `source` to each node (parallel
    channels counted apart, as the engines do), by depth-first search."""
    counts: Counter = Counter()

    def walk(node: str, seen: set, depth: int) -> None:
        for _, nxt, _ in g.out_edges(node, keys=True):
            if nxt not in seen:
                counts[nxt] += 1
                if depth + 1 < hops:
                    walk(nxt, seen | {nxt}, depth + 1)
    if source in g:
        walk(source, {source}, 0)
    return counts


def nx_moves(facts: nx.MultiDiGraph) -> int:
    return sum(1 for *_, d in facts.edges(data=True) if d["p"] in ("fell_by", "rose_by") and d.get("date") == DAY)


def nx_commentators(facts: nx.MultiDiGraph, entity: str) -> int:
    speakers = [s for s, _, d in facts.in_edges(entity, data=True) if d["p"] == "comments_on"]
    return sum(max(1, sum(1 for *_, d in facts.out_edges(s, data=True) if d["p"] == "works_for"))
               for s in speakers)


def nx_conflicts(facts: nx.MultiDiGraph) -> int:
    return sum(1 for *_, d in facts.edges(data=True) if d.get("conflicts_with"))


def nx_provenance(facts: nx.MultiDiGraph, s: str, p: str, o: str) -> int:
    return sum(len(d["evidence"]) for _, obj, d in facts.edges(s, data=True) if d["p"] == p and obj == o)


def nx_supply_chain(facts: nx.MultiDiGraph, supplies: nx.DiGraph, company: str, depth: int) -> int:
    """Rows: one per product of a direct link, one per entity further away."""
    rows = 0
    for g, pair in ((supplies.reverse(copy=False), lambda n: (n, company)), (supplies, lambda n: (company, n))):
        reach = nx.single_source_shortest_path_length(g, company, cutoff=depth)
        for n, k in reach.items():
            if n != company:
                rows += len({d.get("product") for d in facts.get_edge_data(*pair(n)).values()
                             if d["p"] == "supplies"}) if k == 1 else 1
    return rows


def nx_contagion(g: nx.MultiDiGraph, source: str, target: str, hops: int) -> int:
    return sum(1 for _ in nx.all_simple_edge_paths(g, source, target, cutoff=hops))


def nx_reach(g: nx.MultiDiGraph, source: str, hops: int) -> int:
    return len(simple_paths_from(g, source, hops))


def nx_why_fell(g: nx.MultiDiGraph, cause: str, target: str, hops: int) -> int:
    paths = list(nx.all_simple_edge_paths(g, cause, target, cutoff=hops))
    fewest = min(map(len, paths), default=0)
    return sum(1 for p in paths if len(p) == fewest)


# -- the run -----------------------------------------------------------------------------------
def timed(fn, repeat: int = 1):
    """The result and the best of `repeat` wall times: the first SPARQL call of a text also
    pays for its one-off safety parse (about a second with rdflib), which is not the question."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def questions(graph, facts: nx.MultiDiGraph, nodes: int) -> list[tuple[str, dict, object]]:
    shock = channel_graph(graph, SHOCK_CHANNELS)
    supplies = nx.DiGraph((s, o) for s, o, d in facts.edges(data=True) if d["p"] == "supplies")
    source = f"c{nodes - 1}"  # an ordinary company: hubs make walks explode (see README)
    target = max(shock.nodes, key=shock.in_degree)
    fallen = f"c{max(1, nodes // 200)}"
    return [
        ("moves", {}, lambda: nx_moves(facts)),
        ("commentators", {"entity": "c0"}, lambda: nx_commentators(facts, "c0")),
        ("conflicts", {}, lambda: nx_conflicts(facts)),
        ("provenance", {"subject": fallen, "predicate": "fell_by", "object": "day"},
         lambda: nx_provenance(facts, fallen, "fell_by", "day")),
        ("supply_chain", {"company": source, "max_depth": "2"}, lambda: nx_supply_chain(facts, supplies, source, 2)),
        ("contagion_paths", {"source": source, "target": target, "max_hops": "3", "channels": SHOCK_CHANNELS},
         lambda: nx_contagion(shock, source, target, 3)),
        ("exposure", {"source": source, "max_hops": "2", "channels": SHOCK_CHANNELS},
         lambda: nx_reach(shock, source, 2)),
        ("policy_reach", {"policy": "curbs", "max_hops": "2", "channels": POLICY_CHANNELS},
         lambda: nx_reach(channel_graph(graph, POLICY_CHANNELS), "curbs", 2)),
        ("why_fell", {"target": fallen, "max_hops": "3", "channels": SHOCK_CHANNELS},
         lambda: nx_why_fell(shock, "c0", fallen, 3)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=10000)
    parser.add_argument("--edges", type=int, default=50000)
    parser.add_argument("--only", help="comma-separated question names")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sheet, out = Path(tmp) / "g.yaml", Path(tmp) / "graph"
        generate(sheet, args.nodes, args.edges)
        graph, t_build = timed(lambda: kg.build([sheet], reference=False))
        kg.save(graph, out)
        facts = graph.to_networkx()
        print(f"graph: {len(graph)} nodes, {graph.counts()['facts']} facts, build {t_build:.1f} s", flush=True)
        handles = {}
        for engine in ("cypher", "sparql"):
            handles[engine], t = timed(lambda: registry.get("engine", engine).open(out))
            print(f"{engine}: engine load (cache build) {t:.2f} s", flush=True)
        print(f"{'question':<16} {'cypher s':>9} {'sparql s':>9} {'networkx s':>10} {'rows':>6} {'nx rows':>7}"
              f"  {'cy/nx':>7} {'sp/nx':>7}")
        only = set(args.only.split(",")) if args.only else None
        for name, params, baseline in questions(graph, facts, args.nodes):
            if only and name not in only:
                continue
            unbounded = {"timeout": math.inf}  # measured however long they take
            rows_c, t_c = timed(lambda: run(name, out, "cypher", params, handle=handles["cypher"], **unbounded), 2)
            rows_s, t_s = timed(lambda: run(name, out, "sparql", params, handle=handles["sparql"], **unbounded), 2)
            base, t_n = timed(baseline, 2)
            same = "same" if rows_c == rows_s and len(rows_c) == base else "DIFFER"
            print(f"{name:<16} {t_c:9.3f} {t_s:9.3f} {t_n:10.4f} {len(rows_c):6d} {base:7d}"
                  f"  {t_c / t_n:6.1f}x {t_s / t_n:6.1f}x  {same}", flush=True)
        for h in handles.values():
            h.close()


if __name__ == "__main__":
    sys.exit(main())
