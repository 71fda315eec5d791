"""The wheel: `kg` is the only importable name, and the data files ship inside it."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from helpers import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """(file names, entry_points.txt text) of a wheel built from the checkout."""
    out = tmp_path_factory.mktemp("wheel")
    build_dir = tmp_path_factory.mktemp("build")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300, cwd=build_dir)
    assert proc.returncode == 0, proc.stderr
    wheels = list(out.glob("ripplekg-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as zf:
        names = set(zf.namelist())
        entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        return names, zf.read(entry).decode("utf-8")


@pytest.fixture(scope="module")
def wheel_files(wheel):
    return wheel[0]


def test_only_kg_is_top_level(wheel_files):
    tops = {name.split("/")[0] for name in wheel_files if not name.startswith("ripplekg-")}
    assert tops == {"kg"}


def _source_files(folder: str, patterns: tuple[str, ...]) -> set[str]:
    root = REPO / folder
    return {str(p.relative_to(root)) for pat in patterns for p in root.glob(pat)}


@pytest.mark.parametrize("folder,package,patterns", [
    ("schema", "kg/schema", ("*.yaml", "*.py")),
    ("loaders", "kg/loaders", ("*.py", "reference/*.yaml")),
    ("queries", "kg/queries", ("*.py", "*.cypher", "*.rq")),
    ("examples", "kg/examples", ("*.py", "*/*.yaml", "*/*.csv", "*/*.md")),
])
def test_mapped_folders_ship_complete(wheel_files, folder, package, patterns):
    expected = {f"{package}/{name}" for name in _source_files(folder, patterns)}
    assert expected, f"nothing to ship from {folder}/"
    assert expected <= wheel_files, sorted(expected - wheel_files)


def test_schema_and_reference_data_present(wheel_files):
    assert "kg/schema/ripplekg.yaml" in wheel_files
    assert any(n.startswith("kg/loaders/reference/") and n.endswith(".yaml") for n in wheel_files)


def test_console_script_declared(wheel):
    """The wheel declares the `kg` command, pointing at the CLI's entry point."""
    import configparser
    parser = configparser.ConfigParser()
    parser.read_string(wheel[1])
    assert parser["console_scripts"]["kg"] == "kg.cli:run"
