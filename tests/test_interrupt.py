"""Killing `kg build` at any moment leaves the previous graph whole (issue 6).

`kg build` runs as a child process over a corpus that takes a few seconds, with a previous graph
in the output directory; it is sent SIGINT or SIGTERM at several moments: while Python starts,
while the inputs load, while articles are extracted (one process and a pool), while the new graph
is written into its temporary directory, and between the two renames that swap it in. After each:

- the exit status is 130 for SIGINT and 143 for SIGTERM (a signal landing before `kg` has
  started is Python's own: the process dies of it, status -2 / -15, and nothing was touched);
- the output directory holds the previous graph, byte for byte, and `kg.load` reads it; except
  when the signal came during the swap, which is held back until the swap is done: then it holds
  the complete new graph;
- nothing is left beside it (`.g.*.tmp`, `.g.*.old`) nor half-written in the extraction cache,
  and the build's claim store (`kg-build-*` in TMPDIR) is gone.

The write-phase moments are reached through a driver that wraps the swap to wait at the right
point (test scaffolding: the product has no such hook).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import kg

from corpus import graph_files, write_corpus
from helpers import EXAMPLE

DRIVER = textwrap.dedent("""
    import contextlib, os, sys, time
    from pathlib import Path
    phase, marker = os.environ.get("KG_TEST_PHASE", ""), Path(os.environ["KG_TEST_MARKER"])
    if phase == "write":    # the new graph is written into its temporary directory; wait there
        import kg.store
        real_atomic_dir = kg.store.atomic_dir
        @contextlib.contextmanager
        def atomic_dir(path):
            with real_atomic_dir(path) as tmp:
                yield tmp
                marker.touch()
                time.sleep(60)
        kg.store.atomic_dir = atomic_dir
    elif phase == "swap":   # the old graph was just moved aside, the new one not yet in place
        real_replace = os.replace
        def replace(src, dst):
            real_replace(src, dst)
            if str(dst).endswith(".old"):
                marker.touch()
                time.sleep(2)
        os.replace = replace
    elif phase == "extract":  # the first extracted article is back: the others are under way
        import kg.extract_cache
        real_decode = kg.extract_cache.decode
        def decode(data, path):
            marker.touch()
            return real_decode(data, path)
        kg.extract_cache.decode = decode
    if __name__ == "__main__":  # not in the pool's spawned workers, which import this file
        from kg.cli import run
        sys.argv = ["kg", *sys.argv[1:]]
        run()
""")
ARTICLES = 40


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    """(corpus, driver, the previous graph's files, the new graph's files)."""
    root = tmp_path_factory.mktemp("interrupt")
    corpus = root / "corpus"
    write_corpus(corpus, ARTICLES)
    driver = root / "driver.py"
    driver.write_text(DRIVER)
    previous, new = root / "previous", root / "new"
    kg.save(kg.build([EXAMPLE]), previous)
    done = _run(driver, [corpus, "-o", new, "--no-cache"], root / "marker")
    assert done.wait(timeout=180) == 0, done.stderr.read()
    return corpus, driver, graph_files(previous), previous, graph_files(new)


def _run(driver: Path, args: list, marker: Path, phase: str = "", tmp: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "KG_TEST_PHASE": phase, "KG_TEST_MARKER": str(marker)}
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    return subprocess.Popen([sys.executable, str(driver), "build", *map(str, args)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"kg build ended ({proc.returncode}) before {path.name}: {proc.stderr.read()}"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


CASES = [  # (signal, when: seconds after start or a phase, extra options)
    (signal.SIGINT, 0.2, ["--no-cache"]),
    (signal.SIGINT, 1.0, ["--no-cache"]),
    (signal.SIGINT, 2.0, ["--no-cache"]),
    (signal.SIGINT, "extract", []),                # with the cache: entries being written
    (signal.SIGINT, "extract", ["--no-cache", "--workers", "2"]),
    (signal.SIGINT, "write", ["--no-cache"]),
    (signal.SIGINT, "swap", ["--no-cache"]),
    (signal.SIGTERM, 1.0, ["--no-cache"]),
    (signal.SIGTERM, "extract", ["--no-cache", "--workers", "2"]),
    (signal.SIGTERM, "write", []),
]


@pytest.mark.parametrize("sig, when, options", CASES,
                         ids=[f"{s.name}-{w}-{'-'.join(o) or 'cache'}" for s, w, o in CASES])
def test_a_killed_build_leaves_the_previous_graph(setting, tmp_path, sig, when, options):
    corpus, driver, before, previous, new = setting
    out = tmp_path / "g"
    shutil.copytree(previous, out)
    marker = tmp_path / "marker"
    scratch = tmp_path.parent / f"{tmp_path.name}-tmpdir"
    scratch.mkdir()
    proc = _run(driver, [corpus, "-o", out, *options], marker, when if isinstance(when, str) else "", scratch)
    if isinstance(when, str):
        _wait_for(marker, proc)
        if when == "extract":
            time.sleep(0.3)  # a few more articles, cache entries being written
    else:
        time.sleep(when)
        assert proc.poll() is None, "the build ended before the signal: make the corpus bigger"
    proc.send_signal(sig)
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    expected = 130 if sig == signal.SIGINT else 143
    assert code in (expected, -sig), err
    if code == expected:
        assert ("kg: interrupted" if sig == signal.SIGINT else "kg: terminated") in err, err
    assert graph_files(out) == (new if when == "swap" else before), err
    kg.load(out)
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != "marker")
    assert left == ["g"], f"left beside the graph: {left}"
    assert not [p for p in out.rglob(".*") if p.is_file()], "a temporary file in the cache"
    assert not list(scratch.glob("kg-build-*")), "the build's claim store was left in TMPDIR"
