"""The query pack: each question once in Cypher (NAME.cypher) and once in SPARQL (NAME.rq).

A file opens with a header of comment lines that says what the question is and how to ask it:

    // title: Moves on a date, ranked by size
    // description: ...
    // param: date: date = 2025-01-27
    // columns: entity, name, predicate, value, qualifier, session, sources

(`#` instead of `//` in SPARQL). Both files of a question must declare the same parameters and
columns; the parity tests hold them to the same rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = {"cypher": ".cypher", "sparql": ".rq"}
PARAM = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s*:\s*(?P<type>entity|string|integer|number|date|list)"
                   r"\s*(?:=\s*(?P<default>.*))?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = None


@dataclass
class Query:
    name: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    #: sort keys applied to the rows of every engine ("-value" for descending)
    order: list[str] = field(default_factory=list)
    text: dict[str, str] = field(default_factory=dict)  # language -> query text

    def summary(self) -> dict:
        return {"name": self.name, "title": self.title,
                "params": [{"name": p.name, "type": p.type, "default": p.default} for p in self.params]}

    def bind(self, given: dict[str, str]) -> dict[str, Any]:
        """Defaults, overridden by the user's KEY=VALUE strings, typed."""
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise ValueError(f"query {self.name!r} has no parameter {', '.join(sorted(unknown))}; "
                             f"it takes {', '.join(p.name for p in self.params) or 'none'}")
        return {p.name: _typed(p, given.get(p.name, p.default)) for p in self.params}


def _typed(param: Param, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    if param.type == "integer":
        return int(value)
    if param.type == "number":
        return float(value)
    if param.type == "list":
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def parse_header(text: str, marker: str) -> dict[str, Any]:
    out: dict[str, Any] = {"params": [], "columns": [], "order": []}
    for line in text.splitlines():
        if not line.startswith(marker):
            break
        body = line[len(marker):].strip()
        key, _, value = body.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            m = PARAM.match(value)
            if not m:
                raise ValueError(f"bad param line {line!r}")
            out["params"].append(Param(m.group("name"), m.group("type"), m.group("default")))
        elif key in ("columns", "order"):
            out[key] = [c.strip() for c in value.split(",") if c.strip()]
        elif key in ("title", "description"):
            out[key] = (out.get(key, "") + " " + value).strip()
    return out


@cache
def pack() -> dict[str, Query]:
    """Every question of the pack, by name."""
    root = resources.files("kg.queries")
    queries: dict[str, Query] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        for lang, suffix in LANGUAGES.items():
            if not entry.name.endswith(suffix):
                continue
            name = entry.name[: -len(suffix)]
            text = entry.read_text(encoding="utf-8")
            header = parse_header(text, "//" if lang == "cypher" else "#")
            q = queries.setdefault(name, Query(name))
            q.text[lang] = text
            if lang == "cypher" or not q.title:
                q.title, q.description = header.get("title", ""), header.get("description", "")
                q.params, q.columns, q.order = header["params"], header["columns"], header["order"]
    return dict(sorted(queries.items()))


def get(name: str) -> Query:
    queries = pack()
    if name not in queries:
        raise KeyError(f"no query named {name!r}; the pack has: {', '.join(queries)}")
    return queries[name]
