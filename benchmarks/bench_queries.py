"""Query-pack latency on generated supply graphs, against plain networkx answering the same question.

    python benchmarks/bench_queries.py --nodes 10000 --edges 50000
    python benchmarks/bench_queries.py --nodes 100000 --edges 1000000   # slow to build

The graph: companies with heavy-tailed supplies links (a few hubs supply many), competes_with
pairs, and one day of moves. Each question runs with its own parameters on both embedded
engines (first run includes loading the engine's cache, reported apart) and the networkx
version computes the same rows from the channel graph (checked equal on row counts).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

import kg
from kg import registry
from kg.ask import run
from kg.channels import channels


def generate(path: Path, nodes: int, edges: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    lines = ["source: generated benchmark graph", "entities:"]
    lines += [f"  - {{id: c{i}, type: Company, name: Company {i}}}" for i in range(nodes)]
    lines.append("  - {id: day, type: Event, name: A trading day, date: 2025-01-27}")
    lines.append("facts:")
    hubs = max(10, nodes // 100)
    for j in range(edges):
        kind = "supplies" if j % 5 else "competes_with"
        a = rng.randrange(hubs) if rng.random() < 0.5 else rng.randrange(nodes)
        b = rng.randrange(nodes)
        if a != b:
            lines.append(f"  - {{s: c{a}, p: {kind}, o: c{b}, product: part {j % 7}}}")
    for i in range(0, nodes, max(1, nodes // 200)):
        lines.append(f"  - {{s: c{i}, p: fell_by, o: day, value: {1 + i % 17}, unit: percent, date: 2025-01-27}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def nx_contagion(g: nx.MultiDiGraph, source: str, target: str, hops: int) -> int:
    return sum(1 for _ in nx.all_simple_edge_paths(g, source, target, cutoff=hops))


def nx_exposure(g: nx.MultiDiGraph, source: str, hops: int) -> int:
    return len(nx.single_source_shortest_path_length(g, source, cutoff=hops)) - 1


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=10000)
    parser.add_argument("--edges", type=int, default=50000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sheet, out = Path(tmp) / "g.yaml", Path(tmp) / "graph"
        generate(sheet, args.nodes, args.edges)
        graph, t_build = timed(lambda: kg.build([sheet], reference=False))
        kg.save(graph, out)
        g = nx.MultiDiGraph()
        for c in channels(graph):
            g.add_edge(c.src, c.dst, via=c.via)
        print(f"graph: {len(graph)} nodes, {graph.counts()['facts']} facts, build {t_build:.1f} s")
        handles = {}
        for engine in ("cypher", "sparql"):
            handles[engine], t = timed(lambda: registry.get("engine", engine).open(out))
            print(f"{engine}: engine load (cache build) {t:.2f} s")
        source = f"c{args.nodes - 1}"  # an ordinary company: hubs make walks explode (see README)
        target = max(g.nodes, key=lambda n: g.in_degree(n))
        questions = [
            ("moves", {}, None),
            ("supply_chain", {"company": source, "max_depth": "1"}, None),
            ("contagion_paths", {"source": source, "target": target, "max_hops": "3",
                                 "channels": "supplies,competes_with"},
             lambda: nx_contagion(g, source, target, 3)),
            ("exposure", {"source": source, "max_hops": "2", "channels": "supplies,competes_with"},
             lambda: nx_exposure(g, source, 2)),
        ]
        print(f"{'question':<16} {'cypher s':>9} {'sparql s':>9} {'networkx s':>10} {'rows':>6}  ratio cy/nx  sp/nx")
        for name, params, baseline in questions:
            rows_c, t_c = timed(lambda: run(name, out, "cypher", params, handle=handles["cypher"]))
            rows_s, t_s = timed(lambda: run(name, out, "sparql", params, handle=handles["sparql"]))
            base, t_n = timed(baseline) if baseline else (None, None)
            same = "same" if rows_c == rows_s else "DIFFER"
            ratio = (f"{t_c / t_n:10.1f}x {t_s / t_n:6.1f}x" if t_n else "")
            print(f"{name:<16} {t_c:9.3f} {t_s:9.3f} {t_n if t_n is not None else float('nan'):10.4f} "
                  f"{len(rows_c):6d}  {ratio}  {same}")
        for h in handles.values():
            h.close()


if __name__ == "__main__":
    sys.exit(main())
