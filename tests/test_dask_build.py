"""`kg build --scheduler ADDRESS`: article extraction on a Dask cluster gives the same graph.

A `distributed.LocalCluster` (2 worker processes, 1 thread each, on 127.0.0.1) runs in a child
process, as a cluster the user points `kg build` at would: this test process is only the client,
with the network guard on, reaching the scheduler address it was given and nothing else. dask is
a test dependency: missing, the test fails rather than skips.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import Iterator

from corpus import graph_files, write_corpus

CLUSTER = textwrap.dedent("""
    import sys
    from distributed import LocalCluster
    if __name__ == "__main__":
        with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            print(cluster.scheduler_address, flush=True)
            sys.stdin.read()  # until the test closes our stdin
""")


@contextlib.contextmanager
def local_cluster() -> Iterator[str]:
    """The scheduler address of a LocalCluster in a child process, stopped on exit."""
    proc = subprocess.Popen([sys.executable, "-c", CLUSTER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        address = proc.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), f"no scheduler address (got {address!r})"
        yield address
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_a_dask_cluster_builds_the_same_graph(cli, tmp_path):
    import distributed  # noqa: F401  (a test dependency: fail, not skip, without it)
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6)
    local = cli("build", corpus, "-o", tmp_path / "local", "--no-cache", "--json")
    assert local.exit_code == 0, local.output
    with local_cluster() as address:
        remote = cli("build", corpus, "-o", tmp_path / "dask", "--scheduler", address, "--json")
        assert remote.exit_code == 0, remote.output
        assert json.loads(remote.stdout)["articles"] == {"extracted": 6, "cached": 0}
        again = cli("build", corpus, "-o", tmp_path / "dask", "--scheduler", address, "--json")
        assert json.loads(again.stdout)["articles"] == {"extracted": 0, "cached": 6}
    assert graph_files(tmp_path / "dask") == graph_files(tmp_path / "local")


def test_without_dask_the_option_says_what_to_install(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    write_corpus(tmp_path / "corpus", 1)
    result = cli("build", tmp_path / "corpus", "-o", tmp_path / "g", "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2 and "pip install 'ripplekg[dask]'" in result.stderr
    assert not (tmp_path / "g").exists()
