"""An idempotent Cypher script of the graph: the statements `kg push` sends, rows inlined.

Why a script: a user who cannot reach the server from here (or wants to review what will be
written) runs it with `cypher-shell -f graph.cypher` or pastes it into Neo4j Browser. It is built
from `kg.push_bolt.plan`, so it writes exactly the model `kg push bolt://...` writes (labels and
relationship types from the schema, MERGE keys, properties): first the named
`CREATE CONSTRAINT ... IF NOT EXISTS` of `kg.push_bolt.constraints`, then each step's
`UNWIND [...] AS row MERGE ... SET ... += row.props` with at most `BATCH` rows and `MAX_BYTES`
bytes per statement.
Everything is MERGE + SET: running the script twice changes nothing.

The rows are Cypher literals written by `literal`: strings single-quoted with `\\`, `'` and the
control characters `\\n \\r \\t \\b \\f` escaped, so data can never close a string or start a
new line; other C0 controls as `\\u00XX` (Neo4j decodes it; FalkorDB 4.16 keeps such escapes
as they are, its one difference); other text as UTF-8, unescaped. Floats are Python's shortest
round-trip spelling (`12.5`, `1e-300`) without `+` (Cypher's exponent has none: `1e16`), map
keys bare when they are identifiers.

Layout: `//` comment lines, then statements separated by a blank line, each ending with `;` at
the end of its last line; no literal spans lines, so a line ending with `;` always ends a statement.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from kg.atomic import write_text
from kg.push_bolt import Step, constraints, plan
from kg.registry import register

#: rows per UNWIND statement, at most
BATCH = 500
#: bytes per statement, at most (unless one row is larger): a statement stays one Bolt chunk
#: (64 KB), which FalkorDB 4.16 needs (it drops about a third of longer messages), and small
#: enough for Neo4j Browser
MAX_BYTES = 32_000
_ROW_ORDER = ("key", "src", "dst", "props", "num")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
_SPECIAL = re.compile(r"[\\'\x00-\x1f]")


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def string(text: str) -> str:
    """`text` as a single-quoted Cypher string literal that holds it exactly."""
    return "'" + _SPECIAL.sub(_escape, text) + "'"


def number(value: float) -> str:
    """The shortest spelling of a finite float that reads back as the same double."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no Cypher literal: not a finite number")
    return repr(float(value)).replace("e+", "e")


def key(name: str) -> str:
    if _IDENT.match(name):
        return name
    return "`" + name.replace("`", "``") + "`"


def literal(value: Any) -> str:
    """A Cypher literal for a JSON-like value (None, bool, int, float, str, list, dict)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Cypher literal for a {type(value).__name__}")


def _row(row: dict) -> dict:
    """A plan row, keys first, without what the statements do not read (empty `num`, null `key`)."""
    order = sorted(row, key=lambda k: (_ROW_ORDER.index(k) if k in _ROW_ORDER else len(_ROW_ORDER), k))
    return {k: row[k] for k in order
            if not ((k == "num" and not row[k]) or (k == "key" and row[k] is None))}


def _batches(lines: list[str], batch: int, max_bytes: int) -> list[list[str]]:
    """`lines` cut into runs of at most `batch` lines and `max_bytes` bytes (a longer line alone)."""
    out: list[list[str]] = []
    size = 0
    for line in lines:
        cost = len(line.encode("utf-8")) + 2
        if not out or len(out[-1]) >= batch or (size + cost > max_bytes and out[-1]):
            out.append([])
            size = 0
        out[-1].append(line)
        size += cost
    return out


def statements(step: Step, batch: int = BATCH, max_bytes: int = MAX_BYTES) -> list[str]:
    """`step`'s statement once per batch of rows, with the rows as a list literal."""
    head = "UNWIND $rows AS row\n"
    if not step.statement.startswith(head):
        raise ValueError(f"{step.name}: unexpected statement shape")
    body = step.statement[len(head):]
    lines = ["  " + literal(_row(r)) for r in step.rows]
    budget = max_bytes - len(body.encode("utf-8")) - 32
    return ["UNWIND [\n" + ",\n".join(chunk) + f"\n] AS row\n{body};"
            for chunk in _batches(lines, batch, budget)]


def script(graph: Any, batch: int = BATCH, max_bytes: int = MAX_BYTES) -> str:
    steps = plan(graph, split_floats=False)
    counts = graph.counts()
    parts = ["// ripplekg graph as idempotent Cypher (Neo4j 5; FalkorDB without the constraints)\n"
             f"// {counts['entities']} entities, {counts['facts']} facts, in the model of "
             "kg.push_bolt (`kg push bolt://...` writes the same)\n"
             "// run: cypher-shell -f FILE  (MERGE + SET: running it again changes nothing)"]
    parts += [statement + ";" for _, statement in constraints()]
    for step in steps:
        if step.rows:
            first, *rest = statements(step, batch, max_bytes)
            labels = ":" + ":".join(step.labels) if step.labels else ""
            n = len(step.rows)
            parts.append(f"// {step.kind} {step.name}{labels}: {n} row{'s' if n != 1 else ''}\n{first}")
            parts += rest
    return "\n\n".join(parts) + "\n"


@register("exporter", "cypher")
class CypherExporter:
    suffix = ".cypher"

    def write(self, graph, path: Path) -> None:
        write_text(path, script(graph))
