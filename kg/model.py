"""The records every part of ripplekg speaks: entities, facts and their evidence.

One fact shape everywhere: a curated fact sheet, the article loader's output and
the flat export are all lists of these records, so each stage can be tested on
the same data and a person can edit what a machine wrote.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

#: Fact keys that are not properties of the fact itself.
FACT_CORE = ("id", "s", "p", "o", "value", "unit", "qualifier", "date")
#: Flat keys that describe where a fact comes from; gathered into one Evidence.
EVIDENCE_KEYS = ("source", "quote", "span", "extractor", "confidence", "lang", "url", "line")
#: Keys that annotate a record for people (gold files) without being data.
ANNOTATION_KEYS = ("required", "note", "comment", "conflicts_with")
ENTITY_CORE = ("id", "type", "name", "aliases", "names")


@dataclass(frozen=True)
class Location:
    """Where a record was read: reported with every diagnostic about it."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class Evidence:
    """Why the graph believes a fact: a source, the words, and who read them."""

    source: str
    quote: str | None = None
    span: tuple[int, int] | None = None
    extractor: str = "curated"
    confidence: float = 1.0
    lang: str | None = None
    url: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in EVIDENCE_KEYS:
            val = getattr(self, key)
            if val is not None:
                out[key] = list(val) if key == "span" else val
        return out

    def sort_key(self) -> str:
        return canonical_json(self.to_dict())


@dataclass
class Entity:
    """A node: a company, person, policy, index, event... with its names."""

    id: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    loc: Location | None = field(default=None, compare=False, repr=False)

    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "name": self.name}
        if self.aliases:
            out["aliases"] = sorted(set(self.aliases))
        out.update(sorted(self.properties.items()))
        return out


@dataclass
class Fact:
    """An edge (s, p, o) or a typed value (s, p, value+unit), with evidence."""

    s: str
    p: str
    o: str | None = None
    value: float | int | None = None
    unit: str | None = None
    qualifier: str | None = None
    date: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    annotations: dict[str, Any] = field(default_factory=dict)
    loc: Location | None = field(default=None, compare=False, repr=False)

    @property
    def id(self) -> str:
        """Stable id from content (not evidence): same fact, same id, any run."""
        body = canonical_json([self.s, self.p, self.o, _num(self.value), self.unit,
                               self.qualifier, self.date, self.properties])
        return "f" + hashlib.sha1(body.encode("utf-8")).hexdigest()[:15]

    def to_dict(self, annotations: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "s": self.s, "p": self.p}
        for key in ("o", "value", "unit", "qualifier", "date"):
            val = getattr(self, key)
            if val is not None:
                out[key] = val
        out.update(sorted(self.properties.items()))
        if annotations:
            out.update(sorted(self.annotations.items()))
        out["evidence"] = [e.to_dict() for e in sorted(self.evidence, key=Evidence.sort_key)]
        return out


def _num(value: Any) -> Any:
    """Numbers compare by value: 17 and 17.0 are the same fact."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def canonical_json(obj: Any) -> str:
    """One spelling per value, so hashes and files are byte-identical across runs."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
