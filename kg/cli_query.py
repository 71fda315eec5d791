"""`kg query`, `kg cypher`, `kg sparql`: asking the graph from the command line."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli_common import EXIT_DATA, fail


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


@click.command()
@click.argument("name", required=False)
@click.option("--graph", "graph_dir", type=click.Path(path_type=Path), help="Graph directory (kg build -o).")
@click.option("--engine", type=click.Choice(["cypher", "sparql", "sparql-http", "bolt"]), default="cypher",
              show_default=True, help="sparql-http / bolt: a server given by --endpoint (see kg push).")
@click.option("--endpoint", help="Server URL: SPARQL query URL (sparql-http) or bolt://HOST:PORT (bolt).")
@click.option("--param", "params", multiple=True, help="KEY=VALUE, repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the questions of the pack.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Stop the query after this much wall-clock time (default 60 s; inf: none).")
@click.option("--memory", type=click.IntRange(min=1), default=None, metavar="MIB",
              help="Stop an embedded query that needs more memory (default: a quarter of the machine's).")
def query(name, graph_dir, engine, endpoint, params, fmt, list_, as_json, timeout, memory) -> None:
    """Ask a question of the query pack (the same answer in Cypher and SPARQL)."""
    from kg.queries import get, pack
    if list_ or not name:
        items = [q.summary() for q in pack().values()]
        click.echo(json.dumps(items, indent=2) if as_json else
                   "\n".join(f"{q['name']:<16} {q['title']}" for q in items))
        return
    servers = ("sparql-http", "bolt")
    if engine in servers and not endpoint:
        raise click.BadParameter(f"is required with --engine {engine}", param_hint="--endpoint")
    if engine not in servers and graph_dir is None:
        raise click.BadParameter("is required to ask a question", param_hint="--graph")
    from kg.ask import run
    from kg.engines import QueryError
    try:
        spec = get(name)
        target = endpoint if engine in servers else _graph_path(graph_dir)
        rows = run(name, target, engine, _params(params), timeout=timeout, memory=memory)
    except (KeyError, ValueError) as exc:
        fail(str(exc).strip("'\""), EXIT_DATA)
    except QueryError as exc:  # a server that cannot be reached or refuses
        fail(str(exc), EXIT_DATA)
    _emit_rows(rows, spec.columns, fmt)


def _graph_path(graph_dir: Path) -> Path:
    from kg.store import read_manifest
    try:
        read_manifest(graph_dir)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), EXIT_DATA)
    return graph_dir


def _adhoc(engine: str, text: str, graph_dir: Path, params: tuple[str, ...], fmt: str,
           timeout: float | None, memory: int | None) -> None:
    from kg import registry
    eng = registry.get("engine", engine)
    try:
        handle = eng.open(_graph_path(graph_dir), memory)
    except (FileNotFoundError, ValueError) as exc:  # not a graph, or a damaged one
        fail(str(exc), EXIT_DATA)
    try:
        rows = eng.query(handle, text, _params(params), timeout=timeout)
    except Exception as exc:  # engine errors and refusals, reported as data errors
        fail(f"{type(exc).__name__}: {exc}", EXIT_DATA)
    finally:
        handle.close()
    columns = list(rows[0]) if rows else []
    _emit_rows(rows, columns, fmt)


def _adhoc_options(func):
    """The options `kg cypher` and `kg sparql` share."""
    for option in reversed((
            click.argument("text"),
            click.option("--graph", "graph_dir", required=True, type=click.Path(path_type=Path)),
            click.option("--param", "params", multiple=True, help="KEY=VALUE, repeatable (bound, never pasted)."),
            click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                         show_default=True),
            click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                         metavar="SECONDS", help="Stop the query after this much wall-clock time "
                         "(default 60 s; inf: none)."),
            click.option("--memory", type=click.IntRange(min=1), default=None, metavar="MIB",
                         help="Stop a query that needs more memory (default: a quarter of the "
                         "machine's)."))):
        func = option(func)
    return func


@click.command()
@_adhoc_options
def cypher(text, graph_dir, params, fmt, timeout, memory) -> None:
    """Run a read-only Cypher query on the embedded engine (writes are refused)."""
    _adhoc("cypher", text, graph_dir, params, fmt, timeout, memory)


@click.command()
@_adhoc_options
def sparql(text, graph_dir, params, fmt, timeout, memory) -> None:
    """Run a read-only SPARQL query (SERVICE, LOAD and updates are refused)."""
    _adhoc("sparql", text, graph_dir, params, fmt, timeout, memory)
