"""Curated fact sheets in YAML, JSON, JSON Lines and CSV.

A sheet is `{entities: [...], facts: [...]}` (optionally with a sheet-level
`source` or gold-style `article` block), or a plain list of records. A CSV is
one table of entities (columns id, type, name...) or of facts (s, p, o...).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.diagnostics import Diagnostic
from kg.loading import LoadResult
from kg.model import Location
from kg.registry import register
from kg.loaders._readers import (ParseError, csv_header, iter_csv, iter_jsonl, out_of_memory, parse_json,
                                 parse_yaml, read_text)
from kg.records import add_record, sheet_context

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".csv": "csv"}


def load_document(doc: Any, path: str, result: LoadResult, strings: bool = False) -> None:
    """Add the records of one parsed sheet to `result`."""
    ctx = sheet_context(doc, path, strings)
    if isinstance(doc, list):
        for item, line in zip(doc, getattr(doc, "lines", [None] * len(doc))):
            add_record(item, ctx, result, line=line)
        return
    if not isinstance(doc, dict) or not ({"entities", "facts"} & doc.keys()):
        result.diagnostics.append(Diagnostic(
            "bad-record", "a fact sheet is a mapping with 'entities' and/or 'facts' lists, "
            "or a list of records", Location(path, 1)))
        return
    for kind, key in (("entity", "entities"), ("fact", "facts")):
        block = doc.get(key) or []
        if not isinstance(block, list):
            result.diagnostics.append(Diagnostic("bad-record", f"'{key}' must be a list",
                                                 Location(path, doc.get("__line__")), key))
            continue
        lines = getattr(block, "lines", [None] * len(block))
        for item, line in zip(block, lines):
            add_record(item, ctx, result, kind, line=line)


def _load_csv(text: str, path: str, result: LoadResult) -> None:
    header = csv_header(text)
    kind = "fact" if {"s", "p"} <= set(header) else "entity" if "type" in header else None
    if kind is None:
        result.diagnostics.append(Diagnostic(
            "bad-record", f"CSV header {header} is neither a fact table (s, p, ...) nor an "
            "entity table (id, type, name, ...)", Location(path, 1)))
        return
    ctx = sheet_context(None, path, strings=True)
    problems: list[tuple[int, str]] = []
    for row in iter_csv(text, problems):
        add_record(row, ctx, result, kind)
    result.diagnostics.extend(Diagnostic("bad-record", msg, Location(path, line)) for line, msg in problems)


@register("loader", "factsheet")
class FactSheetLoader:
    """Reads curated facts; the default loader for structured files."""

    name = "factsheet"
    priority = 10

    def sniff(self, path: Path, head: str) -> bool:
        # NAME.meta.yaml beside an article holds that article's metadata, not facts
        return path.suffix.lower() in SUFFIXES and not path.name.lower().endswith(
            (".meta.yaml", ".meta.yml", ".meta.json"))

    def load(self, path: Path) -> LoadResult:
        result = LoadResult()
        fmt = SUFFIXES.get(path.suffix.lower(), "yaml")
        where = str(path)
        try:
            text = read_text(path)
            if fmt == "csv":
                _load_csv(text, where, result)
            elif fmt == "jsonl":
                ctx = sheet_context(None, where)
                for number, obj in iter_jsonl(text):
                    add_record(obj, ctx, result, line=number)
            else:
                doc = parse_yaml(text) if fmt == "yaml" else parse_json(text)
                load_document(doc, where, result)
        except ParseError as exc:
            result.diagnostics.append(Diagnostic("syntax-error", str(exc), Location(where, exc.line)))
        except RecursionError:
            result.diagnostics.append(Diagnostic("syntax-error", "nesting is too deep", Location(where)))
        except MemoryError:
            result = LoadResult(diagnostics=[out_of_memory(path)])
        return result
