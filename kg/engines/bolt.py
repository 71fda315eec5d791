"""Cypher over Bolt: the query pack asked of a server (Neo4j 5, FalkorDB) with the neo4j driver.

    eng = kg.registry.get("engine", "bolt")
    h = eng.open("bolt://127.0.0.1:7687")          # auth: argument, or NEO4J_USERNAME/NEO4J_PASSWORD
    rows = eng.query(h, pack_text("moves"), {"date": "2025-01-27"})

The server holds what `kg.push_bolt.push` wrote (the embedded engine's model: `Entity` nodes, one
relationship type per edge type, `CHANNEL` steps, `Claim`/`Evidence`; dates as ISO strings). The
pack's embedded dialect (Ladybug: `label()`, `list_to_string`, `properties(nodes(p), 'id')`) does
not run there, so each question has a portable Cypher 5 variant in `queries/neo4j/NAME.cypher`
(`pack_text(name)`), with the same header and the same rows.

Read-only as the embedded engine is: the same token guard (`kg.engines.cypher.check_read_only`)
refuses write clauses before anything is sent, and queries run with `routing_=READ` (Neo4j
refuses writes in a read transaction; FalkorDB ignores the access mode, so there the guard is
the protection). Parameters are always bound, never pasted, and a missing one is an error.

FalkorDB (4.16, Bolt port) needs care, found by probing at `open` (`kg.push_bolt.probe`):
string parameters are escaped (it pastes them into the query text), a float parameter that its
6-decimal printing would change is refused, comment lines are stripped and a statement whose
text and parameters pass its 4 KB buffer is refused (past it the server crashes), and a `date`
value must never be returned (that crashes it too: the model stores dates as strings). Closing a
driver sends GOODBYE, after which FalkorDB answers no new Bolt connection: keep one driver open
(`open(driver)` reuses yours and leaves it open) or restart the server.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from kg.engines.cypher import QueryError, checked_params
from kg.engines import Handle
from kg.registry import register

#: `Path("bolt://h:p")` reads as "bolt:/h:p": put the second slash back
_COLLAPSED = re.compile(r"^(bolt|neo4j)(\+s|\+ssc)?:/(?!/)")


def pack_text(name: str) -> str:
    """The portable (Neo4j 5 / FalkorDB) Cypher of question `name`: queries/neo4j/NAME.cypher."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise KeyError(f"no query named {name!r}")
    entry = resources.files("kg.queries.neo4j").joinpath(f"{name}.cypher")
    if not entry.is_file():
        raise KeyError(f"query {name!r} has no Neo4j/FalkorDB version (queries/neo4j/{name}.cypher)")
    return entry.read_text(encoding="utf-8")


def strip_comments(text: str) -> str:
    """`text` without its whole-line `//` comments (the header): fewer bytes on the wire."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")).strip()


def plain(value: Any) -> Any:
    """A neo4j driver value as builtins: ISO dates, lists, dicts for nodes, rels and paths."""
    import neo4j.graph as ng
    if isinstance(value, ng.Path):
        return {"nodes": [plain(n) for n in value.nodes],
                "rels": [plain(r) for r in value.relationships]}
    if isinstance(value, ng.Node):
        labels = sorted(value.labels)
        out = {"_label": "Entity" if "Entity" in labels else (labels[0] if labels else None),
               "_labels": labels}
        out.update((k, plain(v)) for k, v in value.items())
        return out
    if isinstance(value, ng.Relationship):
        def end(node: Any) -> Any:
            return None if node is None else node.get("id", node.get("fact_id"))
        out = {"_label": value.type, "_src": end(value.start_node), "_dst": end(value.end_node)}
        out.update((k, plain(v)) for k, v in value.items())
        return out
    if hasattr(value, "iso_format"):  # neo4j.time Date, DateTime, Time, Duration
        return value.iso_format()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def repair_uri(target: str | Path) -> str:
    return _COLLAPSED.sub(lambda m: m.group(0) + "/", str(target))


@dataclass
class BoltHandle(Handle):
    """An open connection to a Bolt server; `codec` says how it takes parameters."""

    uri: str
    driver: Any = field(repr=False)
    codec: Any
    database: str | None = None
    owns_driver: bool = True
    allowance: Any = field(default=None, repr=False)  # kg.netguard: the server's host:port

    def close(self) -> None:
        try:
            if self.owns_driver:
                self.driver.close()
        finally:
            if self.allowance is not None:
                self.allowance.release()


@register("engine", "bolt")
class BoltEngine:
    name = "bolt"
    language = "cypher"
    read_only = True

    def open(self, target: Any, auth: Any = None, database: str | None = None,
             **driver_config: Any) -> BoltHandle:
        """Connect to `target` (a bolt:// or neo4j:// URI, or an open neo4j Driver to reuse)."""
        import neo4j

        from kg import netguard
        from kg.push_bolt import probe
        allowance = None
        if isinstance(target, (str, Path)):
            uri = repair_uri(target)
            if not re.match(r"^(bolt|neo4j)(\+s|\+ssc)?://", uri):
                raise QueryError(f"{uri!r} is not a bolt:// or neo4j:// URI")
            if auth is None and os.environ.get("NEO4J_USERNAME"):
                auth = (os.environ["NEO4J_USERNAME"], os.environ.get("NEO4J_PASSWORD", ""))
            try:
                # the network guard: this host:port (and its lookup) until the handle is closed
                allowance = netguard.allow(uri)
            except ValueError as exc:
                raise QueryError(f"bad URI {uri!r}: {exc}") from None
            try:
                driver, owns = neo4j.GraphDatabase.driver(uri, auth=auth, **driver_config), True
            except BaseException:
                allowance.release()
                raise
        else:
            driver, owns, uri = target, False, "(driver)"
        try:
            driver.verify_connectivity()
            codec = probe(driver, database)
        except Exception as exc:
            if owns:
                driver.close()
            if allowance is not None:
                allowance.release()
            raise QueryError(f"cannot query {uri}: {exc}") from exc
        return BoltHandle(uri, driver, codec, database, owns, allowance)

    def query(self, handle: BoltHandle, text: str,
              params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one read-only statement with bound parameters; rows as plain dicts."""
        import neo4j
        params = checked_params(text, params)
        codec = handle.codec
        for name, value in params.items():
            if isinstance(value, float) and not codec.exact_floats and float(f"{value:.6f}") != value:
                raise QueryError(f"${name} = {value!r}: this server keeps 6 decimals of a float "
                                 f"parameter; round it or pass it as a string")
        body = strip_comments(text)
        bound = codec.encode(params)
        if codec.text_limit is not None:
            size = len(body.encode("utf-8")) + len(json.dumps(bound, ensure_ascii=False).encode("utf-8"))
            if size > codec.text_limit - 256:
                raise QueryError(f"statement and parameters take {size} bytes: more than this "
                                 f"server's {codec.text_limit}-byte limit allows")
        kw = {"database_": handle.database} if handle.database else {}
        try:
            result = handle.driver.execute_query(body, bound, routing_=neo4j.RoutingControl.READ, **kw)
        except neo4j.exceptions.Neo4jError as exc:
            raise QueryError(str(exc)) from exc
        return [{k: plain(v) for k, v in record.items()} for record in result.records]

    def close(self, handle: BoltHandle) -> None:
        handle.close()
