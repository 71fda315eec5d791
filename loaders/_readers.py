"""Parse YAML, JSON, JSON Lines and CSV while remembering each record's line.

Error messages must name the line of the bad record, so every mapping read
here carries its line number under LINE; the record builders pop it.
"""
from __future__ import annotations

import csv
import io
import json
import json.decoder
import json.scanner
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from kg.records import LINE
MAX_BYTES = 512 * 1024 * 1024


class ParseError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """Safe YAML that records lines, reads 465e9 as a number and refuses aliases."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping

    def construct_object(self, node, deep=False):
        # A node met a second time is an alias (*name): refused, so an alias bomb
        # cannot blow up later walks of the data.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise ParseError("YAML aliases (*name) are not allowed in fact sheets",
                             node.start_mark.line + 1)
        return super().construct_object(node, deep=deep)


_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789"))


def read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ParseError(f"file is {size} bytes, over the {MAX_BYTES}-byte limit")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ParseError("file contains NUL bytes", raw[: raw.index(b"\x00")].count(b"\n") + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line) from None


def parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ParseError(f"YAML: {exc.problem or exc}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"YAML: {exc}") from None


def _line_decoder(text: str) -> json.JSONDecoder:
    """A JSON decoder whose objects carry the line where they start."""
    decoder = json.JSONDecoder()
    original = decoder.parse_object

    def parse_object(s_and_end, *args):
        string, start = s_and_end
        obj, end = original(s_and_end, *args)
        obj[LINE] = string.count("\n", 0, start) + 1
        return obj, end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder


def parse_json(text: str) -> Any:
    try:
        return _line_decoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ParseError("JSON: nesting is too deep") from None


def iter_jsonl(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(f"JSON Lines: {exc.msg}", number) from None
        except RecursionError:
            raise ParseError("JSON Lines: nesting is too deep", number) from None
        if isinstance(obj, dict):
            obj[LINE] = number
        yield number, obj


def iter_csv(text: str) -> Iterator[dict[str, Any]]:
    """Rows as dicts of non-empty cells, each with the line its row starts on."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        return
    reader.fieldnames = [f.strip() for f in reader.fieldnames]
    start = 2
    try:
        for row in reader:
            cells = {k: v.strip() for k, v in row.items()
                     if k is not None and isinstance(v, str) and v.strip() != ""}
            if None in row:
                raise ParseError("row has more cells than the header", start)
            cells[LINE] = start
            start = reader.line_num + 1
            if len(cells) > 1:
                yield cells
    except csv.Error as exc:
        raise ParseError(f"CSV: {exc}", reader.line_num) from None


def csv_header(text: str) -> list[str]:
    first = text.splitlines()[0] if text else ""
    return [c.strip().lower() for c in next(csv.reader([first]), [])]
