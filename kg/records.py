"""Turn parsed mappings into Entity and Fact records: the one fact-sheet shape.

Shared by every structured loader (YAML, JSON, JSON Lines, CSV, reference data,
exports read back), so a record means the same thing whatever file it came from.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from kg.diagnostics import Diagnostic
from kg.loading import LoadResult
from kg.model import (ANNOTATION_KEYS, ENTITY_CORE, EVIDENCE_KEYS, Entity, Evidence, Fact,
                      Location)
from kg.schema.model import PropSpec, Schema, load_schema

LINE = "__line__"  # key under which parsers store a mapping's line
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")


@dataclass
class SheetContext:
    """What one file says about all its records: where they come from, how to read cells."""

    path: str
    default_evidence: dict[str, Any] = field(default_factory=dict)
    extractor: str = "curated"
    strings: bool = False  # CSV: every cell is a string and needs the schema to type it
    schema: Schema = field(default_factory=load_schema)


def clean_text(value: str) -> str:
    """NFC, and no zero-width or bidi controls: two spellings, one name."""
    value = unicodedata.normalize("NFC", value)
    if not value.isascii():  # ASCII has none; each distinct character is looked at once
        for ch in {c for c in set(value) if unicodedata.category(c) == "Cf"}:
            value = value.replace(ch, "")
    return value.strip()


#: keys whose text is kept verbatim: a quote is the source's own words, and its evidence span
#: counts their characters (cleaning "17\u202f%" or an NFD accent would break the span)
VERBATIM = frozenset({"quote"})


def plain(value: Any) -> Any:
    """YAML dates become ISO strings; strings are cleaned (but quotes); containers recurse."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): v if k in VERBATIM and isinstance(v, str) else plain(v)
                for k, v in value.items() if k != LINE}
    return value


def to_number(value: Any) -> Any:
    """A numeric string as an int (exactly, however large) or a float; anything else as it is."""
    if isinstance(value, str) and _NUMBER.match(value.replace(",", "").replace("_", "")):
        digits = value.replace(",", "").replace("_", "")
        if "." not in digits and "e" not in digits.lower() and len(digits) <= 300:
            return int(digits)  # not through float: 9007199254740993 stays itself
        return float(digits)  # (more than 300 digits: an infinity, refused as a value)
    return value


def coerce(spec: PropSpec | None, value: Any) -> Any:
    """Type a CSV cell by what the schema expects there; leave it when unsure."""
    if not isinstance(value, str) or spec is None:
        return value
    if spec.type in ("number", "integer", "year"):
        return to_number(value)
    if spec.type == "boolean" and value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.lower() in ("true", "yes", "1")
    if spec.type == "list":
        return [part.strip() for part in value.split("|") if part.strip()]
    return value


def _loc(ctx: SheetContext, raw: dict) -> Location:
    return Location(ctx.path, raw.get(LINE))


def _names(raw: dict) -> list[str]:
    names: list[str] = []
    for key in ("aliases", "names"):
        val = raw.get(key)
        if isinstance(val, str):
            val = [p for p in val.split("|")] if "|" in val else [val]
        for item in val or []:
            if isinstance(item, (str, int, float)) and str(item).strip():
                names.append(clean_text(str(item)))
    return names


def slug(text: str) -> str:
    base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", base).strip("_") or "entity"


def build_entity(raw: dict, ctx: SheetContext) -> tuple[Entity | None, list[Diagnostic]]:
    loc = _loc(ctx, raw)
    data = plain(raw)
    name = data.get("name")
    ident = data.get("id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)  # `id: 9007199254740993` in YAML or JSON: every digit kept
    if ident is None and isinstance(name, str):
        ident = slug(name)
    if ident is not None and not isinstance(ident, str):
        return None, [Diagnostic("bad-value", f"entity id {ident!r} is not text", loc, "id")]
    if not ident:
        return None, [Diagnostic("missing-field", "entity has no 'id' (and no 'name' to derive one)", loc, "id")]
    if isinstance(name, (list, dict)):
        return None, [Diagnostic("bad-value", f"entity {ident!r}: name {name!r} is not text", loc, "name")]
    if not data.get("type"):
        return None, [Diagnostic("missing-field", f"entity {ident!r} has no 'type'", loc, "type")]
    etype = str(data["type"])
    name = str(name) if name not in (None, "") else ident
    specs = ctx.schema.node_props.get(etype, {})
    props = {k: coerce(specs.get(k), v) if ctx.strings else v for k, v in data.items()
             if k not in ENTITY_CORE and k not in ANNOTATION_KEYS}
    props = {k: v for k, v in props.items() if v is not None}
    aliases = sorted({n for n in _names(raw) if n != name})
    return Entity(ident, etype, name, aliases, props, loc), []


def build_evidence(data: dict, ctx: SheetContext, line: int | None) -> Evidence | None:
    merged = {**ctx.default_evidence, **{k: v for k, v in data.items() if v is not None}}
    if not merged.get("source"):
        return None
    span = merged.get("span")
    if isinstance(span, str):
        span = [to_number(p.strip()) for p in re.split(r"[:,\-]", span.strip("[]() ")) if p.strip()]
    conf = to_number(merged.get("confidence", 1.0))
    return Evidence(source=str(merged["source"]), quote=merged.get("quote"),
                    span=tuple(span) if isinstance(span, (list, tuple)) else span,
                    extractor=str(merged.get("extractor", ctx.extractor)), confidence=conf,
                    lang=merged.get("lang"), url=merged.get("url"),
                    line=to_number(merged.get("line")))


def _evidence_list(data: dict, ctx: SheetContext, loc: Location,
                   own: frozenset[str] = frozenset()) -> tuple[list[Evidence], list[Diagnostic]]:
    """Evidence from an `evidence` list and/or flat keys; `own` are keys that are also the
    predicate's own properties (a comment's quote), which alone do not make a second evidence."""
    given = data.get("evidence")
    if isinstance(given, str) and ctx.strings:
        try:
            given = json.loads(given)
        except json.JSONDecodeError:
            return [], [Diagnostic("bad-evidence", "the 'evidence' cell is not JSON", loc, "evidence")]
    if isinstance(given, dict):
        given = [given]
    out, diags = [], []
    for item in given or []:
        ev = build_evidence(item, ctx, loc.line) if isinstance(item, dict) else None
        if ev is None:
            diags.append(Diagnostic("bad-evidence", f"evidence {item!r} has no source", loc, "evidence"))
        else:
            out.append(ev)
    flat = {k: data[k] for k in EVIDENCE_KEYS if k in data}
    if out and set(flat) <= own:
        flat = {}
    if flat or (not out and not given):
        ev = build_evidence(flat, ctx, loc.line)
        if ev is not None:
            out.append(ev)
        elif flat:
            diags.append(Diagnostic("bad-evidence", "evidence fields given without a 'source'", loc, "source"))
    return out, diags


def _fact_value(data: dict, loc: Location) -> tuple[Any, list[Diagnostic]]:
    value = to_number(data.get("value"))
    if isinstance(value, float) and not math.isfinite(value):
        return None, [Diagnostic("bad-value", f"value {value!r} is not a finite number "
                                 "(NaN and infinity are not values)", loc, "value")]
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return None, [Diagnostic("bad-value", f"value {value!r} is not a number", loc, "value")]
    return value, []


def _annotations(data: dict, ctx: SheetContext) -> dict[str, Any]:
    notes = {k: data[k] for k in ANNOTATION_KEYS if k in data}
    if ctx.strings and isinstance(notes.get("required"), str):
        notes["required"] = coerce(PropSpec("required", "boolean"), notes["required"])
    if ctx.strings and isinstance(notes.get("conflicts_with"), str):
        notes["conflicts_with"] = coerce(PropSpec("conflicts_with", "list"), notes["conflicts_with"])
    return notes


def build_fact(raw: dict, ctx: SheetContext) -> tuple[Fact | None, list[Diagnostic]]:
    loc = _loc(ctx, raw)
    data = plain(raw)
    missing = [k for k in ("s", "p") if not data.get(k)]
    if missing:
        return None, [Diagnostic("missing-field", f"fact lacks {' and '.join(repr(m) for m in missing)}",
                                 loc, missing[0])]
    value, diags = _fact_value(data, loc)
    if diags:  # a NaN, an infinity or a word where a number goes: the fact is left out
        return None, diags
    spec = ctx.schema.edges.get(str(data["p"]))
    own = frozenset(k for k in EVIDENCE_KEYS if spec and k in spec.properties)
    evidence, ev_diags = _evidence_list(data, ctx, loc, own)
    props: dict[str, Any] = {}
    for key, val in data.items():
        if key in ("id", "s", "p", "o", "value", "unit", "qualifier", "date", "evidence",
                   *ANNOTATION_KEYS) or val is None or (key in EVIDENCE_KEYS and key not in own):
            continue
        pspec = (spec.properties.get(key) if spec else None) or ctx.schema.fact_fields.get(key)
        props[key] = coerce(pspec, val) if ctx.strings else val
    fact = Fact(s=str(data["s"]), p=str(data["p"]),
                o=str(data["o"]) if data.get("o") not in (None, "") else None,
                value=value, unit=data.get("unit"), qualifier=data.get("qualifier"),
                date=data.get("date"), properties=props, evidence=evidence,
                annotations=_annotations(data, ctx), loc=loc)
    return fact, diags + ev_diags


def sheet_context(doc: Any, path: str, strings: bool = False) -> SheetContext:
    """Sheet-level defaults: a top-level `source` or a gold-style `article` block."""
    ctx = SheetContext(path=path, strings=strings)
    if not isinstance(doc, dict):
        return ctx
    src = plain(doc.get("source"))
    article = plain(doc.get("article"))
    if isinstance(src, str):
        ctx.default_evidence = {"source": src}
    elif isinstance(src, dict):
        ctx.default_evidence = {k: v for k, v in src.items() if k in EVIDENCE_KEYS}
    elif isinstance(article, dict) and (article.get("file") or article.get("url")):
        ctx.default_evidence = {"source": article.get("file") or article.get("url"),
                                "lang": article.get("lang"), "url": article.get("url")}
    if isinstance(doc.get("extractor"), str):
        ctx.extractor = doc["extractor"]
    return ctx


def add_record(raw: Any, ctx: SheetContext, result: LoadResult, kind: str | None = None,
               line: int | None = None) -> None:
    """Classify one mapping as an entity or a fact and add it, or report why not."""
    if not isinstance(raw, dict):
        kind_of = "a list" if isinstance(raw, list) else type(raw).__name__
        result.diagnostics.append(Diagnostic("bad-record", f"expected a mapping, got {kind_of}",
                                             Location(ctx.path, line)))
        return
    if kind is None:
        kind = "fact" if ("s" in raw or "p" in raw) else "entity" if ("id" in raw or "type" in raw) else None
    if kind is None:
        keys = sorted(k for k in raw if k != LINE)
        result.diagnostics.append(Diagnostic("bad-record", f"neither an entity (id, type) nor a fact "
                                             f"(s, p): keys {keys}", _loc(ctx, raw)))
        return
    try:
        record, diags = (build_fact if kind == "fact" else build_entity)(raw, ctx)
    except RecursionError:
        record, diags = None, [Diagnostic("bad-record", "nesting is too deep", _loc(ctx, raw))]
    result.diagnostics.extend(diags)
    if record is not None:
        (result.facts if kind == "fact" else result.entities).append(record)
