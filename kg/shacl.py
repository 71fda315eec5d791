"""SHACL shapes computed from the schema, and validation of a graph's RDF against them.

The shapes check the RDF view (kg.rdf) the way kg.schema checks records: property types,
enums, patterns and ranges per node type; domain, range, value range and units per fact
class; at least one evidence with a source for every fact. They are self-contained:
targets and class checks list the subclasses themselves, so validation needs no
inference and no vocabulary in the data graph. Every shape has an IRI, so a report
names the shape that failed (`ns:FellByShape/value`).
"""
from __future__ import annotations

from typing import Any, Iterable

import pyshacl
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg.graph import Graph
from kg.rdf import EVIDENCE_TERMS, XSD_TYPES, camel, data_properties, literal, term, to_rdflib
from kg.schema.model import EdgeSpec, PropSpec, Schema, load_schema

Classes = tuple[str, ...]


def _uri(name: str, schema: Schema) -> rdflib.URIRef:
    return rdflib.URIRef(term(name, schema))


def subtypes(schema: Schema, types: Iterable[str]) -> Classes:
    """The node types admitted where `types` are allowed (a parent admits its children)."""
    allowed = tuple(types)
    return tuple(sorted(t for t in schema.node_types if schema.is_a(t, allowed)))


def _rdf_literal(value: Any, type_: str) -> rdflib.Literal:
    lit = literal(value, type_)
    dtype = lit.datatype.value if lit.datatype else None
    return rdflib.Literal(lit.value, datatype=rdflib.URIRef(dtype) if dtype else None)


class _Builder:
    """Adds named node shapes and property shapes to one rdflib graph."""

    def __init__(self, schema: Schema):
        self.schema, self.g = schema, rdflib.Graph()
        self.g.bind("sh", SH)
        self.g.bind("ns", schema.raw["namespace"])
        self.types = data_properties(schema)

    def node_shape(self, name: str, targets: Iterable[str]) -> rdflib.URIRef:
        shape = _uri(f"{name}Shape", self.schema)
        self.g.add((shape, RDF.type, SH.NodeShape))
        for target in sorted(set(targets)):
            self.g.add((shape, SH.targetClass, _uri(target, self.schema)))
        return shape

    def prop(self, shape: rdflib.URIRef, path: str | rdflib.URIRef, *, type_: str | None = None,
             spec: PropSpec | None = None, min_count: int = 0, max_count: int | None = None,
             values: Iterable[str] = (), classes: Classes = (), iri: bool = False,
             lo: float | None = None, hi: float | None = None,
             datatype: rdflib.URIRef | None = None) -> None:
        path_uri = path if isinstance(path, rdflib.URIRef) else _uri(path, self.schema)
        local = str(path_uri).rsplit("#", 1)[-1]
        node = rdflib.URIRef(f"{shape}/{local}")
        add = self.g.add
        add((shape, SH.property, node))
        add((node, RDF.type, SH.PropertyShape))
        add((node, SH.path, path_uri))
        type_ = type_ or (spec.type if spec else None)
        if spec is not None:
            min_count = max(min_count, int(spec.required))
            values = values or spec.enum or ()
            lo = spec.min if lo is None else lo
            hi = spec.max if hi is None else hi
            if spec.pattern is not None:
                add((node, SH.pattern, rdflib.Literal(spec.pattern.pattern)))
        if datatype is not None or type_ is not None:
            add((node, SH.datatype, datatype or XSD[XSD_TYPES[type_]]))
        if min_count:
            add((node, SH.minCount, rdflib.Literal(min_count)))
        if max_count is not None:
            add((node, SH.maxCount, rdflib.Literal(max_count)))
        if values:
            members = rdflib.BNode()
            Collection(self.g, members, [rdflib.Literal(v) for v in values])
            add((node, SH["in"], members))
        for bound, pred in ((lo, SH.minInclusive), (hi, SH.maxInclusive)):
            if bound is not None and type_ is not None:
                add((node, pred, _rdf_literal(bound, type_)))
        if iri or classes:
            add((node, SH.nodeKind, SH.IRI))
        self._classes(node, classes)

    def _classes(self, node: rdflib.URIRef, classes: Classes) -> None:
        if len(classes) == 1:
            self.g.add((node, SH["class"], _uri(classes[0], self.schema)))
        elif classes:
            options = []
            for name in classes:
                option = rdflib.BNode()
                self.g.add((option, SH["class"], _uri(name, self.schema)))
                options.append(option)
            head = rdflib.BNode()
            Collection(self.g, head, options)
            self.g.add((node, SH["or"], head))


def _node_type_shapes(b: _Builder) -> None:
    schema = b.schema
    for name, block in sorted(schema.node_types.items()):
        shape = b.node_shape(name, subtypes(schema, [name]))
        own = block.get("properties") or {}
        if "is_a" not in block:  # the root type: what every entity has
            b.prop(shape, "id", type_="string", min_count=1, max_count=1)
            b.prop(shape, RDFS.label, min_count=1, datatype=RDF.langString)
        for prop, spec in sorted(schema.node_props[name].items()):
            if prop not in own or prop in ("name", "label_fr"):
                continue
            path = "alias" if prop == "aliases" else prop
            single = None if spec.type == "list" else 1
            b.prop(shape, path, spec=spec, max_count=single)


def _fact_shape(b: _Builder) -> None:
    schema = b.schema
    classes = [camel(n) for n in schema.edges]
    shape = b.node_shape("Fact", ["Fact", *classes])
    b.prop(shape, "subject", min_count=1, max_count=1, iri=True)
    b.prop(shape, "evidence", min_count=1, classes=("Evidence",))
    b.prop(shape, "nSources", type_="integer", min_count=1, max_count=1, lo=0)
    b.prop(shape, "conflictsWith", iri=True)
    b.prop(shape, "value", type_="number", max_count=1)
    b.prop(shape, "unit", type_="string", max_count=1)
    b.prop(shape, "date", type_="date", max_count=1)
    for name, spec in sorted(schema.fact_fields.items()):
        if name != "date":
            b.prop(shape, name, spec=spec, max_count=1)


def _edge_shape(b: _Builder, edge: EdgeSpec) -> None:
    schema = b.schema
    shape = b.node_shape(camel(edge.name), [camel(edge.name)])
    b.prop(shape, "subject", classes=subtypes(schema, edge.domain))
    if edge.is_attribute:
        b.prop(shape, "object", max_count=0)
    else:
        b.prop(shape, "object", min_count=1, max_count=1, classes=subtypes(schema, edge.range))
    if edge.value_kinds:
        b.prop(shape, "value", type_="number", min_count=int(edge.value_required),
               lo=edge.value_min, hi=edge.value_max)
        b.prop(shape, "unit", type_="string", min_count=int(edge.value_required),
               values=sorted(schema.units_for(edge.value_kinds)))
    else:
        b.prop(shape, "value", max_count=0)
    for name, spec in sorted(edge.properties.items()):
        b.prop(shape, name, spec=spec, max_count=1)


def _evidence_shape(b: _Builder) -> None:
    shape = b.node_shape("Evidence", ["Evidence"])
    fields = b.schema.evidence_fields
    for name, type_ in sorted(EVIDENCE_TERMS.items()):
        spec = fields.get(name)
        lo = 0 if name in ("spanStart", "spanEnd") else None
        b.prop(shape, name, type_=type_, spec=spec, max_count=1, lo=lo)


def shapes(schema: Schema | None = None) -> rdflib.Graph:
    """The SHACL shapes graph for the schema (the same schema, the same shapes)."""
    b = _Builder(schema or load_schema())
    _node_type_shapes(b)
    _fact_shape(b)
    for _, edge in sorted(b.schema.edges.items()):
        _edge_shape(b, edge)
    _evidence_shape(b)
    return b.g


def validate(graph: Graph | rdflib.Graph, schema: Schema | None = None
             ) -> tuple[bool, str, list[dict[str, str | None]]]:
    """Validate a graph (or its RDF) against the shapes: (conforms, report text, results)."""
    schema = schema or load_schema()
    data = graph if isinstance(graph, rdflib.Graph) else to_rdflib(graph, schema)
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes(schema), ont_graph=None, inference="none",
        abort_on_first=False, allow_infos=False, allow_warnings=False, meta_shacl=False,
        advanced=False, js=False, do_owl_imports=False)
    return bool(conforms), str(text), _results(report)


def _results(report: rdflib.Graph) -> list[dict[str, str | None]]:
    fields = {"focus": SH.focusNode, "path": SH.resultPath, "value": SH.value,
              "shape": SH.sourceShape, "component": SH.sourceConstraintComponent,
              "severity": SH.resultSeverity, "message": SH.resultMessage}
    rows = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        row = {}
        for key, pred in fields.items():
            value = report.value(result, pred)
            row[key] = None if value is None or isinstance(value, rdflib.BNode) else str(value)
        rows.append(row)
    return sorted(rows, key=lambda r: tuple(v or "" for v in r.values()))
