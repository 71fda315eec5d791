"""Shared paths and helpers for the test suite."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import GOLD


@pytest.fixture
def cli():
    """Run `kg ...` in-process; returns the click Result (stdout and stderr apart)."""
    from kg.cli import main

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return run


@pytest.fixture(scope="session")
def gold_path() -> Path:
    assert GOLD.is_file(), f"the seed annotation is expected at {GOLD}"
    return GOLD
