"""CSV files for `neo4j-admin database import full`, with typed headers and the exact command.

Why from `kg.push_bolt.plan`: the files hold the very rows, labels and relationship types that
`kg push bolt://...` writes (the model of `kg.engines.cypher_ddl`, names from the schema), so an
offline bulk import and a push give the same graph. One file per step of the plan:

- `nodes_<Type>.csv` per entity type: `id:ID(Entity)`, the entity columns the schema gives that
  type (plus any other column holding a value), `:LABEL` = `Entity;<Type>;<ancestors>`;
  `nodes_Measure.csv` (`fact_id:ID(Measure)`), `nodes_Claim.csv` (`fact_id:ID(Claim)`),
  `nodes_Evidence.csv` (`id:ID(Evidence)`). ID groups are the node keys' label: Entity ids, fact
  ids and evidence ids are separate key spaces (a value fact's id is both a Measure and a Claim).
- `rels_<TYPE>.csv` per relationship type: `:START_ID(group)`, `:END_ID(group)`, `:TYPE`, then
  the relationship's key (`fact_id`, or `id` for CHANNEL) and its typed properties.

Types: DOUBLE -> `double`, INT64 -> `long`, BOOLEAN -> `boolean` (`true`/`false`), lists ->
`string[]` joined with the array delimiter (`;`, or the first of `|`, `^`, `~` no value holds),
strings untyped. Dates are ISO strings (untyped), as `kg push` stores them and as the query pack
compares them (`m.date = $date`); `Neo4jCsvExporter(native_dates=True)` declares them `:date`.
Cells are RFC 4180: quoted when they hold `,` `"` CR or LF, quotes doubled; an empty string is
written `""` (an empty string), a missing value as an empty cell (null). An empty list is a
missing value: Neo4j cannot import empty arrays from CSV (`kg push` stores `[]`). Newlines stay in
their fields; the README's command then carries `--multiline-fields=true`. Empty tables get no file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.atomic import atomic_dir
from kg.push_bolt import LINKS, NODE_KEYS, REL_KEYS, Step, constraints, plan
from kg.registry import register
from kg.schema.model import Schema, load_schema

#: layout column type -> neo4j-admin header type ("" = string, left untyped)
TYPES = {"STRING": "", "DOUBLE": "double", "INT64": "long", "BOOLEAN": "boolean", "DATE": "",
         "STRING[]": "string[]"}
ARRAY_DELIMITERS = (";", "|", "^", "~")


@dataclass
class CsvFile:
    """One import file: its name, typed header, and rows of Python values (one per column)."""

    name: str
    kind: str                  # "nodes" or "relationships"
    header: list[str]
    rows: list[list[Any]]


def _token(name: str, kind: str, native_dates: bool) -> str:
    typ = "date" if kind == "DATE" and native_dates else TYPES[kind]
    return f"{name}:{typ}" if typ else name


def _columns(step: Step, schema: Schema, skip: str | None) -> list[tuple[str, str]]:
    """The step's typed columns but its key; an entity file keeps those of its type or in use."""
    cols = [(n, k) for n, k in step.table.columns if n != skip]
    if step.name != "Entity":
        return cols
    allowed = set(schema.node_props[step.labels[0]]) | {"type", "name", "aliases"}
    used = {n for r in step.rows for n in r["props"]}
    return [(n, k) for n, k in cols if n in allowed or n in used]


def node_file(step: Step, schema: Schema, native_dates: bool = False) -> CsvFile:
    key = NODE_KEYS[step.name]
    cols = _columns(step, schema, key)
    labels = [step.name, *step.labels]
    header = [f"{key}:ID({step.name})", *(_token(n, k, native_dates) for n, k in cols), ":LABEL"]
    rows = [[r["key"], *(r["props"].get(n) for n, _ in cols), labels] for r in step.rows]
    name = step.labels[0] if step.labels else step.name
    return CsvFile(f"nodes_{name}.csv", "nodes", header, rows)


def rel_file(step: Step, native_dates: bool = False) -> CsvFile:
    src, dst = LINKS.get(step.name, ("Entity", "Entity"))
    key = REL_KEYS.get(step.name, "fact_id")
    cols = [(n, k) for n, k in step.table.columns if n != key]
    header = [f":START_ID({src})", f":END_ID({dst})", ":TYPE", *([key] if key else []),
              *(_token(n, k, native_dates) for n, k in cols)]
    rows = [[r["src"], r["dst"], step.name, *([r["key"]] if key else []),
             *(r["props"].get(n) for n, _ in cols)] for r in step.rows]
    return CsvFile(f"rels_{step.name}.csv", "relationships", header, rows)


def files(graph: Any, native_dates: bool = False, schema: Schema | None = None) -> list[CsvFile]:
    """Every non-empty import file, nodes first, in the order of `kg.push_bolt.plan`."""
    schema = schema or load_schema()
    out = []
    for step in plan(graph, schema, split_floats=False):
        if step.rows:
            out.append(node_file(step, schema, native_dates) if step.kind == "node"
                       else rel_file(step, native_dates))
    return out


def array_delimiter(csv_files: list[CsvFile]) -> str:
    """The first delimiter that no list item holds (Neo4j has no escape for it)."""
    items = {str(v) for f in csv_files for row in f.rows for cell in row
             if isinstance(cell, list) for v in cell}
    for delim in ARRAY_DELIMITERS:
        if not any(delim in item for item in items):
            return delim
    raise ValueError(f"every array delimiter ({' '.join(ARRAY_DELIMITERS)}) occurs in a list value")


def cell(value: Any, delim: str) -> str:
    """One RFC 4180 cell: null empty, `""` for an empty string, quoted when it must be."""
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        value = delim.join(str(v) for v in value)
    text = str(value)
    if text == "" or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def render(csv_file: CsvFile, delim: str) -> str:
    lines = [",".join(cell(h, delim) for h in csv_file.header)]
    lines += [",".join(cell(v, delim) for v in row) for row in csv_file.rows]
    return "\n".join(lines) + "\n"


def multiline(csv_files: list[CsvFile]) -> bool:
    return any(isinstance(v, str) and ("\n" in v or "\r" in v)
               for f in csv_files for row in f.rows for v in row)


def command(csv_files: list[CsvFile], delim: str, database: str = "neo4j") -> str:
    """The neo4j-admin command, run from the export directory (database name first: 5.19+)."""
    opts = ["--id-type=string", "--delimiter=','", f"--array-delimiter='{delim}'", "--quote='\"'"]
    if multiline(csv_files):
        opts.append("--multiline-fields=true")
    opts += [f"--{f.kind}={f.name}" for f in csv_files]
    return f"neo4j-admin database import full {database} \\\n  " + " \\\n  ".join(opts)


def readme(csv_files: list[CsvFile], delim: str, native_dates: bool) -> str:
    table = "\n".join(f"| `{f.name}` | {f.kind} | {len(f.rows)} |" for f in csv_files)
    ddl = "\n".join(statement + ";" for _, statement in constraints())
    dates = ("dates are typed `:date`" if native_dates else
             "dates are ISO strings (as `kg push` stores them and the query pack compares them)")
    return f"""# ripplekg graph for `neo4j-admin database import`

The same nodes, labels, relationship types and properties as `kg push bolt://...` writes.
Stop the database (or use a new one) and run from this directory; a full import needs an
empty or non-existent database (add `--overwrite-destination=true` to replace one):

```sh
{command(csv_files, delim)}
```

| file | kind | rows |
|---|---|---|
{table}

- ID groups: `Entity` (entity ids), `Measure` and `Claim` (fact ids), `Evidence` (`FACTID/n`).
- Arrays are split on `{delim}`; an empty list is not imported (no property), {dates}.
- Cells are RFC 4180 (`""` inside quotes is one quote); booleans are `true`/`false`.

Then create the uniqueness constraints `kg push` creates (cypher-shell):

```cypher
{ddl}
```
"""


@register("exporter", "neo4j-csv")
class Neo4jCsvExporter:
    suffix = ""
    target = "dir"

    def __init__(self, native_dates: bool = False) -> None:
        self.native_dates = native_dates

    def write(self, graph, path: Path) -> None:
        csv_files = files(graph, self.native_dates)
        delim = array_delimiter(csv_files)
        with atomic_dir(path) as tmp:
            for f in csv_files:
                (tmp / f.name).write_text(render(f, delim), encoding="utf-8", newline="")
            (tmp / "README.md").write_text(readme(csv_files, delim, self.native_dates),
                                           encoding="utf-8", newline="")
