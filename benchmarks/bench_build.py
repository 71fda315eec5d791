"""Build throughput against a plain networkx baseline, on a generated fact sheet."""
from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import yaml

import kg


def generate(path: Path, n_facts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    n_companies = max(10, n_facts // 5)
    lines = ["source: generated benchmark sheet", "entities:"]
    for i in range(n_companies):
        lines.append(f"  - {{id: bench_co_{i}, type: Company, name: Bench Company {i}, country: US}}")
    lines.append("facts:")
    for j in range(n_facts):
        a, b = rng.sample(range(n_companies), 2)
        lines.append(f"  - {{s: bench_co_{a}, p: supplies, o: bench_co_{b}, product: part {j % 50}, "
                     f"weight: {rng.random():.3f}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(fn):
    """Wall time of one clean run, then peak traced memory of a second run."""
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def baseline(path: Path) -> nx.MultiDiGraph:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    g = nx.MultiDiGraph()
    for e in doc["entities"]:
        g.add_node(e["id"], **e)
    for f in doc["facts"]:
        g.add_edge(f["s"], f["o"], **f)
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--facts", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "bench.yaml"
        generate(sheet, args.facts)
        _, base_t, base_m = timed(lambda: baseline(sheet))
        graph, kg_t, kg_m = timed(lambda: kg.build([sheet]))
        c = graph.counts()
        print(f"facts={args.facts} entities={c['entities']} graph_facts={c['facts']}")
        print(f"baseline (yaml + networkx): {base_t:.2f} s, peak {base_m / 2**20:.0f} MiB")
        print(f"kg.build (with reference):  {kg_t:.2f} s, peak {kg_m / 2**20:.0f} MiB")
        print(f"ratio time {kg_t / base_t:.2f}x, memory {kg_m / base_m:.2f}x, "
              f"{args.facts / kg_t:.0f} facts/s")


if __name__ == "__main__":
    main()
