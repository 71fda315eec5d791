"""One fact sheet, four formats: YAML, JSON, JSON Lines and CSV load to the same records.

tests/fixtures/formats/ holds the same small sheet as sheet.yaml, sheet.json,
sheet.jsonl and a pair of CSV tables (sheet-entities.csv, sheet-facts.csv).
Also checked here: line numbers of records, what the readers refuse (YAML
aliases, NUL bytes, non-UTF-8), and how values are typed and names cleaned.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from kg.loading import load_file
from kg.pipeline import build

FORMATS_DIR = Path(__file__).resolve().parent / "fixtures" / "formats"
YAML = FORMATS_DIR / "sheet.yaml"
JSON = FORMATS_DIR / "sheet.json"
JSONL = FORMATS_DIR / "sheet.jsonl"
CSV_ENTITIES = FORMATS_DIR / "sheet-entities.csv"
CSV_FACTS = FORMATS_DIR / "sheet-facts.csv"


def load_clean(path: Path):
    result = load_file(path)
    assert result.diagnostics == [], f"{path.name}: {[str(d) for d in result.diagnostics]}"
    return result


def sheet_records(name: str):
    """(entities, facts) of the sheet in one format; CSV is two tables."""
    if name == "csv":
        ents, facts = load_clean(CSV_ENTITIES), load_clean(CSV_FACTS)
        assert ents.facts == [] and facts.entities == []
        return ents.entities, facts.facts
    result = load_clean({"yaml": YAML, "json": JSON, "jsonl": JSONL}[name])
    return result.entities, result.facts


def dicts(records) -> list[dict]:
    return [r.to_dict() for r in records]


# ------------------------------------------------------------- same records


def test_the_yaml_sheet_has_what_the_other_formats_must_match():
    entities, facts = sheet_records("yaml")
    assert [e.id for e in entities] == ["brightwater", "lumen_grid", "mara_osei", "dawnlight_2"]
    bw = entities[0].to_dict()
    assert bw["aliases"] == ["BWC Semiconductor", "Brightwater"]
    assert bw["founded"] == 2009 and bw["listed"] is True
    assert entities[3].properties == {"released": "2024-11-05", "open_weights": False}
    cap = facts[1].to_dict()
    assert (cap["p"], cap["value"], cap["unit"], cap["qualifier"], cap["date"]) == (
        "market_cap", 4.65e9, "USD", "approx", "2025-01-27")
    ev = facts[2].to_dict()["evidence"]
    assert ev == [{"source": "invented interview, 2025-01-20",
                   "quote": "Mara Osei runs Brightwater Chips", "span": [0, 32],
                   "extractor": "curated", "confidence": 1.0}]
    assert len(facts) == 5 and all(f.evidence for f in facts)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_every_format_gives_the_same_entities_and_facts(fmt: str):
    want_e, want_f = sheet_records("yaml")
    got_e, got_f = sheet_records(fmt)
    assert dicts(got_e) == dicts(want_e)
    assert dicts(got_f) == dicts(want_f)
    assert [f.id for f in got_f] == [f.id for f in want_f]
    assert [type(f.value) for f in got_f] == [type(f.value) for f in want_f]


def test_all_formats_together_validate_without_problems():
    graph = build([YAML, JSON, JSONL, CSV_ENTITIES, CSV_FACTS], reference=False, errors="raise")
    assert graph.diagnostics == []


# ---------------------------------------------------------------- locations


def record_start_lines(path: Path) -> list[int]:
    """Where each record starts, by the layout the fixtures follow."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".yaml":  # list items of entities/facts are indented by two
        pick = lambda ln: ln.startswith("  - ")  # noqa: E731
    elif path.suffix == ".json":  # records open a line indented by four
        pick = lambda ln: ln.startswith("    {")  # noqa: E731
    elif path.suffix == ".jsonl":
        pick = lambda ln: ln.strip() != ""  # noqa: E731
    else:  # CSV without quoted newlines: every non-blank line after the header
        return [n for n, ln in enumerate(lines, start=1) if n > 1 and ln.strip()]
    return [n for n, ln in enumerate(lines, start=1) if pick(ln)]


@pytest.mark.parametrize("path", [YAML, JSON, JSONL, CSV_ENTITIES, CSV_FACTS], ids=lambda p: p.name)
def test_each_record_knows_the_line_where_it_starts(path: Path):
    result = load_clean(path)
    records = [*result.entities, *result.facts]
    starts = record_start_lines(path)
    assert len(starts) == len(records) == {CSV_ENTITIES: 4, CSV_FACTS: 5}.get(path, 9)
    assert [r.loc.line for r in records] == starts
    assert {r.loc.path for r in records} == {str(path)}


def test_fixture_layout_lines_are_what_a_reader_sees():
    """The layout rule above, pinned to concrete lines so it cannot drift silently."""
    assert record_start_lines(YAML) == [6, 14, 15, 16, 23, 24, 31, 37, 38]
    assert record_start_lines(JSON) == [3, 13, 14, 15, 24, 26, 35, 44, 45]
    assert record_start_lines(JSONL) == [1, 2, 4, 5, 6, 7, 8, 9, 10]  # line 3 is blank


def test_csv_row_after_a_quoted_multiline_cell_has_its_own_line(tmp_path: Path):
    path = tmp_path / "multiline.csv"
    path.write_text('id,type,name,description\n'
                    'brightwater,Company,Brightwater Chips,"Packages chips;\nbased in Ohio"\n'
                    'lumen_grid,Company,Lumen Grid,Grid inverters\n', encoding="utf-8")
    result = load_clean(path)
    assert [(e.id, e.loc.line) for e in result.entities] == [("brightwater", 2), ("lumen_grid", 4)]
    assert result.entities[0].properties["description"] == "Packages chips;\nbased in Ohio"


def test_csv_row_after_a_blank_line_has_its_own_line(tmp_path: Path):
    path = tmp_path / "blank.csv"
    path.write_text("id,type,name\n"
                    "brightwater,Company,Brightwater Chips\n"
                    "\n"
                    "lumen_grid,Company,Lumen Grid\n", encoding="utf-8")
    result = load_clean(path)
    got = [(e.id, e.loc.line) for e in result.entities]
    assert got == [("brightwater", 2), ("lumen_grid", 4)], (
        "regression: loaders/_readers.py iter_csv reports the row after a blank line at the blank "
        f"line (csv.DictReader skips blank rows inside one next() call): {got}")


def test_csv_header_case_is_ignored_when_reading_as_when_sniffing(tmp_path: Path):
    """csv_header() lowercases the header to decide the table kind; rows must be read the same way."""
    path = tmp_path / "caps.csv"
    path.write_text("ID,Type,Name\nbrightwater,Company,Brightwater Chips\n", encoding="utf-8")
    result = load_file(path)
    assert [str(d) for d in result.diagnostics] == [], (
        "regression: a header 'ID,Type,Name' is detected as an entity table (csv_header lowercases) "
        "but iter_csv keeps 'ID'/'Type'/'Name' as keys, so every row lacks 'id'")
    assert [e.to_dict() for e in result.entities] == [
        {"id": "brightwater", "type": "Company", "name": "Brightwater Chips"}]


# ----------------------------------------------------- CSV evidence spellings


@pytest.mark.parametrize("cells", [
    ('source,quote,span', '"invented interview, 2025-01-20",Mara Osei runs Brightwater Chips,0:32'),
    ('source,quote,span', '"invented interview, 2025-01-20",Mara Osei runs Brightwater Chips,"[0, 32]"'),
    ('evidence', '"{""source"": ""invented interview, 2025-01-20"", ""quote"": '
                 '""Mara Osei runs Brightwater Chips"", ""span"": [0, 32]}"'),
], ids=["flat-colon-span", "flat-list-span", "json-object-cell"])
def test_csv_evidence_as_flat_columns_or_json_cell(tmp_path: Path, cells):
    header, row = cells
    path = tmp_path / "facts.csv"
    path.write_text(f"s,p,o,role,{header}\nmara_osei,works_for,brightwater,chief executive,{row}\n",
                    encoding="utf-8")
    (got,) = load_clean(path).facts
    want = sheet_records("yaml")[1][2]
    assert got.to_dict() == want.to_dict()


def test_csv_evidence_cell_that_is_not_json_is_bad_evidence(tmp_path: Path):
    path = tmp_path / "facts.csv"
    path.write_text("s,p,o,evidence\nbrightwater,supplies,lumen_grid,{not json\n", encoding="utf-8")
    result = load_file(path)
    assert [(d.code, d.loc.line) for d in result.diagnostics] == [("bad-evidence", 2)]


# --------------------------------------------------------- what is refused


@pytest.mark.parametrize("text, lines", [
    ("source: invented note\n"
     "entities:\n"
     "  - &bw {id: brightwater, type: Company, name: Brightwater Chips}\n"
     "  - *bw\n", {3, 4}),
    ("source: invented note\n"
     "defaults: &company {type: Company, country: US}\n"
     "entities:\n"
     "  - {id: brightwater, name: Brightwater Chips, <<: *company}\n", {2, 4}),
    ("source: invented note\n"
     "a: &a [x, x, x, x, x, x, x, x, x]\n"
     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "entities: []\n", {2, 3}),
], ids=["alias", "merge-key", "alias-bomb"])
def test_yaml_aliases_are_refused_with_syntax_error(tmp_path: Path, text: str, lines: set[int]):
    """Refused with a line: that of the anchor (&name) or of the alias (*name)."""
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_file(path)
    assert [(d.code, d.loc.path) for d in result.diagnostics] == [("syntax-error", str(path))]
    assert result.diagnostics[0].loc.line in lines
    assert "alias" in result.diagnostics[0].message.lower()
    assert result.entities == [] and result.facts == []


def _sheet_bytes(suffix: str, name: bytes) -> bytes:
    """A valid one-entity sheet in each format whose entity name is on line 3."""
    return {
        ".yaml": b"source: invented note\nentities:\n  - {id: societe, type: Company, name: \"" + name + b"\"}\n",
        ".json": b'{"source": "invented note",\n "entities": [\n  {"id": "societe", "type": "Company", "name": "'
                 + name + b'"}\n ]}\n',
        ".jsonl": b'{"id": "brightwater", "type": "Company", "name": "Brightwater"}\n\n'
                  b'{"id": "societe", "type": "Company", "name": "' + name + b'"}\n',
        ".csv": b"id,type,name\nbrightwater,Company,Brightwater\nsociete,Company," + name + b"\n",
    }[suffix]


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl", ".csv"])
def test_the_unbroken_version_of_the_encoding_sheets_loads(tmp_path: Path, suffix: str):
    path = tmp_path / f"ok{suffix}"
    path.write_bytes(_sheet_bytes(suffix, "Société Générale".encode("utf-8")))
    result = load_clean(path)
    assert [e.name for e in result.entities][-1] == "Société Générale"


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl", ".csv"])
@pytest.mark.parametrize("name, what", [
    ("Société Générale".encode("latin-1"), "utf-8"),
    (b"Soci\x00t\x00 G\x00n\x00rale", "nul"),
], ids=["latin-1", "nul-byte"])
def test_nul_bytes_and_non_utf8_are_syntax_errors_with_a_line(tmp_path: Path, suffix: str,
                                                              name: bytes, what: str):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(_sheet_bytes(suffix, name))
    result = load_file(path)
    assert [(d.code, d.loc.path, d.loc.line) for d in result.diagnostics] == [
        ("syntax-error", str(path), 3)]
    message = result.diagnostics[0].message
    assert ("NUL" in message) if what == "nul" else ("UTF-8" in message and "0xe9" in message)
    assert result.entities == [] and result.facts == []


# --------------------------------------------------------------- value types


def test_yaml_exponent_numbers_load_as_numbers(tmp_path: Path):
    path = tmp_path / "numbers.yaml"
    path.write_text("source: invented market wrap\n"
                    "entities:\n"
                    "  - {id: brightwater, type: Company, name: Brightwater Chips, confidence: 9e-1}\n"
                    "facts:\n"
                    "  - {s: brightwater, p: market_cap, value: 465e9, unit: USD, date: 2025-01-27}\n"
                    "  - {s: brightwater, p: market_cap, value: 1E12, unit: USD, date: 2025-01-28}\n"
                    "  - {s: brightwater, p: market_cap, value: 4.65e+9, unit: USD, date: 2025-01-29}\n"
                    "  - {s: brightwater, p: revenue, value: 1_250_000, unit: USD, date: 2025-01-29}\n",
                    encoding="utf-8")
    result = load_clean(path)
    values = [f.value for f in result.facts]
    assert values == [465e9, 1e12, 4.65e9, 1250000]
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    assert result.entities[0].properties["confidence"] == 0.9
    graph = build([path], reference=False, errors="raise")
    assert graph.diagnostics == []


def test_exponent_numbers_agree_across_formats(tmp_path: Path):
    (tmp_path / "cap.yaml").write_text(
        "facts:\n  - {s: brightwater, p: market_cap, value: 465e9, unit: USD, source: x}\n", encoding="utf-8")
    (tmp_path / "cap.json").write_text(
        '{"facts": [{"s": "brightwater", "p": "market_cap", "value": 465e9, "unit": "USD", "source": "x"}]}',
        encoding="utf-8")
    (tmp_path / "cap.csv").write_text("s,p,value,unit,source\nbrightwater,market_cap,465e9,USD,x\n",
                                      encoding="utf-8")
    facts = [load_clean(tmp_path / n).facts[0] for n in ("cap.yaml", "cap.json", "cap.csv")]
    assert [f.value for f in facts] == [465e9] * 3
    assert len({f.id for f in facts}) == 1


def test_yaml_dates_load_as_iso_strings(tmp_path: Path):
    path = tmp_path / "dates.yaml"
    path.write_text("source: invented note\n"
                    "entities:\n"
                    "  - {id: dawnlight_2, type: AIModel, name: Dawnlight-2, released: 2024-11-05}\n"
                    "  - {id: rally, type: Event, name: Chip rally, date: 2025-01-28T00:00:00}\n"
                    "facts:\n"
                    "  - {s: rally, p: market_cap_gain, value: 2e9, unit: USD, date: 2025-01-28,\n"
                    "     as_of: 2025-01-29}\n", encoding="utf-8")
    result = load_clean(path)
    model, rally = result.entities
    (fact,) = result.facts
    assert model.properties["released"] == "2024-11-05"
    assert rally.properties["date"] == "2025-01-28"
    assert fact.date == "2025-01-28" and fact.properties["as_of"] == "2025-01-29"
    assert all(type(v) is str for v in (model.properties["released"], rally.properties["date"],
                                        fact.date, fact.properties["as_of"]))
    assert build([path], reference=False, errors="raise").diagnostics == []


# ------------------------------------------------------------------- names


NFC = unicodedata.normalize("NFC", "Société Générale")
NFD = unicodedata.normalize("NFD", "Société Générale")


def test_nfc_nfd_and_zero_width_spellings_give_equal_names(tmp_path: Path):
    assert NFC != NFD
    spellings = {
        "nfc.yaml": NFC,
        "nfd.yaml": NFD,
        "zw.yaml": "Soci\u200bété Gén\u200dérale\ufeff",
        "bidi.yaml": "\u202aSociété\u2060 Générale\u202c",
    }
    loaded = {}
    for fname, name in spellings.items():
        path = tmp_path / fname
        path.write_text(
            "source: invented note\n"
            "entities:\n"
            f"  - {{id: societe_generale, type: Company, name: \"{name}\", aliases: [\"{NFD} SA\"]}}\n",
            encoding="utf-8")
        (ent,) = load_clean(path).entities
        loaded[fname] = ent
    assert {e.name for e in loaded.values()} == {NFC}
    assert {tuple(e.aliases) for e in loaded.values()} == {(f"{NFC} SA",)}
    assert len({json.dumps(e.to_dict(), sort_keys=True) for e in loaded.values()}) == 1


def test_nfc_and_nfd_spellings_match_across_formats_and_in_ids(tmp_path: Path):
    nfd_id = "soci\u00e9t\u00e9"  # an id with accents, written decomposed in the JSON file
    (tmp_path / "a.yaml").write_text(
        f"source: invented note\nentities:\n  - {{id: \"{nfd_id}\", type: Company, name: \"{NFC}\"}}\n",
        encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(
        {"source": "invented note", "entities": [
            {"id": unicodedata.normalize("NFD", nfd_id) + "\u200b", "type": "Company", "name": NFD}]}),
        encoding="utf-8")
    (a,) = load_clean(tmp_path / "a.yaml").entities
    (b,) = load_clean(tmp_path / "b.json").entities
    assert a.to_dict() == b.to_dict()
    assert re.fullmatch(r"[\w]+", b.id) and unicodedata.is_normalized("NFC", b.id)


# ------------------------------------------------------------ found by testing
# Bad inputs from shared/notes/bad-inputs.md (rows 17 and 20) that the readers
# do not handle yet.


def test_yaml_duplicate_keys_are_refused_with_syntax_error(tmp_path: Path):
    path = tmp_path / "dup.yaml"
    path.write_text("source: invented note\n"
                    "entities:\n"
                    "  - id: brightwater\n"
                    "    type: Company\n"
                    "    name: Brightwater Chips\n"
                    "    name: Lumen Grid\n", encoding="utf-8")
    result = load_file(path)
    got = [(d.code, d.loc.line) for d in result.diagnostics]
    assert got == [("syntax-error", 6)], (
        "regression: loaders/_readers.py parse_yaml accepts a duplicate key (the second 'name' "
        f"silently replaces the first); loaded {[e.to_dict() for e in result.entities]}")


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("suffix, text", [
    (".yaml", DEEP + "\n"),
    (".yaml", "source: x\nentities:\n  - {id: brightwater, type: Company, name: B, tags: " + DEEP + "}\n"),
    (".json", '{"source": "x", "entities": [{"id": "brightwater", "type": "Company", "name": "B", '
              '"tags": ' + DEEP + "}]}\n"),
    (".jsonl", '{"id": "brightwater", "type": "Company", "name": "B", "tags": ' + DEEP + "}\n"),
], ids=["yaml-document", "yaml-in-record", "json-in-record", "jsonl-in-record"])
def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path, suffix: str, text: str):
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        result = load_file(path)
    except RecursionError:
        pytest.fail("regression: a 5,000-deep [[[...]]] value inside a YAML record makes "
                    "kg/records.py plain() recurse until RecursionError; `kg validate` dies "
                    "with a traceback (JSON and JSON Lines report 'nesting is too deep')")
    assert [d.severity for d in result.diagnostics] == ["error"]
    assert result.diagnostics[0].code in ("syntax-error", "bad-record")


def test_csv_row_with_too_many_cells_does_not_lose_the_following_rows(tmp_path: Path):
    path = tmp_path / "extra.csv"
    path.write_text("id,type,name\n"
                    "brightwater,Company,Brightwater Chips\n"
                    "lumen_grid,Company,Lumen Grid,an extra cell\n"
                    "mara_osei,Person,Mara Osei\n", encoding="utf-8")
    result = load_file(path)
    assert [(d.loc.line, d.severity) for d in result.diagnostics] == [(3, "error")]
    assert [e.id for e in result.entities] == ["brightwater", "mara_osei"], (
        "regression: loaders/_readers.py iter_csv raises ParseError on the first over-long row, so "
        "every later row of the file is dropped (here mara_osei, line 4)")
