"""Parse YAML, JSON, JSON Lines and CSV while remembering each record's line.

Error messages must name the line of the bad record, so every mapping read
here carries its line number under LINE; the record builders pop it.

Every input is bounded before it is parsed: at most `max_input_bytes()` bytes
(`KG_MAX_INPUT_BYTES`, default 512 MiB, checked on the file's size before a
byte is read) and at most MAX_DEPTH nested lists and mappings, so a huge file
or a `[[[[...]]]]` fails with a clear error instead of exhausting memory or the
stack. Text must be UTF-8 (a BOM is dropped) without NUL bytes.
"""
from __future__ import annotations

import bisect
import csv
import io
import json
import json.decoder
import json.scanner
import os
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from kg.diagnostics import Diagnostic
from kg.model import Location
from kg.records import LINE

MAX_BYTES = 512 * 1024 * 1024  # default of KG_MAX_INPUT_BYTES
#: lists and mappings inside one another, the document itself included (a sheet needs about 5)
MAX_DEPTH = 64


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


def _refuse_tag(loader: _YamlLoader, node: yaml.Node):
    raise ParseError(f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed in fact "
                     "sheets (only what JSON can say: mappings, lists, text, numbers, booleans, dates)",
                     node.start_mark.line + 1)


_YamlLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
for _tag in ("binary", "set", "omap", "pairs"):  # safe, but no fact-sheet value: bytes, a set as a dict
    _YamlLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789"))


def max_input_bytes() -> int:
    """The largest input file read: KG_MAX_INPUT_BYTES, or 512 MiB."""
    value = os.environ.get("KG_MAX_INPUT_BYTES", "").strip()
    return int(value) if value.isdigit() else MAX_BYTES


def read_text(path: Path) -> str:
    """The UTF-8 text of `path`; a ParseError (with its line) for a file too big, with a NUL
    byte or not UTF-8."""
    limit = max_input_bytes()
    size = path.stat().st_size
    if size > limit:
        raise ParseError(f"file is {size} bytes, over the limit of {limit} bytes "
                         "(KG_MAX_INPUT_BYTES); split it or raise the limit")
    raw = path.read_bytes()
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        raise ParseError(f"file contains a NUL byte (byte {at})", raw[:at].count(b"\n") + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseError(f"not valid UTF-8 at byte {exc.start} (0x{raw[exc.start]:02x}); "
                         "save the file as UTF-8", line) from None


def out_of_memory(path: Path) -> Diagnostic:
    """The diagnostic for an input whose parsed form did not fit in memory (the MemoryError is
    caught where the file is loaded; what it built is garbage by then)."""
    size = path.stat().st_size if path.exists() else 0
    return Diagnostic("syntax-error", f"not enough memory to read this file ({size} bytes); split it, "
                      "or lower KG_MAX_INPUT_BYTES to refuse such files up front", Location(str(path)))


def check_depth(data: Any, line: int | None = None) -> Any:
    """`data` itself, or a ParseError at the first container nested deeper than MAX_DEPTH."""
    stack = [(data, 1, line)]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, dict):
            where = value.get(LINE, where)
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise ParseError(f"nesting is deeper than {MAX_DEPTH} levels", where)
        lines = getattr(value, "lines", None) or [where] * len(children)
        stack.extend((child, depth + 1, at or where) for child, at in zip(children, lines))
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_surrogates(text: str, data: Any, line: int | None = None) -> Any:
    """`data` itself, or a ParseError where a JSON `\\uD800`-`\\uDFFF` escape is not half of a
    pair: such a string is no Unicode text and could not even be written out as UTF-8."""
    if not _SURROGATE_ESCAPE.search(text):
        return data
    stack = [(data, line)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                raise ParseError(f"a \\u escape in {value[:40]!r} is half a surrogate pair, not a character",
                                 where)
        elif isinstance(value, dict):
            where = value.get(LINE, where)
            stack.extend((item, where) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend(zip(value, getattr(value, "lines", None) or [where] * len(value)))
    return data


def _check_yaml_depth(text: str) -> None:
    """Refuse deep nesting from the event stream, before libyaml's composer (which recurses in
    C and would crash the process on a 100,000-deep `[[[...]]]`) builds any node."""
    depth = 0
    for event in yaml.parse(text, Loader=_YamlLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"nesting is deeper than {MAX_DEPTH} levels", event.start_mark.line + 1)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def parse_yaml(text: str) -> Any:
    try:
        _check_yaml_depth(text)
        return check_depth(yaml.load(text, Loader=_YamlLoader))  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ParseError(f"YAML: {exc.problem or exc}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"YAML: {exc}") from None
    except RecursionError:
        raise ParseError("YAML: nesting is too deep") from None


def _line_decoder(text: str) -> json.JSONDecoder:
    """A JSON decoder whose objects carry their line, and whose arrays know their items' lines."""
    newlines: list[int] = []  # found with str.find: one step per line, not per character
    at = text.find("\n")
    while at != -1:
        newlines.append(at)
        at = text.find("\n", at + 1)

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
        return check_surrogates(text, check_depth(_line_decoder(text).decode(text)))
    except json.JSONDecodeError as exc:
        raise ParseError(f"JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ParseError("JSON: nesting is too deep", 1) from None


def iter_jsonl(text: str) -> Iterator[tuple[int, Any]]:
    # lines end at "\n" only: str.splitlines also breaks at NEL, U+2028, \x1c... inside strings
    for number, line in enumerate(text.split("\n"), start=1):
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
        yield number, check_surrogates(line, check_depth(obj, number), number)


#: a cell a spreadsheet would run as a formula starts with one of these (CWE-1236)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(text: str) -> str:
    """A `'` before text a spreadsheet would run as a formula (=HYPERLINK(...), @SUM, -2+3), and
    before text that already starts with `'` and such a character, so `unguard_cell` is exact."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def unguard_cell(text: str) -> str:
    """The text a guarded cell stands for: one leading `'` dropped before a formula character."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START) else text


def iter_csv(text: str, problems: list[tuple[int, str]] | None = None) -> Iterator[dict[str, Any]]:
    """Rows as dicts of non-empty cells (lower-case column names), each with its first line.

    A cell written `'=...` (the spreadsheet way to keep a formula as text, and how the csv
    export writes one) is read as `=...`.

    A row with more or fewer cells than the header is skipped and listed in `problems`.
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
            if len(row) != len(header):
                if problems is not None:
                    problems.append((line, f"row has {len(row)} cells, the header has {len(header)}"))
                continue
            cells: dict[str, Any] = {k: unguard_cell(v.strip()) for k, v in zip(header, row) if k and v.strip()}
            cells[LINE] = line
            yield cells
    except csv.Error as exc:
        raise ParseError(f"CSV: {exc}", reader.line_num) from None


def csv_header(text: str) -> list[str]:
    # the first record as the reader sees it (not str.splitlines, which breaks at NEL too)
    try:
        return [c.strip().lower() for c in next(csv.reader(io.StringIO(text, newline="")), [])]
    except csv.Error as exc:  # a header cell past the csv module's field limit
        raise ParseError(f"CSV: {exc}", 1) from None
