"""The `kg` command: a thin layer over the library (each command calls one function).

Exit codes: 0 success; 1 the input has errors (validation, parse, missing
file); 2 usage error; 3 the output cannot or must not be written; 130
interrupted. Data goes to stdout, messages and progress bars to stderr; bars
only when stderr is a terminal.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import yaml

from kg.atomic import OutputError

EXIT_DATA, EXIT_OUTPUT, EXIT_INTERRUPTED = 1, 3, 130


def progress(items):
    from tqdm import tqdm
    return tqdm(items, desc="loading", unit="file", file=sys.stderr,
                disable=not sys.stderr.isatty(), leave=False)


def _fail(message: str, code: int) -> None:
    click.echo(f"kg: {message}", err=True)
    sys.exit(code)


def _print_diags(diags, fmt: str, stream_err: bool = True) -> None:
    from kg.diagnostics import render_json, render_text
    text = render_json(diags) if fmt == "json" else render_text(diags)
    click.echo(text, err=stream_err and fmt != "json")


def _open_graph(path: Path):
    from kg.store import load_graph
    try:
        return load_graph(path)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc), EXIT_DATA)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ripplekg")
def main() -> None:
    """ripplekg: build knowledge graphs of market news and trace how shocks spread.

    Exit codes: 0 ok, 1 input errors, 2 usage, 3 output refused, 130 interrupted.
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Graph directory to write.")
@click.option("--no-reference", is_flag=True, help="Do not load the packaged reference registry.")
@click.option("--keep-going", is_flag=True, help="Write the graph without the bad records (still exit 1).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (counts, problems).")
def build(inputs, output, no_reference, keep_going, as_json) -> None:
    """Build a graph from fact sheets, market moves and directories of them."""
    from kg.diagnostics import has_errors, summary
    from kg.pipeline import build as run_build
    from kg.store import write_graph
    graph = run_build(inputs, reference=not no_reference, errors="keep", progress=progress)
    bad = has_errors(graph.diagnostics)
    if not as_json:
        _print_diags(graph.diagnostics, "text")
    written = None
    if not bad or keep_going:
        try:
            written = write_graph(graph, output, graph.inputs)
        except OutputError as exc:
            _fail(str(exc), EXIT_OUTPUT)
    if as_json:
        click.echo(json.dumps({"output": str(output) if written else None, "counts": graph.counts(),
                               "problems": summary(graph.diagnostics)}, indent=2, sort_keys=True))
    elif written:
        c = graph.counts()
        click.echo(f"wrote {output}: {c['entities']} entities, {c['facts']} facts", err=True)
    else:
        click.echo("kg: nothing written: fix the errors above or use --keep-going", err=True)
    sys.exit(EXIT_DATA if bad else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-reference", is_flag=True, help="Validate without the reference registry.")
def validate(files, fmt, no_reference) -> None:
    """Check fact sheets against the schema; list every problem with file, line and code."""
    from kg.diagnostics import has_errors
    from kg.pipeline import build as run_build
    graph = run_build(files, reference=not no_reference, errors="keep")
    diags = [d for d in graph.diagnostics if not (d.loc and d.loc.path.startswith("reference/"))]
    _print_diags(diags, fmt, stream_err=False)
    sys.exit(EXIT_DATA if has_errors(diags) else 0)


@main.command()
@click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--top", default=10, show_default=True, help="How many top-degree nodes to list.")
def stats(graph_dir, as_json, top) -> None:
    """Counts by type, top-degree nodes, unresolved names and conflicts of a built graph."""
    from kg.stats import graph_stats, render_stats
    data = graph_stats(_open_graph(graph_dir), top)
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) if as_json else render_stats(data))


@main.command()
@click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", required=True, help="Export format (see `kg plugins`).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing output.")
def export(graph_dir, fmt, output, force) -> None:
    """Write a built graph in another format (json, csv, graphml, ...)."""
    from kg import registry
    from kg.exporters import export as run_export
    if fmt not in registry.names("exporter"):
        raise click.BadParameter(f"{fmt!r}; choose from {', '.join(registry.names('exporter'))}",
                                 param_hint="--format")
    try:
        run_export(_open_graph(graph_dir), fmt, output, force=force)
    except OutputError as exc:
        _fail(str(exc), EXIT_OUTPUT)
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--published", help="Publication date YYYY-MM-DD (overrides the file's metadata).")
@click.option("--lang", type=click.Choice(["fr", "en", "auto"]), default="auto", show_default=True)
@click.option("--url", help="The article's URL, recorded as its source.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the sheet here instead of stdout.")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def extract(articles, published, lang, url, fmt, output, force) -> None:
    """Extract facts with evidence from news articles (.txt, .md, .html) as a reviewable fact sheet."""
    from kg.atomic import check_target, write_text
    from kg.diagnostics import render_text
    from kg.loaders.article import extract_sheet
    from kg.schema.values import check_date
    if published and check_date(published):
        raise click.BadParameter(check_date(published), param_hint="--published")
    sheet, diags = extract_sheet(list(articles), published, lang, url)
    text = (json.dumps(sheet, indent=1, ensure_ascii=False) + "\n" if fmt == "json" else
            yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False, width=110))
    if diags:
        click.echo(render_text(diags), err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        check_target(output, force=force)
        write_text(output, text)
    except OutputError as exc:
        _fail(str(exc), EXIT_OUTPUT)


@main.command("eval")
@click.argument("pred", type=click.Path(exists=True, path_type=Path))
@click.argument("gold", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def eval_(pred, gold, as_json) -> None:
    """Score an extraction (a fact sheet, or a folder of them) against gold annotations."""
    from kg.evaluate import evaluate_many, pair_files, render_text, to_json
    try:
        pairs = pair_files(pred, gold)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc), EXIT_DATA)
    report = evaluate_many(pairs)
    click.echo(json.dumps(to_json(report), indent=2, ensure_ascii=False, sort_keys=True) if as_json
               else render_text(report))
    if report.problems:
        sys.exit(EXIT_DATA)


def _emit_rows(rows: list[dict], columns: list[str], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif fmt == "csv":
        import csv
        import io
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        from kg.tables import render_table
        click.echo(render_table(rows, columns))


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--param")
        out[key.strip()] = value
    return out


@main.command()
@click.argument("name", required=False)
@click.option("--graph", "graph_dir", type=click.Path(path_type=Path), help="Graph directory (kg build -o).")
@click.option("--engine", type=click.Choice(["cypher", "sparql"]), default="cypher", show_default=True)
@click.option("--param", "params", multiple=True, help="KEY=VALUE, repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the questions of the pack.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
def query(name, graph_dir, engine, params, fmt, list_, as_json) -> None:
    """Ask a question of the query pack (the same answer in Cypher and SPARQL)."""
    from kg.queries import get, pack
    if list_ or not name:
        items = [q.summary() for q in pack().values()]
        click.echo(json.dumps(items, indent=2) if as_json else
                   "\n".join(f"{q['name']:<16} {q['title']}" for q in items))
        return
    if graph_dir is None:
        raise click.BadParameter("is required to ask a question", param_hint="--graph")
    from kg.ask import run
    try:
        spec = get(name)
        rows = run(name, _graph_path(graph_dir), engine, _params(params))
    except (KeyError, ValueError) as exc:
        _fail(str(exc).strip("'\""), EXIT_DATA)
    _emit_rows(rows, spec.columns, fmt)


def _graph_path(graph_dir: Path) -> Path:
    from kg.store import read_manifest
    try:
        read_manifest(graph_dir)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc), EXIT_DATA)
    return graph_dir


def _adhoc(engine: str, text: str, graph_dir: Path, params: tuple[str, ...], fmt: str) -> None:
    from kg import registry
    eng = registry.get("engine", engine)
    handle = eng.open(_graph_path(graph_dir))
    try:
        rows = eng.query(handle, text, _params(params))
    except Exception as exc:  # engine errors and refusals, reported as data errors
        _fail(f"{type(exc).__name__}: {exc}", EXIT_DATA)
    finally:
        handle.close()
    columns = list(rows[0]) if rows else []
    _emit_rows(rows, columns, fmt)


@main.command()
@click.argument("text")
@click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path))
@click.option("--param", "params", multiple=True, help="KEY=VALUE, repeatable (bound, never pasted).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def cypher(text, graph_dir, params, fmt) -> None:
    """Run a read-only Cypher query on the embedded engine (writes are refused)."""
    _adhoc("cypher", text, graph_dir, params, fmt)


@main.command()
@click.argument("text")
@click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path))
@click.option("--param", "params", multiple=True, help="KEY=VALUE, repeatable (bound, never pasted).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def sparql(text, graph_dir, params, fmt) -> None:
    """Run a read-only SPARQL query (SERVICE, LOAD and updates are refused)."""
    _adhoc("sparql", text, graph_dir, params, fmt)


@main.command()
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
        _fail(str(exc).strip("'\""), EXIT_DATA)
    rows = frame.head(top).to_dict("records")
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from kg.tables import render_table
    shown = [{**r, "impact": f"{r['impact']:.4f}"} for r in rows]
    click.echo(f"shock of 1 at {source}: {len(frame) - 1} entities reached within {max_hops} hops", err=True)
    click.echo(render_table(shown, PROPAGATE_COLUMNS))


@main.command()
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
        _fail(str(exc).strip("'\""), EXIT_DATA)
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


@main.command()
@click.option("--json", "as_json", is_flag=True)
def plugins(as_json) -> None:
    """List the registered loaders and exporters."""
    from kg import registry
    data = {kind: registry.names(kind) for kind in ("loader", "exporter", "engine")}
    click.echo(json.dumps(data, indent=2) if as_json else
               "\n".join(f"{k}s: {', '.join(v)}" for k, v in data.items()))


@main.command()
@click.option("-o", "--output", default="kg-demo", show_default=True, type=click.Path(path_type=Path),
              help="Where to write the example graph.")
def demo(output) -> None:
    """Build the bundled example (with the reference registry) and show what it knows."""
    from kg.demo import run_demo
    try:
        click.echo(run_demo(output, progress=progress))
    except OutputError as exc:
        _fail(str(exc), EXIT_OUTPUT)


def run() -> None:
    try:
        main()
    except KeyboardInterrupt:
        click.echo("kg: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
