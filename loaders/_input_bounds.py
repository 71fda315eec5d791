"""The bounds every input file is held to before and while it is parsed.

ripplekg reads files people hand it, and a bad one must fail with a clear error naming its
line, not exhaust memory or the stack: at most `max_input_bytes()` bytes (`KG_MAX_INPUT_BYTES`,
default 512 MiB, checked on the file's size before a byte is read), UTF-8 text (a BOM is
dropped) without NUL bytes, at most MAX_DEPTH nested lists and mappings, and no half surrogate
pairs. The YAML, JSON and CSV readers (kg.loaders._readers, kg.loaders._csv_reader) all apply
these checks and raise the one ParseError defined here, so they live below both.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from kg.diagnostics import Diagnostic
from kg.model import Location
from kg.records import LINE

MAX_BYTES = 512 * 1024 * 1024  # default of KG_MAX_INPUT_BYTES
#: lists and mappings inside one another, the document itself included (a sheet needs about 5)
MAX_DEPTH = 64


class ParseError(Exception):
    """An input that cannot be read or parsed, with the line to name in the diagnostic."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


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
