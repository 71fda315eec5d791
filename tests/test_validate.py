"""`kg validate` on broken fact sheets: every diagnostic code, with its file and line.

tests/fixtures/broken/ holds one tiny sheet per code of `kg.diagnostics.CODES`,
named `<code>.<ext>`. In YAML fixtures the line where the problem must be
reported carries a trailing `# expect: <code>` comment; JSON, JSON Lines and
CSV cannot carry comments, so their expected line is in SIDECAR_LINES below.
`combined/` holds sheets with several problems at once.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.diagnostics import CODES, ERROR, INFO, WARNING

REPO_ROOT = Path(__file__).resolve().parents[1]
BROKEN = REPO_ROOT / "tests" / "fixtures" / "broken"
COMBINED = BROKEN / "combined"
GOLD = REPO_ROOT.parent / "shared" / "seed" / "gold.yaml"

FORMATS = {".yaml", ".yml", ".json", ".jsonl", ".csv", ".txt", ".md"}
#: Expected line of the problem in fixtures that cannot hold `# expect:` comments.
SIDECAR_LINES = {
    "syntax-error.json": 5,        # the second entity follows the first without a comma
    "bad-record.jsonl": 3,         # subject/predicate/object instead of s/p/o
    "dangling-reference.jsonl": 4,  # partner_of an entity no input declares
    "unknown-node-type.csv": 3,    # type Startup
    "date-conflict.md": 5,         # Monday 28 January 2025 was a Tuesday
    "missing-metadata.txt": 1,     # an article with no publication date anywhere
}
#: Codes that only fire when the reference registry is loaded.
NEEDS_REFERENCE = {"unresolved-name"}

MARKER = re.compile(r"#\s*expect:\s*([a-z][a-z-]*)\s*$")


def fixture_files() -> list[Path]:
    return sorted(p for p in BROKEN.iterdir() if p.is_file() and not p.name.startswith("."))


def markers(path: Path) -> list[tuple[int, str]]:
    """(line, code) of every `# expect: code` comment of a YAML file."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = MARKER.search(line)
        if m:
            out.append((number, m.group(1)))
    return out


def expected_line(path: Path) -> int:
    if path.name in SIDECAR_LINES:
        return SIDECAR_LINES[path.name]
    marks = markers(path)
    assert len(marks) == 1, f"{path.name}: expected exactly one '# expect:' marker, found {marks}"
    line, code = marks[0]
    assert code == path.stem, f"{path.name}: marker names {code!r}, file is for {path.stem!r}"
    return line


def run_validate(*args: str | Path):
    result = CliRunner().invoke(main, ["validate", *map(str, args)], catch_exceptions=False)
    return result


def validate_args(path: Path) -> list[str]:
    args = [str(path)]
    if path.stem not in NEEDS_REFERENCE:
        args.append("--no-reference")
    return args


FIXTURES = fixture_files()
IDS = [p.name for p in FIXTURES]


# ------------------------------------------------------------------ coverage


def test_fixtures_cover_exactly_the_diagnostic_codes():
    stems = Counter(p.stem for p in FIXTURES)
    doubles = sorted(s for s, n in stems.items() if n > 1)
    assert not doubles, f"several fixtures for the same code: {doubles}"
    missing = sorted(set(CODES) - set(stems))
    extra = sorted(set(stems) - set(CODES))
    assert not missing, f"codes without a fixture in {BROKEN}: {missing}"
    assert not extra, f"fixtures named after no diagnostic code: {extra}"


def test_fixtures_use_every_format_and_know_their_line():
    suffixes = {p.suffix for p in FIXTURES}
    assert {".yaml", ".json", ".jsonl", ".csv"} <= suffixes
    assert all(p.suffix in FORMATS for p in FIXTURES)
    stale = sorted(set(SIDECAR_LINES) - {p.name for p in FIXTURES})
    assert not stale, f"SIDECAR_LINES names missing fixtures: {stale}"
    for path in FIXTURES:
        if path.suffix in (".yaml", ".yml"):
            assert path.name not in SIDECAR_LINES, f"{path.name}: use an '# expect:' marker"
        else:
            assert path.name in SIDECAR_LINES, f"{path.name}: add its expected line to SIDECAR_LINES"
        assert expected_line(path) >= 1


# ------------------------------------------------------------- one per code


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_fixture_reports_its_code_at_its_line_in_json(path: Path):
    code, line = path.stem, expected_line(path)
    result = run_validate(*validate_args(path), "--format", "json")
    report = json.loads(result.stdout)
    diags = report["diagnostics"]
    found = [d for d in diags if d["code"] == code]
    assert found, f"{path.name}: no {code} reported; got {diags}"
    where = [(d.get("path"), d.get("line")) for d in found]
    assert (str(path), line) in where, (
        f"{path.name}: {code} must be reported at {path.name}:{line}, was at {where}")
    assert all(d["severity"] == CODES[code][0] for d in found)
    # The fixture triggers that code and nothing else.
    assert {d["code"] for d in diags} == {code}, f"{path.name}: other problems reported: {diags}"
    assert report["summary"]["by_code"] == {code: len(found)}
    expected_exit = 1 if CODES[code][0] == ERROR else 0
    assert result.exit_code == expected_exit, result.output


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_fixture_reports_its_code_at_its_line_in_text(path: Path):
    code, line = path.stem, expected_line(path)
    severity = CODES[code][0]
    result = run_validate(*validate_args(path))
    text = result.stdout
    lines = text.splitlines()
    counts = {ERROR: 0, WARNING: 0, INFO: 0}
    counts[severity] = 1
    assert lines[-1] == (f"{counts[ERROR]} error(s), {counts[WARNING]} warning(s), "
                         f"{counts[INFO]} note(s)"), text
    if severity == INFO:
        # Notes are counted in the summary but not listed in text output.
        assert f"[{code}]" not in text
    else:
        assert f"== {code} (1): {CODES[code][1]}" in lines, text
        prefix = f"{path}:{line}: {severity}: "
        hits = [ln for ln in lines if ln.startswith(prefix) and ln.endswith(f"[{code}]")]
        assert hits, (f"{path.name}: expected a line starting {prefix!r} ending [{code}]; "
                      f"got:\n{text}")
    assert result.exit_code == (1 if severity == ERROR else 0), text


def test_real_kg_command_reports_file_line_and_code():
    """One run of the installed `kg` executable, in a separate process."""
    exe = shutil.which("kg")
    assert exe, "the `kg` command is not on PATH (pip install -e .)"
    path = BROKEN / "dangling-reference.jsonl"
    proc = subprocess.run([exe, "validate", "--no-reference", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert f"{path}:{SIDECAR_LINES[path.name]}: error: " in proc.stdout
    assert "[dangling-reference]" in proc.stdout
    assert proc.stdout.rstrip().endswith("1 error(s), 0 warning(s), 0 note(s)")
    proc = subprocess.run([exe, "validate", "--no-reference", "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    diags = json.loads(proc.stdout)["diagnostics"]
    assert [(d["code"], d["path"], d["line"]) for d in diags] == [
        ("dangling-reference", str(path), SIDECAR_LINES[path.name])]


# ------------------------------------------------------ several problems at once


def test_several_problems_are_all_reported_grouped_per_code():
    path = COMBINED / "several-problems.yaml"
    expected = markers(path)
    assert len({c for _, c in expected}) >= 6, "the combined sheet should mix many codes"
    per_code = Counter(c for _, c in expected)

    result = run_validate(path, "--no-reference")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # Group headers, in code order, each with its count.
    headers = [ln for ln in lines if ln.startswith("== ")]
    assert headers == [f"== {c} ({per_code[c]}): {CODES[c][1]}" for c in sorted(per_code)]
    # Every problem listed under the header of its code.
    groups: dict[str, list[str]] = {}
    current = None
    for ln in lines[:-1]:
        m = re.match(r"== (\S+) \((\d+)\): ", ln)
        if m:
            current = m.group(1)
            groups[current] = []
        else:
            assert current is not None, f"diagnostic before any group header: {ln!r}"
            groups[current].append(ln)
    for code, members in groups.items():
        assert all(ln.endswith(f"[{code}]") for ln in members), members
    reported = sorted((int(re.match(rf"{re.escape(str(path))}:(\d+): ", ln).group(1)), code)
                      for code, members in groups.items() for ln in members)
    assert reported == sorted(expected)
    n_err = sum(n for c, n in per_code.items() if CODES[c][0] == ERROR)
    n_warn = sum(n for c, n in per_code.items() if CODES[c][0] == WARNING)
    assert lines[-1] == f"{n_err} error(s), {n_warn} warning(s), 0 note(s)"

    report = json.loads(run_validate(path, "--no-reference", "--format", "json").stdout)
    assert sorted((d["line"], d["code"]) for d in report["diagnostics"]) == sorted(expected)
    assert {d["path"] for d in report["diagnostics"]} == {str(path)}
    assert report["summary"] == {"errors": n_err, "warnings": n_warn, "infos": 0,
                                 "by_code": dict(sorted(per_code.items()))}


def test_problems_in_several_files_are_all_reported():
    paths = [BROKEN / "bad-unit.yaml", BROKEN / "dangling-reference.jsonl",
             BROKEN / "unknown-node-type.csv"]
    result = run_validate(*paths, "--no-reference", "--format", "json")
    assert result.exit_code == 1
    got = {(d["path"], d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert got == {(str(p), expected_line(p), p.stem) for p in paths}


# --------------------------------------------------------- valid inputs, paths


@pytest.mark.parametrize("reference", [False, True], ids=["no-reference", "reference"])
def test_gold_annotation_validates(reference: bool):
    assert GOLD.is_file(), f"the seed annotation is expected at {GOLD}"
    args = [GOLD] if reference else [GOLD, "--no-reference"]
    result = run_validate(*args)
    assert result.exit_code == 0, result.output
    assert re.search(r"^0 error\(s\), \d+ warning\(s\), \d+ note\(s\)$", result.stdout, re.M)
    report = json.loads(run_validate(*args, "--format", "json").stdout)
    assert report["summary"]["errors"] == 0


def test_missing_input_file_is_an_error_naming_the_file(tmp_path: Path):
    missing = tmp_path / "no-such-sheet.yaml"
    result = run_validate(missing, "--no-reference")
    assert result.exit_code == 1
    assert str(missing) in result.output
    assert "[syntax-error]" in result.stdout
    report = json.loads(run_validate(missing, "--no-reference", "--format", "json").stdout)
    assert [d["path"] for d in report["diagnostics"]] == [str(missing)]
    assert report["summary"]["errors"] == 1


def test_missing_file_does_not_hide_problems_of_the_others(tmp_path: Path):
    missing = tmp_path / "gone.json"
    present = BROKEN / "unknown-edge-type.yaml"
    result = run_validate(missing, present, "--no-reference", "--format", "json")
    assert result.exit_code == 1
    got = {(d["path"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert got == {(str(missing), "syntax-error"), (str(present), "unknown-edge-type")}


# ----------------------------------------------------------- found by testing


def test_non_mapping_record_is_reported_with_its_line(tmp_path: Path):
    """A scalar where a record should be: bad-record must name its line, like every other record."""
    sheet = tmp_path / "scalar.yaml"
    sheet.write_text("source: invented note\n"
                     "entities:\n"
                     "  - {id: brightwater, type: Company, name: Brightwater Chips}\n"
                     "  - just a sentence, not a record\n", encoding="utf-8")
    result = run_validate(sheet, "--no-reference", "--format", "json")
    assert result.exit_code == 1
    diags = json.loads(result.stdout)["diagnostics"]
    assert [d["code"] for d in diags] == ["bad-record"]
    assert diags[0].get("line") == 4, (
        "regression: bad-record for a non-mapping item of a YAML/JSON sheet carries no line "
        f"(loaders/factsheet.py load_document -> kg/records.py add_record): {diags[0]}")


def test_fact_about_an_invalid_entity_is_not_called_undeclared(tmp_path: Path):
    """One bad property on an entity must not make every fact about it 'not declared'."""
    sheet = tmp_path / "cascade.yaml"
    sheet.write_text("source: invented note\n"
                     "entities:\n"
                     "  - {id: brightwater, type: Company, name: Brightwater Chips, ticker: bwc}\n"
                     "  - {id: lumen_grid, type: Company, name: Lumen Grid}\n"
                     "facts:\n"
                     "  - {s: brightwater, p: supplies, o: lumen_grid}\n", encoding="utf-8")
    diags = json.loads(run_validate(sheet, "--no-reference", "--format", "json").stdout)["diagnostics"]
    assert ("bad-value", 3) in [(d["code"], d.get("line")) for d in diags]
    dangling = [d for d in diags if d["code"] == "dangling-reference"]
    assert not dangling, (
        "regression: 'brightwater' is declared (line 3) but the fact on line 6 is reported as "
        f"dangling-reference ('not a declared entity'): {dangling}")
