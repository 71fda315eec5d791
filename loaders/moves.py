"""Market moves from a CSV of daily closes or of percentage changes.

Each row becomes a fell_by / rose_by fact (session=close) from the listed
company or index to an Event for that trading day, so observed moves sit in
the graph beside the news that explains them. Tickers resolve against the
reference registry like any other name.
"""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from kg.diagnostics import Diagnostic
from kg.loading import LoadResult
from kg.model import Entity, Evidence, Fact, Location
from kg.records import clean_text, slug, to_number
from kg.registry import register
from kg.schema.values import check_date
from kg.loaders._readers import ParseError, csv_header, iter_csv, out_of_memory, read_text

CHANGE_COLUMNS = ("change_pct", "pct_change", "change")


def session_event(date: str) -> Entity:
    return Entity(f"market_session_{date.replace('-', '_')}", "Event", f"Market session of {date}",
                  [], {"date": date})


def _row_entity(row: dict) -> Entity | None:
    ticker, name = row.get("ticker"), row.get("entity") or row.get("name")
    if not ticker and not name:
        return None
    etype = "MarketIndex" if (row.get("type", "").lower() in ("index", "marketindex")) else "Company"
    props = {"ticker": ticker.upper().lstrip("^")} if ticker else {}
    return Entity(slug(name or ticker), etype, name or ticker.upper().lstrip("^"), [], props)


def _move(ent: Entity, event: Entity, pct: float, row: dict, path: str) -> Fact:
    line = row["__line__"]
    source = row.get("source") or path
    ev = Evidence(source=source, extractor="moves-csv", line=line if source == path else None,
                  url=row.get("url"))
    return Fact(ent.id, "fell_by" if pct < 0 else "rose_by", event.id, value=round(abs(pct), 4),
                unit="percent", qualifier="exact", date=event.properties["date"],
                properties={"session": row.get("session", "close")}, evidence=[ev],
                loc=Location(path, line))


def _changes(rows: list[dict], path: str, diags: list[Diagnostic]) -> list[tuple[dict, float]]:
    """(row, signed percent) for each row: given directly, or from consecutive closes."""
    col = next((c for c in CHANGE_COLUMNS if c in rows[0]), None) if rows else None
    out = []
    if col is not None or (rows and "close" not in rows[0]):
        for row in rows:
            pct = to_number(row.get(col or "", "").rstrip("%"))
            if isinstance(pct, (int, float)) and math.isfinite(pct):
                out.append((row, float(pct)))
            else:
                diags.append(Diagnostic("bad-value", f"{col or 'change_pct'} {row.get(col or '')!r} "
                                        "is not a number", Location(path, row["__line__"]), col))
        return out
    series: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        series[row.get("ticker") or row.get("entity") or row.get("name", "")].append(row)
    for _, items in sorted(series.items()):
        items.sort(key=lambda r: r["date"])
        for prev, row in zip(items, items[1:]):
            a, b = to_number(prev["close"]), to_number(row["close"])
            if not all(isinstance(x, (int, float)) and math.isfinite(x) and x > 0 for x in (a, b)):
                diags.append(Diagnostic("bad-value", f"close {row['close']!r} after {prev['close']!r} "
                                        "is not a positive number", Location(path, row["__line__"]), "close"))
                continue
            out.append((row, (b / a - 1.0) * 100.0))
    return out


def load_moves(text: str, path: str) -> LoadResult:
    result = LoadResult()
    rows = []
    problems: list[tuple[int, str]] = []
    for row in iter_csv(text, problems):
        row = {k: clean_text(v) if isinstance(v, str) else v for k, v in row.items()}
        bad = check_date(row.get("date"))
        if bad or _row_entity(row) is None:
            field = "date" if bad else "ticker"
            result.diagnostics.append(Diagnostic("bad-value" if bad else "missing-field",
                                                 bad or "row has no ticker or entity",
                                                 Location(path, row["__line__"]), field))
            continue
        rows.append(row)
    result.diagnostics.extend(Diagnostic("bad-record", msg, Location(path, line)) for line, msg in problems)
    entities: dict[str, Entity] = {}
    for row, pct in _changes(rows, path, result.diagnostics):
        ent = _row_entity(row)
        event = session_event(row["date"])
        if row.get("event"):
            event = Entity(row["event"], "Event", row["event"], [], {"date": row["date"]})
        entities.setdefault(ent.id, ent)
        entities.setdefault(event.id, event)
        result.facts.append(_move(ent, event, pct, row, path))
    result.entities = [entities[k] for k in sorted(entities)]
    return result


@register("loader", "moves")
class MovesLoader:
    """CSV with columns date, ticker (or entity), and close or change_pct."""

    name = "moves"
    priority = 20  # beats the fact-sheet loader on a CSV whose header fits

    def sniff(self, path: Path, head: str) -> bool:
        if path.suffix.lower() != ".csv":
            return False
        cols = set(csv_header(head))
        return "date" in cols and bool(cols & {"ticker", "entity"}) and bool(
            cols & {"close", *CHANGE_COLUMNS}) and not {"s", "p"} <= cols

    def load(self, path: Path) -> LoadResult:
        try:
            return load_moves(read_text(path), str(path))
        except ParseError as exc:
            return LoadResult(diagnostics=[Diagnostic("syntax-error", str(exc), Location(str(path), exc.line))])
        except MemoryError:
            return LoadResult(diagnostics=[out_of_memory(path)])
