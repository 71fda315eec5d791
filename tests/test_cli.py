"""The command line: what the README promises, with its exit codes and outputs."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

from helpers import REPO


def test_build_stats_export_pipeline(cli, tmp_path, gold_path):
    out = tmp_path / "g"
    result = cli("build", gold_path, "--no-reference", "-o", out)
    assert result.exit_code == 0 and "wrote" in result.stderr and result.stdout == ""
    stats = json.loads(cli("stats", "--graph", out, "--json").stdout)
    assert stats["counts"]["entities"] == 33 and stats["counts"]["facts"] == 40
    assert stats["top_degree"][0]["degree"] >= stats["top_degree"][-1]["degree"]
    text = cli("stats", "--graph", out).stdout
    assert "entities by type:" in text and "Person" in text
    for fmt in ("json", "csv", "graphml"):
        target = tmp_path / f"export.{fmt}"
        assert cli("export", "--graph", out, "--format", fmt, "-o", target).exit_code == 0
        assert target.exists()
    again = cli("export", "--graph", out, "--format", "json", "-o", tmp_path / "export.json")
    assert again.exit_code == 3 and "--force" in again.stderr
    assert cli("export", "--graph", out, "--format", "json", "-o", tmp_path / "export.json", "--force").exit_code == 0


def test_build_with_errors_writes_nothing_unless_keep_going(cli, tmp_path):
    sheet = tmp_path / "bad.yaml"
    sheet.write_text("source: t\nentities:\n  - {id: a, type: Company, name: A}\n"
                     "facts:\n  - {s: a, p: supplies, o: ghost}\n  - {s: a, p: founded_in, value: 2001, unit: year}\n")
    result = cli("build", sheet, "--no-reference", "-o", tmp_path / "g")
    assert result.exit_code == 1
    assert f"{sheet}:5: error:" in result.stderr and "[dangling-reference]" in result.stderr
    assert not (tmp_path / "g").exists()
    kept = cli("build", sheet, "--no-reference", "-o", tmp_path / "g", "--keep-going")
    assert kept.exit_code == 1
    report = json.loads((tmp_path / "g" / "report.json").read_text())
    assert report["summary"]["errors"] == 1
    facts = (tmp_path / "g" / "facts.jsonl").read_text()
    assert "founded_in" in facts and "ghost" not in facts


def test_build_json_output(cli, tmp_path, gold_path):
    result = cli("build", gold_path, "--no-reference", "-o", tmp_path / "g", "--json")
    data = json.loads(result.stdout)
    assert data["counts"]["facts"] == 40 and data["problems"]["errors"] == 0


def test_missing_input_and_missing_graph(cli, tmp_path):
    result = cli("build", tmp_path / "nope.yaml", "-o", tmp_path / "g")
    assert result.exit_code == 1 and "nope.yaml" in result.stderr
    result = cli("stats", "--graph", tmp_path)
    assert result.exit_code == 1 and "not a ripplekg graph" in result.stderr


def test_usage_errors_exit_2(cli, tmp_path):
    assert cli("build").exit_code == 2
    assert cli("export", "--graph", tmp_path, "--format", "nope", "-o", tmp_path / "x").exit_code == 2


def test_plugins_lists_registered_parts(cli):
    data = json.loads(cli("plugins", "--json").stdout)
    assert {"factsheet", "moves", "reference"} <= set(data["loader"])
    assert {"json", "csv", "graphml"} <= set(data["exporter"])


def test_demo_builds_the_example_and_answers(cli, tmp_path):
    result = cli("demo", "-o", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Nvidia" in out and "-16.97%" in out and "Marion Keller, Lakeside Capital" in out
    assert (tmp_path / "demo" / "manifest.json").exists()
    view = tmp_path / "demo" / "view.html"
    assert f"{view}" in out and '<script type="application/json" id="kg-data">' in view.read_text(encoding="utf-8")
    again = cli("demo", "-o", tmp_path / "demo")  # a second run replaces the graph and its view
    assert again.exit_code == 0, again.output


def test_every_command_is_in_the_readme(cli):
    from kg.cli import main
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"`kg {name}" in readme, f"kg {name} is not documented in README.md"
    codes = re.findall(r"`(\d+)`\s", readme.split("Exit codes:")[1].split("\n\n")[0])
    assert codes == ["0", "1", "2", "3", "130"]


def test_every_option_is_in_the_readme():
    """Each option of each command, under one of its spellings (`-o` or `--output`)."""
    import click
    from kg.cli import main
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [f"kg {name} {param.opts[0]}" for name, command in sorted(main.commands.items())
               for param in command.params if isinstance(param, click.Option)
               and not any(re.search(re.escape(o) + r"(?![\w-])", readme) for o in param.opts + param.secondary_opts)]
    assert not missing, f"not documented in README.md: {missing}"


def test_readme_quickstart_matches_ci():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = "apt-get update -qq && apt-get install -y -qq chromium graphviz && pip install -e '.[test]' && npm ci --prefix tests/lint && python -m pytest"
    assert test_cmd in readme and test_cmd in ci
    assert "pip install -e . && kg demo" in readme


def test_real_console_script_pipes_without_progress_bars(tmp_path, gold_path):
    exe = shutil.which("kg")
    assert exe, "the kg console script is installed by pip install -e ."
    proc = subprocess.run([exe, "build", str(gold_path), "--no-reference", "-o", str(tmp_path / "g")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr and "loading" not in proc.stderr
