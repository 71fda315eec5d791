"""CSV rows as records that remember their line, and the formula guard on cells.

Fact sheets and market-move tables come as CSV from spreadsheets, and go back to them through
the csv export (kg.exporters.csv). A cell a spreadsheet would run as a formula (CWE-1236) is
written with a leading `'` on export and read back without it here, so the round trip is exact;
both halves sit together so they stay each other's inverse.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from kg.loaders._input_bounds import ParseError
from kg.records import LINE

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
    """The lower-cased column names, for a loader to pick the table's kind before reading rows."""
    # the first record as the reader sees it (not str.splitlines, which breaks at NEL too)
    try:
        return [c.strip().lower() for c in next(csv.reader(io.StringIO(text, newline="")), [])]
    except csv.Error as exc:  # a header cell past the csv module's field limit
        raise ParseError(f"CSV: {exc}", 1) from None
