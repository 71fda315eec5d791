"""RDF exports: canonical N-Triples, readable Turtle, JSON-LD with an inline context.

All of them write the same triples, `kg.rdf.to_triples` (sorted, no blank nodes), so a
reader of any of them finds the same graph. The Turtle and JSON-LD writers are ours rather
than rdflib's serializers: output order and spelling are then fixed by this file (sorted
subjects and predicates, N-Triples string escapes), not by a library version, and golden
files can pin them. rdflib's turtle is stable across hash seeds today, but it orders
subjects by reference count, and it cannot write RDF 1.2 annotations.

- `nt`: `to_ntriples`, the canonical form to diff and hash.
- `ttl`: prefixes `rdf rdfs xsd ns id fact`; a prefixed name where the local part needs no
  escape, the full IRI elsewhere. No relative IRI is written, so there is no `@base`.
- `jsonld`: `{"@context": jsonld_context(), "@graph": [...]}`, nodes sorted by `@id`, keys
  sorted. The context is inline, never a URL, so no reader fetches anything. `<`, `>` and
  `&` are written as JSON `\\u` escapes, so the file can sit in an HTML `<script>` tag.
- `ttl-star` (extra): RDF 1.2 Turtle. Each edge fact is its plain triple annotated with the
  fact node as reifier, `s p o ~ fact:ID {| ... |}`: the triples of `nt` plus one
  `rdf:reifies` per edge fact. pyoxigraph >= 0.5 reads it; rdflib 7 and so pySHACL do not
  (RDFLib#3439), hence an extra beside `ttl`, which stays the default.

The schema vocabulary (`kg.rdf.vocabulary`: OWL classes and properties) is not included:
it is the same for every graph of a schema version and would bury the data of a small
graph. Serialise it once with `vocabulary().serialize(format="turtle")` when wanted.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, Iterable

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import RDF, RDFS, XSD

from kg.atomic import write_text
from kg.rdf import Triple, jsonld_context, term, to_ntriples, to_triples
from kg.registry import register
from kg.schema.model import Schema, load_schema

#: A local name or relative reference that no Turtle or JSON-LD reader could misread.
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_REF = re.compile(r"[A-Za-z0-9_~%-][A-Za-z0-9_.~%/-]*")
_TYPE = str(RDF.type)
_STRING = str(XSD.string)
#: Datatypes whose lexical form Turtle may write bare, when it matches the grammar.
_BARE = {str(XSD.integer): re.compile(r"[+-]?[0-9]+"), str(XSD.boolean): re.compile(r"true|false"),
         str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+")}
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
Row = tuple[str, str, str]  # predicate IRI, sort key, the object as written


def prefixes(schema: Schema) -> list[tuple[str, str]]:
    """The prefixes the Turtle exports declare, in the order they are written."""
    res = schema.raw["resource_namespace"]
    return [("rdf", str(RDF)), ("rdfs", str(RDFS)), ("xsd", str(XSD)),
            ("ns", schema.raw["namespace"]), ("id", res), ("fact", res + "fact/")]


# -- Turtle --------------------------------------------------------------------------
class TurtleWriter:
    """Sorted Turtle from triples: one block per subject, predicates sorted, `a` first."""

    def __init__(self, schema: Schema):
        self.prefixes = prefixes(schema)
        self._longest = sorted(self.prefixes, key=lambda p: -len(p[1]))

    def iri(self, value: str) -> str:
        for name, ns in self._longest:
            if value.startswith(ns) and _LOCAL.fullmatch(value[len(ns):]):
                return f"{name}:{value[len(ns):]}"
        return str(NamedNode(value))

    def literal(self, lit: Literal) -> str:
        quoted = str(Literal(lit.value))  # N-Triples escapes, valid Turtle
        if lit.language:
            return f"{quoted}@{lit.language}"
        dtype = lit.datatype.value
        if dtype == _STRING:
            return quoted
        bare = _BARE.get(dtype)
        if bare is not None and bare.fullmatch(lit.value):
            return lit.value
        return f"{quoted}^^{self.iri(dtype)}"

    def row(self, pred: NamedNode, obj: NamedNode | Literal) -> Row:
        text = self.literal(obj) if isinstance(obj, Literal) else self.iri(obj.value)
        return pred.value, str(obj), text

    def body(self, rows: Iterable[Row], indent: str) -> str:
        rows = sorted(rows, key=lambda r: (r[0] != _TYPE, r[0], r[1]))
        parts = []
        for pred, group in groupby(rows, key=lambda r: r[0]):
            name = "a" if pred == _TYPE else self.iri(pred)
            parts.append(f"{name} " + " , ".join(r[2] for r in group))
        return (" ;\n" + indent).join(parts)

    def document(self, blocks: dict[str, list[Row]]) -> str:
        out = [f"@prefix {name}: <{ns}> .\n" for name, ns in self.prefixes]
        for subject in sorted(blocks):
            out.append(f"\n{self.iri(subject)} {self.body(blocks[subject], '    ')} .\n")
        return "".join(out)


def _blocks(triples: Iterable[Triple], writer: TurtleWriter) -> dict[str, list[Row]]:
    blocks: dict[str, list[Row]] = {}
    for s, p, o in triples:
        blocks.setdefault(s.value, []).append(writer.row(p, o))
    return blocks


def to_turtle(graph, schema: Schema | None = None) -> str:
    schema = schema or load_schema()
    writer = TurtleWriter(schema)
    return writer.document(_blocks(to_triples(graph, schema), writer))


def reified(triples: list[Triple], schema: Schema) -> dict[str, Triple]:
    """Fact node IRI -> the plain edge triple it describes (facts with an object only)."""
    parts: dict[str, dict[str, Any]] = {}
    for s, p, o in triples:
        for name in ("subject", "predicate", "object"):
            if p.value == term(name, schema):
                parts.setdefault(s.value, {})[name] = o
    return {node: (got["subject"], NamedNode(term(got["predicate"].value, schema)), got["object"])
            for node, got in parts.items() if len(got) == 3}


def to_turtle_star(graph, schema: Schema | None = None) -> str:
    """RDF 1.2 Turtle: edge triples annotated with their fact node (`~ reifier {| ... |}`)."""
    schema = schema or load_schema()
    writer = TurtleWriter(schema)
    triples = to_triples(graph, schema)
    edges = reified(triples, schema)
    plain = set(edges.values())
    blocks = _blocks((t for t in triples if t[0].value not in edges and t not in plain), writer)
    inner = _blocks((t for t in triples if t[0].value in edges), writer)
    for node, (s, p, o) in sorted(edges.items()):
        text = (f"{writer.iri(o.value)} ~ {writer.iri(node)} {{|\n        "
                f"{writer.body(inner[node], '        ')}\n    |}}")
        blocks.setdefault(s.value, []).append((p.value, f"{o} {node}", text))
    return writer.document(blocks)


# -- JSON-LD -------------------------------------------------------------------------
@dataclass(frozen=True)
class TermDef:
    iri: str
    type: str | None  # "@id", an expanded datatype IRI, or None
    language: str | None
    has_language: bool
    is_set: bool


class Compactor:
    """Picks, for each triple, a key and a JSON value that expand back to exactly that triple."""

    def __init__(self, ctx: dict[str, Any]):
        self.ctx, self.base, self.vocab = ctx, ctx["@base"], ctx["@vocab"]
        self.language = ctx.get("@language")
        self.prefixes = {k: v for k, v in ctx.items()
                         if isinstance(v, str) and not k.startswith("@") and v.endswith(("#", "/"))}
        self.terms: dict[str, list[tuple[str, TermDef]]] = {}
        for key, spec in sorted(ctx.items()):
            if key.startswith("@") or key in self.prefixes or spec in ("@id", "@type"):
                continue
            d = self._define(spec)
            self.terms.setdefault(d.iri, []).append((key, d))

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        return self.prefixes[prefix] + rest if sep and prefix in self.prefixes else value

    def _define(self, spec: str | dict) -> TermDef:
        spec = {"@id": spec} if isinstance(spec, str) else spec
        type_ = spec.get("@type")
        return TermDef(self.expand(spec["@id"]), type_ if type_ in (None, "@id") else self.expand(type_),
                       spec.get("@language"), "@language" in spec, spec.get("@container") == "@set")

    def ref(self, iri: str) -> str:
        """`iri` relative to @base when that is unambiguous, else the full IRI."""
        rest = iri[len(self.base):] if iri.startswith(self.base) else ""
        if _REF.fullmatch(rest) and not {".", ".."} & set(rest.split("/")):
            return rest
        return iri

    def vocab_ref(self, iri: str) -> str:
        """`iri` as a key or @type value: vocabulary-relative, compact, or full."""
        local = iri[len(self.vocab):] if iri.startswith(self.vocab) else ""
        if _LOCAL.fullmatch(local) and local not in self.ctx:
            return local
        for name, ns in sorted(self.prefixes.items()):
            short = f"{name}:{iri[len(ns):]}"
            if iri.startswith(ns) and _LOCAL.fullmatch(short[len(name) + 1:]) and short not in self.ctx:
                return short
        return iri

    def _fits(self, d: TermDef, obj: NamedNode | Literal) -> bool:
        if isinstance(obj, NamedNode):
            return d.type == "@id"
        if obj.language:
            return d.type is None and (d.language if d.has_language else self.language) == obj.language
        if obj.datatype.value == _STRING:
            return d.type is None and d.has_language and d.language is None
        return d.type == obj.datatype.value

    def entry(self, pred: NamedNode, obj: NamedNode | Literal) -> tuple[str, Any, bool]:
        """(key, JSON value, whether the key is a @set) for one triple."""
        if pred.value == _TYPE and isinstance(obj, NamedNode):
            return "type", self.vocab_ref(obj.value), False
        for key, d in self.terms.get(pred.value, []):
            if self._fits(d, obj):
                return key, self.ref(obj.value) if d.type == "@id" else obj.value, d.is_set
        return self.vocab_ref(pred.value), self._explicit(obj), False

    def _explicit(self, obj: NamedNode | Literal) -> Any:
        if isinstance(obj, NamedNode):
            return {"@id": self.ref(obj.value)}
        if obj.language:
            same = obj.language == self.language
            return obj.value if same else {"@value": obj.value, "@language": obj.language}
        dtype, lexical = obj.datatype.value, obj.value
        if dtype == _STRING:
            return {"@value": lexical}
        if dtype == str(XSD.integer) and re.fullmatch(r"0|-?[1-9][0-9]{0,14}", lexical):
            return int(lexical)
        if dtype == str(XSD.boolean) and lexical in ("true", "false"):
            return lexical == "true"
        return {"@value": lexical, "@type": self.vocab_ref(dtype)}


def to_jsonld(graph, schema: Schema | None = None) -> str:
    schema = schema or load_schema()
    ctx = jsonld_context(schema)
    c = Compactor(ctx)
    nodes: dict[str, dict[str, list]] = {}
    sets: set[str] = set()
    for s, p, o in to_triples(graph, schema):
        key, value, is_set = c.entry(p, o)
        nodes.setdefault(s.value, {}).setdefault(key, []).append(value)
        if is_set:
            sets.add(key)
    out = []
    for subject in sorted(nodes):
        node: dict[str, Any] = {"id": c.ref(subject)}
        for key, values in nodes[subject].items():
            node[key] = values if len(values) > 1 or key in sets else values[0]
        out.append(node)
    text = json.dumps({"@context": ctx, "@graph": out}, indent=1, sort_keys=True, ensure_ascii=False)
    return text.translate(_HTML_SAFE) + "\n"


# -- the exporters -------------------------------------------------------------------
@register("exporter", "nt")
class NTriplesExporter:
    suffix = ".nt"

    def write(self, graph, path: Path) -> None:
        write_text(path, to_ntriples(graph))


@register("exporter", "ttl")
class TurtleExporter:
    suffix = ".ttl"

    def write(self, graph, path: Path) -> None:
        write_text(path, to_turtle(graph))


@register("exporter", "jsonld")
class JsonLdExporter:
    suffix = ".jsonld"

    def write(self, graph, path: Path) -> None:
        write_text(path, to_jsonld(graph))


@register("exporter", "ttl-star")
class TurtleStarExporter:
    """RDF 1.2 annotated Turtle (pyoxigraph reads it; rdflib 7 does not)."""

    suffix = ".ttl"

    def write(self, graph, path: Path) -> None:
        write_text(path, to_turtle_star(graph))
