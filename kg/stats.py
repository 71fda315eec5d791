"""What a built graph holds, for `kg stats` and the demo."""
from __future__ import annotations

from kg.diagnostics import summary
from kg.graph import Graph


def graph_stats(graph: Graph, top: int = 10) -> dict:
    degree = graph.degree()
    ranked = sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    unresolved = sorted({d.message for d in graph.diagnostics
                         if d.code in ("unresolved-name", "ambiguous-name")})
    conflicts = [f.id for f in graph.facts() if f.annotations.get("conflicts_with")]
    return {
        "counts": graph.counts(),
        "top_degree": [{"id": n, "name": graph.entity(n).name, "type": graph.entity(n).type,
                        "degree": d} for n, d in ranked],
        "unresolved": unresolved,
        "conflicting_facts": conflicts,
        "problems": summary(graph.diagnostics),
    }


def render_stats(data: dict) -> str:
    c = data["counts"]
    lines = [f"{c['entities']} entities, {c['facts']} facts ({c['edges']} edges, {c['values']} values), "
             f"{c['evidence']} evidence records", "", "entities by type:"]
    lines += [f"  {t:<14} {n:>6}" for t, n in c["entities_by_type"].items()]
    lines += ["", "facts by predicate:"]
    lines += [f"  {p:<18} {n:>6}" for p, n in c["facts_by_predicate"].items()]
    lines += ["", "top-degree nodes:"]
    lines += [f"  {r['degree']:>5}  {r['name']} ({r['type']}, {r['id']})" for r in data["top_degree"]]
    lines += ["", f"unresolved or ambiguous names: {len(data['unresolved'])}"]
    lines += [f"  {m}" for m in data["unresolved"][:20]]
    lines += [f"conflicting facts: {len(data['conflicting_facts'])}"]
    p = data["problems"]
    lines += [f"build problems: {p['errors']} error(s), {p['warnings']} warning(s)"]
    return "\n".join(lines)
