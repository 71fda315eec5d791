"""Backtest of the contagion model (`kg.analysis.propagate`) against observed market moves.

`load_moves(path)` reads a market-move CSV in the moves loader's format (`date`, `ticker`
and/or `entity`, and `change_pct` or daily `close`; optional `type`, `session`,
`source`) and resolves every row to an entity id: the `entity` cell when it is a
registry (or graph) id, else the `ticker` (registry `ticker` property, `^` and case
ignored, narrowed by the row's `type`), else a name or alias. Rows that resolve to
nothing keep `entity = None` and are reported, never guessed.

`backtest(graph, moves, source, k)` compares the model's ranking with the day's falls:

- observed impact = -change_pct (a fall is a positive impact, a rise a negative one);
- the comparison runs over the *companies* that have a move and are in the graph, the
  source excluded (its shock is the input, not a prediction). A company the shock does
  not reach is predicted impact 0, and it stays in: "no effect" is a prediction too;
- Spearman's rank correlation: Pearson correlation of the two rank vectors, ties given
  their average rank (pandas `rank(method="average")`), computed here without scipy;
  None when fewer than two companies or a constant side;
- top-k hit rate: the share of the k largest observed falls (ties broken by entity id)
  that are among the model's k highest impacts (only companies it reaches, impact > 0);
  with fewer than k companies, k is the number of companies;
- misses: the companies with the largest |predicted rank - observed rank| (rank 1 = the
  largest impact or fall); a positive rank_diff means the model placed the company lower
  than the market did (an under-prediction).

`packaged_moves()` is the path of `reference/moves-2025-01-27.csv`, the close-to-close
moves of 27 January 2025 shipped with the registry (each row names its source).
"""
from __future__ import annotations

import math
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from kg.graph import Graph
from kg.records import to_number

MOVES_FILE = "moves-2025-01-27.csv"
CHANGE_COLUMNS = ("change_pct", "pct_change", "change")
MOVE_COLUMNS = ["date", "ticker", "entity", "type", "change_pct", "session", "source", "resolved_by"]
TABLE_COLUMNS = ["entity", "name", "impact", "pred_rank", "change_pct", "observed", "obs_rank",
                 "rank_diff"]
TYPE_ALIASES = {"company": "Company", "index": "MarketIndex", "marketindex": "MarketIndex"}


def packaged_moves() -> Path:
    return Path(str(resources.files("kg.loaders").joinpath("reference", MOVES_FILE)))


def _norm_ticker(text: str) -> str:
    return text.strip().upper().lstrip("^")


@cache
def _registry_index() -> tuple[dict, dict, dict]:
    from kg.loaders.reference import load_reference
    return _index(load_reference().entities)


def _index(entities) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    ids, tickers, names = {}, {}, {}
    for ent in entities:
        ids[ent.id] = ent.type
        ticker = ent.properties.get("ticker")
        if isinstance(ticker, str) and ticker:
            tickers.setdefault(_norm_ticker(ticker), []).append((ent.id, ent.type))
        for name in ent.names():
            names.setdefault(name.casefold(), []).append((ent.id, ent.type))
    return ids, tickers, names


def _pick(candidates: list[tuple[str, str]], etype: str | None) -> str | None:
    found = sorted({c for c in candidates if etype is None or c[1] == etype})
    return found[0][0] if len(found) == 1 else None


def _resolve(row: dict, indexes: list[tuple[dict, dict, dict]]) -> tuple[str | None, str | None]:
    etype = TYPE_ALIASES.get((row.get("type") or "").strip().lower())
    entity, ticker = (row.get("entity") or "").strip(), (row.get("ticker") or "").strip()
    for ids, _, _ in indexes:
        if entity and entity in ids:
            return entity, "id"
    for _, tickers, _ in indexes:
        if ticker and (hit := _pick(tickers.get(_norm_ticker(ticker), []), etype)):
            return hit, "ticker"
    for _, _, names in indexes:
        for text in (entity, row.get("name") or ""):
            if text.strip() and (hit := _pick(names.get(text.strip().casefold(), []), etype)):
                return hit, "name"
    return None, None


def load_moves(path: str | Path, graph: Graph | None = None) -> pd.DataFrame:
    """A moves CSV as a frame (columns MOVE_COLUMNS), rows resolved to entity ids.

    Resolution uses the reference registry, and also `graph`'s entities when given.
    FileNotFoundError when the file is missing, ValueError when it is not a moves table.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such moves file")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    raw.columns = [c.strip() for c in raw.columns]
    cols = set(raw.columns)
    change = next((c for c in CHANGE_COLUMNS if c in cols), None)
    if "date" not in cols or not cols & {"ticker", "entity"} or (change is None and "close" not in cols):
        raise ValueError(f"{path}: not a moves table: needs date, ticker or entity, and change_pct or close")
    rows = raw.to_dict("records")
    pairs: list[tuple[dict, float]] = []
    if change is not None:
        for number, row in enumerate(rows, start=2):
            pct = to_number(str(row.get(change, "")).strip().rstrip("%"))
            if not isinstance(pct, (int, float)) or not math.isfinite(pct):
                raise ValueError(f"{path}:{number}: {change} {row.get(change)!r} is not a number")
            pairs.append((row, float(pct)))
    else:   # daily closes: close-to-close changes per series, as the moves loader computes them
        series: dict[str, list[dict]] = {}
        for row in rows:
            series.setdefault(row.get("ticker") or row.get("entity") or "", []).append(row)
        for _, items in sorted(series.items()):
            items.sort(key=lambda r: r["date"])
            for prev, row in zip(items, items[1:]):
                a, b = to_number(prev["close"]), to_number(row["close"])
                if not all(isinstance(x, (int, float)) and math.isfinite(x) and x > 0 for x in (a, b)):
                    raise ValueError(f"{path}: close {row['close']!r} after {prev['close']!r} is not a positive number")
                pairs.append((row, (b / a - 1.0) * 100.0))
    indexes = [_registry_index()]
    if graph is not None:
        indexes.append(_index(graph.entities()))
    out = []
    for row, pct in pairs:
        entity, how = _resolve(row, indexes)
        out.append({"date": row.get("date", ""), "ticker": row.get("ticker") or None, "entity": entity,
                    "type": row.get("type") or None, "change_pct": pct,
                    "session": row.get("session") or "close", "source": row.get("source") or None,
                    "resolved_by": how})
    return pd.DataFrame(out, columns=MOVE_COLUMNS)


def spearman(a, b) -> float | None:
    """Spearman's rho of two equal-length sequences; ties get average ranks. None if undefined."""
    x = pd.Series(list(a), dtype="float64").rank(method="average")
    y = pd.Series(list(b), dtype="float64").rank(method="average")
    if len(x) != len(y):
        raise ValueError("spearman: sequences of different lengths")
    if len(x) < 2 or x.nunique() < 2 or y.nunique() < 2:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    return float((dx * dy).sum() / math.sqrt((dx * dx).sum() * (dy * dy).sum()))


def backtest(graph: Graph, moves: pd.DataFrame, source: str, k: int = 10, max_hops: int = 4,
             weights=None, n_misses: int = 10) -> dict:
    """Compare `propagate(graph, source)` with observed moves (see the module docstring).

    `moves` needs columns `entity` (id) and `change_pct` (signed percent); a `date` column,
    when present, keeps each entity's latest row. Returns a dict: spearman, hit_rate, hits,
    observed_top, predicted_top, counts (n_moves, n_companies, n_reached, n_skipped),
    skipped (rows left out and why) and the frames `table` and `misses`.
    """
    from kg.analysis import propagate
    if k < 1:
        raise ValueError("k must be 1 or more")
    pred = propagate(graph, source, weights=weights, max_hops=max_hops)
    impact = dict(zip(pred["entity"], pred["impact"]))
    moves = moves.copy()
    if "date" in moves.columns:
        moves = moves.sort_values("date", kind="mergesort")
    skipped, observed = [], {}
    for row in moves.to_dict("records"):
        ent = row.get("entity")
        label = ent if isinstance(ent, str) and ent else row.get("ticker")
        if not isinstance(ent, str) or not ent:
            skipped.append({"entity": label, "reason": "not resolved to an entity"})
        elif ent not in graph:
            skipped.append({"entity": label, "reason": "not in the graph"})
        elif graph.entity(ent).type != "Company":
            skipped.append({"entity": label, "reason": f"a {graph.entity(ent).type}, not a company"})
        elif ent == source:
            skipped.append({"entity": label, "reason": "the source of the shock"})
        else:
            observed[ent] = float(row["change_pct"])     # later dates replace earlier ones
    rows = [{"entity": e, "name": graph.entity(e).name, "impact": float(impact.get(e, 0.0)),
             "change_pct": pct, "observed": -pct} for e, pct in sorted(observed.items())]
    table = pd.DataFrame(rows, columns=["entity", "name", "impact", "change_pct", "observed"])
    table["pred_rank"] = table["impact"].rank(method="average", ascending=False)
    table["obs_rank"] = table["observed"].rank(method="average", ascending=False)
    table["rank_diff"] = table["pred_rank"] - table["obs_rank"]
    table = table[TABLE_COLUMNS].sort_values(["obs_rank", "entity"], kind="mergesort").reset_index(drop=True)
    n = len(table)
    k_eff = min(k, n)
    obs_top = table.sort_values(["observed", "entity"], ascending=[False, True], kind="mergesort")
    obs_top = list(obs_top["entity"][:k_eff])
    reached = table[table["impact"] > 0]
    pred_top = reached.sort_values(["impact", "entity"], ascending=[False, True], kind="mergesort")
    pred_top = list(pred_top["entity"][:k_eff])
    hits = sorted(set(obs_top) & set(pred_top))
    misses = table.assign(abs_diff=table["rank_diff"].abs())
    misses = misses.sort_values(["abs_diff", "entity"], ascending=[False, True], kind="mergesort")
    misses = misses.drop(columns="abs_diff").head(n_misses).reset_index(drop=True)
    return {
        "source": source, "k": k, "k_used": k_eff, "max_hops": max_hops,
        "spearman": spearman(table["impact"], table["observed"]) if n else None,
        "hit_rate": len(hits) / k_eff if k_eff else None,
        "hits": hits, "observed_top": obs_top, "predicted_top": pred_top,
        "n_moves": int(len(moves)), "n_companies": n, "n_reached": int(len(reached)),
        "n_skipped": len(skipped), "skipped": skipped,
        "table": table, "misses": misses,
    }


def backtest_json(result: dict) -> dict:
    """`backtest`'s result with its frames as lists of records (for JSON)."""
    out = {key: value for key, value in result.items() if not isinstance(value, pd.DataFrame)}
    for key in ("table", "misses"):
        out[key] = [{c: (None if isinstance(v, float) and math.isnan(v) else v) for c, v in r.items()}
                    for r in result[key].to_dict("records")]
    return out
