"""What every `kg` command shares: exit codes and how a failure is reported."""
from __future__ import annotations

import sys

import click

EXIT_DATA, EXIT_OUTPUT, EXIT_INTERRUPTED = 1, 3, 130


def fail(message: str, code: int) -> None:
    click.echo(f"kg: {message}", err=True)
    sys.exit(code)
