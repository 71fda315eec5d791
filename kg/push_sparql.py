"""Push a graph into a SPARQL 1.1 server, so that the query pack can be asked of it.

What is sent is what the embedded SPARQL engine loads: the graph's canonical N-Triples
(kg.rdf.to_ntriples) plus the vocabulary (kg.rdf.vocabulary), into the default graph or a named
graph. The graph is replaced, so pushing twice leaves the same triples.

- SPARQL 1.1 Graph Store HTTP Protocol first: one `PUT STORE?default` (or `?graph=IRI`) with
  the N-Triples as `application/n-triples`; the server swaps the graph in one request.
- When the server has no store endpoint (404, 405 or 501), SPARQL 1.1 Update: `CLEAR SILENT`
  the graph, then `INSERT DATA` in batches of at most `batch_size` triples. Triples sharing
  blank nodes (the vocabulary's owl:unionOf lists) stay in one batch, since a blank node label
  only means one node within one request. Not atomic: a reader can see a partial graph until
  the last batch is in.
- Then `SELECT (COUNT(*) AS ?n)` over the graph, to report what the server holds.

An Oxigraph server (`oxigraph serve --location DIR --bind 127.0.0.1:7878`) has its endpoints
at `BASE/query`, `BASE/update` and `BASE/store`: give `BASE` or any of them. Other servers
(Fuseki: `/ds/query`, `/ds/update`, `/ds/data`) take `query_url`, `update_url`, `store_url`.
HTTP goes through kg.engines.sparql_http: standard library, no proxies, no redirects, bounded
timeouts.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlencode, urlsplit, urlunsplit

import click

from kg.engines.sparql_http import (RESULTS_JSON, EndpointError, QueryError, _check_iri, check_url,
                                    http_request, parse_results)
from kg.graph import Graph
from kg.rdf import to_ntriples, vocabulary
from kg.schema.model import load_schema

__all__ = ["Endpoints", "PushError", "endpoints", "push", "push_cli", "count_triples"]

BATCH_TRIPLES = 5_000
UPLOAD_TIMEOUT = 300.0
QUERY_TIMEOUT = 60.0
NO_STORE = (404, 405, 501)  # statuses that mean "no Graph Store Protocol here"
SERVICE_SUFFIXES = ("query", "update", "store")
_BNODE_SUBJECT = re.compile(r"_:(\S+) ")
_BNODE_OBJECT = re.compile(r" _:(\S+) \.\s*$")


class PushError(Exception):
    """The graph could not be pushed: bad endpoint or graph IRI, or the server failed."""


@dataclass(frozen=True)
class Endpoints:
    """Where a SPARQL server answers queries, updates and Graph Store requests."""

    query: str
    update: str
    store: str


def endpoints(url: str, *, query_url: str | None = None, update_url: str | None = None,
              store_url: str | None = None) -> Endpoints:
    """The three endpoints of a server from its base URL (or one of Oxigraph's endpoint URLs:
    a trailing /query, /update or /store is taken off); explicit URLs win."""
    try:
        check_url(url, "server")
        for extra in (query_url, update_url, store_url):
            if extra is not None:
                check_url(extra, "endpoint")
    except QueryError as exc:
        raise PushError(str(exc)) from None
    parts = urlsplit(url)
    if parts.query:
        raise PushError(f"give the server URL without a query string, not {url!r}")
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in SERVICE_SUFFIXES:
        path = head
    base = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return Endpoints(query_url or f"{base}/query", update_url or f"{base}/update",
                     store_url or f"{base}/store")


# -- what is pushed ----------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    """Distinct triple lines of an N-Triples text, in first-seen order."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            seen.setdefault(line, None)
    return list(seen)


def _units(lines: Iterable[str]) -> list[list[str]]:
    """Lines grouped so that lines sharing a blank node are in one group; others alone."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    ground, with_bnodes = [], []
    for line in lines:
        labels = [m.group(1) for m in (_BNODE_SUBJECT.match(line), _BNODE_OBJECT.search(line)) if m]
        if not labels:
            ground.append([line])
            continue
        with_bnodes.append((line, labels[0]))
        for other in labels[1:]:
            parent[find(other)] = find(labels[0])
    groups: dict[str, list[str]] = {}
    for line, label in with_bnodes:
        groups.setdefault(find(label), []).append(line)
    return ground + list(groups.values())


def batches(lines: Iterable[str], size: int = BATCH_TRIPLES) -> list[list[str]]:
    """At most `size` lines per batch, a blank-node group never split (a group larger than
    `size` is a batch of its own)."""
    out: list[list[str]] = [[]]
    for unit in _units(lines):
        if out[-1] and len(out[-1]) + len(unit) > size:
            out.append([])
        out[-1].extend(unit)
    return [b for b in out if b]


# -- the exchange ------------------------------------------------------------------------------
def _insert_data(graph_iri: str | None, lines: list[str]) -> str:
    body = "\n".join(lines)
    if graph_iri is None:
        return f"INSERT DATA {{\n{body}\n}}"
    return f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{body}\n}} }}"


def count_triples(query_url: str, graph_iri: str | None = None, timeout: float = QUERY_TIMEOUT) -> int:
    """How many triples the server holds in the default graph or in `graph_iri`."""
    pattern = "?s ?p ?o" if graph_iri is None else f"GRAPH <{graph_iri}> {{ ?s ?p ?o }}"
    body = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}".encode("utf-8")
    _, media, data = http_request("POST", query_url, body,
                                  {"Content-Type": "application/sparql-query; charset=utf-8",
                                   "Accept": RESULTS_JSON}, timeout)
    rows = parse_results(media, data, load_schema(), 1)
    if not rows or not isinstance(rows[0].get("n"), int):
        raise PushError(f"{query_url}: no count in the server's answer: {rows!r}")
    return rows[0]["n"]


def _put(store_url: str, graph_iri: str | None, body: bytes, timeout: float) -> bool:
    """Graph Store PUT; False when the server has no store endpoint."""
    target = "default" if graph_iri is None else urlencode({"graph": graph_iri})
    sep = "&" if urlsplit(store_url).query else "?"
    try:
        http_request("PUT", f"{store_url}{sep}{target}", body,
                     {"Content-Type": "application/n-triples; charset=utf-8"}, timeout)
    except EndpointError as exc:
        if exc.status in NO_STORE:
            return False
        raise
    return True


def _update(update_url: str, text: str, timeout: float) -> None:
    http_request("POST", update_url, text.encode("utf-8"),
                 {"Content-Type": "application/sparql-update; charset=utf-8"}, timeout)


def push(graph: Graph, endpoint: str, graph_iri: str | None = None, *,
         query_url: str | None = None, update_url: str | None = None, store_url: str | None = None,
         batch_size: int = BATCH_TRIPLES, timeout: float = UPLOAD_TIMEOUT,
         use_store: bool = True) -> dict[str, Any]:
    """Replace the default graph (or `graph_iri`) of the server at `endpoint` with `graph`'s RDF
    and the vocabulary; return what was sent, what the server holds and how long it took."""
    if batch_size < 1:
        raise PushError("batch_size must be at least 1")
    if graph_iri is not None:
        try:
            _check_iri(graph_iri)
        except QueryError as exc:
            raise PushError(f"graph IRI: {exc}") from None
    ends = endpoints(endpoint, query_url=query_url, update_url=update_url, store_url=store_url)
    start = time.perf_counter()
    schema = load_schema()
    data_lines = _lines(to_ntriples(graph, schema))
    vocab_lines = _lines(vocabulary(schema).serialize(format="nt"))
    lines = list(dict.fromkeys(data_lines + vocab_lines))
    serialized = time.perf_counter()
    requests, method, n_batches = 0, "graph-store", 1
    try:
        stored_by_put = False
        if use_store:
            requests += 1
            stored_by_put = _put(ends.store, graph_iri, "".join(f"{line}\n" for line in lines).encode("utf-8"),
                                 timeout)
        if not stored_by_put:
            method = "update"
            clear = "DEFAULT" if graph_iri is None else f"GRAPH <{graph_iri}>"
            _update(ends.update, f"CLEAR SILENT {clear}", timeout)
            parts = batches(lines, batch_size)
            for part in parts:
                _update(ends.update, _insert_data(graph_iri, part), timeout)
            requests += 1 + len(parts)
            n_batches = len(parts)
        uploaded = time.perf_counter()
        requests += 1
        stored = count_triples(ends.query, graph_iri, min(timeout, QUERY_TIMEOUT))
    except QueryError as exc:  # EndpointError and bad URLs
        raise PushError(str(exc)) from None
    done = time.perf_counter()
    return {
        "endpoint": endpoint,
        "query_url": ends.query,
        "graph": graph_iri or "default",
        "method": method,
        "triples": stored,
        "sent": len(lines),
        "data_triples": len(data_lines),
        "vocabulary_triples": len(vocab_lines),
        "batches": n_batches,
        "requests": requests,
        "serialize_seconds": round(serialized - start, 3),
        "upload_seconds": round(uploaded - serialized, 3),
        "count_seconds": round(done - uploaded, 3),
        "seconds": round(done - start, 3),
    }


def push_cli(graph_dir: str | Path, url: str, graph_iri: str | None = None, as_json: bool = False,
             **options: Any) -> dict[str, Any]:
    """`kg push URL --graph DIR [--graph-iri IRI] [--json]`: the result on stdout (one line, or
    JSON), a warning on stderr when the server holds another count than was sent. Exits 1 when
    DIR is not a graph, 2 for a bad URL or graph IRI, 3 when the server fails."""
    from kg.cli_common import EXIT_DATA, EXIT_OUTPUT, fail
    from kg.store import load_graph, read_manifest
    try:
        read_manifest(Path(graph_dir))
        graph = load_graph(Path(graph_dir))
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), EXIT_DATA)
    try:
        endpoints(url, **{k: options[k] for k in ("query_url", "update_url", "store_url") if k in options})
        if graph_iri is not None:
            _check_iri(graph_iri)
    except (PushError, QueryError) as exc:
        fail(str(exc), 2)
    try:
        result = push(graph, url, graph_iri, **options)
    except PushError as exc:
        fail(f"push to {url} failed: {exc}", EXIT_OUTPUT)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(f"pushed {result['sent']} triples to {result['graph']} graph of {result['endpoint']} "
              f"({result['method']}, {result['seconds']:.2f} s); the server holds {result['triples']}")
    if result["triples"] != result["sent"]:
        click.echo(f"kg: warning: sent {result['sent']} triples but the graph holds {result['triples']} "
                   "(another writer, or a union default graph?)", err=True)
    return result
