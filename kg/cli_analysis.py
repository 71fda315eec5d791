"""`kg contagion` and `kg backtest`: the contagion model from the command line."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli_common import EXIT_DATA, fail


def _open_graph(path: Path):
    from kg.store import load_graph
    try:
        return load_graph(path)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), EXIT_DATA)


@click.command()
@click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path))
@click.option("--source", required=True, help="Entity id that takes the unit shock.")
@click.option("--max-hops", default=4, show_default=True, type=click.IntRange(0, 10))
@click.option("--top", default=20, show_default=True, type=click.IntRange(1), help="Rows to print.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def contagion(graph_dir, source, max_hops, top, as_json) -> None:
    """Rank what a shock to SOURCE reaches (DebtRank-style model, see kg.analysis)."""
    from kg.analysis import PROPAGATE_COLUMNS, propagate
    graph = _open_graph(graph_dir)
    try:
        frame = propagate(graph, source, max_hops=max_hops)
    except KeyError as exc:
        fail(str(exc).strip("'\""), EXIT_DATA)
    rows = frame.head(top).to_dict("records")
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from kg.tables import render_table
    shown = [{**r, "impact": f"{r['impact']:.4f}"} for r in rows]
    click.echo(f"shock of 1 at {source}: {len(frame) - 1} entities reached within {max_hops} hops", err=True)
    click.echo(render_table(shown, PROPAGATE_COLUMNS))


@click.command()
@click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path))
@click.option("--moves", "moves_file", type=click.Path(path_type=Path),
              help="Moves CSV (date, ticker|entity, change_pct|close). Default: the packaged "
                   "moves of 27 January 2025.")
@click.option("--source", default="deepseek", show_default=True, help="Entity id that takes the shock.")
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(1), help="Top-k for the hit rate.")
@click.option("--max-hops", default=4, show_default=True, type=click.IntRange(0, 10))
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
def backtest(graph_dir, moves_file, source, k, max_hops, as_json) -> None:
    """Compare the contagion model's ranking with a day's observed moves."""
    from kg.analysis_backtest import TABLE_COLUMNS, backtest as run_backtest, backtest_json, load_moves, packaged_moves
    graph = _open_graph(graph_dir)
    path = moves_file or packaged_moves()
    try:
        moves = load_moves(path, graph)
        result = run_backtest(graph, moves, source, k=k, max_hops=max_hops)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""), EXIT_DATA)
    if as_json:
        click.echo(json.dumps({"moves": str(path), **backtest_json(result)}, indent=2,
                              ensure_ascii=False, default=str))
        return
    from kg.tables import render_table

    def fmt(x):
        return "n/a" if x is None else f"{x:.3f}"
    lines = [f"backtest of a shock at {source} against {path}",
             f"companies compared: {result['n_companies']} (reached by the model: {result['n_reached']}); "
             f"rows left out: {result['n_skipped']}",
             f"Spearman rank correlation: {fmt(result['spearman'])}",
             f"top-{result['k_used']} hit rate: {fmt(result['hit_rate'])} "
             f"({len(result['hits'])} of {result['k_used']}: {', '.join(result['hits']) or 'none'})",
             "biggest misses (rank 1 = largest impact / largest fall; rank_diff > 0: model ranked it lower):"]
    misses = [{**r, "impact": f"{r['impact']:.4f}"} for r in result["misses"].to_dict("records")]
    click.echo("\n".join(lines))
    click.echo(render_table(misses, TABLE_COLUMNS))
    left = [f"{s['entity']} ({s['reason']})" for s in result["skipped"]]
    if left:
        click.echo("left out: " + "; ".join(left), err=True)
