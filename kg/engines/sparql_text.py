"""SPARQL query text for the engines: parameters bound as RDF terms, safety checked.

Split from `kg.engines.sparql` so that the embedded and HTTP engines share one path from a query and
its parameters to the text they run (`prepare`). Read-only: the text is parsed (rdflib's SPARQL
parser) and updates, SERVICE and FROM / FROM NAMED outside the ripplekg namespaces raise
QueryRefused. Parameters are never pasted as raw text: each value becomes an RDF term (`bind`),
checked in a VALUES block opening the WHERE group, then written as that one escaped term in place
of its variable where the variable is not projected, because Oxigraph does not push a head VALUES
block into UNION branches.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from kg.engines import QueryError
from kg.rdf import entity_iri, literal
from kg.schema.model import Schema, load_schema

PARAM_TYPES = ("entity", "string", "integer", "number", "boolean", "date", "list")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TOKEN = re.compile(r'''
    (?P<skip>\#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
           |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}()])
''', re.VERBOSE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
Term = ox.NamedNode | ox.Literal


class QueryRefused(QueryError):
    """A query that would write, call a remote service or read a non-local graph."""


class RowLimitExceeded(QueryError):
    """More rows than the cap: add LIMIT or raise `max_rows`."""


@dataclass(frozen=True)
class EntityRef:
    """A parameter value naming an entity: bound as its resource IRI, not as a string."""

    id: str


def prefixes(schema: Schema) -> dict[str, str]:
    """Prefixes every query may use without declaring them."""
    return {"ns": schema.raw["namespace"], "id": schema.raw["resource_namespace"],
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": _XSD,
            "owl": "http://www.w3.org/2002/07/owl#"}


# -- parameters --------------------------------------------------------------------------------
def bind(params: Mapping[str, object], types: Mapping[str, str] | None = None,
         schema: Schema | None = None) -> dict[str, Term | list[Term]]:
    """Python values -> RDF terms, by declared type ("entity", "string", "integer", "number",
    "boolean", "date") or by Python type (EntityRef, bool, int, float, date, str). A list
    binds its variable to each element in turn (SQL's IN), elements typed the same way."""
    schema, types = schema or load_schema(), dict(types or {})
    unknown = sorted(set(types) - set(params))
    if unknown:
        raise QueryError(f"types given for unknown parameter(s): {', '.join(unknown)}")
    return {_param_name(k): _term(k, v, types.get(k), schema) for k, v in sorted(params.items())}


def _param_name(name: str) -> str:
    bare = name[1:] if name[:1] in "?$" else name
    if not _NAME.match(bare):
        raise QueryError(f"bad parameter name {name!r}")
    return bare


def _term(name: str, value: object, type_: str | None, schema: Schema) -> Term | list[Term]:
    if type_ is not None and type_ not in PARAM_TYPES:
        raise QueryError(f"parameter {name}: unknown type {type_!r}; one of {', '.join(PARAM_TYPES)}")
    type_ = None if type_ == "list" else type_
    if isinstance(value, (list, tuple)):
        return [_scalar(name, item, type_, schema) for item in value]
    return _scalar(name, value, type_, schema)


def _scalar(name: str, value: object, type_: str | None, schema: Schema) -> Term:
    if isinstance(value, EntityRef) or type_ == "entity":
        return ox.NamedNode(entity_iri(value.id if isinstance(value, EntityRef) else str(value), schema))
    if value is None or isinstance(value, (list, tuple, dict, set)):
        raise QueryError(f"parameter {name}: cannot bind {type(value).__name__}")
    if isinstance(value, dt.datetime):
        value = value.date()
    type_ = type_ or ("boolean" if isinstance(value, bool) else "integer" if isinstance(value, int)
                      else "number" if isinstance(value, float)
                      else "date" if isinstance(value, dt.date) else "string")
    try:
        return literal(_coerce(value, type_), type_)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"parameter {name}: {value!r} is not of type {type_}") from exc


def _coerce(value: object, type_: str) -> object:
    if type_ == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if type_ == "boolean" and str(value).lower() in ("true", "false"):
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if type_ in ("integer", "number") and not isinstance(value, bool):
        num = float(value) if type_ == "number" else int(value)  # type: ignore[arg-type]
        if type_ == "integer" and isinstance(value, float) and not value.is_integer():
            raise ValueError("not an integer")
        return num
    if type_ == "string":
        return str(value)
    raise ValueError(f"not a {type_}")


def with_values(text: str, terms: Mapping[str, Term | list[Term]]) -> str:
    """`text` with `VALUES ?a { t1 } VALUES ?b { t2 t3 }` opening its WHERE group."""
    if not terms:
        return text
    at = _where_brace(text)
    blocks = " ".join(f"VALUES ?{name} {{ {' '.join(map(str, t if isinstance(t, list) else [t]))} }}"
                      for name, t in terms.items())
    return f"{text[:at + 1]} {blocks} {text[at + 1:]}"


def prepare(text: str, params: Mapping[str, object] | None, types: Mapping[str, str] | None,
            schema: Schema) -> str:
    """The text to run: parameters bound, safety checked (`check`), ready for any engine.

    A single-valued parameter is written in place of its variable, as the RDF term that
    pyoxigraph serialises (one escaped token, never the raw value), because Oxigraph does not
    push a head VALUES block into UNION branches: a path question took seconds instead of
    milliseconds (benchmarks/bench_queries.py). The variable must then not be projected
    (`SELECT *`, `SELECT ?x`, `AS ?x`); where it is, or the term cannot stand where the variable
    stood, the parameters go in a head VALUES block instead, as do list values."""
    terms = bind(params or {}, types, schema)
    used, dollars = variables(text)
    for problem, names in (("no value for", dollars - set(terms)), ("unused", set(terms) - used)):
        if names:
            raise QueryError(f"{problem} parameter(s): {', '.join(sorted('$' + n for n in names))}")
    scalars = {k: v for k, v in terms.items() if not isinstance(v, list)}
    lists = {k: v for k, v in terms.items() if isinstance(v, list)}
    projected = _checked(text, tuple((k, k in lists) for k in terms), schema)
    if scalars and not projected:
        inlined = with_values(_substitute(text, scalars), lists)
        try:  # the term may not stand where the variable stood: Oxigraph's parser says
            _EMPTY.query(inlined, prefixes=prefixes(schema))
            return inlined
        except SyntaxError:
            pass
    return with_values(text, terms)


_EMPTY = ox.Store()  # parses a query for `prepare` in no time: there is nothing to match


_CHECKED: dict[tuple[str, tuple[tuple[str, bool], ...], int], tuple[Schema, bool]] = {}


def _checked(text: str, shape: tuple[tuple[str, bool], ...], schema: Schema) -> bool:
    """`check` the text with its parameters bound (their values cannot change what it does:
    each is one term), once per text and schema, since rdflib's parser takes about a second
    on a path question; whether a single-valued parameter is projected."""
    key = (text, shape, id(schema))
    if key in _CHECKED and _CHECKED[key][0] is schema:
        return _CHECKED[key][1]
    term = ox.NamedNode("urn:ripplekg:parameter")
    full = with_values(text, {name: [term] if many else term for name, many in shape})
    check(full, schema, dict(shape))
    projected = _projects(full, {name for name, many in shape if not many})
    if len(_CHECKED) > 256:
        _CHECKED.clear()
    _CHECKED[key] = (schema, projected)
    return projected


def _substitute(text: str, scalars: Mapping[str, Term]) -> str:
    parts, last = [], 0
    for m in _tokens(text):
        if m.lastgroup == "var" and m.group()[1:] in scalars:
            parts += [text[last:m.start()], str(scalars[m.group()[1:]])]
            last = m.end()
    return "".join(parts) + text[last:]


def _projects(text: str, names: set[str]) -> bool:
    """Whether a SELECT projects (or binds with AS) one of `names`; `SELECT *` projects all."""
    query = parseQuery(text)[1]
    if getattr(query, "name", "") != "SelectQuery":
        return False
    projection = dict.get(query, "projection")
    if not projection:
        return True
    out = {str(dict.get(p, "var") or dict.get(p, "evar") or "") for p in projection}
    return bool(out & names)


def _tokens(text: str) -> Iterator[re.Match]:
    return (m for m in _TOKEN.finditer(text) if m.lastgroup != "skip")


def _where_brace(text: str) -> int:
    """Offset of the `{` opening the query's WHERE group (after a CONSTRUCT template)."""
    depth, form, template, prev = 0, None, False, ""
    for m in _tokens(text):
        tok = m.group()
        if m.lastgroup == "word":
            form = form or (tok.upper() if depth == 0 and tok.upper() in
                            ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None)
            prev = tok.upper()
        elif tok in ("(", "{") and m.lastgroup == "punct":
            if tok == "{" and depth == 0 and form == "CONSTRUCT" and not template:
                if prev == "WHERE":
                    raise QueryError("parameters need the long form CONSTRUCT { ... } WHERE { ... }")
                template = True
            elif tok == "{" and depth == 0 and form is not None:
                return m.start()
            depth += 1
        elif tok in (")", "}") and m.lastgroup == "punct":
            depth -= 1
    raise QueryError("parameters need a query with a WHERE group")


def variables(text: str) -> tuple[set[str], set[str]]:
    """Names written `?x` or `$x`, and those written `$x` (parameters that need a value)."""
    found = [m.group() for m in _tokens(text) if m.lastgroup == "var"]
    return {v[1:] for v in found}, {v[1:] for v in found if v[0] == "$"}


# -- safety ------------------------------------------------------------------------------------
def check(text: str, schema: Schema, bound: Mapping[str, Any] = ()) -> None:
    """Raise QueryRefused for updates, SERVICE and non-local FROM; QueryError for bad syntax."""
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise QueryRefused("updates are refused: the SPARQL engine is read-only") from None
        raise QueryError(f"cannot parse the query: {exc}") from None
    known = {**prefixes(schema), **{dict.get(d, "prefix") or "": str(dict.get(d, "iri"))
                                    for d in parsed[0] if getattr(d, "name", "") == "PrefixDecl"}}
    local = (schema.raw["namespace"], schema.raw["resource_namespace"])
    for node in _walk(parsed[1]):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused("SERVICE is refused: queries run on the local graph only")
        if node.name == "DatasetClause":
            iri = _resolve(dict.get(node, "default") or dict.get(node, "named"), known)
            if not iri.startswith(local):
                raise QueryRefused(f"FROM <{iri}> is refused: only ripplekg graphs are local")
    if bound:
        where = dict.get(parsed[1], "where") or {}
        head = [(getattr(p, "name", ""), list(map(str, dict.get(p, "var") or [])))
                for p in (dict.get(where, "part") or [])[:len(bound)]]
        if head != [("InlineData", [name]) for name in bound]:
            raise QueryError("could not bind the parameters at the head of the WHERE group")


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except ParseException:
        return False
    return True


def _walk(node: Any) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _walk(value)


def _resolve(iri: Any, known: Mapping[str, str]) -> str:
    if isinstance(iri, CompValue) and iri.name == "pname":
        prefix, localname = dict.get(iri, "prefix") or "", dict.get(iri, "localname") or ""
        return known.get(prefix, "?") + localname
    return str(iri)
