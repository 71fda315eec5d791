"""Two CSV tables, entities.csv and facts.csv, in the fact-sheet CSV shape, and their schema.

Lists are joined with '|', evidence is a JSON cell; `kg build DIR` reads the
directory back. The column set is the union over records, sorted after the
core columns, so the files are deterministic.

The explicit schema is `tables.schema`, a Frictionless tabular data package (one resource
per table, each column typed: string, integer, number, boolean, date, list with its '|'
delimiter, array or object for JSON cells), so pandas, R or a database loader need not
guess types. It is not named `datapackage.json` because `kg build DIR` would read any
`.json` file there as a fact sheet. Rows end in CRLF (RFC 4180): the csv writer quotes a
field only for the characters of its line terminator, so with a bare LF a carriage return
inside a quote would go out unquoted and split the row on reading.

Spreadsheets open these files too, and run a cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return as a formula (CWE-1236: `=HYPERLINK("http://x","click")` in a name taken
from the news). Such *text* cells get a leading `'`, the spreadsheet convention for "this is
text" (numbers such as -3.2 are not text and stay as they are); `kg build` drops that `'`
again, and a text that itself starts with `'` and a formula character gets a second one, so
the round trip is exact. pandas and other readers see the `'`: strip it with
`kg.loaders._readers.unguard_cell`. The graph itself (`kg build -o`, the json export) always
keeps the text verbatim; Neo4j's import CSV (`neo4j-csv`) is not for spreadsheets and is
not guarded.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from kg.atomic import atomic_dir
from kg.loaders._readers import guard_cell
from kg.registry import register
from kg.schema.values import scalar_kind

_ENTITY_CORE = ["id", "type", "name", "aliases"]
_FACT_CORE = ["id", "s", "p", "o", "value", "unit", "qualifier", "date"]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return guard_cell("|".join(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return guard_cell(value) if isinstance(value, str) else str(value)


def columns(records: list[dict], core: list[str]) -> list[str]:
    return core + sorted({k for r in records for k in r} - set(core))


def table(records: list[dict], core: list[str]) -> str:
    names = columns(records, core)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(names)
    for rec in records:
        writer.writerow([_cell(rec.get(c)) for c in names])
    return buf.getvalue()


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _kind(value) -> str:
    kind = scalar_kind(value)
    if kind:
        return kind
    if isinstance(value, list):
        return "list" if all(isinstance(v, str) for v in value) else "array"
    if isinstance(value, dict):
        return "object"
    return "date" if _DATE.match(str(value)) else "string"


def field(name: str, values: list) -> dict:
    """A Frictionless field for one column, from the values it holds (None left out)."""
    kinds = {_kind(v) for v in values if v is not None}
    if kinds == {"integer", "number"}:
        kinds = {"number"}
    if kinds == {"list", "array"}:
        kinds = {"array"}
    kind = kinds.pop() if len(kinds) == 1 else "string"
    out: dict = {"name": name, "type": kind}
    if kind == "list":
        out["delimiter"] = "|"
    if kind == "boolean":
        out.update(trueValues=["true"], falseValues=["false"])
    return out


def package(records: dict[str, list[dict]]) -> dict:
    dialect = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True,
               "header": True}
    resources = []
    for name, core in (("entities", _ENTITY_CORE), ("facts", _FACT_CORE)):
        rows = records[name]
        schema = {"fields": [field(c, [r.get(c) for r in rows]) for c in columns(rows, core)],
                  "missingValues": [""], "primaryKey": "id"}
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "dialect": dialect, "schema": schema})
    return {"profile": "tabular-data-package", "name": "ripplekg-tables", "resources": resources}


@register("exporter", "csv")
class CsvExporter:
    suffix = ""
    target = "dir"

    def write(self, graph, path: Path) -> None:
        records = graph.to_records()
        with atomic_dir(path) as tmp:
            (tmp / "entities.csv").write_text(table(records["entities"], _ENTITY_CORE), encoding="utf-8", newline="")
            (tmp / "facts.csv").write_text(table(records["facts"], _FACT_CORE), encoding="utf-8", newline="")
            text = json.dumps(package(records), indent=1, sort_keys=True, ensure_ascii=False)
            (tmp / "tables.schema").write_text(text + "\n", encoding="utf-8")
