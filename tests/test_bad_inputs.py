"""Issue 6: every applicable case of `../shared/notes/bad-inputs.md`, through the real `kg` command.

The notes' shorthand: E a clear error (file, line, field or code; documented exit status: 1 input,
3 output refused, 130 interrupted), N nothing fetched from the network or read outside the named
files, P no partial or 0-byte output and the previous output intact, L valid records still loaded
(`--keep-going`) and the bad ones listed in `report.json`. Hostile inputs are in
`tests/fixtures/hostile/`; big ones are generated here, in tmp_path.

ripplekg reads fact sheets (YAML, JSON, JSON Lines, CSV), market-move CSVs and articles (.txt,
.md, .html); not GraphML, GEXF, RDF/XML, JSON-LD, Turtle, Parquet or compressed files. For the
rows about those formats what applies is that such an input is refused unread (no parser runs,
so no entity is expanded, no context fetched), and that the HTML we do read expands no entity.

| row | case | test |
| --- | --- | --- |
| 1 | XXE in GraphML | test_row01_02_03_06_08_35_36_foreign_format_is_refused_unread; HTML: test_row01_03_04_05_html_entities_are_never_expanded |
| 2 | RDF/XML parameter entity to http:// | test_row01_02_03_06_08_35_36_... (graph.rdf); the folder case: test_row01_folder_skips_foreign_formats_unread |
| 3 | billion laughs | test_row01_02_03_... (graph.gexf); HTML: test_row01_03_04_05_... |
| 4 | quadratic blowup | HTML: test_row01_03_04_05_... (no XML input exists to blow up) |
| 5 | legit internal entities (FIBO) | test_row01_03_04_05_...: an article with a DOCTYPE is still extracted |
| 6 | JSON-LD remote @context | test_row01_02_03_06_... (graph.jsonld); test_row06_07_jsonld_keys_in_a_fact_sheet_fetch_nothing |
| 7 | @context file:///etc/passwd, @import | test_row06_07_jsonld_keys_in_a_fact_sheet_fetch_nothing |
| 8 | Turtle @base / bad IRIs | test_row01_02_03_06_08_... (graph.ttl) |
| 9 | SHACL owl:imports | not applicable: shapes are generated from the schema (kg.shacl), never read from a user |
| 10 | SPARQL SERVICE | test_row10_11_sparql_service_load_and_updates_are_refused; engine level: tests/test_sparql_engine.py::test_refused, tests/test_oxigraph_server.py::test_refused_before_any_request |
| 11 | SPARQL LOAD / DROP / INSERT | test_row10_11_...; tests/test_sparql_engine.py::test_refused |
| 12 | pathological SPARQL | tests/test_sparql_engine.py::test_row12_a_pathological_query_is_stopped_at_its_time_budget (engine: stopped at 2 s, the worker killed, the next query answered), tests/test_sparql_engine.py::test_row12_through_kg_sparql (the kg command: exit 1, QueryTimeout); the row cap: tests/test_sparql_engine.py::test_rows_are_capped |
| 13 | Cypher injection through a name | test_row13_cypher_text_in_names_is_data; tests/test_cypher_engine.py::test_parameters_are_values_never_code, tests/test_falkordb.py::test_the_bolt_engine_is_read_only_and_bound |
| 14 | Cypher injection through a type | test_row14_types_come_from_the_schema_only; tests/test_falkordb.py::test_a_type_never_comes_from_data |
| 15 | !!python/object/apply (and !!set, !!binary) | test_row15_python_yaml_tags_are_refused |
| 16 | YAML alias bomb | test_row16_yaml_alias_bomb_is_refused_quickly, test_row16_alias_bomb_in_an_article_sidecar |
| 17 | duplicate keys, deep nesting | test_row17_yaml_duplicate_key, test_row17_deep_nesting_in_a_record, test_row17_100k_deep_nesting_is_an_error_not_a_crash |
| 18 | CSV formula cells | test_row18_csv_formula_cells |
| 19 | CSV multi-line, "", BOM, NUL | test_row19_csv_bom_multiline_and_quotes_are_kept, test_row19_csv_nul_byte_is_an_error_with_its_line |
| 20 | wrong column count, 10 MB field, 10^5 columns, --max-errors | test_row20_csv_wrong_column_count_rows_go_to_the_report, test_row20_csv_10_mb_field, test_row20_csv_100k_columns, test_row20_max_errors_stops_reading |
| 21 | Latin-1 as UTF-8 (and JSON's lone `\\ud800`) | test_row21_latin1_is_not_valid_utf8, test_row21_lone_surrogate_escape_is_an_error |
| 22 | NFC/NFD, ZWJ, U+202E | test_row22_unicode_spellings_make_one_node |
| 23 | NaN, Infinity; FR comma, U+2212 | test_row23_nan_and_infinity_are_errors_with_their_line, test_row23_french_decimal_comma_and_unicode_minus |
| 24 | integers > 2^53 (ids and values) | test_row24_big_integers_are_kept_exactly (graph, JSON, CSV); test_row24_javascript_facing_exports_write_big_integers_as_digits (cyjs, cx2, html: a string of the digits) |
| 25 | 03/04/2025 by language, no time zone | tests/test_text_dates.py::test_find_dates (01/02/2025 is 2 Jan in English, 1 Feb in French), ::test_published_may_carry_a_time |
| 26 | dangling edge, self-loop, duplicate edge | dangling: tests/test_validate.py (broken/dangling-reference.jsonl); duplicates merged: tests/test_merge.py::test_same_fact_from_two_sources_is_one_fact_with_two_evidences; self-loops: test_row26_a_self_loop_is_a_domain_violation |
| 27 | U+0001 / U+FFFE in labels | test_row27_controls_and_noncharacters_leave_xml_exports_well_formed; tests/test_export_graph_formats.py::test_hostile_text_is_escaped_and_control_characters_dropped, tests/test_exporters.py::test_graphml_strips_xml_illegal_characters |
| 28 | script in a label (HTML view) | tests/test_html_browser.py::test_hostile_label_is_found_and_shown_as_text |
| 29 | attributes named id/label/type/weight... | tests/test_export_graph_formats.py::test_gexf_without_dates_is_static_and_renames_keyword_properties, tests/test_export_cytoscape.py::test_cyjs_renames_properties_cytoscape_reserves |
| 30 | ../, %2e%2e%2f, symlinks | test_row30_output_symlinks_are_refused, test_row30_export_through_a_symlink_is_refused_even_with_force, test_row30_output_path_is_taken_literally, test_row30_no_directory_is_made_through_dotdot, test_row30_names_from_the_data_never_become_paths |
| 31 | output exists, no --force | test_row31_existing_output_is_refused_and_untouched |
| 32 | Ctrl-C, ENOSPC mid-write | test_row32_disk_full_leaves_the_previous_output, test_row32_interrupted_writes_leave_the_previous_output |
| 33 | failing exporter | test_row33_failing_exporter_leaves_no_file; tests/test_export_rdf.py::test_failed_export_leaves_the_old_file_and_no_temporary |
| 34 | huge input | test_row34_input_over_the_size_cap_is_refused_unread, test_row34_50_mb_single_line_json_in_bounded_memory, test_row34_out_of_memory_is_an_error_not_a_traceback |
| 35 | gzip bomb | test_row01_02_03_06_08_35_36_... (facts.json.gz: not decompressed, refused) |
| 36 | hostile Parquet | test_row01_02_03_06_08_35_36_... (graph.parquet refused unread); test_row36_pyarrow_is_not_the_vulnerable_version |
| 37 | node-link JSON with `links` | not applicable as input (node-link is export only); the export writes `edges`: tests/test_export_graph_formats.py::test_nodelink_keeps_structure_and_control_characters |
| 38 | Neo4j load twice / resumed | tests/test_falkordb.py::test_push_is_idempotent, tests/test_oxigraph_server.py::test_push_twice_gives_the_same_count |
| 39 | transient Neo4j error | tests/test_push_resume.py::test_a_transient_error_on_a_batch_is_retried_and_changes_nothing (a loopback Bolt proxy, tests/bolt_faults.py, fails one batch after the server applied it: deadlock FAILURE, dropped connection, connection lost at COMMIT; retried by the driver or kg.push_writer, attempts counted, counts and state identical, again after a second push); test_a_persistent_transient_error_stops_the_push_and_pushing_again_completes_it, test_kg_push_reports_a_lost_commit_that_persists (exit 3) |
| 40 | 20,000-char id/type/name, empty id | test_row40_empty_and_huge_names_fail_validation |
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from helpers import FIXTURES

HOSTILE = FIXTURES / "hostile"
PASSWD = "/etc/passwd"

# -- watching what the process opens and where it connects -------------------------------------
# An audit hook cannot be removed, so this one records only inside `watching()`. (The session's
# network guard, tests/netguard_plugin.py, also refuses any connection: a fetch would fail the
# command; this records the attempt itself, and file opens, which the guard does not watch.)
_EVENTS: list[tuple[str, str]] = []
_WATCHING = [False]
_NET = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request",
        "http.client.connect", "socket.sendto")


def _audit(event: str, args: tuple) -> None:
    if not _WATCHING[0]:
        return
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _EVENTS.append(("open", os.fsdecode(args[0])))
    elif event in _NET:
        _EVENTS.append((event, repr(args[:2])))


sys.addaudithook(_audit)


@contextlib.contextmanager
def watching():
    """Record file opens and network attempts of the block; yields the list of events."""
    _EVENTS.clear()
    _WATCHING[0] = True
    try:
        yield _EVENTS
    finally:
        _WATCHING[0] = False


def assert_offline(events: list[tuple[str, str]], unread: tuple[str, ...] = (PASSWD,)) -> None:
    net = [e for e in events if e[0] != "open"]
    assert not net, f"network attempted: {net}"
    opened = [p for kind, p in events if kind == "open" and any(p.endswith(u) for u in unread)]
    assert not opened, f"read a file nobody named: {opened}"


# -- helpers -----------------------------------------------------------------------------------
def hostile(name: str) -> Path:
    path = HOSTILE / name
    assert path.is_file(), path
    return path


def tree(root: Path) -> dict[str, object]:
    """Every path under `root` with its bytes (files), link target (symlinks) or 'dir'."""
    out: dict[str, object] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = ("-> " + os.readlink(p)) if p.is_symlink() else p.read_bytes() if p.is_file() else "dir"
    return out


def errors_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if ": error: " in line]


def assert_error(text: str, path: Path | str, line: int | None, code: str, field: str | None = None) -> str:
    """The one diagnostic line `path:line: error: ... [code]` (with `(field F)`), returned."""
    where = f"{path}:{line}: error: " if line else f"{path}: error: "
    hits = [ln for ln in errors_of(text) if ln.startswith(where) and ln.endswith(f"[{code}]")]
    assert hits, f"no {code} error at {where!r} in:\n{text}"
    if field:
        assert any(f"(field {field})" in ln for ln in hits), hits
    return hits[0]


def assert_nothing_written(out: Path) -> None:
    """No graph at `out` (a build with errors and without --keep-going writes nothing)."""
    assert not out.exists(), f"{out} was created: {sorted(tree(out)) if out.is_dir() else 'a file'}"


def built(out: Path) -> tuple[list[dict], list[dict], dict]:
    entities = [json.loads(x) for x in (out / "entities.jsonl").read_text(encoding="utf-8").splitlines()]
    facts = [json.loads(x) for x in (out / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return entities, facts, report


#: The child limits its own address space, and at exit writes its peak resident memory (VmHWM of
#: its own image: a child's ru_maxrss also counts the pages of the test process it was forked from).
_CHILD = ("import atexit, os, re, resource, sys\n"
          "limit = int(sys.argv[1])\n"
          "if limit: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
          "def peak():\n"
          "    status = open('/proc/self/status').read()\n"
          "    open(os.environ['KG_TEST_PEAK'], 'w').write(re.search(r'VmHWM:\\s*(\\d+)', status)[1])\n"
          "atexit.register(peak)\n"
          "sys.argv = ['kg', *sys.argv[2:]]\n"
          "from kg.cli import run\n"
          "run()\n")


def kg_proc(*args: str | Path, env: dict | None = None, rlimit_as: int | None = None,
            cwd: Path | None = None, timeout: float = 60) -> tuple[subprocess.CompletedProcess, dict]:
    """`kg ARGS` in a child process (for crashes, exit statuses and memory limits):
    (completed process, {"seconds", "max_rss_mb"}); a child still running after `timeout` is
    killed and the test fails (subprocess.TimeoutExpired)."""
    cmd = [sys.executable, "-c", _CHILD, str(rlimit_as or 0), *map(str, args)]
    with tempfile.TemporaryDirectory() as scratch:
        peak = Path(scratch) / "peak"
        start = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout,
                              env={**os.environ, **(env or {}), "KG_TEST_PEAK": str(peak)})
        seconds = time.monotonic() - start
        rss = int(peak.read_text()) / 1024 if peak.exists() else None  # VmHWM is in kB
    return proc, {"seconds": seconds, "max_rss_mb": rss}


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode} (a crash): {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


@pytest.fixture
def graph_dir(cli, tmp_path) -> Path:
    """A small valid graph, built without the reference registry."""
    out = tmp_path / "graph"
    result = cli("build", "--no-reference", hostile("valid.yaml"), "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


# -- rows 1-8, 35, 36: formats ripplekg does not read -------------------------------------------
FOREIGN = [
    pytest.param("graph.graphml", id="row01-graphml-external-entity"),
    pytest.param("graph.rdf", id="row02-rdfxml-remote-parameter-entity"),
    pytest.param("graph.gexf", id="row03-gexf-billion-laughs"),
    pytest.param("graph.jsonld", id="row06-jsonld-remote-context"),
    pytest.param("graph.ttl", id="row08-turtle-file-base"),
    pytest.param("facts.json.gz", id="row35-gzip-1000x"),
    pytest.param("graph.parquet", id="row36-parquet-truncated"),
]


@pytest.mark.parametrize("name", FOREIGN)
def test_row01_02_03_06_08_35_36_foreign_format_is_refused_unread(cli, tmp_path, name):
    """Given by name, a graph/RDF/Parquet/compressed file is an input error naming the file: no
    parser runs on it, so nothing is expanded, fetched or decompressed, and nothing is written."""
    path = hostile(name)
    out = tmp_path / "out"
    start = time.monotonic()
    with watching() as events:
        result = cli("build", "--no-reference", path, "-o", out)
    assert time.monotonic() - start < 10
    assert result.exit_code == 1, result.output
    line = assert_error(result.stderr, path, None, "syntax-error")
    assert "unsupported input format" in line and "nothing was read" in line, line
    assert "root:" not in result.output and "lol" not in result.output
    assert_offline(events)
    assert_nothing_written(out)


def test_row01_folder_skips_foreign_formats_unread(cli, tmp_path):
    """In a folder, files no loader reads are left alone (not parsed, nothing fetched); the fact
    sheets beside them are built."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("graph.graphml", "graph.rdf", "graph.gexf", "graph.jsonld", "graph.ttl",
                 "graph.parquet", "facts.json.gz", "valid.yaml"):
        (folder / name).write_bytes(hostile(name).read_bytes())
    with watching() as events:
        result = cli("build", "--no-reference", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert_offline(events)
    entities, facts, _ = built(tmp_path / "out")
    assert [e["id"] for e in entities] == ["acme_chips", "lumen_grid"] and len(facts) == 1


# -- rows 1, 3, 4, 5: entities in the HTML we do read --------------------------------------------
def test_row01_03_04_05_html_entities_are_never_expanded(cli, tmp_path):
    """An article whose DOCTYPE declares an external entity (file:///etc/passwd), a remote
    parameter entity, a billion-laughs chain and FIBO-style internal entities: selectolax parses
    HTML without a DTD, so no entity is expanded or fetched (no passwd, no 10^9 'lol'), and the
    story is still extracted (a DOCTYPE alone is not a reason to refuse an article)."""
    path = hostile("entities.html")
    start = time.monotonic()
    with watching() as events:
        result = cli("extract", path, "--format", "json")
        build = cli("build", "--no-reference", path, "-o", tmp_path / "out")
    assert time.monotonic() - start < 20
    assert result.exit_code == 0 and build.exit_code == 0, result.output + build.output
    assert_offline(events)
    sheet = json.loads(result.stdout)
    text = result.stdout + (tmp_path / "out" / "facts.jsonl").read_text(encoding="utf-8")
    assert "root:" not in text and "lollol" not in text and "spec.edmcouncil.org" not in text
    assert len(result.stdout) < 20_000
    moves = [(f["s"], f["p"], f["value"]) for f in sheet["facts"] if f["p"] == "fell_by"]
    assert moves == [("nvidia", "fell_by", 17.0)]


def test_row06_07_jsonld_keys_in_a_fact_sheet_fetch_nothing(cli, tmp_path):
    """A JSON fact sheet carrying JSON-LD keywords (`@context` URL, `@import` of /etc/passwd, a
    nested context pointing at a metadata service): they are plain keys, never dereferenced; the
    graph's own JSON-LD export keeps one inline context, so no reader of it fetches one either."""
    out = tmp_path / "out"
    with watching() as events:
        result = cli("build", "--no-reference", hostile("remote-context.json"), "-o", out)
        export = cli("export", "--graph", out, "--format", "jsonld", "-o", tmp_path / "g.jsonld")
    assert result.exit_code == 0 and export.exit_code == 0, result.output + export.output
    assert_offline(events)
    doc = json.loads((tmp_path / "g.jsonld").read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)

    def contexts(node, top=True):
        if isinstance(node, dict):
            return sum((contexts(v, False) for v in node.values()), int("@context" in node and not top))
        return sum(contexts(v, False) for v in node) if isinstance(node, list) else 0
    assert contexts(doc) == 0


# -- rows 10, 11: SPARQL on the query command ----------------------------------------------------
@pytest.mark.parametrize("query, refusal", [
    ("SELECT * WHERE { SERVICE <http://169.254.169.254/latest/> { ?s ?p ?o } }", "SERVICE"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "updates"),
    ("DROP ALL", "updates"),
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "updates"),
], ids=["row10-service", "row11-load", "row11-drop-all", "row11-insert-data"])
def test_row10_11_sparql_service_load_and_updates_are_refused(cli, graph_dir, query, refusal):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = json.loads(cli("sparql", count, "--graph", graph_dir, "--format", "json").stdout)
    with watching() as events:
        result = cli("sparql", query, "--graph", graph_dir)
    assert result.exit_code == 1, result.output
    assert "QueryRefused" in result.stderr and refusal in result.stderr, result.stderr
    assert_offline(events)
    after = json.loads(cli("sparql", count, "--graph", graph_dir, "--format", "json").stdout)
    assert after == before and before[0]["n"] > 0


# -- rows 13, 14: Cypher ---------------------------------------------------------------------------
EVIL_NAME = "Robby' WITH true AS x MATCH (n) DETACH DELETE n //"


def test_row13_cypher_text_in_names_is_data(cli, tmp_path):
    """A name written to break out of a Cypher string is stored verbatim and matched as a
    parameter value; the graph keeps its nodes."""
    out = tmp_path / "out"
    assert cli("build", "--no-reference", hostile("cypher-name.yaml"), "-o", out).exit_code == 0
    entities, _, _ = built(out)
    robby = next(e for e in entities if e["id"] == "robby")
    assert robby["name"] == EVIL_NAME and robby["aliases"] == ["x`}) DETACH DELETE n //"]
    count = "MATCH (n:Entity) RETURN count(n) AS n"
    assert json.loads(cli("cypher", count, "--graph", out, "--format", "json").stdout) == [{"n": 2}]
    found = cli("cypher", "MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id", "--graph", out,
                "--param", f"name={EVIL_NAME}", "--format", "json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout) == [{"id": "robby"}]
    assert json.loads(cli("cypher", count, "--graph", out, "--format", "json").stdout) == [{"n": 2}]


def test_row14_types_come_from_the_schema_only(cli, tmp_path):
    """A type or relation text that would close a Cypher label or relationship pattern is an
    unknown type at build time (file, line, field); a graph directory edited by hand to hold one
    is refused by every command that reads it, before any label, type or file name is made."""
    path, out = hostile("cypher-type.yaml"), tmp_path / "out"
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    assert_error(result.stderr, path, 3, "unknown-node-type", "type")
    assert_error(result.stderr, path, 7, "unknown-edge-type", "p")
    assert_nothing_written(out)
    result = cli("build", "--no-reference", path, "-o", out, "--keep-going")
    assert result.exit_code == 1
    entities, facts, report = built(out)
    assert [e["id"] for e in entities] == ["acme_chips", "lumen_grid"]
    assert [f["p"] for f in facts] == ["competes_with"]
    assert {(d["code"], d["line"]) for d in report["diagnostics"] if d["severity"] == "error"} >= {
        ("unknown-node-type", 3), ("unknown-edge-type", 7)}
    # the same text smuggled into a built graph
    facts_file = out / "facts.jsonl"
    facts_file.write_text(facts_file.read_text(encoding="utf-8").replace(
        '"p":"competes_with"', '"p":"supplies`]->(x) DETACH DELETE x //"'), encoding="utf-8")
    for args in (("export", "--graph", out, "--format", "cypher", "-o", tmp_path / "g.cypher"),
                 ("export", "--graph", out, "--format", "neo4j-csv", "-o", tmp_path / "n4"),
                 ("stats", "--graph", out)):  # (`kg cypher`/`kg query` too, once they catch it: see report)
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "facts.jsonl:1: corrupt record: unknown relation type" in result.stderr, result.stderr
    assert not (tmp_path / "g.cypher").exists() and not (tmp_path / "n4").exists()


# -- rows 15-17: YAML --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, line, says", [
    ("python-tag.yaml", 4, "python/object/apply:os.system"), ("python-name-tag.yaml", 3, "python/name:os.system"),
    ("set-tag.yaml", 4, "YAML tag !!set is not allowed"), ("binary-tag.yaml", 3, "YAML tag !!binary is not allowed"),
])
def test_row15_python_yaml_tags_are_refused(cli, tmp_path, monkeypatch, name, line, says):
    """Only the safe loader runs, and of its tags only what JSON can say: no object is built,
    no command runs (and a !!set does not turn into a mapping with our line key in it)."""
    monkeypatch.chdir(tmp_path)
    path, out = hostile(name), tmp_path / "out"
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    message = assert_error(result.stderr, path, line, "syntax-error")
    assert says in message
    assert not (tmp_path / "ripplekg-pwned").exists()  # os.system never ran
    assert_nothing_written(out)


def test_row16_yaml_alias_bomb_is_refused_quickly(tmp_path):
    """Refused at the first alias, in a child limited to 1 GiB of address space (expanded, the
    bomb is 9**9 strings) and in well under the time a walk over it would take."""
    path, out = hostile("alias-bomb.yaml"), tmp_path / "out"
    proc, stats = kg_proc("build", "--no-reference", path, "-o", out, rlimit_as=2**30, timeout=60)
    assert_no_traceback(proc)
    assert proc.returncode == 1
    assert "aliases" in assert_error(proc.stderr, path, 2, "syntax-error")
    assert stats["seconds"] < 20 and stats["max_rss_mb"] < 300, stats
    assert_nothing_written(out)


def test_row16_alias_bomb_in_an_article_sidecar(tmp_path):
    """Article metadata (NAME.meta.yaml) is read with the same safe loader: a bomb in `title`
    is an error naming the sidecar, not a walk over 9**9 strings (`kg extract` reports it too)."""
    article = tmp_path / "story.txt"
    article.write_text("Nvidia fell 17% on Monday.\n", encoding="utf-8")
    bomb = hostile("alias-bomb.yaml").read_text(encoding="utf-8").split("entities:")[0] + "title: *i\n"
    (tmp_path / "story.meta.yaml").write_text(bomb, encoding="utf-8")
    for args in (("build", "--no-reference", article, "-o", tmp_path / "out"), ("extract", article)):
        proc, stats = kg_proc(*args, rlimit_as=2**30, timeout=60, cwd=tmp_path)
        assert_no_traceback(proc)
        message = assert_error(proc.stderr, article, None, "syntax-error")
        assert "sidecar story.meta.yaml, line " in message and "aliases" in message, message
        assert stats["seconds"] < 20 and stats["max_rss_mb"] < 300, stats
        assert proc.returncode == 1
        assert "Nvidia" not in proc.stdout  # nothing of the article is in any output


def test_row17_yaml_duplicate_key(cli, tmp_path):
    path, out = hostile("duplicate-key.yaml"), tmp_path / "out"
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    assert "duplicate key 'name' (first on line 5)" in assert_error(result.stderr, path, 6, "syntax-error")
    assert_nothing_written(out)


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl"])
def test_row17_deep_nesting_in_a_record(cli, tmp_path, suffix):
    deep = "[" * 5000 + "]" * 5000
    record = '{"id": "acme_chips", "type": "Company", "name": "Acme", "tags": %s}' % deep
    text = {".yaml": f"source: x\nentities:\n  - {record}\n", ".json": '{"source": "x", "entities": [%s]}' % record,
            ".jsonl": record + "\n"}[suffix]
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    result = cli("build", "--no-reference", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    message = assert_error(result.stderr, path, {".yaml": 3}.get(suffix, 1), "syntax-error")
    assert _deep(message) and ("deep" in message or "depth" in message), message
    assert_nothing_written(tmp_path / "out")


def _deep(message: str) -> bool:
    """Our depth check's message, or libyaml's own (PyYAML 6.0.4 bundles a libyaml that stops at
    a maximum nesting depth before our event-stream check sees the events)."""
    return "nesting is" in message or "exceeded maximum nesting depth" in message


@pytest.mark.parametrize("suffix, text", [
    (".yaml", "[" * 100_000 + "]" * 100_000 + "\n"),
    (".yaml", "entities:\n  - {id: a, type: Company, name: A, tags: " + "{a: " * 100_000 + "}" * 100_000 + "}\n"),
    (".json", "[" * 100_000 + "]" * 100_000),
    (".jsonl", '{"id": "a", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}\n"),
], ids=["yaml-list", "yaml-mapping-in-record", "json", "jsonl"])
def test_row17_100k_deep_nesting_is_an_error_not_a_crash(tmp_path, suffix, text):
    """In a child process: libyaml's composer recursed in C and killed the process (SIGSEGV) on
    100,000 levels; now the depth is checked on the event stream first."""
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    proc, stats = kg_proc("validate", "--no-reference", "--format", "json", path)
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    (diag,) = json.loads(proc.stdout)["diagnostics"]
    assert diag["code"] == "syntax-error" and diag["path"] == str(path) and _deep(diag["message"]), diag
    assert stats["seconds"] < 20


# -- rows 18-20: CSV ----------------------------------------------------------------------------------
def test_row18_csv_formula_cells(cli, tmp_path):
    """Kept verbatim in the graph; the csv export (also for spreadsheets) writes text cells that
    a spreadsheet would run as a formula with a leading ', which `kg build` drops again; Neo4j's
    import CSV is not for spreadsheets and keeps the text as it is."""
    out = tmp_path / "out"
    assert cli("build", "--no-reference", hostile("formula.csv"), "-o", out).exit_code == 0
    entities, _, _ = built(out)
    hyperlink = '=HYPERLINK("http://attacker.example/","click")'
    acme = next(e for e in entities if e["id"] == "acme_chips")
    assert acme["name"] == hyperlink and acme["description"] == "@SUM(1+1)"
    assert cli("export", "--graph", out, "--format", "csv", "-o", tmp_path / "tables").exit_code == 0
    cells = (tmp_path / "tables" / "entities.csv").read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://attacker.example/"",""click"")"' in cells
    assert ",'@SUM(1+1)" in cells and ",'-3.2 is text here" in cells
    assert "\n=" not in cells and ",=" not in cells and ",@" not in cells
    again = tmp_path / "again"
    assert cli("build", "--no-reference", tmp_path / "tables", "-o", again).exit_code == 0
    assert (again / "entities.jsonl").read_bytes() == (out / "entities.jsonl").read_bytes()
    assert cli("export", "--graph", out, "--format", "neo4j-csv", "-o", tmp_path / "n4").exit_code == 0
    neo = (tmp_path / "n4" / "nodes_Company.csv").read_text(encoding="utf-8")
    assert '"=HYPERLINK(' in neo and "'=" not in neo


def test_row19_csv_bom_multiline_and_quotes_are_kept(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("build", "--no-reference", hostile("bom-multiline.csv"), "-o", out)
    assert result.exit_code == 0, result.output
    entities, _, _ = built(out)
    assert [e["id"] for e in entities] == ["acme_chips", "lumen_grid"]  # the BOM is not in 'id'
    assert entities[0]["description"] == 'two\nlines, with "quotes"'


def test_row19_csv_nul_byte_is_an_error_with_its_line(cli, tmp_path):
    path, out = hostile("nul-byte.csv"), tmp_path / "out"
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    assert "NUL byte (byte 67)" in assert_error(result.stderr, path, 3, "syntax-error")
    assert_nothing_written(out)


def test_row20_csv_wrong_column_count_rows_go_to_the_report(cli, tmp_path):
    path, out = hostile("wrong-columns.csv"), tmp_path / "out"
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    assert "row has 4 cells, the header has 3" in assert_error(result.stderr, path, 3, "bad-record")
    assert "row has 2 cells, the header has 3" in assert_error(result.stderr, path, 4, "bad-record")
    assert_nothing_written(out)
    result = cli("build", "--no-reference", path, "-o", out, "--keep-going")
    assert result.exit_code == 1
    entities, _, report = built(out)
    assert [e["id"] for e in entities] == ["acme_chips", "mara_osei"]
    assert [(d["code"], d["line"], d["path"]) for d in report["diagnostics"]] == [
        ("bad-record", 3, str(path)), ("bad-record", 4, str(path))]


def test_row20_csv_10_mb_field(cli, tmp_path):
    """A 10 MB cell: refused with its line (the CSV reader's field limit), no crash; with
    --keep-going the other inputs are still built."""
    path = tmp_path / "big-field.csv"
    path.write_text("id,type,name,description\nacme_chips,Company,Acme,\"" + "x" * 10_000_000 + "\"\n",
                    encoding="utf-8")
    result = cli("build", "--no-reference", path, hostile("valid.yaml"), "-o", tmp_path / "out", "--keep-going")
    assert result.exit_code == 1
    assert "field larger than field limit" in assert_error(result.stderr, path, 2, "syntax-error")
    entities, _, _ = built(tmp_path / "out")
    assert [e["id"] for e in entities] == ["acme_chips", "lumen_grid"]
    assert all(len(e.get("description", "")) < 100 for e in entities)


def test_row20_csv_100k_columns(cli, tmp_path):
    path = tmp_path / "wide.csv"
    extra = [f"c{i}" for i in range(100_000)]
    path.write_text(",".join(["id", "type", "name", *extra]) + "\n"
                    + ",".join(["acme_chips", "Company", "Acme", *[""] * len(extra)]) + "\n", encoding="utf-8")
    start = time.monotonic()
    result = cli("build", "--no-reference", path, "-o", tmp_path / "out")
    assert time.monotonic() - start < 15
    assert result.exit_code == 0, result.output[-2000:]
    assert [e["id"] for e in built(tmp_path / "out")[0]] == ["acme_chips"]


def test_row20_max_errors_stops_reading(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("build", "--no-reference", hostile("wrong-columns.csv"), hostile("latin1.csv"),
                 hostile("valid.yaml"), "-o", out, "--max-errors", "1", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["stopped"] is True and data["unread"] == 2 and data["output"] is None
    assert_nothing_written(out)


# -- row 21: encodings ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, line", [("latin1.csv", 2), ("latin1.yaml", 3), ("latin1.txt", 5)])
def test_row21_latin1_is_not_valid_utf8(cli, tmp_path, name, line):
    path, out = hostile(name), tmp_path / "out"
    offset = path.read_bytes().index(b"\xe9")
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    message = assert_error(result.stderr, path, line, "syntax-error")
    assert f"not valid UTF-8 at byte {offset} (0xe9)" in message
    assert "\ufffd" not in result.output and "Soci" not in result.output  # no mojibake shown
    # nothing of the graph is written (an article build may leave its extraction cache)
    assert not out.exists() or {p.name for p in out.iterdir()} <= {".cache"}
    if name.endswith(".txt"):
        extract = cli("extract", path, "--format", "json")
        assert f"not valid UTF-8 at byte {offset}" in extract.stderr
        assert not extract.stdout or json.loads(extract.stdout)["facts"] == []


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_row21_lone_surrogate_escape_is_an_error(cli, tmp_path, suffix):
    """JSON may spell `\\ud800` alone, which is no character: an error at its line (it used to
    reach the graph writer and end in a UnicodeEncodeError traceback); a real pair is text."""
    good = '{"id": "acme_chips", "type": "Company", "name": "Acme \\ud83d\\ude00"}'
    bad = '{"id": "lumen_grid", "type": "Company", "name": "Lumen \\udc00 Grid"}'
    text = (f'{{"entities": [\n{good},\n{bad}]}}\n' if suffix == ".json" else f"{good}\n{bad}\n")
    path, out = tmp_path / f"surrogate{suffix}", tmp_path / "out"
    path.write_text(text, encoding="utf-8")
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    assert "half a surrogate pair" in assert_error(result.stderr, path, {".json": 3}.get(suffix, 2), "syntax-error")
    assert_nothing_written(out)
    path.write_text(text.replace(bad, bad.replace("\\udc00 ", "")), encoding="utf-8")
    assert cli("build", "--no-reference", path, "-o", out).exit_code == 0
    assert built(out)[0][0]["name"] == "Acme \U0001f600"


# -- row 22: Unicode in names and ids -----------------------------------------------------------------
def test_row22_unicode_spellings_make_one_node(cli, tmp_path):
    """NFC, NFD, a zero-width joiner and bidi overrides: one node, its id and name free of
    zero-width and bidi controls, and the fact given for one spelling lands on it."""
    out = tmp_path / "out"
    result = cli("build", "--no-reference", hostile("unicode-names.jsonl"), "-o", out)
    assert result.exit_code == 0, result.output
    entities, facts, _ = built(out)
    assert [(e["id"], e["name"]) for e in entities] == [("acme_chips", "Acme Chips"),
                                                         ("sg_nfc", "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale")]
    assert "aliases" not in entities[1]
    assert [(f["s"], f["p"], f["o"]) for f in facts] == [("acme_chips", "competes_with", "sg_nfc")]
    raw = (out / "entities.jsonl").read_text(encoding="utf-8") + (out / "facts.jsonl").read_text(encoding="utf-8")
    assert not any(ch in raw for ch in "\u200b\u200d\u2060\u202c\u202e\u0301")


# -- row 23: numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, bad_lines", [
    ("nan-values.yaml", [6, 7, 8, 9]), ("nan-values.json", [5, 6, 7]),
    ("nan-values.csv", [3, 4]), ("nan-values.jsonl", [3]),
])
def test_row23_nan_and_infinity_are_errors_with_their_line(cli, tmp_path, name, bad_lines):
    path, out = hostile(name), tmp_path / "out"
    inputs = [path] + ([hostile("big-int-entities.csv")] if name.endswith(".csv") else [])
    result = cli("build", "--no-reference", *inputs, "-o", out)
    assert result.exit_code == 1
    for line in bad_lines:
        assert "value" in assert_error(result.stderr, path, line, "bad-value", "value")
    assert len(errors_of(result.stderr)) == len(bad_lines)  # one error per bad fact, no follow-ups
    assert_nothing_written(out)
    result = cli("build", "--no-reference", *inputs, "-o", out, "--keep-going")
    assert result.exit_code == 1
    _, facts, report = built(out)
    assert [(f["p"], f["value"]) for f in facts] == [("market_cap", 12000000000)]
    assert [(d["line"], d["field"]) for d in report["diagnostics"]] == [(n, "value") for n in bad_lines]


def test_row23_french_decimal_comma_and_unicode_minus(cli):
    """"−3,2 %" (U+2212, decimal comma) in a French article is a 3.2% fall; "6,4%" in an English
    one is not read as 4% (nor as 6): a comma between digits that is no thousands separator
    glues them into one token the English grammar does not know."""
    fr = json.loads(cli("extract", hostile("fr-decimal-minus.txt"), "--format", "json").stdout)
    moves = [(f["s"], f["p"], f["value"], f["evidence"][0]["quote"]) for f in fr["facts"] if f["p"] == "fell_by"]
    assert moves == [("nvidia", "fell_by", 3.2, "Lundi 27 janvier 2025, Nvidia a chuté de −3,2 % à la clôture.")]
    en = json.loads(cli("extract", hostile("en-decimal-comma.txt"), "--format", "json").stdout)
    assert [f for f in en["facts"] if f["p"] in ("fell_by", "rose_by")] == []


# -- row 24: big integers -------------------------------------------------------------------------------
def test_row24_big_integers_are_kept_exactly(cli, tmp_path):
    big = 9007199254740993  # 2**53 + 1: a float would make it ...992
    out = tmp_path / "ids"
    assert cli("build", "--no-reference", hostile("big-int-id.yaml"), "-o", out).exit_code == 0
    entities, facts, _ = built(out)
    assert [e["id"] for e in entities] == [str(big), "lumen_grid"]  # an integer id is its digits
    assert [(f["s"], f["o"]) for f in facts] == [(str(big), "lumen_grid")]
    for name, inputs in (("yaml", [hostile("big-int.yaml")]),
                         ("csv", [hostile("big-int-entities.csv"), hostile("big-int-facts.csv")])):
        out = tmp_path / name
        assert cli("build", "--no-reference", *inputs, "-o", out).exit_code == 0
        assert f'"value":{big}' in (out / "facts.jsonl").read_text(encoding="utf-8"), name
        assert [f["value"] for f in built(out)[1]] == [big]
    out = tmp_path / "yaml"
    assert cli("export", "--graph", out, "--format", "json", "-o", tmp_path / "g.json").exit_code == 0
    assert f'"value": {big}' in (tmp_path / "g.json").read_text(encoding="utf-8")
    assert cli("export", "--graph", out, "--format", "csv", "-o", tmp_path / "tables").exit_code == 0
    assert f",{big}," in (tmp_path / "tables" / "facts.csv").read_text(encoding="utf-8")
    assert cli("build", "--no-reference", tmp_path / "tables", "-o", tmp_path / "again").exit_code == 0
    assert [f["value"] for f in built(tmp_path / "again")[1]] == [big]


def test_row24_javascript_facing_exports_write_big_integers_as_digits(cli, tmp_path):
    """Cytoscape.js, Cytoscape Web and the html view parse JSON numbers as doubles: an integer
    past 2^53 - 1 is written as a string of its digits there (exact), and stays a number where
    the number is safe."""
    import re
    big, out = 9007199254740993, tmp_path / "g"
    assert cli("build", "--no-reference", hostile("big-int.yaml"), "-o", out).exit_code == 0
    for fmt in ("cyjs", "cx2", "html"):
        target = tmp_path / f"g.{fmt}"
        assert cli("export", "--graph", out, "--format", fmt, "-o", target).exit_code == 0, fmt
        text = target.read_text(encoding="utf-8")
        assert re.search(rf'"{big}\\?"', text), fmt       # the digits, as a string (maybe in JSON text)
        assert not re.search(rf'(?<!["\d]){big}', text), fmt  # never as a bare number
        assert "9007199254740992" not in text, fmt
    safe = {"nodes": [{"data": {"id": "a", "n": 2**53 - 1, "m": -(2**53) - 7, "ok": True}}]}
    from kg.exporters.cyjs import js_exact
    assert js_exact(safe) == {"nodes": [{"data": {"id": "a", "n": 2**53 - 1, "m": str(-(2**53) - 7), "ok": True}}]}


# -- row 27: characters XML cannot hold ------------------------------------------------------------
def test_row27_controls_and_noncharacters_leave_xml_exports_well_formed(cli, tmp_path):
    """U+0001, U+0007, U+FFFE and U+FFFF in a name: the graph keeps what clean_text keeps, and
    every XML export drops what XML 1.0 cannot hold, so each file still parses."""
    import xml.etree.ElementTree as ET
    path, out = tmp_path / "controls.jsonl", tmp_path / "out"
    path.write_text('{"id": "acme_chips", "type": "Company", "name": "Acme\\u0001 \\ufffe Chips\\uffff\\u0007"}\n',
                    encoding="utf-8")
    assert cli("build", "--no-reference", path, "-o", out).exit_code == 0
    for fmt in ("graphml", "graphml-yed", "gexf"):
        target = tmp_path / f"g.{fmt}"
        assert cli("export", "--graph", out, "--format", fmt, "-o", target).exit_code == 0
        raw = target.read_bytes()
        ET.fromstring(raw)  # well-formed
        assert b"Acme  Chips" in raw and "\ufffe".encode() not in raw and "\uffff".encode() not in raw, fmt


# -- rows 30-33: output paths and failed writes -------------------------------------------------------
def test_row30_output_symlinks_are_refused(cli, tmp_path, graph_dir):
    """`-o LINK`: refused (exit 3) whether it points at a graph, an empty directory or nowhere;
    what it points at is untouched."""
    victim_graph, victim_empty = graph_dir, tmp_path / "empty"
    victim_empty.mkdir()
    before = tree(tmp_path)
    for target in (victim_graph, victim_empty, tmp_path / "nowhere"):
        link = tmp_path / f"link-to-{target.name}"
        link.symlink_to(target, target_is_directory=True)
        result = cli("build", "--no-reference", hostile("valid.yaml"), "-o", link)
        assert result.exit_code == 3, result.output
        assert "symbolic link" in result.stderr
        link.unlink()
    assert tree(tmp_path) == before
    assert not (tmp_path / "nowhere").exists()


def test_row30_export_through_a_symlink_is_refused_even_with_force(cli, tmp_path, graph_dir):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "out" / "graph.ttl"
    link.parent.mkdir()
    link.symlink_to(victim)
    before = tree(tmp_path)
    for force in ((), ("--force",)):
        result = cli("export", "--graph", graph_dir, "--format", "ttl", "-o", link, *force)
        assert result.exit_code == 3 and "symbolic link" in result.stderr, result.output
    assert tree(tmp_path) == before


def test_row30_output_path_is_taken_literally(cli, tmp_path):
    """The user names the output path; it is not URL-decoded: `%2e%2e%2f` is a directory name,
    and nothing appears anywhere else (no temporary left beside it)."""
    work = tmp_path / "work"
    work.mkdir()
    out = work / "%2e%2e%2fescape"
    result = cli("build", "--no-reference", hostile("valid.yaml"), "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(tree(tmp_path)) == ["work", "work/%2e%2e%2fescape", *(
        f"work/%2e%2e%2fescape/{n}" for n in ("entities.jsonl", "facts.jsonl", "manifest.json", "report.json"))]


def test_row30_no_directory_is_made_through_dotdot(cli, tmp_path):
    """`-o work/new/../graph` names a place through a directory that does not exist: exit 3,
    and `work/new` is not created on the way (APOC's `out/..//..//x` shape)."""
    work = tmp_path / "work"
    work.mkdir()
    result = cli("build", "--no-reference", hostile("valid.yaml"), "-o", work / "new" / ".." / "graph")
    assert result.exit_code == 3, result.output
    assert "does not exist" in result.stderr
    assert tree(tmp_path) == {"work": "dir"}
    result = cli("build", "--no-reference", hostile("valid.yaml"), "-o", work / ".." / "graph")
    assert result.exit_code == 0  # `..` through a directory that exists is a path like any other
    assert (tmp_path / "graph" / "manifest.json").is_file()


def test_row30_names_from_the_data_never_become_paths(cli, tmp_path, graph_dir):
    """Exporters that write one file per type (neo4j-csv) take the names from the schema; a
    graph edited to hold a type like `../../evil` is refused before any file is made."""
    entities = graph_dir / "entities.jsonl"
    entities.write_text(entities.read_text(encoding="utf-8").replace('"type":"Company"', '"type":"../../evil"'),
                        encoding="utf-8")
    before = tree(tmp_path)
    for fmt in ("neo4j-csv", "csv", "parquet", "graphml"):
        result = cli("export", "--graph", graph_dir, "--format", fmt, "-o", tmp_path / "exports" / fmt)
        assert result.exit_code == 1 and "unknown entity type '../../evil'" in result.stderr, result.output
    assert tree(tmp_path) == before


def test_row31_existing_output_is_refused_and_untouched(cli, tmp_path, graph_dir):
    existing = tmp_path / "g.json"
    existing.write_text("keep me\n")
    result = cli("export", "--graph", graph_dir, "--format", "json", "-o", existing)
    assert result.exit_code == 3 and "already exists; use --force" in result.stderr
    assert existing.read_text() == "keep me\n"
    # kg build replaces only a graph: not a file, not a directory of something else
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("mine\n")
    before = tree(tmp_path)
    for out in (existing, other):
        result = cli("build", "--no-reference", hostile("valid.yaml"), "-o", out)
        assert result.exit_code == 3, result.output
    assert tree(tmp_path) == before


def _fail_with_enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_row32_disk_full_leaves_the_previous_output(cli, tmp_path, graph_dir, monkeypatch):
    """ENOSPC while writing: exit 3 naming the output, the previous graph and export byte for
    byte as they were, no temporary left."""
    export = tmp_path / "g.json"
    assert cli("export", "--graph", graph_dir, "--format", "json", "-o", export).exit_code == 0
    before = tree(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", _fail_with_enospc)  # every atomic file is fsynced before its rename
        result = cli("export", "--graph", graph_dir, "--format", "json", "-o", export, "--force")
    assert result.exit_code == 3, result.output
    assert f"{export}: cannot write: No space left on device" in result.stderr
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", _fail_with_enospc)  # each file of the new graph is fsynced when written
        result = cli("build", "--no-reference", hostile("cypher-name.yaml"), "-o", graph_dir)
    assert result.exit_code == 3, result.output
    assert f"{graph_dir}: cannot write: No space left on device" in result.stderr
    assert tree(tmp_path) == before


@pytest.mark.parametrize("command", ["build", "export"])
def test_row32_interrupted_writes_leave_the_previous_output(tmp_path, graph_dir, command):
    """A real SIGINT in the middle of writing (at the fsync of the new file, or between two files
    of the new graph directory): the previous output is intact and no temporary is left."""
    export = tmp_path / "g.json"
    export.write_text("previous export\n")
    before = tree(tmp_path)
    args = (["build", "--no-reference", str(hostile("cypher-name.yaml")), "-o", str(graph_dir)]
            if command == "build" else
            ["export", "--graph", str(graph_dir), "--format", "json", "-o", str(export), "--force"])
    script = textwrap.dedent(f"""
        import os, pathlib, signal, sys
        def interrupt(*a, **k):
            os.kill(os.getpid(), signal.SIGINT)
        real = os.fsync
        def fsync(fd):
            if os.readlink(f"/proc/self/fd/{{fd}}").endswith("facts.jsonl"):
                interrupt()  # the build's facts are written, its report and manifest are not
            return real(fd)
        os.fsync = interrupt if {command!r} == "export" else fsync
        sys.argv = ["kg", *{args!r}]
        from kg.cli import run
        run()
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert_no_traceback(proc)
    assert proc.returncode == 130 and "kg: interrupted" in proc.stderr, proc.stderr
    assert tree(tmp_path) == before


def test_row33_failing_exporter_leaves_no_file(cli, tmp_path, graph_dir, monkeypatch):
    """An exporter failing half-way: GraphML given a list value (networkx refuses it while
    writing), the csv tables failing after two of their three files. No 0-byte or partial file,
    no temporary, the previous export intact."""
    import networkx as nx

    import kg.exporters.csv as csv_export
    import kg.exporters.graphml as graphml_export
    cases = (("graphml", "g.graphml", graphml_export, "scalar", lambda value: value, nx.NetworkXError),
             ("csv", "tables", csv_export, "package", _fail_with_type_error, TypeError))
    for fmt, name, module, attr, replacement, error in cases:
        assert cli("export", "--graph", graph_dir, "--format", fmt, "-o", tmp_path / name).exit_code == 0
        before = tree(tmp_path)
        with monkeypatch.context() as m:
            m.setattr(module, attr, replacement)  # lists reach networkx / the schema step fails
            with pytest.raises(error):
                cli("export", "--graph", graph_dir, "--format", fmt, "-o", tmp_path / name, "--force")
        assert tree(tmp_path) == before, fmt


def _fail_with_type_error(*args, **kwargs):
    raise TypeError("a value the table schema cannot describe")


# -- row 34: huge inputs -----------------------------------------------------------------------------
def _big_json(path: Path, mb: int) -> Path:
    """One line: a valid sheet whose one entity has a `description` of `mb` MiB."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"source": "generated", "entities": [{"id": "acme_chips", "type": "Company", '
                 '"name": "Acme Chips", "description": "')
        chunk = "x" * 2**20
        for _ in range(mb):
            fh.write(chunk)
        fh.write('"}]}')
    return path


def test_row34_input_over_the_size_cap_is_refused_unread(tmp_path):
    """KG_MAX_INPUT_BYTES: a bigger file is refused from its size, before a byte is read, in a
    child limited to 1 GiB of address space; the other inputs' errors are still reported."""
    path = _big_json(tmp_path / "big.json", 50)
    out = tmp_path / "out"
    proc, stats = kg_proc("build", "--no-reference", path, "-o", out,
                          env={"KG_MAX_INPUT_BYTES": str(10 * 2**20)}, rlimit_as=2**30)
    assert_no_traceback(proc)
    assert proc.returncode == 1
    message = assert_error(proc.stderr, path, None, "syntax-error")
    assert f"file is {path.stat().st_size} bytes, over the limit of {10 * 2**20} bytes (KG_MAX_INPUT_BYTES)" in message
    assert stats["seconds"] < 30 and stats["max_rss_mb"] < 150  # the 50 MB were never read
    print(f"row 34, size cap: {stats['max_rss_mb']:.0f} MB max RSS, {stats['seconds']:.1f} s")
    assert_nothing_written(out)


def test_row34_50_mb_single_line_json_in_bounded_memory(tmp_path):
    """Under the default cap a 50 MB single-line sheet is built in a child limited to 1 GiB of
    address space, in seconds (the line index and name cleaning are not per-character Python)."""
    path = _big_json(tmp_path / "big.json", 50)
    out = tmp_path / "out"
    proc, stats = kg_proc("build", "--no-reference", path, "-o", out, rlimit_as=2**30, timeout=120)
    print(f"row 34, 50 MB JSON: {stats['max_rss_mb']:.0f} MB max RSS, {stats['seconds']:.1f} s")
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert stats["max_rss_mb"] < 400 and stats["seconds"] < 15  # was 590 MB and 23 s
    assert len(built(out)[0][0]["description"]) == 50 * 2**20


def test_row34_out_of_memory_is_an_error_not_a_traceback(cli, tmp_path, monkeypatch):
    """When parsing runs out of memory anyway, the file is reported (with its size and the
    setting to use), the other inputs still load, and nothing is written without --keep-going."""
    import kg.loaders.factsheet as factsheet

    def no_memory(text):
        raise MemoryError
    path = _big_json(tmp_path / "big.json", 1)
    monkeypatch.setattr(factsheet, "parse_json", no_memory)
    result = cli("build", "--no-reference", path, hostile("valid.yaml"), "-o", tmp_path / "out")
    assert result.exit_code == 1
    message = assert_error(result.stderr, path, None, "syntax-error")
    assert f"not enough memory to read this file ({path.stat().st_size} bytes)" in message
    assert "KG_MAX_INPUT_BYTES" in message
    assert_nothing_written(tmp_path / "out")


def test_row36_pyarrow_is_not_the_vulnerable_version():
    """CVE-2023-47248 (pyarrow 0.14-14.0.0): the Parquet export runs pyarrow, pinned >= 14.0.1."""
    from importlib.metadata import version
    major, minor, patch = (int(p) for p in version("pyarrow").split(".")[:3])
    assert (major, minor, patch) >= (14, 0, 1)
    pinned = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"pyarrow>=14.0.1"' in pinned


# -- row 40: degenerate ids and names -----------------------------------------------------------------
def test_row40_empty_and_huge_names_fail_validation(cli, tmp_path):
    """An empty id, a 20,000-character id, type, relation or name: errors at validation with
    their line and field (messages keep the head and tail of a huge value), nothing written;
    with --keep-going only the good entity is in the graph."""
    records = [
        {"id": "", "type": "Company", "name": ""},
        {"id": "a" * 20_000, "type": "Company", "name": "Long Id"},
        {"id": "long_type", "type": "T" * 20_000, "name": "Long Type"},
        {"id": "long_name", "type": "Company", "name": "N" * 20_000},
        {"id": "long_alias", "type": "Company", "name": "Long Alias", "aliases": ["A" * 20_000]},
        {"id": "acme_chips", "type": "Company", "name": "Acme Chips"},
        {"s": "acme_chips", "p": "x" * 20_000, "o": "acme_chips", "source": "x"},
    ]
    path, out = tmp_path / "long.jsonl", tmp_path / "out"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    assert_error(result.stderr, path, 1, "missing-field", "id")
    assert "does not match the id pattern" in assert_error(result.stderr, path, 2, "bad-value", "id")
    assert_error(result.stderr, path, 3, "unknown-node-type", "type")
    assert "name of 20000 characters is longer than 1000" in assert_error(result.stderr, path, 4, "bad-value", "name")
    assert "alias of 20000 characters" in assert_error(result.stderr, path, 5, "bad-value", "name")
    assert_error(result.stderr, path, 7, "unknown-edge-type", "p")
    assert max(len(line) for line in result.stderr.splitlines()) < 2_500  # not 20,000 characters
    assert_nothing_written(out)
    assert cli("build", "--no-reference", path, "-o", out, "--keep-going").exit_code == 1
    assert [e["id"] for e in built(out)[0]] == ["acme_chips"]


# -- row 26: self-loops ------------------------------------------------------------------------------
def test_row26_a_self_loop_is_a_domain_violation(cli, tmp_path):
    """No edge type allows an entity to point at itself: the fact is refused with its line and
    field; with --keep-going the rest of the sheet is built and the loop is in the report."""
    path = tmp_path / "loop.yaml"
    path.write_text("source: loop test\nentities:\n  - {id: a, type: Company, name: A}\n"
                    "  - {id: b, type: Company, name: B}\nfacts:\n"
                    "  - {s: a, p: supplies, o: b}\n  - {s: a, p: competes_with, o: a}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = cli("build", "--no-reference", path, "-o", out)
    assert result.exit_code == 1
    message = assert_error(result.stderr, path, 7, "domain-violation")
    assert "competes_with links 'a' to itself" in message, message
    assert_nothing_written(out)
    kept = cli("build", "--no-reference", "--keep-going", path, "-o", out)
    assert kept.exit_code == 1
    from kg import load
    graph = load(out)
    assert [(f.s, f.p, f.o) for f in graph.facts()] == [("a", "supplies", "b")]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "to itself" in json.dumps(report)
