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
from kg.model import Location, canonical_json
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


def write_graph(graph: Graph, path: str | Path, inputs: list[dict] | None = None) -> dict:
    """Write `graph` to directory `path`, replacing an earlier graph there atomically."""
    path = Path(path)
    inputs = graph.inputs if inputs is None else inputs
    if path.is_symlink():
        raise OutputError(f"{path}: refusing to write through a symbolic link")
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a directory")
    if path.exists() and any(path.iterdir()) and not is_graph_dir(path):
        raise OutputError(f"{path}: is a non-empty directory that is not a ripplekg graph; "
                          "refusing to overwrite it")
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
    """Read back what `write_graph` wrote."""
    path = Path(path)
    read_manifest(path)
    diags = json.loads((path / "report.json").read_text(encoding="utf-8"))["diagnostics"]
    entities, facts = [], []
    for name, builder, sink in (("entities.jsonl", build_entity, entities),
                                ("facts.jsonl", build_fact, facts)):
        ctx = SheetContext(path=str(path / name))
        with open(path / name, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                record, problems = builder({**json.loads(line), "__line__": number}, ctx)
                if problems or record is None:
                    raise ValueError(f"{path / name}:{number}: corrupt record: {problems}")
                sink.append(record)
    return Graph(entities, facts, [_diag(d) for d in diags])


def _diag(d: dict) -> Diagnostic:
    loc = Location(d["path"], d.get("line")) if "path" in d else None
    return Diagnostic(d["code"], d["message"], loc, d.get("field"))
