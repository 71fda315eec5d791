"""Built graphs on disk: deterministic, atomic, readable back, never clobbering strangers."""
from __future__ import annotations

import re

import pytest

import kg
from kg.atomic import OutputError
from kg.store import load_graph, write_graph

from helpers import EXAMPLE


def _files(d):
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_same_input_gives_byte_identical_output(cli, tmp_path, gold_path):
    for name in ("a", "b"):
        assert cli("build", EXAMPLE, gold_path, "-o", tmp_path / name).exit_code == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    manifest = (tmp_path / "a" / "manifest.json").read_text()
    assert not re.search(r"\d{4}-\d{2}-\d{2}T|created|timestamp|built_at|" + str(tmp_path), manifest)


def test_input_order_does_not_change_output(cli, tmp_path, gold_path):
    assert cli("build", EXAMPLE / "facts.yaml", EXAMPLE / "moves.csv", "-o", tmp_path / "a").exit_code == 0
    assert cli("build", EXAMPLE / "moves.csv", EXAMPLE / "facts.yaml", "-o", tmp_path / "b").exit_code == 0
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["facts.jsonl"] == b["facts.jsonl"] and a["entities.jsonl"] == b["entities.jsonl"]


def test_load_round_trip(tmp_path):
    graph = kg.build([EXAMPLE])
    kg.save(graph, tmp_path / "g")
    again = kg.load(tmp_path / "g")
    assert again.to_records() == graph.to_records()
    assert [d.to_dict() for d in again.diagnostics] == sorted(
        (d.to_dict() for d in graph.diagnostics), key=lambda d: (d.get("path", ""), d.get("line", 0), d["code"], d.get("field", ""), d["message"]))


def test_refuses_to_overwrite_another_kind_of_directory(cli, tmp_path, gold_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not lose me")
    result = cli("build", gold_path, "-o", precious)
    assert result.exit_code == 3
    assert "not a ripplekg graph" in result.stderr
    assert (precious / "thesis.txt").read_text() == "do not lose me"


def test_rebuild_replaces_a_graph_directory(cli, tmp_path, gold_path):
    out = tmp_path / "g"
    assert cli("build", gold_path, "--no-reference", "-o", out).exit_code == 0
    assert cli("build", EXAMPLE, "-o", out).exit_code == 0
    assert "marion_keller" in out.joinpath("entities.jsonl").read_text()


def test_failed_write_leaves_previous_graph_intact(tmp_path, monkeypatch, gold_path):
    out = tmp_path / "g"
    graph = kg.build([gold_path], reference=False)
    write_graph(graph, out)
    before = _files(out)

    real = type(graph).facts

    def boom(self):  # fails half-way through the facts file
        facts = real(self)
        yield next(facts)
        raise RuntimeError("disk full")
    monkeypatch.setattr(type(graph), "facts", boom)
    with pytest.raises(RuntimeError):
        write_graph(graph, out)
    assert _files(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["g"]  # no temporary left behind


def test_interrupted_write_cleans_up(tmp_path, monkeypatch, gold_path):
    import kg.store as store
    out = tmp_path / "g"
    graph = kg.build([gold_path], reference=False)
    write_graph(graph, out)
    before = _files(out)
    real = store._write_lines
    calls = []

    def interrupt(path, records):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(path, records)
    monkeypatch.setattr(store, "_write_lines", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_graph(graph, out)
    assert _files(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["g"]


def test_symlinked_output_is_refused(tmp_path, gold_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OutputError):
        write_graph(kg.build([gold_path], reference=False), link)
    assert list(target.iterdir()) == []


def test_load_rejects_a_directory_that_is_not_a_graph(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a ripplekg graph"):
        load_graph(tmp_path)
