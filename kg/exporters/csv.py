"""Two CSV tables, entities.csv and facts.csv, in the fact-sheet CSV shape.

Lists are joined with '|', evidence is a JSON cell; `kg build DIR` reads the
directory back. The column set is the union over records, sorted after the
core columns, so the files are deterministic.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from kg.atomic import atomic_dir
from kg.registry import register

_ENTITY_CORE = ["id", "type", "name", "aliases"]
_FACT_CORE = ["id", "s", "p", "o", "value", "unit", "qualifier", "date"]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "|".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def table(records: list[dict], core: list[str]) -> str:
    extra = sorted({k for r in records for k in r} - set(core))
    columns = core + extra
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for rec in records:
        writer.writerow([_cell(rec.get(c)) for c in columns])
    return buf.getvalue()


@register("exporter", "csv")
class CsvExporter:
    suffix = ""
    target = "dir"

    def write(self, graph, path: Path) -> None:
        records = graph.to_records()
        with atomic_dir(path) as tmp:
            (tmp / "entities.csv").write_text(table(records["entities"], _ENTITY_CORE), encoding="utf-8")
            (tmp / "facts.csv").write_text(table(records["facts"], _FACT_CORE), encoding="utf-8")
