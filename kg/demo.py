"""`kg demo`: the main job on the bundled example, end to end.

Builds the example (fact sheets and market moves, with the reference registry),
writes it with its HTML view (`DIR/view.html`, inside the graph directory so that
a rebuild replaces both), and prints what the graph knows about the 27 January 2025 selloff.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Callable

from kg.exporters import export
from kg.graph import Graph
from kg.pipeline import build
from kg.store import write_graph

EXAMPLE = "deepseek-selloff"
DAY = "2025-01-27"
VIEW = "view.html"


def example_dir() -> Path:
    return Path(str(resources.files("kg.examples").joinpath(EXAMPLE)))


def _moves(graph: Graph, day: str) -> list[str]:
    rows = []
    for f in graph.edges():
        if f.p in ("fell_by", "rose_by") and f.date == day:
            sign = -1 if f.p == "fell_by" else 1
            rows.append((sign * f.value, graph.entity(f.s).name, f.properties.get("session", "unstated"),
                         f.qualifier or "exact", len(f.evidence)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [f"  {v:+8.2f}%  {name:<28} {sess:<9} {q:<10} {n} source(s)" for v, name, sess, q, n in rows[:15]]


def _comments(graph: Graph) -> list[str]:
    out = []
    for f in graph.edges():
        if f.p != "comments_on":
            continue
        who = graph.entity(f.s)
        employers = [graph.entity(e.o).name for e in graph.facts_about(who.id)
                     if e.p == "works_for" and e.s == who.id]
        quote = f.properties.get("quote") or next((e.quote for e in f.evidence if e.quote), "")
        where = f", {employers[0]}" if employers else ""
        quote = quote if len(quote) <= 120 else quote[:119] + "…"
        out.append(f"  {who.name}{where} on {graph.entity(f.o).name}: \"{quote}\"")
    return sorted(out)


def _chain(graph: Graph, company: str) -> list[str]:
    if company not in graph:
        return []
    suppliers = sorted(graph.entity(f.s).name for f in graph.facts_about(company)
                       if f.p == "supplies" and f.o == company)
    customers = sorted(graph.entity(f.o).name for f in graph.facts_about(company)
                       if f.p == "supplies" and f.s == company)
    return [f"  suppliers of {graph.entity(company).name}: {', '.join(suppliers) or '-'}",
            f"  customers of {graph.entity(company).name}: {', '.join(customers) or '-'}"]


def _contagion(output: Path, graph: Graph) -> list[str]:
    """How the shock reached the companies that fell: the shortest path from DeepSeek to each."""
    from kg.ask import run
    from kg import registry
    engine = registry.get("engine", "cypher")
    handle = engine.open(Path(output))
    lines = []
    try:
        fallers = sorted({f.s for f in graph.edges() if f.p == "fell_by" and f.date == DAY})
        for target in fallers:
            rows = run("contagion_paths", output, "cypher",
                       {"target": target, "channels": "supplies,competes_with,uses,makes,developed,"
                                                      "partner_of,invests_in"}, handle=handle)
            if rows:
                best = rows[0]
                lines.append(f"  {graph.entity(target).name:<26} {best['path'].replace('>', ' > ')}"
                             f"   [{best['edge_types'].replace('>', ', ')}]")
            else:
                lines.append(f"  {graph.entity(target).name:<26} (no path of 4 hops or fewer)")
    finally:
        handle.close()
    return lines


def run_demo(output: Path, progress: Callable | None = None) -> str:
    graph = build([example_dir()], reference=True, progress=progress)
    write_graph(graph, Path(output), graph.inputs)
    view = export(graph, "html", Path(output) / VIEW, force=True)
    c = graph.counts()
    lines = [f"Built the example '{EXAMPLE}' with the reference registry into {output}/",
             f"{c['entities']} entities, {c['facts']} facts, {c['evidence']} evidence records, "
             f"{c['conflicting_facts']} facts in conflict between sources", "",
             f"Biggest moves on {DAY} (close-to-close unless stated):", *_moves(graph, DAY), "",
             "Supply chain around Nvidia:", *_chain(graph, "nvidia"), "",
             "Who said what:", *_comments(graph), "",
             "How the DeepSeek shock reached the companies that fell (shortest supply/competition path):",
             *_contagion(Path(output), graph), "",
             f"Open the graph in a browser (offline, one file): {view}", "",
             f"Next: kg query --list   |   kg query why_fell --graph {output} --param target=micron",
             f"      kg stats --graph {output}   |   kg export --graph {output} --format graphml -o graph.graphml"]
    return "\n".join(lines)
