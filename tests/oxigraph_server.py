"""An Oxigraph SPARQL server for the tests, on a free loopback port, always stopped afterwards.

The `oxigraph` binary comes from the PyPI package `oxigraph` (the `test` extra): one server
binary, no Python module. `OXIGRAPH_BIN` may name another binary.

    with oxigraph_server(tmp_path) as base:   # "http://127.0.0.1:PORT"
        ...  # BASE/query, BASE/update, BASE/store
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from kg import netguard

START_TIMEOUT = 20.0  # seconds for the server to answer
STOP_TIMEOUT = 10.0
HOST = "127.0.0.1"  # the tests never talk to anything else


def find_binary() -> str:
    """Path of the `oxigraph` server binary; fails the test, saying how to install it."""
    candidates = [os.environ.get("OXIGRAPH_BIN"), str(Path(sys.executable).parent / "oxigraph"),
                  shutil.which("oxigraph")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("the `oxigraph` server binary is missing: `pip install -e '.[test]'` (PyPI package "
                "`oxigraph`) or set OXIGRAPH_BIN", pytrace=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _answers(base: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base}/", timeout=1.0) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STOP_TIMEOUT)


@contextlib.contextmanager
def oxigraph_server(workdir: str | Path | None = None, attempts: int = 3) -> Iterator[str]:
    """Start `oxigraph serve` with its store in a temporary directory (inside `workdir` when
    given) and yield its base URL once it answers; stop it and remove the store afterwards."""
    binary = find_binary()
    tmp = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=workdir))
    try:
        for attempt in range(1, attempts + 1):
            port = _free_port()
            base = f"http://{HOST}:{port}"
            allowance = netguard.allow((HOST, port))  # the tests' network guard: this port only
            log = tmp / f"server-{attempt}.log"
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    [binary, "serve", "--location", str(tmp / f"store-{attempt}"),
                     "--bind", f"{HOST}:{port}"],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + START_TIMEOUT
                while proc.poll() is None and time.monotonic() < deadline and not _answers(base):
                    time.sleep(0.05)
                if proc.poll() is None and _answers(base):
                    yield base
                    return
                said = log.read_text(encoding="utf-8", errors="replace").strip()
                if proc.poll() is None:
                    pytest.fail(f"oxigraph serve did not answer on {base} within {START_TIMEOUT:g} s:"
                                f" {said}", pytrace=False)
                if attempt == attempts or "in use" not in said.lower():
                    pytest.fail(f"oxigraph serve exited with status {proc.returncode}: {said}",
                                pytrace=False)
            finally:
                _stop(proc)
                allowance.release()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
