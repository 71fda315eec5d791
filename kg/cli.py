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

from kg.atomic import OutputError
from kg.cli_common import EXIT_DATA, EXIT_INTERRUPTED, EXIT_OUTPUT
from kg.cli_common import fail as _fail

def progress(items):
    from tqdm import tqdm
    return tqdm(items, desc="loading", unit="file", file=sys.stderr,
                disable=not sys.stderr.isatty(), leave=False)


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
@click.option("--allow-network", is_flag=True,
              help="Switch off the network guard. By default a command reaches only the server its "
                   "URL names (kg push URL, kg query --endpoint URL); any other connection or name "
                   "lookup (a parser fetching a remote context, a plugin) stops it with exit 1.")
@click.pass_context
def main(ctx: click.Context, allow_network: bool) -> None:
    """ripplekg: build knowledge graphs of market news and trace how shocks spread.

    Exit codes: 0 ok, 1 input errors, 2 usage, 3 output refused, 130 interrupted.
    """
    from kg import netguard
    # on (or off) for this command, restored when it ends (kg.netguard: the audit hook)
    ctx.with_resource(netguard.enforcing(not allow_network))


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Graph directory to write.")
@click.option("--no-reference", is_flag=True, help="Do not load the packaged reference registry.")
@click.option("--keep-going", is_flag=True, help="Write the graph without the bad records (still exit 1).")
@click.option("--max-errors", type=click.IntRange(min=1), metavar="N",
              help="Stop reading inputs after N errors (default: read all, report every error).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Extract articles in N local processes.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Extract articles on a Dask cluster (tcp://HOST:PORT; needs ripplekg[dask]; "
                   "instead of --workers).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Article extraction cache (default: OUTPUT/.cache/extract).")
@click.option("--no-cache", is_flag=True, help="Extract every article again; read and write no cache.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (counts, problems).")
def build(inputs, output, no_reference, keep_going, max_errors, workers, scheduler, cache_dir,
          no_cache, as_json) -> None:
    """Build a graph from fact sheets, market moves, articles and directories of them."""
    from kg.cli_build import run_build_command
    run_build_command(inputs, output, reference=not no_reference, keep_going=keep_going,
                      max_errors=max_errors, workers=workers, scheduler=scheduler,
                      cache_dir=None if no_cache else cache_dir or output / ".cache" / "extract",
                      as_json=as_json, progress=progress)


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
    from kg.diagnostics import has_errors
    from kg.sheet_yaml import dump_yaml
    sheet, diags = extract_sheet(list(articles), published, lang, url)
    text = json.dumps(sheet, indent=1, ensure_ascii=False) + "\n" if fmt == "json" else dump_yaml(sheet)
    if diags:
        click.echo(render_text(diags), err=True)
    if has_errors(diags):
        _fail("nothing written: an article could not be read", EXIT_DATA)
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


@main.command()
@click.argument("url")
@click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path), help="Built graph to push.")
@click.option("--graph-iri", help="http(s): the named graph to replace (default: the default graph).")
@click.option("--user", help="bolt: user name (default $NEO4J_USERNAME).")
@click.option("--password", help="bolt: password (default $NEO4J_PASSWORD).")
@click.option("--json", "as_json", is_flag=True)
def push(url, graph_dir, graph_iri, user, password, as_json) -> None:
    """Load a built graph into a server: a SPARQL 1.1 store (http://...) or a Bolt server (bolt://...)."""
    if url.startswith(("http://", "https://")):
        from kg.push_sparql import push_cli
        push_cli(graph_dir, url, graph_iri=graph_iri, as_json=as_json)
        return
    if url.startswith(("bolt://", "neo4j://", "bolt+s://", "neo4j+s://")):
        from kg.push_bolt import push_cli as bolt_push
        bolt_push(graph_dir, url, user=user, password=password, as_json=as_json)
        return
    raise click.BadParameter("use http(s):// for a SPARQL store or bolt:// for a Cypher server", param_hint="URL")


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


def _add_query_commands() -> None:
    from kg.cli_analysis import backtest, contagion
    from kg.cli_query import cypher, query, sparql
    for command in (query, cypher, sparql, contagion, backtest):
        main.add_command(command)


_add_query_commands()


def run() -> None:
    """The console script: click's own handling off (`standalone_mode=False`), so that Ctrl-C
    anywhere, even while click parses, exits 130 (SIGTERM 143) after cleaning up, not
    "Aborted!" with status 1."""
    from kg.signals import EXIT_TERMINATED, Terminated, sigterm_raises
    try:
        with sigterm_raises():
            code = main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:
        terminated = isinstance(exc, Terminated) or isinstance(exc.__context__, Terminated)
        click.echo("kg: terminated" if terminated else "kg: interrupted", err=True)
        sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except MemoryError:
        click.echo("kg: out of memory; lower KG_MAX_INPUT_BYTES or split the inputs", err=True)
        sys.exit(EXIT_DATA)
    except Exception as exc:
        # a library that wrapped the guard's refusal in its own error: still a clean message
        from kg.netguard import denial_in
        denied = denial_in(exc)
        if denied is None:
            raise
        denied.show()
        sys.exit(denied.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
