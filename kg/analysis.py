"""Contagion analysis: how far a shock to one entity travels, and where supply chains pinch.

The model (`propagate`)
-----------------------
A DebtRank-style propagation (Battiston et al., 2012) over the contagion channels of the
graph (`kg.channels.channels`: every edge turned in the direction a shock travels, from
the schema's `channels:` section). A unit shock (impact 1) hits `source`. Then, hop by hop:

    impact(j) = min(1, sum over i in the previous wave, i -> j a channel, of
                       impact(i) * weight[via] * exposure(fact) * decay)

- `weight[via]` is the share of a shock that one step along an edge of that type passes on
  (the defaults below). A predicate without a weight (or weight 0) carries nothing.
- `exposure` applies to `supplies` steps (customer -> supplier): the share of the supplier's
  revenue that comes from that customer, so a customer's demand shock reaches a supplier
  in proportion to what the customer is worth to it (DebtRank's relative exposure). It is
  the fact's `weight` property when the fact has one (a number in (0, 1]); for the other
  customers of the same supplier it is what the disclosed shares leave, split equally:
  (1 - sum of the supplier's disclosed shares) / number of its undisclosed customers. The
  shares of one supplier therefore add up to at most 1, as revenue shares must; without
  this a supplier with ten customers in the graph would count as exposed ten times over
  and fan-in would swamp every other effect. The split is over the customers the graph
  knows, which for most suppliers are only some of the real ones, so undisclosed shares
  are overstated rather than understated. Other edge types use their `weight` property
  when present, else 1.
- `decay` (default 0.8) discounts every hop for what a chain of reasoning loses (attention,
  substitution, timing), the same for every link type.
- Two entities linked by several facts (a supplier that is also a partner; the same link
  from two sources) transmit along their strongest link only: a relationship is not
  counted twice because it is recorded twice.
- Once-only rule (no double counting around cycles): every entity passes its shock on
  exactly once, in the wave after it is first reached, and receives shock only until then.
  Impact flows from the entities first reached at hop k to those first reached at hop k+1
  and never back, so a cycle A -> B -> A cannot echo A's own shock back to it and an
  impact never grows by going round a loop. This is DebtRank's "each node transmits once"
  rule made strict (original DebtRank lets a node that already transmitted still collect
  the echo); it also makes `hops` the length of the shortest channel path.
- Impact is capped at 1 (an entity cannot lose more than everything), propagation stops
  after `max_hops` waves, and every loop runs in sorted order, so the result is
  deterministic.

Default weights, and why
------------------------
They were chosen a priori from the kind of link, before and independently of any
comparison with market moves; they are NOT fitted to 27 January 2025 (`kg backtest`
measures them against that day, it does not tune them):

| channel | weight | reasoning |
| --- | --- | --- |
| makes (product -> maker) | 0.7 | a product's revenue is its maker's revenue: the most direct link |
| supplies (customer -> supplier) | 0.6 | a customer's cut in demand is a cut in the supplier's orders; the exposure then says how much of the supplier's business those orders are |
| uses (user -> thing used) | 0.5 | demand for a product or model moves with its users' fortunes |
| developed (developer <-> model) | 0.5 | a model's success or failure is its developer's, and the reverse |
| subsidiary_of, part_of, targets | 0.5 | ownership, membership of a larger whole, a policy's target: strong but partial |
| competes_with | 0.4 | a rival's breakthrough takes share or forces prices down, but competitive effects are partial and can cut both ways |
| partner_of, invests_in | 0.3 | financial and strategic ties move less money than operating flows |
| member_of (company -> index) | 0.2 | an index moves by a member's weight in it, a fraction of the member's move |

`triggered_by`, `fell_by` and `rose_by` are channels of the query pack (a market event
reaches the companies that moved) but not of this model: they are observations of what
happened, and the model must not be fed the answer it is tested against.

Chokepoints (`chokepoints`)
---------------------------
On the supplies subgraph (supplier -> customer), for every company: its customers and
suppliers, its downstream (everything its products reach, directly or through other
customers), the normalized betweenness centrality (networkx: the share of
supplier-to-customer shortest chains that run through it) and the share of its
downstream that is *captive*, reachable from the graph's upstream sources only through
it. The score is `betweenness * (1 + captive_share)`: betweenness ranks the hubs, and a
hub whose downstream has no other way in counts up to double. A pure end customer or a
pure raw-material source has betweenness 0 and scores 0.

The backtest (`backtest`, `load_moves`) lives in `kg.analysis_backtest`.

Command line
------------
    kg contagion --graph DIR --source ID [--max-hops 4] [--top 20] [--json]
        the ranking of `propagate` (the source first, impact 1, hops 0)
    kg backtest --graph DIR [--moves FILE] [--source deepseek] [--k 10] [--max-hops 4] [--json]
        Spearman, top-k hit rate and biggest misses against a moves CSV; by default the
        packaged close-to-close moves of 27 January 2025 (loaders/reference/moves-2025-01-27.csv)

Both exit 1 with a message when the graph directory, the moves file or the source is missing.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping

import networkx as nx
import pandas as pd

from kg.channels import channels
from kg.graph import Graph

#: Share of a shock one step along each edge type passes on (see the module docstring).
DEFAULT_WEIGHTS: dict[str, float] = {
    "makes": 0.7,
    "supplies": 0.6,
    "uses": 0.5,
    "developed": 0.5,
    "subsidiary_of": 0.5,
    "part_of": 0.5,
    "targets": 0.5,
    "competes_with": 0.4,
    "partner_of": 0.3,
    "invests_in": 0.3,
    "member_of": 0.2,
}
#: Channels that are observations, never channels of the model.
OBSERVATIONS = ("triggered_by", "fell_by", "rose_by")
DECAY = 0.8
PROPAGATE_COLUMNS = ["entity", "name", "type", "impact", "hops"]
CHOKEPOINT_COLUMNS = ["entity", "name", "n_customers", "n_suppliers", "n_downstream",
                      "captive_share", "betweenness", "score"]


def model_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """The defaults with `weights` laid over them (0 switches a channel off)."""
    merged = dict(DEFAULT_WEIGHTS)
    for via, w in (weights or {}).items():
        w = float(w)
        if not 0.0 <= w <= 1.0:
            raise ValueError(f"weight of {via!r} must be between 0 and 1, not {w}")
        merged[via] = w
    for via in OBSERVATIONS:
        merged[via] = 0.0
    return merged


def _share(fact) -> float | None:
    w = fact.properties.get("weight")
    if isinstance(w, (int, float)) and not isinstance(w, bool) and 0.0 < w <= 1.0:
        return float(w)
    return None


def exposures(graph: Graph) -> dict[str, float]:
    """fact id -> exposure of the shock's receiver along that fact (see the module docstring)."""
    facts = list(graph.edges())
    disclosed: dict[str, dict[str, float]] = defaultdict(dict)    # supplier -> customer -> share
    customers: dict[str, set[str]] = defaultdict(set)
    for f in facts:
        if f.p == "supplies" and f.o is not None:
            customers[f.s].add(f.o)
            if (w := _share(f)) is not None:
                disclosed[f.s][f.o] = max(w, disclosed[f.s].get(f.o, 0.0))
    out: dict[str, float] = {}
    for f in facts:
        w = _share(f)
        if f.p == "supplies" and f.o is not None:
            known = disclosed[f.s]
            if f.o in known:
                w = known[f.o]
            else:
                residual = max(0.0, 1.0 - sum(known.values()))
                w = residual / max(1, len(customers[f.s] - set(known)))
        out[f.id] = 1.0 if w is None else w
    return out


def transmission(graph: Graph, weights: Mapping[str, float] | None = None,
                 decay: float = DECAY) -> dict[str, list[tuple[str, float, str]]]:
    """src -> sorted [(dst, share passed on, via)]: the strongest channel per ordered pair."""
    w = model_weights(weights)
    exposure = exposures(graph)
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for ch in channels(graph):
        share = min(1.0, w.get(ch.via, 0.0) * exposure.get(ch.fact_id, 1.0) * decay)
        if share <= 0.0:
            continue
        key = (ch.src, ch.dst)
        if key not in best or share > best[key][0]:
            best[key] = (share, ch.via)
    out: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for (src, dst), (share, via) in sorted(best.items()):
        out[src].append((dst, share, via))
    return dict(out)


def propagate(graph: Graph, source: str, weights: Mapping[str, float] | None = None,
              max_hops: int = 4, decay: float = DECAY) -> pd.DataFrame:
    """Impact in [0, 1] of a unit shock at `source` on every entity it reaches.

    Columns entity, name, type, impact, hops (the source itself: impact 1, hops 0),
    sorted by impact descending then entity id. Entities not reached are left out.
    """
    if source not in graph:
        raise KeyError(f"unknown entity {source!r}: not in the graph")
    if max_hops < 0:
        raise ValueError("max_hops must be 0 or more")
    if not 0.0 < decay <= 1.0:
        raise ValueError("decay must be in (0, 1]")
    adj = transmission(graph, weights, decay)
    impact: dict[str, float] = {source: 1.0}
    hops: dict[str, int] = {source: 0}
    wave = [source]
    for hop in range(1, max_hops + 1):
        received: dict[str, float] = defaultdict(float)
        for src in sorted(wave):
            for dst, share, _ in adj.get(src, ()):
                if dst not in hops:             # only entities not yet reached: no echo
                    received[dst] += impact[src] * share
        wave = []
        for dst in sorted(received):
            if received[dst] > 0.0:
                impact[dst] = min(1.0, received[dst])
                hops[dst] = hop
                wave.append(dst)
        if not wave:
            break
    rows = []
    for ent_id, value in impact.items():
        ent = graph.entity(ent_id)
        rows.append({"entity": ent_id, "name": ent.name, "type": ent.type,
                     "impact": float(value), "hops": hops[ent_id]})
    frame = pd.DataFrame(rows, columns=PROPAGATE_COLUMNS)
    frame = frame.sort_values(["impact", "entity"], ascending=[False, True], kind="mergesort")
    return frame.reset_index(drop=True).astype({"hops": "int64", "impact": "float64"})


def supply_graph(graph: Graph) -> nx.DiGraph:
    """supplier -> customer, one edge per pair, from every `supplies` fact."""
    g = nx.DiGraph()
    for fact in graph.edges():
        if fact.p == "supplies" and fact.o is not None and fact.s != fact.o:
            g.add_edge(fact.s, fact.o)
    return g


def _upstream_roots(g: nx.DiGraph) -> set[str]:
    """The nodes of the source components: where supply chains start (cycles included)."""
    cond = nx.condensation(g)
    return {n for c in cond.nodes if cond.in_degree(c) == 0 for n in cond.nodes[c]["members"]}


def _captive_share(g: nx.DiGraph, node: str, roots: set[str]) -> tuple[int, float]:
    downstream = nx.descendants(g, node)
    if not downstream:
        return 0, 0.0
    rest = g.subgraph(n for n in g if n != node)
    starts = sorted(roots - {node})
    reachable = set(starts)
    for start in starts:
        reachable |= nx.descendants(rest, start)
    captive = downstream - reachable
    return len(downstream), len(captive) / len(downstream)


def chokepoints(graph: Graph) -> pd.DataFrame:
    """Companies of the supplies subgraph ranked by chokepoint score (see module docstring)."""
    g = supply_graph(graph)
    if g.number_of_nodes() == 0:
        return pd.DataFrame(columns=CHOKEPOINT_COLUMNS)
    between = nx.betweenness_centrality(g, normalized=True)
    roots = _upstream_roots(g)
    rows = []
    for node in sorted(g.nodes):
        ent = graph.entity(node)
        if ent.type != "Company":
            continue
        n_down, captive = _captive_share(g, node, roots)
        b = float(between.get(node, 0.0))
        rows.append({"entity": node, "name": ent.name, "n_customers": g.out_degree(node),
                     "n_suppliers": g.in_degree(node), "n_downstream": n_down,
                     "captive_share": captive, "betweenness": b, "score": b * (1.0 + captive)})
    frame = pd.DataFrame(rows, columns=CHOKEPOINT_COLUMNS)
    frame = frame.sort_values(["score", "betweenness", "n_customers", "entity"],
                              ascending=[False, False, False, True], kind="mergesort")
    return frame.reset_index(drop=True)


# The backtest is in its own module; re-exported here so `kg.analysis` is the one entry point.
from kg.analysis_backtest import backtest, load_moves, packaged_moves, spearman  # noqa: E402

__all__ = ["DEFAULT_WEIGHTS", "DECAY", "propagate", "chokepoints", "transmission", "exposures",
           "model_weights", "supply_graph", "backtest", "load_moves", "packaged_moves", "spearman"]
