"""Parse YAML, JSON, JSON Lines and CSV while remembering each record's line.

Error messages must name the line of the bad record, so every mapping read
here carries its line number under LINE; the record builders pop it.
"""
from __future__ import annotations

import bisect
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


class LineList(list):
    """A list that knows the line each of its items starts on (for scalar items)."""

    lines: list[int | None]


def _line_list(values: list, lines: list[int | None]) -> LineList:
    out = LineList(values)
    out.lines = lines
    return out


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """Safe YAML that records lines, reads 465e9 as a number, refuses aliases and duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise ParseError(f"duplicate key {key_node.value!r} (first on line "
                                     f"{seen[key_node.value]})", line)
                seen[key_node.value] = line
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


def _construct_seq(loader: _YamlLoader, node: yaml.SequenceNode):
    data = _line_list([], [child.start_mark.line + 1 for child in node.value])
    yield data
    data.extend(loader.construct_sequence(node))


_YamlLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
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
    except RecursionError:
        raise ParseError("YAML: nesting is too deep") from None


def _line_decoder(text: str) -> json.JSONDecoder:
    """A JSON decoder whose objects carry their line, and whose arrays know their items' lines."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_of(index: int) -> int:
        return bisect.bisect_left(newlines, index) + 1

    decoder = json.JSONDecoder()
    parse_object, parse_array = decoder.parse_object, decoder.parse_array

    def object_with_line(s_and_end, *args):
        obj, end = parse_object(s_and_end, *args)
        obj[LINE] = line_of(s_and_end[1])
        return obj, end

    def array_with_lines(s_and_end, scan_once):
        starts: list[int] = []

        def tracking(string, idx):
            starts.append(idx)
            return scan_once(string, idx)
        values, end = parse_array(s_and_end, tracking)
        return _line_list(values, [line_of(i) for i in starts]), end

    decoder.parse_object, decoder.parse_array = object_with_line, array_with_lines
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder


def parse_json(text: str) -> Any:
    try:
        return _line_decoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ParseError("JSON: nesting is too deep", 1) from None


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


def iter_csv(text: str, problems: list[tuple[int, str]] | None = None) -> Iterator[dict[str, Any]]:
    """Rows as dicts of non-empty cells (lower-case column names), each with its first line.

    A row with more cells than the header is skipped and listed in `problems`.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = [c.strip().lower() for c in row]
                continue
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header):
                if problems is not None:
                    problems.append((line, f"row has {len(row)} cells, the header has {len(header)}"))
                continue
            cells: dict[str, Any] = {k: v.strip() for k, v in zip(header, row) if k and v.strip()}
            cells[LINE] = line
            yield cells
    except csv.Error as exc:
        raise ParseError(f"CSV: {exc}", reader.line_num) from None


def csv_header(text: str) -> list[str]:
    first = text.splitlines()[0] if text else ""
    return [c.strip().lower() for c in next(csv.reader([first]), [])]
