"""`kg build`: read the inputs, extract articles (cached, in parallel), write the graph atomically.

Why a module of its own: the command is where the crash-safety promises meet.
It checks the output before reading anything (so a cache is never written into
a directory that is not a graph's), turns SIGTERM into the same unwinding as
Ctrl-C (temporaries removed, previous graph untouched; exit 143, and 130 for
SIGINT), and reports what came from the extraction cache.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import click

from kg.atomic import OutputError
from kg.cli_common import EXIT_DATA, EXIT_INTERRUPTED, EXIT_OUTPUT, fail
from kg.signals import EXIT_TERMINATED, Terminated, sigterm_raises

EXIT_USAGE = 2


def run_build_command(inputs: tuple[Path, ...], output: Path, *, reference: bool, keep_going: bool,
                      max_errors: int | None, workers: int, scheduler: str | None,
                      cache_dir: Path | None, as_json: bool, progress: Callable | None) -> None:
    """Run `kg build` and exit with its status."""
    try:
        with sigterm_raises():
            _build(inputs, output, reference, keep_going, max_errors, workers, scheduler,
                   cache_dir, as_json, progress)
    except Terminated:
        click.echo("kg: terminated", err=True)
        sys.exit(EXIT_TERMINATED)
    except KeyboardInterrupt:  # here, not in click (which turns it into "Aborted!", status 1)
        click.echo("kg: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _build(inputs, output, reference, keep_going, max_errors, workers, scheduler, cache_dir,
           as_json, progress) -> None:
    from kg.diagnostics import has_errors
    from kg.parallel import ExtractError
    from kg.pipeline import ExtractOptions, LoadStats, assembling
    from kg.store import check_output
    try:
        check_output(output)  # before any work, and before a cache goes inside it
    except OutputError as exc:
        fail(str(exc), EXIT_OUTPUT)
    if scheduler:
        _need_dask()
    stats = LoadStats()
    try:
        with assembling(inputs, reference=reference, progress=progress,
                        extract=ExtractOptions(workers, scheduler, cache_dir),
                        max_errors=max_errors, stats=stats) as built:
            bad = has_errors(built.diagnostics)
            written = _write(built, output, as_json, bad and not keep_going)
            counts = written["counts"] if written else built.counts()
    except ExtractError as exc:
        fail(str(exc), EXIT_USAGE)
    _report(built.diagnostics, stats, output, counts, written, max_errors, as_json)
    sys.exit(EXIT_DATA if bad else 0)


def _write(built, output: Path, as_json: bool, refuse: bool) -> dict | None:
    """The problems on stderr (before the slow write), then the graph unless `refuse`; its manifest."""
    from kg.diagnostics import render_text
    from kg.store import write_records
    if not as_json:
        click.echo(render_text(built.diagnostics), err=True)
    if refuse:
        return None
    try:
        return write_records(output, built.sorted_entities(), built.facts(), built.diagnostics, built.inputs)
    except OutputError as exc:
        fail(str(exc), EXIT_OUTPUT)


def _report(diagnostics, stats, output: Path, counts: dict, written: dict | None,
            max_errors: int | None, as_json: bool) -> None:
    from kg.diagnostics import summary
    if as_json:
        click.echo(json.dumps({"output": str(output) if written else None, "counts": counts,
                               "problems": summary(diagnostics), "articles":
                               {"extracted": stats.extracted, "cached": stats.cached},
                               "cache_error": stats.cache_error,
                               "stopped": stats.stopped, "unread": stats.unread}, indent=2, sort_keys=True))
    else:
        _say(stats, output, counts, written, max_errors)


def _say(stats, output: Path, counts: dict, written: dict | None, max_errors: int | None) -> None:
    if stats.extracted or stats.cached:
        click.echo(f"articles: {stats.extracted} extracted, {stats.cached} from the cache", err=True)
    if stats.cache_error:
        click.echo(f"kg: warning: the extraction cache could not be written ({stats.cache_error})", err=True)
    if stats.stopped:
        click.echo(f"kg: stopped after {max_errors} errors (--max-errors); "
                   f"{stats.unread} inputs not read", err=True)
    if written:
        click.echo(f"wrote {output}: {counts['entities']} entities, {counts['facts']} facts", err=True)
    else:
        click.echo("kg: nothing written: fix the errors above or use --keep-going", err=True)


def _need_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        fail("--scheduler needs dask.distributed: pip install 'ripplekg[dask]'", EXIT_USAGE)
