"""The network guard (kg.netguard) on for the whole test session.

Loaded from conftest.py (`pytest_plugins = ["netguard_plugin"]`). From configuration on, no test
reaches the network: a connect, a datagram, a name lookup or a urllib request to a destination
nobody allowed raises `kg.netguard.NetworkDenied` before anything is sent. What is allowed:

- Unix-domain sockets (the FalkorDB bridge, asyncio's self-pipe, Playwright's pipes);
- the loopback ports the test servers open, each registered by its fixture while it runs
  (tests/falkordb_server.py, tests/oxigraph_server.py: `netguard.allow(("127.0.0.1", port))`);
- a server URL given to ripplekg itself (kg push, the sparql-http and bolt engines allow the
  host:port they were given, as the `kg` command does);
- the Neo4j server named by NEO4J_URI, when set (the optional tests against Neo4j).

A test that switches the guard off (`kg --allow-network` in-process) gets it back on afterwards;
leaving it off fails the test.
"""
from __future__ import annotations

import os

import pytest

from kg import netguard

_neo4j = []


def pytest_configure(config: pytest.Config) -> None:
    netguard.install()
    uri = os.environ.get("NEO4J_URI")
    if uri and not _neo4j:
        _neo4j.append(netguard.allow(uri))


def pytest_unconfigure(config: pytest.Config) -> None:
    while _neo4j:
        _neo4j.pop().release()


@pytest.fixture(scope="session", autouse=True)
def network_denied() -> None:
    """Every test of the session runs with the guard on."""
    netguard.install()
    assert netguard.enabled()
    yield


@pytest.fixture(autouse=True)
def _guard_stays_on(network_denied: None) -> None:
    yield
    if not netguard.enabled():
        netguard.enable()
        pytest.fail("the test left the network guard (kg.netguard) switched off", pytrace=False)
