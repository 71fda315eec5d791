"""The one registry: parts found by name, new parts added by registering them."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import registry
from kg.loading import LoadResult, load_file
from kg.model import Entity


def test_builtin_parts_are_discovered():
    assert {"factsheet", "moves", "reference"} <= set(registry.names("loader"))
    assert {"json", "csv", "graphml"} <= set(registry.names("exporter"))


def test_unknown_name_lists_the_choices():
    with pytest.raises(KeyError, match="known: .*factsheet"):
        registry.get("loader", "nope")


def test_a_new_loader_is_one_registration(tmp_path, monkeypatch):
    monkeypatch.setitem(registry._parts, "loader", dict(registry.parts("loader")))

    @registry.register("loader", "names-list")
    class NamesLoader:
        name, priority = "names-list", 5

        def sniff(self, path: Path, head: str) -> bool:
            return path.suffix == ".names"

        def load(self, path: Path) -> LoadResult:
            lines = path.read_text().split()
            return LoadResult(entities=[Entity(n.lower(), "Company", n) for n in lines])

    p = tmp_path / "x.names"
    p.write_text("Acme\nBolt\n")
    assert [e.id for e in load_file(p).entities] == ["acme", "bolt"]
    assert "names-list" in registry.names("loader")


def test_registering_two_parts_under_one_name_fails():
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("exporter", "json")(type("Other", (), {}))
