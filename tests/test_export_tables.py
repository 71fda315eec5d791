"""Table exports (parquet, csv + schema) and Neo4j exports (neo4j-csv, cypher), read back by their
consumers: pyarrow and pandas for Parquet, a Table Schema check for the CSV, the neo4j-admin
header grammar for neo4j-csv, and a real Cypher server (FalkorDB over Bolt, see
tests/falkordb_server.py) for both Neo4j formats.

There is no Neo4j here (no package, no Docker), so `neo4j-admin database import` itself is not
run: the neo4j-csv files are checked against the documented header grammar and cell rules, then
loaded into FalkorDB by a small LOAD CSV loader driven only by each file's typed header (MERGE on
the ID column, conversion per declared type). FalkorDB's `toFloat` parses strings as 32-bit
floats, so doubles loaded that way are compared to 6 significant digits; and an empty list is
absent after a CSV import (Neo4j cannot import empty arrays) where `kg push` stores `[]`.
The cypher script runs statement by statement over Bolt without its `CREATE CONSTRAINT` lines
(FalkorDB has no constraint DDL in Cypher), twice, and must leave exactly what `kg push` leaves.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, strategies as st

import kg
from helpers import EXPORT_FIXTURE, assert_golden
from kg.exporters.cypher import literal, script
from kg.exporters.neo4j_csv import Neo4jCsvExporter
from kg.exporters.parquet import tables
from kg.graph import Graph
from kg.model import Entity, Evidence, Fact
from kg.push_bolt import LINKS, NODE_KEYS, plan, push_driver
from kg.schema.model import load_schema

from falkordb_server import falkordb_server

FORMATS = ("parquet", "csv", "neo4j-csv", "cypher")
DRIVER = {"max_transaction_retry_time": 2.0, "connection_timeout": 10.0}


@pytest.fixture(scope="module")
def small():
    return kg.build([EXPORT_FIXTURE], reference=False)


@pytest.fixture(scope="module")
def graphs(small, built_graphs):
    return {"small": small, "example": built_graphs["example"][0]}


def _files(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


# -- every format ------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["small", "example"])
def test_exports_are_byte_identical_across_runs(fmt, name, graphs, tmp_path):
    a = kg.export(graphs[name], fmt, tmp_path / "a")
    b = kg.export(graphs[name], fmt, tmp_path / "b")
    assert _files(a) == _files(b)


@pytest.mark.parametrize("fmt", FORMATS)
def test_kg_export_cli_writes_each_format(fmt, cli, built_graphs, tmp_path):
    graph, graph_dir = built_graphs["example"]
    result = cli("export", "--graph", graph_dir, "--format", fmt, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert _files(tmp_path / "out") == _files(kg.export(graph, fmt, tmp_path / "again"))


# -- parquet -----------------------------------------------------------------------------------
def test_parquet_schema_is_the_declared_one(small, tmp_path):
    out = kg.export(small, "parquet", tmp_path / "pq")
    assert sorted(p.name for p in out.iterdir()) == ["edges.parquet", "nodes.parquet", "values.parquet"]
    for name, table in tables(small).items():
        got = pq.read_schema(out / name)
        assert got.equals(table.schema, check_metadata=True), name
        assert set(got.metadata) == {b"ripplekg.table", b"ripplekg.schema"}  # no pandas, no time
    nodes, edges = pq.read_schema(out / "nodes.parquet"), pq.read_schema(out / "edges.parquet")
    assert nodes.field("id").type == pa.string() and not nodes.field("id").nullable
    assert nodes.field("aliases").type == pa.list_(pa.field("element", pa.string()))
    assert nodes.field("founded").type == pa.int64() and nodes.field("listed").type == pa.bool_()
    assert nodes.field("released").type == pa.date32()
    assert [f.name for f in edges][:4] == ["id", "source", "target", "type"]
    assert edges.field("value").type == pa.float64() and edges.field("date").type == pa.date32()
    assert edges.field("conflicts").type == pa.bool_()
    ev = edges.field("evidence").type
    assert pa.types.is_list(ev) and pa.types.is_struct(ev.value_type)
    assert ev.value_type.field("span_start").type == pa.int64()
    assert "target" not in pq.read_schema(out / "values.parquet").names


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@pytest.mark.parametrize("name", ["small", "example"])
def test_parquet_reads_back_in_pandas_as_the_graph(name, graphs, tmp_path):
    graph = graphs[name]
    out = kg.export(graph, "parquet", tmp_path / "pq")
    nodes = pd.read_parquet(out / "nodes.parquet").set_index("id", drop=False)
    assert list(nodes["id"]) == [e.id for e in graph.entities()]  # sorted, no index column
    for ent in graph.entities():
        row = nodes.loc[ent.id]
        assert (row["type"], row["name"]) == (ent.type, ent.name)
        assert _plain(row["aliases"]) == sorted(set(ent.aliases))
        for key, value in ent.properties.items():
            assert _plain(row[key]) == value, (ent.id, key)
    for table, facts in (("edges", list(graph.edges())), ("values", graph.values())):
        df = pd.read_parquet(out / f"{table}.parquet")
        assert list(df["id"]) == sorted(f.id for f in facts)
        rows = {r["id"]: r for r in df.to_dict("records")}
        for fact in facts:
            row = rows[fact.id]
            assert (row["source"], row.get("target"), row["type"]) == (fact.s, fact.o, fact.p)
            assert _plain(row["value"]) == (None if fact.value is None else float(fact.value))
            assert _plain(row["date"]) == fact.date
            for key, value in fact.properties.items():
                assert _plain(row[key]) == value, (fact.id, key)
            evidence = [{k: _plain(v) for k, v in e.items() if _plain(v) is not None}
                        for e in row["evidence"]]
            assert [e["source"] for e in evidence] == [e.source for e in
                                                        sorted(fact.evidence, key=Evidence.sort_key)]


def test_parquet_keeps_parallel_edges_and_value_facts(small, tmp_path):
    out = kg.export(small, "parquet", tmp_path / "pq")
    edges = pq.read_table(out / "edges.parquet").to_pylist()
    pair = ("acme_chips", "borealis_power", "supplies")
    supplies = sorted(e["product"] for e in edges if (e["source"], e["target"], e["type"]) == pair)
    assert supplies == ["gate drivers", "power modules"]
    fell = next(e for e in edges if e["type"] == "fell_by" and e["source"] == "acme_chips")
    assert fell["value"] == 12.5 and fell["date"] == dt.date(2025, 3, 3) and fell["session"] == "close"
    assert fell["evidence"][0]["quote"] == "Acme Chips lost about 12.5% by the close."
    values = pq.read_table(out / "values.parquet").to_pylist()
    assert [(v["source"], v["type"], v["value"], v["unit"]) for v in values] == [
        ("acme_chips", "market_cap_loss", 4.2e10, "USD")]


# -- csv + schema ------------------------------------------------------------------------------
def _valid(field: dict, text: str) -> bool:
    if text == "":
        return True
    kind = field["type"]
    try:
        if kind == "number":
            return math.isfinite(float(text))
        if kind == "integer":
            return str(int(text)) == text
        if kind == "boolean":
            return text in field["trueValues"] + field["falseValues"]
        if kind == "date":
            return dt.date.fromisoformat(text).isoformat() == text
        if kind == "array":
            return isinstance(json.loads(text), list)
        if kind == "object":
            return isinstance(json.loads(text), dict)
    except ValueError:
        return False
    return kind in ("string", "list")


@pytest.mark.parametrize("name", ["small", "example"])
def test_csv_schema_describes_every_column_and_cell(name, graphs, tmp_path):
    out = kg.export(graphs[name], "csv", tmp_path / "tables")
    package = json.loads((out / "tables.schema").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert [r["path"] for r in package["resources"]] == ["entities.csv", "facts.csv"]
    for res in package["resources"]:
        with open(out / res["path"], newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        fields = res["schema"]["fields"]
        assert [f["name"] for f in fields] == rows[0], res["path"]
        for row in rows[1:]:
            assert len(row) == len(fields)
            for f, text in zip(fields, row):
                assert _valid(f, text), (res["path"], f, text)
    types = {f["name"]: f["type"] for f in package["resources"][1]["schema"]["fields"]}
    assert (types["value"], types["date"], types["evidence"]) == ("number", "date", "array")


def test_kg_build_ignores_the_csv_schema_and_rebuilds_the_graph(small, tmp_path):
    from kg.pipeline import expand
    out = kg.export(small, "csv", tmp_path / "tables")
    assert (out / "tables.schema").is_file()
    assert sorted(p.name for p in expand([out]).files) == ["entities.csv", "facts.csv"]
    again = kg.build([out], reference=False)
    assert again.to_records() == small.to_records() and not again.diagnostics


# -- neo4j-csv: the header grammar -------------------------------------------------------------
NEO4J_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string",
               "point", "date", "localtime", "time", "localdatetime", "datetime", "duration"}
_TOKEN = re.compile(r"^(?P<name>[^:]*)(?::(?P<kind>ID|START_ID|END_ID|TYPE|LABEL|IGNORE|[a-z]+)"
                    r"(?:\((?P<group>[A-Za-z_][A-Za-z0-9_]*)\))?(?P<array>\[\])?)?$")


def parse_header(tokens: list[str]) -> list[dict]:
    """The columns of a neo4j-admin header: {name, role, type, array, group}; ValueError if bad."""
    cols = []
    for tok in tokens:
        m = _TOKEN.match(tok)
        if not m:
            raise ValueError(f"bad header token {tok!r}")
        name, kind, group, array = m["name"], m["kind"], m["group"], bool(m["array"])
        if kind in ("ID", "START_ID", "END_ID", "TYPE", "LABEL", "IGNORE"):
            if array or (group and kind not in ("ID", "START_ID", "END_ID")):
                raise ValueError(f"{tok!r}: no array or group on {kind}")
            if kind in ("START_ID", "END_ID", "TYPE", "LABEL") and name:
                raise ValueError(f"{tok!r}: {kind} takes no property name here")
            cols.append({"name": name, "role": kind, "type": "string", "array": False, "group": group})
        else:
            if group or not name:
                raise ValueError(f"{tok!r}: a property needs a name and no group")
            if kind is not None and kind not in NEO4J_TYPES:
                raise ValueError(f"{tok!r}: unknown type {kind}")
            cols.append({"name": name, "role": "property", "type": kind or "string",
                         "array": array, "group": None})
    names = [c["name"] for c in cols if c["name"]]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate property in {tokens}")
    return cols


def test_the_header_parser_rejects_what_neo4j_admin_rejects():
    assert parse_header(["id:ID(Entity)", "a:string[]", ":LABEL"])[1]["array"]
    for bad in (["x:integer"], [":TYPE(Group)"], ["x:ID(Bad Group)"], ["a", "a:long"], [":LABEL[]"],
                ["name:START_ID(Entity)"], [":prop"]):
        with pytest.raises(ValueError):
            parse_header(bad)


_SCALAR = {"int": r"-?\d+", "long": r"-?\d+", "short": r"-?\d+", "byte": r"-?\d+",
           "boolean": r"true|false", "date": r"\d{4}-\d{2}-\d{2}"}


def _cell_ok(col: dict, text: str, delim: str) -> bool:
    items = text.split(delim) if col["array"] else [text]
    for item in items:
        if col["type"] in ("float", "double"):
            try:
                if not math.isfinite(float(item)):
                    return False
            except ValueError:
                return False
        elif col["type"] in _SCALAR and not re.fullmatch(_SCALAR[col["type"]], item):
            return False
    return True


def read_import_dir(path: Path) -> tuple[str, dict[str, tuple[list[dict], list[list[str]]]]]:
    """(array delimiter, {file: (columns, rows)}) of a neo4j-csv export, checked cell by cell."""
    readme = (path / "README.md").read_text(encoding="utf-8")
    delim = re.search(r"--array-delimiter='(.)'", readme).group(1)
    out = {}
    for f in sorted(path.glob("*.csv")):
        assert f"={f.name}" in readme, f"{f.name} is not in the import command"
        with open(f, newline="", encoding="utf-8") as fh:
            header, *rows = list(csv.reader(fh))
        cols = parse_header(header)
        roles = [c["role"] for c in cols]
        if f.name.startswith("nodes_"):
            assert roles.count("ID") == 1 and "START_ID" not in roles and "TYPE" not in roles
        else:
            once = [roles.count(r) for r in ("START_ID", "END_ID", "TYPE", "ID", "LABEL")]
            assert once == [1, 1, 1, 0, 0], f.name
        for row in rows:
            assert len(row) == len(cols), f.name
            for col, text in zip(cols, row):
                if col["role"] in ("ID", "START_ID", "END_ID", "TYPE"):
                    assert text, (f.name, col)
                if text and col["role"] == "property":
                    assert _cell_ok(col, text, delim), (f.name, col, text)
        out[f.name] = (cols, rows)
    return delim, out


def _col(cols: list[dict], role: str) -> int:
    return next(i for i, c in enumerate(cols) if c["role"] == role)


@pytest.mark.parametrize("name", ["small", "example"])
def test_neo4j_csv_follows_the_import_rules(name, graphs, tmp_path):
    graph, schema = graphs[name], load_schema()
    delim, data = read_import_dir(kg.export(graph, "neo4j-csv", tmp_path / "n4"))
    ids: dict[str, set[str]] = {}
    for cols, rows in (v for k, v in data.items() if k.startswith("nodes_")):
        i, group = _col(cols, "ID"), cols[_col(cols, "ID")]["group"]
        assert cols[i]["name"] == NODE_KEYS[group]
        seen = ids.setdefault(group, set())
        assert not seen & {r[i] for r in rows}, "an id is unique within its ID group"
        seen |= {r[i] for r in rows}
        for row in rows:
            labels = row[_col(cols, "LABEL")].split(delim)
            assert labels[0] == group and all(lb in schema.node_types for lb in labels[1:])
    types = {t.upper() for t, e in schema.edges.items() if not e.is_attribute} | set(LINKS)
    n_rels = 0
    for cols, rows in (v for k, v in data.items() if k.startswith("rels_")):
        start, end = cols[_col(cols, "START_ID")]["group"], cols[_col(cols, "END_ID")]["group"]
        for row in rows:
            assert row[_col(cols, "START_ID")] in ids[start] and row[_col(cols, "END_ID")] in ids[end]
            assert row[_col(cols, "TYPE")] in types
        n_rels += len(rows)
    counts = graph.counts()
    assert len(ids["Entity"]) == counts["entities"] and len(ids["Claim"]) == counts["facts"]
    assert len(ids["Measure"]) == counts["values"] and len(ids["Evidence"]) == counts["evidence"]
    assert n_rels >= counts["edges"] + counts["values"] + counts["evidence"]


def test_neo4j_csv_golden_headers_and_quoting(small, tmp_path):
    out = kg.export(small, "neo4j-csv", tmp_path / "n4")
    headers = "".join(f"{f.name}: {f.read_text(encoding='utf-8').splitlines()[0]}\n"
                      for f in sorted(out.glob("*.csv")))
    assert_golden("small.neo4j-csv.headers.txt", headers.encode("utf-8"))
    assert_golden("small.neo4j-csv.README.md", (out / "README.md").read_bytes())
    company = (out / "nodes_Company.csv").read_text(encoding="utf-8")
    assert ',"Borealis ""Power"" & Grid",Borealis,' in company
    assert "ACME Chips Inc.;Acme" in company and ",Entity;Company;Organization\n" in company
    assert "--multiline-fields" not in (out / "README.md").read_text(encoding="utf-8")


def test_neo4j_csv_newlines_delimiters_and_native_dates(tmp_path):
    ents = [Entity("a", "Company", "Line one\r\nline two", aliases=["A; B", "semi;colon"]),
            Entity("b", "Company", "")]
    graph = Graph(ents, [Fact("a", "fell_by", "b", value=-1.5e-7, unit="percent", date="2025-01-27",
                              evidence=[Evidence("s")])])
    out = kg.export(graph, "neo4j-csv", tmp_path / "n4")
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "--array-delimiter='|'" in readme and "--multiline-fields=true" in readme
    delim, data = read_import_dir(out)
    cols, rows = data["nodes_Company.csv"]
    names = {r[0]: r[[c["name"] for c in cols].index("name")] for r in rows}
    assert names == {"a": "Line one\r\nline two", "b": ""}
    assert ',"",' in (out / "nodes_Company.csv").read_text(encoding="utf-8")  # "" is not null
    cols, rows = data["rels_FELL_BY.csv"]
    assert float(rows[0][[c["name"] for c in cols].index("value")]) == -1.5e-7
    Neo4jCsvExporter(native_dates=True).write(graph, tmp_path / "dates")
    _, data = read_import_dir(tmp_path / "dates")
    cols, rows = data["rels_FELL_BY.csv"]
    assert {"name": "date", "role": "property", "type": "date", "array": False, "group": None} in cols


# -- the cypher script -------------------------------------------------------------------------
_UNESCAPE = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def read_string(text: str, pos: int = 0) -> tuple[str, int]:
    """Cypher's string literal at text[pos] (single-quoted), decoded; and where it ends."""
    assert text[pos] == "'"
    out, i = [], pos + 1
    while text[i] != "'":
        if text[i] == "\\":
            if text[i + 1] == "u":
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(_UNESCAPE[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out), i + 1


@given(st.text())
def test_a_string_literal_holds_any_text_and_nothing_else(text):
    lit = literal(text)
    assert read_string(lit) == (text, len(lit))  # data never closes the string early
    assert "\n" not in lit and "\r" not in lit


def test_literals():
    assert literal({"a": [1, 2.5, None, True], "date": "x"}) == "{a: [1, 2.5, null, true], date: 'x'}"
    assert literal(4.2e10) == "42000000000.0" and literal(1e16) == "1e16"
    assert literal(-2.5e-7) == "-2.5e-07"
    assert literal({"odd key": 1}) == "{`odd key`: 1}"
    assert literal("it's \\ \u2028 \x01") == "'it\\'s \\\\ \u2028 \\u0001'"
    with pytest.raises(ValueError):
        literal(float("nan"))


def statements(text: str) -> list[str]:
    """The script's statements: comment lines dropped, each ends with ';' at a line end."""
    out, cur = [], []
    for line in text.split("\n"):
        if line.startswith("//") or (not line.strip() and not cur):
            continue
        cur.append(line)
        if line.endswith(";"):
            out.append("\n".join(cur)[:-1])
            cur = []
    assert not cur, "the script ends inside a statement"
    return out


def test_cypher_script_golden_and_shape(small):
    text = script(small)
    assert_golden("small.cypher", text.encode("utf-8"))
    stmts = statements(text)
    assert [s for s in stmts if s.startswith("CREATE CONSTRAINT")] == [
        f"CREATE CONSTRAINT `{label.lower()}_{key}` IF NOT EXISTS FOR (n:`{label}`) "
        f"REQUIRE n.`{key}` IS UNIQUE"
        for label, key in NODE_KEYS.items()]
    assert all(s.startswith(("CREATE CONSTRAINT", "UNWIND [")) for s in stmts)
    assert "MERGE (a)-[r:`SUPPLIES` {`fact_id`: row.key}]->(b)" in text


def test_cypher_batches_are_bounded_in_rows_and_bytes(small, graphs):
    from kg.exporters.cypher import MAX_BYTES
    rows = [s.count("\n  {") for s in statements(script(small, batch=3))]
    assert max(rows) == 3 and sum(rows) == sum(len(s.rows) for s in plan(small))
    stmts = statements(script(graphs["example"]))
    assert max(len(s.encode("utf-8")) for s in stmts if s.count("\n  {") > 1) <= MAX_BYTES
    assert max(s.count("\n  {") for s in stmts) > 50  # batches, not a statement per row


NASTY = ("O'Brien \"Bob\" \\ back\\slash `tick` '}) DETACH DELETE n // é 😀\n\tend\\' \u2028 x;\n"
         "MATCH (n) DETACH DELETE n;\r\n// not a comment")


def _nasty_graph() -> Graph:
    ents = [Entity("o'brien", "Person", NASTY, aliases=[NASTY, "Bob"],
                   properties={"confidence": 0.1234567890123456}),
            Entity("tiny", "Company", "Tiny",
                   properties={"confidence": 1e-300, "founded": 1999, "listed": True}),
            Entity("acme", "Company", "Acme")]
    fact = Fact("tiny", "supplies", "acme", properties={"weight": 2.5e-7, "product": NASTY},
                evidence=[Evidence("a 'quoted' source", quote=NASTY, span=(3, 9))])
    return Graph(ents, [fact])


def test_cypher_script_passes_the_neo4j_linter(graphs, tmp_path):
    """Neo4j's own parser (tests/lint, @neo4j-cypher/language-support) accepts every script."""
    import shutil
    import subprocess
    lint = Path(__file__).parent / "lint"
    paths = [str(kg.export(g, "cypher", tmp_path / f"{n}.cypher"))
             for n, g in (("small", graphs["small"]), ("nasty", _nasty_graph()))]
    shapes: dict[str, str] = {}  # the example: one statement of each shape (the whole is slow to lint)
    for stmt in statements(script(graphs["example"], batch=3)):
        shapes.setdefault(stmt.split("] AS row")[-1], stmt)
    (tmp_path / "example.cypher").write_text(";\n\n".join(shapes.values()) + ";\n", encoding="utf-8")
    paths.append(str(tmp_path / "example.cypher"))
    proc = subprocess.run([shutil.which("node"), str(lint / "lint.mjs"), *paths], capture_output=True,
                          text=True, timeout=300, cwd=lint)
    assert proc.returncode == 0 and "failing 0" in proc.stdout, proc.stdout + proc.stderr


def test_hostile_strings_round_trip_through_the_script():
    graph = _nasty_graph()
    stmts = [s for s in statements(script(graph)) if not s.startswith("CREATE CONSTRAINT")]
    with falkordb_server() as server, _driver(server.uri) as driver:
        for s in stmts:
            driver.execute_query(s)
        nodes, rels = dump(driver)
        push_driver(graph, driver)
        assert dump(driver) == (nodes, rels)
    person = nodes[(("Entity", "Person"), "o'brien")]
    assert person["name"] == NASTY and sorted(person["aliases"]) == sorted([NASTY, "Bob"])
    assert person["confidence"] == 0.1234567890123456
    assert nodes[(("Company", "Entity", "Organization"), "tiny")]["confidence"] == 1e-300
    (edge,) = [v for k, v in rels.items() if k[0] == "SUPPLIES"]
    assert edge["product"] == NASTY and edge["weight"] == 2.5e-7
    (ev,) = [v for k, v in nodes.items() if k[0] == ("Evidence",)]
    assert ev["quote"] == NASTY and (ev["span_start"], ev["span_end"]) == (3, 9)


# -- on a real Cypher server -------------------------------------------------------------------
def _driver(uri: str):
    import neo4j
    return neo4j.GraphDatabase.driver(uri, auth=None, **DRIVER)


def _key(props: dict):
    return props.get("id", props.get("fact_id"))


def dump(driver) -> tuple[dict, dict]:
    """Every node {(labels, key): props} and relationship {(type, start, end, key): props}."""
    nodes, rels = {}, {}
    for r in driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p").records:
        nodes[(tuple(sorted(r["l"])), _key(r["p"]))] = r["p"]
    q = ("MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, labels(a) AS la, "
         "properties(a) AS pa, labels(b) AS lb, properties(b) AS pb")
    records = driver.execute_query(q).records
    for r in records:
        rels[(r["t"], min(r["la"]), _key(r["pa"]), min(r["lb"]), _key(r["pb"]), _key(r["p"]))] = r["p"]
    assert len(rels) == len(records)
    return nodes, rels


def _close(a, b) -> bool:
    """Equal, but floats to 6 significant digits (FalkorDB's 32-bit toFloat) and [] as absent."""
    if isinstance(a, dict) and isinstance(b, dict):
        a, b = ({k: v for k, v in d.items() if v != []} for d in (a, b))
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        return all(type(x) in (int, float) for x in (a, b)) and math.isclose(a, b, rel_tol=1e-6)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def load_csv(driver, folder: Path, sub: str) -> None:
    """Import a neo4j-csv export with LOAD CSV, driven by each file's typed header only."""
    delim, data = read_import_dir(folder / sub)
    keys = {c["group"]: c["name"] for cols, _ in data.values() for c in cols if c["role"] == "ID"}
    for label, key in keys.items():
        driver.execute_query(f"CREATE INDEX FOR (n:`{label}`) ON (n.`{key}`)")
    for name, (cols, rows) in sorted(data.items(), key=lambda kv: not kv[0].startswith("nodes_")):
        header = next(csv.reader(io.StringIO((folder / sub / name).read_text(encoding="utf-8"))))
        sets = [f"x.`{c['name']}` = {_convert(c, f'row.`{tok}`', delim)}"
                for c, tok in zip(cols, header) if c["role"] == "property"]
        src = f"LOAD CSV WITH HEADERS FROM 'file://{sub}/{name}' AS row\n"
        if name.startswith("nodes_"):
            i = _col(cols, "ID")
            group = cols[i]["group"]
            (labels,) = {r[_col(cols, "LABEL")] for r in rows}  # one label set per file
            extra = "".join(f":`{lb}`" for lb in labels.split(delim)[1:])
            query = (src + f"MERGE (x:`{group}` {{`{keys[group]}`: row.`{header[i]}`}})\n"
                     f"SET {', '.join(sets + ([f'x{extra}'] if extra else []))}")
        else:
            ends = [(cols[_col(cols, r)]["group"], header[_col(cols, r)])
                    for r in ("START_ID", "END_ID")]
            (rtype,) = {r[_col(cols, "TYPE")] for r in rows}
            query = (src + "".join(f"MATCH ({v}:`{g}` {{`{keys[g]}`: row.`{tok}`}})\n"
                                   for v, (g, tok) in zip("ab", ends))
                     + f"CREATE (a)-[x:`{rtype}`]->(b)" + (f"\nSET {', '.join(sets)}" if sets else ""))
        counters = driver.execute_query(query).summary.counters
        assert counters.nodes_created + counters.relationships_created == len(rows), name


def _convert(col: dict, cell: str, delim: str) -> str:
    one = {"string": "{}", "long": "toInteger({})", "int": "toInteger({})",
           "double": "toFloat({})", "float": "toFloat({})",
           "boolean": "CASE {} WHEN 'true' THEN true WHEN 'false' THEN false END"}
    if col["array"]:
        assert col["type"] == "string", col
        return f"split({cell}, '{delim}')"
    return one[col["type"]].format(cell)


@pytest.fixture(scope="module")
def servers(graphs, tmp_path_factory):
    """For each graph, two FalkorDB servers: one loaded from the neo4j-csv files, one that ran the
    cypher script twice. {name: {"csv": (driver, dump), "cypher": (driver, [(dump, nodes and
    relationships created) after each run])}}."""
    folder = tmp_path_factory.mktemp("import")
    out = {}
    with contextlib.ExitStack() as stack:
        for name, graph in graphs.items():
            kg.export(graph, "neo4j-csv", folder / name)
            server = stack.enter_context(falkordb_server(import_folder=folder))
            driver = stack.enter_context(_driver(server.uri))
            load_csv(driver, folder, name)
            out[name] = {"csv": (driver, dump(driver))}
            server = stack.enter_context(falkordb_server())
            driver = stack.enter_context(_driver(server.uri))
            stmts = [s for s in statements(script(graph)) if not s.startswith("CREATE CONSTRAINT")]
            runs = []
            for _ in range(2):
                created = 0
                for s in stmts:
                    c = driver.execute_query(s).summary.counters
                    created += c.nodes_created + c.relationships_created
                runs.append((dump(driver), created))
            out[name]["cypher"] = (driver, runs)
        yield out


@pytest.mark.parametrize("name", ["small", "example"])
def test_cypher_script_runs_twice_and_equals_kg_push(name, graphs, servers):
    driver, ((first, created1), (second, created2)) = servers[name]["cypher"]
    assert created1 > 0 and created2 == 0 and second == first
    counts = push_driver(graphs[name], driver)
    assert counts["created"]["nodes"] == 0 and counts["created"]["relationships"] == 0
    assert dump(driver) == first  # exactly what kg push leaves: labels, types, every property
    assert (len(first[0]), len(first[1])) == (counts["nodes"], counts["relationships"])


@pytest.mark.parametrize("name", ["small", "example"])
def test_neo4j_csv_import_equals_kg_push(name, graphs, servers):
    driver, (nodes, rels) = servers[name]["csv"]
    graph = graphs[name]
    counts = graph.counts()
    by_label = {}
    for labels, _ in nodes:
        for lb in labels:
            by_label[lb] = by_label.get(lb, 0) + 1
    assert by_label["Entity"] == counts["entities"] and by_label["Claim"] == counts["facts"]
    assert by_label["Evidence"] == counts["evidence"] and by_label.get("Measure", 0) == counts["values"]
    types = {}
    for key in rels:
        types[key[0]] = types.get(key[0], 0) + 1
    for p, n in counts["facts_by_predicate"].items():
        if not load_schema().edges[p].is_attribute:
            assert types[p.upper()] == n, p
    pushed = push_driver(graph, driver)  # onto the imported graph: it must find everything there
    assert pushed["created"]["nodes"] == 0 and pushed["created"]["relationships"] == 0
    after_nodes, after_rels = dump(driver)
    assert nodes.keys() == after_nodes.keys() and rels.keys() == after_rels.keys()
    for before, after in ((nodes, after_nodes), (rels, after_rels)):
        bad = [k for k in before if not _close(before[k], after[k])]
        assert not bad, (bad[:3], [(before[k], after[k]) for k in bad[:3]])


def test_imported_properties_are_typed(servers):
    nodes, rels = servers["small"]["csv"][1]  # as imported, before any push
    acme = nodes[(("Company", "Entity", "Organization"), "acme_chips")]
    assert acme == {"id": "acme_chips", "type": "Company", "name": "Acme Chips", "country": "US",
                    "aliases": ["ACME Chips Inc.", "Acme"], "ticker": "ACMC"}
    (fell,) = [v for k, v in rels.items() if k[:3] == ("FELL_BY", "Company", "acme_chips")]
    assert {k: fell[k] for k in ("value", "date", "n_sources", "conflicts", "sources")} == {
        "value": 12.5, "date": "2025-03-03", "n_sources": 1, "conflicts": False,
        "sources": ["fixture wire"]}
    supplies = sorted(v["product"] for k, v in rels.items() if k[0] == "SUPPLIES")
    assert supplies == ["gate drivers", "power modules"]  # parallel edges kept
    assert nodes[(("Entity", "Organization"), "northgate_research")].get("aliases") is None
