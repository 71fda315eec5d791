"""Incremental and parallel builds (issue 6): the extraction cache, --workers, --max-errors.

What is promised: a rebuild after adding articles extracts only the new ones and writes the same
bytes as a build from scratch; the same inputs give byte-identical graphs; a corrupt cache entry
is recomputed; any change to what extraction depends on gives a new key; `--workers 2` writes
the same bytes as one process; `--max-errors N` stops reading at the N-th error.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg
from kg.extract_cache import CACHE_SUBDIR, ArticleJob, ExtractCache, decode, encode, fingerprint, read_job
from kg.parallel import run_job

from corpus import fixture_articles, graph_files, write_corpus


def _build(cli, *args) -> dict:
    result = cli("build", *map(str, args), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_adding_articles_extracts_only_the_new_ones(cli, tmp_path):
    corpus, out, scratch = tmp_path / "corpus", tmp_path / "g", tmp_path / "scratch"
    write_corpus(corpus, 6)
    first = _build(cli, corpus, "-o", out)
    assert first["articles"] == {"extracted": 6, "cached": 0}
    assert len(list((out / CACHE_SUBDIR).rglob("*.json"))) == 6  # carried into the new directory
    write_corpus(corpus, 3, start=6)
    again = _build(cli, corpus, "-o", out)
    assert again["articles"] == {"extracted": 3, "cached": 6}
    fresh = _build(cli, corpus, "-o", scratch, "--no-cache")
    assert fresh["articles"] == {"extracted": 9, "cached": 0}
    assert not (scratch / ".cache").exists()
    assert graph_files(out) == graph_files(scratch)
    assert "n008-" in (out / "manifest.json").read_text()


def test_same_inputs_twice_give_byte_identical_graphs(cli, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4)
    (corpus / "extra.yaml").write_text("source: a desk note\nentities:\n"
                                       "  - {id: acme_chips, type: Company, name: Acme Chips}\n")
    a = _build(cli, corpus, "-o", tmp_path / "a", "--no-cache")
    b = _build(cli, corpus, "-o", tmp_path / "b")  # fresh extraction into a cache
    c = _build(cli, corpus, "-o", tmp_path / "b")  # every article from that cache
    assert (a["articles"], c["articles"]) == ({"extracted": 4, "cached": 0}, {"extracted": 0, "cached": 4})
    assert graph_files(tmp_path / "a") == graph_files(tmp_path / "b")
    graph = kg.load(tmp_path / "b")
    assert any(e.type == "Article" for e in graph.entities()) and "acme_chips" in graph


def test_a_corrupt_entry_is_recomputed(cli, tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "g"
    write_corpus(corpus, 3)
    _build(cli, corpus, "-o", out)
    before = graph_files(out)
    entries = sorted((out / CACHE_SUBDIR).rglob("*.json"))
    entries[0].write_text('{"format": 1, "key": "')           # truncated
    entries[1].write_text(entries[1].read_text().replace('"entities"', '"entitie"'))  # wrong shape
    again = _build(cli, corpus, "-o", out)
    assert again["articles"] == {"extracted": 2, "cached": 1}
    assert graph_files(out) == before
    assert all(ExtractCache(out / CACHE_SUBDIR).load(p.stem, "a.txt") is not None for p in entries)


def test_the_key_covers_name_bytes_sidecar_and_extractor(tmp_path):
    [article] = write_corpus(tmp_path, 1)  # a01: a .txt with a .meta.yaml sidecar
    job = read_job(article)
    assert job.sidecar and job.sidecar[0] == article.stem + ".meta.yaml"
    fp = fingerprint()
    keys = {job.key(fp),
            job.key("another extractor"),
            ArticleJob("renamed.txt", job.data, job.sidecar).key(fp),
            ArticleJob(job.name, job.data + b" ", job.sidecar).key(fp),
            ArticleJob(job.name, job.data, (job.sidecar[0], job.sidecar[1] + b"url: x\n")).key(fp),
            ArticleJob(job.name, job.data, None).key(fp)}
    assert len(keys) == 6
    assert len(fp) == 64 and fingerprint() == fp


def test_encoding_round_trips_every_field():
    """What the cache stores is exactly what the loader made (fields, order, locations)."""
    from kg import registry
    loader = registry.get("loader", "article")
    for path in fixture_articles():
        direct = loader.load(path)
        _, data = run_job(read_job(path))
        back = decode(json.loads(json.dumps(data)), str(path))
        assert back.entities == direct.entities and back.facts == direct.facts
        assert [(e.loc, list(e.properties)) for e in back.entities] == \
               [(e.loc, list(e.properties)) for e in direct.entities]
        assert [(f.loc, list(f.properties)) for f in back.facts] == [(f.loc, list(f.properties)) for f in direct.facts]
        assert back.diagnostics == direct.diagnostics
        assert encode(back, str(path)) == data


def test_two_workers_write_what_one_process_writes(cli, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 5)
    one = _build(cli, corpus, "-o", tmp_path / "one", "--no-cache")
    two = _build(cli, corpus, "-o", tmp_path / "two", "--workers", "2")
    assert one["articles"] == two["articles"] == {"extracted": 5, "cached": 0}
    assert graph_files(tmp_path / "one") == graph_files(tmp_path / "two")


def _bad_sheets(folder: Path) -> None:
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}-bad.yaml").write_text("entities: [\n")  # a syntax error each
    (folder / "d-good.yaml").write_text("source: t\nentities:\n  - {id: acme, type: Company, name: Acme}\n")


def test_max_errors_stops_reading(cli, tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "g"
    _bad_sheets(inputs)
    every = cli("build", inputs, "--no-reference", "-o", out, "--json")
    assert every.exit_code == 1 and json.loads(every.stdout)["problems"]["errors"] == 3
    assert not out.exists()
    stopped = cli("build", inputs, "--no-reference", "-o", out, "--max-errors", "2")
    assert stopped.exit_code == 1 and not out.exists()
    assert stopped.stderr.count("[syntax-error]") == 2 and "a-bad.yaml" in stopped.stderr
    assert "c-bad.yaml" not in stopped.stderr
    assert "stopped after 2 errors (--max-errors); 2 inputs not read" in stopped.stderr
    kept = cli("build", inputs, "--no-reference", "-o", out, "--max-errors", "2", "--keep-going", "--json")
    data = json.loads(kept.stdout)
    assert kept.exit_code == 1 and data["stopped"] and data["unread"] == 2
    report = json.loads((out / "report.json").read_text())
    assert [d["path"].rsplit("/", 1)[-1] for d in report["diagnostics"]] == ["a-bad.yaml", "b-bad.yaml"]
    assert [i["name"] for i in json.loads((out / "manifest.json").read_text())["inputs"]] == \
           ["a-bad.yaml", "b-bad.yaml"]


def test_max_errors_counts_missing_inputs(cli, tmp_path):
    _bad_sheets(tmp_path / "in")
    result = cli("build", tmp_path / "nope.yaml", tmp_path / "in", "--no-reference", "-o",
                 tmp_path / "g", "--max-errors", "1", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["unread"] == 4 and data["problems"]["errors"] == 1


def test_the_cache_never_goes_into_a_foreign_directory(cli, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not lose me")
    write_corpus(tmp_path / "corpus", 1)
    result = cli("build", tmp_path / "corpus", "-o", precious)
    assert result.exit_code == 3 and "not a ripplekg graph" in result.stderr
    assert sorted(p.name for p in precious.iterdir()) == ["thesis.txt"]


def test_a_cache_elsewhere(cli, tmp_path):
    write_corpus(tmp_path / "corpus", 2)
    cache = tmp_path / "shared-cache"
    first = _build(cli, tmp_path / "corpus", "-o", tmp_path / "a", "--cache", cache)
    second = _build(cli, tmp_path / "corpus", "-o", tmp_path / "b", "--cache", cache)
    assert (first["articles"]["extracted"], second["articles"]["cached"]) == (2, 2)
    assert not (tmp_path / "a" / ".cache").exists()


@pytest.mark.parametrize("bad", ["--workers=0", "--max-errors=0"])
def test_bad_numbers_are_usage_errors(cli, tmp_path, bad):
    assert cli("build", tmp_path, "-o", tmp_path / "g", bad).exit_code == 2


def test_a_cache_that_cannot_be_written_is_only_a_warning(cli, tmp_path):
    write_corpus(tmp_path / "corpus", 1)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache would go")
    result = cli("build", tmp_path / "corpus", "-o", tmp_path / "g", "--cache", blocker)
    assert result.exit_code == 0, result.output
    assert "the extraction cache could not be written" in result.stderr
    assert (tmp_path / "g" / "manifest.json").exists()
