"""Every engine raises the one `kg.engines.QueryError`, so a caller catches them all with one except."""
from __future__ import annotations

import pytest

from kg.engines import QueryError, QueryTimeout
from kg.registry import get


@pytest.fixture(scope="module")
def graph_dir(built_graphs):
    return built_graphs["example"][1]


@pytest.mark.parametrize("name, text", [
    ("cypher", "MATCH (n RETURN n"),
    ("sparql", "SELECT ?s WHERE { ?s ?p }"),
])
def test_embedded_engines_raise_the_shared_error(graph_dir, name, text):
    engine = get("engine", name)
    with engine.open(graph_dir) as handle:
        with pytest.raises(QueryError) as caught:
            engine.query(handle, text, {})
    assert not isinstance(caught.value, QueryTimeout)
    assert issubclass(QueryTimeout, QueryError)


@pytest.mark.parametrize("name, target", [
    ("sparql-http", "ftp://127.0.0.1/sparql"),
    ("bolt", "http://127.0.0.1:1"),
])
def test_server_engines_raise_the_shared_error(name, target):
    with pytest.raises(QueryError, match="URL|URI"):
        get("engine", name).open(target)

