"""Market-move CSVs become fell_by / rose_by facts against the trading day's Event."""
from __future__ import annotations

import math

import kg
from kg.loading import load_file, loader_for


def _csv(tmp_path, body, name="moves.csv"):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_daily_closes_give_close_to_close_changes(tmp_path):
    p = _csv(tmp_path, "date,ticker,close\n2025-01-24,ACME,100\n2025-01-27,ACME,83.03\n"
                       "2025-01-24,BOLT,50\n2025-01-27,BOLT,51\n")
    assert loader_for(p).name == "moves"
    result = load_file(p)
    assert not result.diagnostics
    moves = {f.s: f for f in result.facts}
    assert moves["acme"].p == "fell_by" and math.isclose(moves["acme"].value, 16.97)
    assert moves["bolt"].p == "rose_by" and math.isclose(moves["bolt"].value, 2.0)
    assert {f.o for f in result.facts} == {"market_session_2025_01_27"}
    assert all(f.properties["session"] == "close" and f.date == "2025-01-27" for f in result.facts)
    assert moves["acme"].evidence[0].source == str(p) and moves["acme"].evidence[0].line == 3


def test_percent_changes_and_tickers_resolve_to_the_registry(tmp_path):
    p = _csv(tmp_path, "date,ticker,change_pct,source\n2025-01-27,NVDA,-16.97,exchange data\n"
                       "2025-01-27,MU,-11.71%,exchange data\n")
    graph = kg.build([p])
    moves = {f.s: f for f in graph.facts() if f.p == "fell_by"}
    assert set(moves) == {"nvidia", "micron"}
    assert graph.entity("market_session_2025_01_27").properties["date"] == "2025-01-27"
    assert moves["nvidia"].evidence[0].source == "exchange data"


def test_unknown_ticker_is_kept_and_reported(tmp_path):
    p = _csv(tmp_path, "date,ticker,change_pct\n2025-01-27,ZZZQ,-3\n")
    graph = kg.build([p])
    assert [f.s for f in graph.facts() if f.p == "fell_by"] == ["zzzq"]
    assert any(d.code == "unresolved-name" and "ZZZQ" in d.message for d in graph.diagnostics)


def test_bad_rows_are_reported_with_their_line(tmp_path):
    p = _csv(tmp_path, "date,ticker,change_pct\n2025-01-27,ACME,-3\n2025-13-40,BOLT,2\n2025-01-27,CARL,abc\n")
    result = load_file(p)
    assert [(d.code, d.loc.line) for d in result.diagnostics] == [("bad-value", 3), ("bad-value", 4)]
    assert [f.s for f in result.facts] == ["acme"]


def test_a_fact_table_csv_is_not_taken_for_moves(tmp_path):
    p = _csv(tmp_path, "s,p,o,date,ticker,close\nacme,competes_with,bolt,2025-01-27,,\n")
    assert loader_for(p).name == "factsheet"
