"""The on-disk form of a built graph: sorted JSON Lines plus a manifest.

Same input, byte-identical files: records are sorted, keys are sorted, numbers
have one spelling, and nothing records when or where the build ran.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from kg.atomic import OutputError, atomic_dir
from kg.diagnostics import Diagnostic, summary
from kg.graph import Graph
from kg.model import Entity, Fact, Location, canonical_json
from kg.records import SheetContext, build_entity, build_fact

FORMAT = "ripplekg-graph"
VERSION = 1
MANIFEST = "manifest.json"


def _jsonl(records: list[dict]) -> str:
    return "".join(canonical_json(r) + "\n" for r in records)


def _pretty(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def is_graph_dir(path: Path) -> bool:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def check_output(path: Path) -> None:
    """Raise OutputError unless `path` may become a graph directory: absent, empty (but for a
    build's own `.cache`, left by an interrupted first build) or a graph already."""
    if path.is_symlink():
        raise OutputError(f"{path}: refusing to write through a symbolic link")
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a directory")
    if path.exists() and any(p.name != ".cache" for p in path.iterdir()) and not is_graph_dir(path):
        raise OutputError(f"{path}: is a non-empty directory that is not a ripplekg graph; "
                          "refusing to overwrite it")


def write_graph(graph: Graph, path: str | Path, inputs: list[dict] | None = None) -> dict:
    """Write `graph` to directory `path`, replacing an earlier graph there atomically.

    The article extraction cache (`.cache/extract`) is carried into the new directory;
    the query engines' caches are not (they depend on the graph and are rebuilt).
    """
    from kg.extract_cache import carry_over
    path = Path(path)
    inputs = graph.inputs if inputs is None else inputs
    check_output(path)
    records = graph.to_records()
    files = {"entities.jsonl": _jsonl(records["entities"]), "facts.jsonl": _jsonl(records["facts"])}
    diags = sorted(graph.diagnostics, key=Diagnostic.sort_key)
    files["report.json"] = _pretty({"summary": summary(diags),
                                    "diagnostics": [d.to_dict() for d in diags]})
    manifest = {"format": FORMAT, "version": VERSION, "counts": graph.counts(),
                "inputs": inputs or [],
                "files": {n: hashlib.sha256(t.encode("utf-8")).hexdigest() for n, t in sorted(files.items())}}
    files[MANIFEST] = _pretty(manifest)
    with atomic_dir(path) as tmp:
        carry_over(path, tmp)
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8", newline="\n")
    return manifest


def read_manifest(path: Path) -> dict:
    if not is_graph_dir(path):
        raise FileNotFoundError(f"{path}: not a ripplekg graph directory (no {MANIFEST}); "
                                "make one with `kg build ... -o DIR`")
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("version") != VERSION:
        raise ValueError(f"{path}: graph format version {manifest.get('version')} is not {VERSION}")
    return manifest


def load_graph(path: str | Path) -> Graph:
    """Read back what `write_graph` wrote. A record that is not JSON, or whose entity type or
    relation type the schema does not know (a hand-edited file), is a ValueError: such names
    become labels, relationship types and file names in the exports."""
    path = Path(path)
    read_manifest(path)
    diags = json.loads((path / "report.json").read_text(encoding="utf-8"))["diagnostics"]
    entities, facts = [], []
    ctx = SheetContext(path=str(path))
    for name, builder, sink in (("entities.jsonl", build_entity, entities),
                                ("facts.jsonl", build_fact, facts)):
        ctx.path = str(path / name)
        with open(path / name, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                try:
                    raw = json.loads(line)
                except (ValueError, RecursionError):
                    raise ValueError(f"{path / name}:{number}: corrupt record: not a JSON object") from None
                if not isinstance(raw, dict):
                    raise ValueError(f"{path / name}:{number}: corrupt record: not a JSON object")
                record, problems = builder({**raw, "__line__": number}, ctx)
                problems = problems or _unknown_names(record, ctx.schema)
                if problems or record is None:
                    why = "; ".join(map(str, problems)) or "not a record"
                    raise ValueError(f"{path / name}:{number}: corrupt record: {why}")
                sink.append(record)
    return Graph(entities, facts, [_diag(d) for d in diags])


def _unknown_names(record, schema) -> list[str]:
    if isinstance(record, Entity) and record.type not in schema.node_types:
        return [f"unknown entity type {record.type!r}"]
    if isinstance(record, Fact) and record.p not in schema.edges:
        return [f"unknown relation type {record.p!r}"]
    return []


def _diag(d: dict) -> Diagnostic:
    loc = Location(d["path"], d.get("line")) if "path" in d else None
    return Diagnostic(d["code"], d["message"], loc, d.get("field"))
