"""The portable query pack passes Neo4j's own Cypher linter (offline, from npm).

This is a syntax and semantics check only: nothing here runs on a real Neo4j (that happens in
tests/test_falkordb.py when NEO4J_URI is set). The embedded pack (queries/*.cypher) is written in
Ladybug's dialect and is not expected to pass; the portable variants (queries/neo4j/) must.
"""
from __future__ import annotations

import shutil
import subprocess

from helpers import REPO

LINT = REPO / "tests" / "lint"


def test_portable_pack_passes_the_neo4j_linter():
    node = shutil.which("node")
    assert node, "node is needed for the Cypher lint (it ships with this machine kind)"
    assert (LINT / "node_modules" / "@neo4j-cypher" / "language-support").is_dir(), (
        "run `npm ci --prefix tests/lint` (part of the README's test command)")
    files = sorted(str(p) for p in (REPO / "queries" / "neo4j").glob("*.cypher"))
    assert len(files) == 9
    proc = subprocess.run([node, str(LINT / "lint.mjs"), *files], capture_output=True, text=True,
                          timeout=120, cwd=LINT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "linted 9, failing 0" in proc.stdout


def test_the_linter_catches_a_broken_query(tmp_path):
    bad = tmp_path / "bad.cypher"
    bad.write_text("// param: id: string = x\nMATCH (n:Entity {id: $id} RETURN n\n", encoding="utf-8")
    proc = subprocess.run([shutil.which("node"), str(LINT / "lint.mjs"), str(bad)], capture_output=True,
                          text=True, timeout=120, cwd=LINT)
    assert proc.returncode == 1 and "failing 1" in proc.stdout
