"""Shared paths and helpers for the test suite."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import EXAMPLE, GOLD

pytest_plugins = ["netguard_plugin"]  # kg.netguard on for the session (no network)


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


@pytest.fixture(scope="session")
def built_graphs(tmp_path_factory):
    """The example and the seed annotation (with the reference registry), built and saved once for
    every test module that needs them: {name: (Graph, graph directory)}."""
    import kg
    root = tmp_path_factory.mktemp("graphs")
    out = {}
    for name, inputs in (("example", [EXAMPLE]), ("seed", [GOLD])):
        graph = kg.build(inputs)
        kg.save(graph, root / name)
        out[name] = (graph, root / name)
    return out
