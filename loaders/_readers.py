"""Parse YAML, JSON and JSON Lines while remembering each record's line.

Error messages must name the line of the bad record, so every mapping read
here carries its line number under LINE; the record builders pop it.

Every input is bounded before it is parsed (kg.loaders._input_bounds: size,
UTF-8, nesting depth); CSV is read by kg.loaders._csv_reader. Both are
re-exported here, so the loaders import every reader from one place.
"""
from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from typing import Any, Iterator

import yaml

# re-exported (the noqa lines): the loaders, kg.evaluate, kg.collect, kg.exporters.csv and the tests
# import every reader from here
from kg.loaders._csv_reader import csv_header, guard_cell, iter_csv, unguard_cell  # noqa: F401
from kg.loaders._input_bounds import MAX_DEPTH, ParseError, check_depth, check_surrogates
from kg.loaders._input_bounds import max_input_bytes, out_of_memory, read_text  # noqa: F401
from kg.records import LINE


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
    """A YAML document as plain data with lines; every failure a ParseError with its line."""
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
    """A JSON document as plain data with lines; every failure a ParseError with its line."""
    try:
        return check_surrogates(text, check_depth(_line_decoder(text).decode(text)))
    except json.JSONDecodeError as exc:
        raise ParseError(f"JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ParseError("JSON: nesting is too deep", 1) from None


def iter_jsonl(text: str) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each non-blank JSON Lines record, a mapping carrying its line."""
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
