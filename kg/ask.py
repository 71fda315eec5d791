"""Ask the query pack: one question, one engine, rows in the question's order.

Both engines get the same typed parameters; rows are sorted by the question's declared
`order` (or kept in the engine's order when it declares none, the query's own ORDER BY),
so a question answered in Cypher and in SPARQL can be compared row for row.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kg import registry
from kg.queries import Query, get

LANG_OF_ENGINE = {"cypher": "cypher", "sparql": "sparql", "sparql-http": "sparql", "bolt": "cypher"}
#: engines reached by URL rather than a graph directory
SERVERS = ("sparql-http", "bolt")


def _key(value: Any) -> tuple:
    if value is None:
        return (0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, float(value))
    return (2, str(value))


def order_rows(query: Query, rows: list[dict]) -> list[dict]:
    spec = query.order
    if not spec:
        return rows
    keys = [(k.lstrip("-"), k.startswith("-")) for k in spec]
    out = list(rows)
    for name, desc in reversed(keys):
        out.sort(key=lambda r: _key(r.get(name)), reverse=desc)
    return out


def run(name: str, graph_dir: str | Path, engine: str = "cypher", params: dict[str, str] | None = None,
        handle: Any = None, timeout: float | None = None, memory: int | None = None) -> list[dict]:
    """Rows of question `name` on the graph in `graph_dir` (or at a SPARQL endpoint URL for
    engine "sparql-http"), asked of `engine`, within `timeout` seconds if given (the embedded
    engines stop the query; sparql-http gives up waiting; a Bolt server applies its own
    transaction timeout, so none may be given there) and, on an embedded engine, `memory` MiB
    if given (a budget set when the graph is opened, so not with a `handle`)."""
    if timeout is not None and engine == "bolt":
        raise ValueError("a time budget cannot be set for a Bolt server: it applies its own "
                         "transaction timeout (dbms.transaction.timeout on Neo4j)")
    if memory is not None and (engine in SERVERS or handle is not None):
        raise ValueError("a memory budget is set when an embedded engine opens the graph: "
                         + ("a server applies its own" if engine in SERVERS else
                            "pass memory= to the engine's open() instead"))
    query = get(name)
    lang = LANG_OF_ENGINE[engine]
    if engine == "bolt":  # servers speak Neo4j's dialect: the pack's portable variant
        from kg.engines.bolt import pack_text
        text = pack_text(name)
    elif lang in query.text:
        text = query.text[lang]
    else:
        raise KeyError(f"query {name!r} has no {lang} version")
    bound = query.bind(params or {})
    eng = registry.get("engine", engine)
    own = handle is None
    budget = {"timeout": timeout} if timeout is not None else {}
    if handle is None:
        handle = (eng.open(str(graph_dir), **budget) if engine == "sparql-http" else
                  eng.open(str(graph_dir)) if engine in SERVERS else eng.open(Path(graph_dir), memory))
    if engine in SERVERS:
        budget = {}  # the server's handle carries it
    try:
        if lang == "sparql":
            types = {p.name: p.type for p in query.params}
            rows = eng.query(handle, text, bound, types=types, **budget)
        else:
            rows = eng.query(handle, text, bound, **budget)
    finally:
        if own and hasattr(handle, "close"):
            handle.close()
    rows = [{c: row.get(c) for c in query.columns} for row in rows]
    return order_rows(query, rows)
