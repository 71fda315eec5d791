"""Typed views of `ripplekg.yaml`, so code never indexes raw schema dicts."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

#: Units that each value kind admits; money takes any currency of the enum.
_KIND_UNITS = {"percent": {"percent"}, "year": {"year"}, "count": {"count"}, "ratio": {"ratio"}}


@dataclass(frozen=True)
class PropSpec:
    name: str
    type: str = "string"
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: re.Pattern | None = None
    pattern_name: str | None = None
    min: float | None = None
    max: float | None = None
    doc: str = ""


@dataclass(frozen=True)
class EdgeSpec:
    """An edge type (has an object) or an attribute (has a value instead)."""

    name: str
    is_attribute: bool
    domain: tuple[str, ...]
    range: tuple[str, ...]
    key: tuple[str, ...]
    single_valued: bool = False
    symmetric: bool = False
    self_loops: bool = False
    value_kinds: tuple[str, ...] = ()
    value_required: bool = False
    value_min: float | None = None
    value_max: float | None = None
    properties: dict[str, PropSpec] = field(default_factory=dict)
    doc: str = ""


@dataclass
class Schema:
    raw: dict[str, Any]
    node_types: dict[str, dict[str, Any]]
    node_props: dict[str, dict[str, PropSpec]]
    edges: dict[str, EdgeSpec]
    fact_fields: dict[str, PropSpec]
    evidence_fields: dict[str, PropSpec]
    enums: dict[str, tuple[str, ...]]
    patterns: dict[str, re.Pattern]

    @property
    def version(self) -> int:
        return int(self.raw.get("version", 1))

    def concrete_types(self) -> list[str]:
        return sorted(t for t, d in self.node_types.items() if not d.get("abstract"))

    def ancestors(self, node_type: str) -> list[str]:
        """The type itself first, then its parents up to Entity."""
        out = []
        while node_type in self.node_types:
            out.append(node_type)
            node_type = self.node_types[node_type].get("is_a")
        return out

    def is_a(self, node_type: str, allowed: tuple[str, ...] | list[str]) -> bool:
        return any(t in allowed for t in self.ancestors(node_type))

    def matched_by_name(self, node_type: str) -> bool:
        """Whether entity resolution may merge two entities of this type by their names (an
        Article is only ever the same article by its id: two stories may share a headline)."""
        return all(self.node_types[t].get("match_by_name", True) for t in self.ancestors(node_type))

    def compatible(self, a: str, b: str) -> bool:
        """Two type names may denote the same thing (a Company is an Organization)."""
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    def units_for(self, kinds: tuple[str, ...]) -> set[str]:
        units: set[str] = set()
        for kind in kinds:
            units |= _KIND_UNITS.get(kind) or set(self.currencies())
        return units

    def currencies(self) -> tuple[str, ...]:
        return tuple(u for u in self.enums["unit"] if self.patterns["currency"].match(u))

    def unit_kind(self, unit: str) -> str | None:
        for kind, units in _KIND_UNITS.items():
            if unit in units:
                return kind
        return "money" if unit in self.currencies() else None


def _prop(name: str, spec: dict[str, Any], enums: dict, patterns: dict) -> PropSpec:
    return PropSpec(
        name=name, type=spec.get("type", "string"), required=bool(spec.get("required")),
        enum=enums[spec["enum"]] if "enum" in spec else None,
        pattern=patterns[spec["pattern"]] if "pattern" in spec else None,
        pattern_name=spec.get("pattern"), min=spec.get("min"), max=spec.get("max"),
        doc=spec.get("doc", ""))


def _props(block: dict | None, enums: dict, patterns: dict) -> dict[str, PropSpec]:
    return {k: _prop(k, v, enums, patterns) for k, v in (block or {}).items()}


def _edge(name: str, spec: dict, attribute: bool, enums: dict, patterns: dict) -> EdgeSpec:
    value = spec.get("value") or {}
    return EdgeSpec(
        name=name, is_attribute=attribute, domain=tuple(spec["domain"]),
        range=tuple(spec.get("range", ())), key=tuple(spec.get("key", ("s", "o"))),
        single_valued=bool(spec.get("single_valued")), symmetric=bool(spec.get("symmetric")),
        self_loops=bool(spec.get("self_loops")),
        value_kinds=tuple(value.get("kinds", ())), value_required=bool(value.get("required")),
        value_min=value.get("min"), value_max=value.get("max"),
        properties=_props(spec.get("properties"), enums, patterns), doc=spec.get("doc", ""))


def _node_props(types: dict, enums: dict, patterns: dict) -> dict[str, dict[str, PropSpec]]:
    out: dict[str, dict[str, PropSpec]] = {}
    for name in types:
        chain, t = [], name
        while t:
            chain.append(t)
            t = types[t].get("is_a")
        merged: dict[str, PropSpec] = {}
        for t in reversed(chain):
            merged.update(_props(types[t].get("properties"), enums, patterns))
        out[name] = merged
    return out


def parse_schema(raw: dict[str, Any]) -> Schema:
    enums = {k: tuple(v) for k, v in raw["enums"].items()}
    patterns = {k: re.compile(v) for k, v in raw["patterns"].items()}
    edges = {n: _edge(n, s, False, enums, patterns) for n, s in raw["edge_types"].items()}
    edges.update({n: _edge(n, s, True, enums, patterns) for n, s in raw.get("attributes", {}).items()})
    return Schema(raw=raw, node_types=raw["node_types"],
                  node_props=_node_props(raw["node_types"], enums, patterns), edges=edges,
                  fact_fields=_props(raw.get("fact_fields"), enums, patterns),
                  evidence_fields=_props(raw.get("evidence"), enums, patterns),
                  enums=enums, patterns=patterns)


@cache
def load_schema() -> Schema:
    """The packaged schema, parsed once per process."""
    text = resources.files("kg.schema").joinpath("ripplekg.yaml").read_text(encoding="utf-8")
    return parse_schema(yaml.safe_load(text))
