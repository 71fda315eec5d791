"""SPARQL over HTTP: the query pack and ad hoc queries asked of a SPARQL 1.1 server.

The same contract as the embedded engine (kg.engines.sparql), with a server in place of the
cached store: `open(url)` takes the query endpoint (Oxigraph: `http://HOST:PORT/query`; load the
graph first with kg.push_sparql), `query(handle, text, params, types)` returns the same plain
Python rows, so the two engines' answers compare equal.

Read-only before anything leaves the process: parameters are bound as RDF terms by the embedded
engine's `prepare` (the same text both engines run), which goes through `check`
(updates, LOAD, SERVICE and FROM outside the ripplekg namespaces raise QueryRefused) before any
request is made. The text is then POSTed as `application/sparql-query` to the query endpoint,
which servers do not run updates on. The prefixes every ripplekg query may leave undeclared are
prepended (a query's own PREFIX redeclares them, as with pyoxigraph's `prefixes=`).

HTTP is the standard library's, kept to the address given: http and https only, no proxies
from the environment, no redirects followed (a 3xx is an error naming where it points).
Bounded: every blocking step waits at most `timeout` seconds and the whole exchange is given up
past that deadline; bodies past `max_bytes` are refused; rows are capped like the embedded
engine's (RowLimitExceeded).
"""
from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Mapping
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from kg.engines.sparql import (MAX_ROWS, QueryError, QueryRefused, RowLimitExceeded, _rows, prefixes,
                               prepare)
from kg import netguard
from kg.engines import Handle
from kg.registry import register
from kg.schema.model import Schema, load_schema

__all__ = ["EndpointError", "HttpHandle", "QueryError", "QueryRefused", "RowLimitExceeded",
           "SparqlHttpEngine", "http_request", "parse_results"]

DEFAULT_TIMEOUT = 60.0  # seconds for one exchange (why_fell on the example takes ~15 s here)
MAX_BYTES = 256 * 1024 * 1024  # largest response body read
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
ACCEPT = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"  # SELECT/ASK as results, CONSTRUCT/DESCRIBE as triples
_CHUNK = 64 * 1024
_ERROR_CHARS = 500  # of a server's error message kept in the exception


class EndpointError(QueryError):
    """The server could not be reached, did not answer in time or answered with an error."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


# -- HTTP --------------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: the 3xx comes back as an HTTPError."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler({}), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    _NoRedirect(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


_OPENER = _opener()


def check_url(url: object, what: str = "endpoint") -> str:
    """`url` as a string if it is an absolute http(s) URL; QueryError otherwise."""
    if isinstance(url, PurePath):
        raise QueryError(f"the {what} must be a URL string, not a path ({url!s}): "
                         "a path collapses 'http://' into 'http:/'")
    if not isinstance(url, str):
        raise QueryError(f"the {what} must be a URL string, not {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise QueryError(f"the {what} must be an http:// or https:// URL, not {url!r}")
    if parts.fragment or any(c.isspace() for c in url):
        raise QueryError(f"bad {what} URL {url!r}")
    try:
        parts.port  # noqa: B018  # raises on a bad port
    except ValueError as exc:
        raise QueryError(f"bad {what} URL {url!r}: {exc}") from None
    return url


def http_request(method: str, url: str, body: bytes | None = None,
                 headers: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_bytes: int = MAX_BYTES) -> tuple[int, str, bytes]:
    """One exchange with `url`: (status, media type, body). EndpointError for a network
    failure, a timeout, a redirect, an oversized body or a status of 400 or more."""
    check_url(url)
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        # the network guard (kg.netguard) lets this request reach the URL's host:port, nothing else
        with netguard.allowing(url), _OPENER.open(request, timeout=timeout) as resp:
            media = resp.headers.get_content_type() if resp.headers.get("Content-Type") else ""
            data = _read(resp, url, deadline, timeout, max_bytes)
            return resp.status, media, data
    except urllib.error.HTTPError as exc:
        with exc:
            if 300 <= exc.code < 400:
                where = exc.headers.get("Location", "elsewhere")
                raise EndpointError(f"{method} {url}: redirected ({exc.code}) to {where}; "
                                    "redirects are not followed, give the endpoint's own URL",
                                    exc.code) from None
            try:
                detail = exc.read(_ERROR_CHARS * 4).decode("utf-8", "replace").strip()
            except (OSError, ValueError):
                detail = ""
        detail = detail[:_ERROR_CHARS] or exc.reason
        raise EndpointError(f"{method} {url}: HTTP {exc.code}: {detail}", exc.code) from None
    except (TimeoutError, socket.timeout):
        raise EndpointError(f"{method} {url}: no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise EndpointError(f"{method} {url}: no answer within {timeout:g} s") from None
        raise EndpointError(f"{method} {url}: cannot reach the server: {exc.reason}") from None
    except (OSError, ValueError) as exc:  # connection reset, bad status line...
        raise EndpointError(f"{method} {url}: {type(exc).__name__}: {exc}") from None


def _read(resp: Any, url: str, deadline: float, timeout: float, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise EndpointError(f"{url}: the answer took more than {timeout:g} s")
        chunk = resp.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise EndpointError(f"{url}: the answer is larger than {max_bytes} bytes; add LIMIT")
        chunks.append(chunk)


# -- results -----------------------------------------------------------------------------------
def parse_results(media: str, data: bytes, schema: Schema, cap: int) -> list[dict[str, Any]]:
    """A server's answer as the embedded engine's rows (same term conversion, same cap)."""
    try:
        if media == RESULTS_JSON:
            result = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        elif media == N_TRIPLES:
            result = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        else:
            raise EndpointError(f"unexpected answer of type {media or 'unknown'!r}; "
                                f"expected {RESULTS_JSON} or {N_TRIPLES}")
        return _rows(result, schema, cap)
    except SyntaxError as exc:
        raise EndpointError(f"the server's answer cannot be parsed: {exc}") from None


def _with_prefixes(text: str, schema: Schema) -> str:
    """Declare the default prefixes first; a declaration in `text` overrides them."""
    head = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes(schema).items())
    return head + text


# -- the engine --------------------------------------------------------------------------------
@dataclass
class HttpHandle(Handle):
    """A query endpoint (nothing is held open between queries)."""

    url: str
    default_graph: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = MAX_BYTES

    def close(self) -> None:
        pass


@register("engine", "sparql-http")
class SparqlHttpEngine:
    name = "sparql-http"
    language = "sparql"
    read_only = True
    max_rows = MAX_ROWS

    def __init__(self) -> None:
        self.requests = 0  # requests sent by this engine (the refusal tests count them)

    def open(self, url: str, default_graph: str | None = None, timeout: float = DEFAULT_TIMEOUT,
             max_bytes: int = MAX_BYTES) -> HttpHandle:
        """A handle on the query endpoint `url`; `default_graph` asks the server to answer from
        that named graph (SPARQL protocol `default-graph-uri`). Sends nothing."""
        url = check_url(url, "query endpoint")
        if urlsplit(url).query:
            raise QueryError(f"give the query endpoint without a query string, not {url!r}")
        if default_graph is not None:
            _check_iri(default_graph)
        if not (timeout > 0 and max_bytes > 0):
            raise QueryError("timeout and max_bytes must be positive")
        return HttpHandle(url, default_graph, float(timeout), int(max_bytes))

    def query(self, handle: HttpHandle, text: str, params: Mapping[str, object] | None = None,
              types: Mapping[str, str] | None = None, max_rows: int | None = None) -> list[dict[str, Any]]:
        """Run one read-only query with bound parameters on the server; rows as plain dicts
        (SELECT one dict per solution, ASK `[{"ask": bool}]`, CONSTRUCT/DESCRIBE triples)."""
        if not isinstance(handle, HttpHandle):
            handle = self.open(handle)
        schema = load_schema()
        full = prepare(text, params, types, schema)  # refusals happen here, before any request
        url = handle.url
        if handle.default_graph is not None:
            url += "?" + urlencode({"default-graph-uri": handle.default_graph})
        self.requests += 1
        try:
            _, media, data = http_request(
                "POST", url, _with_prefixes(full, schema).encode("utf-8"),
                {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": ACCEPT},
                handle.timeout, handle.max_bytes)
        except EndpointError as exc:
            if exc.status == 400:  # the server's parser or evaluator said no
                raise QueryError(f"the server refused the query: {exc}") from None
            raise
        return parse_results(media, data, schema, self.max_rows if max_rows is None else max_rows)

    def close(self, handle: HttpHandle) -> None:
        handle.close()


def _check_iri(iri: str) -> str:
    """An absolute IRI that can be written `<iri>` in SPARQL and N-Triples."""
    bad = set('<>"{}|^`\\')
    if (not isinstance(iri, str) or ":" not in iri or any(c in bad or ord(c) <= 0x20 for c in iri)
            or not urlsplit(iri).scheme):
        raise QueryError(f"not an absolute IRI: {iri!r}")
    return iri
