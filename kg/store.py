"""The on-disk form of a built graph: sorted JSON Lines plus a manifest.

Same input, byte-identical files: records are sorted, keys are sorted, numbers
have one spelling, and nothing records when or where the build ran.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable

from kg.atomic import OutputError, atomic_dir
from kg.diagnostics import Diagnostic, summary
from kg.graph import Graph, Tally
from kg.model import Entity, Fact, Location, canonical_json
from kg.records import SheetContext, build_entity, build_fact

FORMAT = "ripplekg-graph"
VERSION = 1
MANIFEST = "manifest.json"


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
    return write_records(path, graph.entities(), graph.facts(), graph.diagnostics,
                         graph.inputs if inputs is None else inputs)


def write_records(path: str | Path, entities: Iterable[Entity], facts: Iterable[Fact],
                  diagnostics: list[Diagnostic], inputs: list[dict]) -> dict:
    """`write_graph` for a graph given as streams (entities and facts each in id order), so a
    build of any size is written without being held in memory: each record is written, hashed
    and counted as it goes by. Returns the manifest."""
    from kg.extract_cache import carry_over
    path = Path(path)
    check_output(path)
    tally = Tally()
    diags = sorted(diagnostics, key=Diagnostic.sort_key)
    report = _pretty({"summary": summary(diags), "diagnostics": [d.to_dict() for d in diags]})
    with atomic_dir(path) as tmp:
        carry_over(path, tmp)
        hashes = {
            "entities.jsonl": _write_lines(tmp / "entities.jsonl", (
                _counted(tally.entity, e).to_dict() for e in entities)),
            "facts.jsonl": _write_lines(tmp / "facts.jsonl", (
                _counted(tally.fact, f).to_dict() for f in facts)),
            "report.json": _write_text(tmp / "report.json", report),
        }
        manifest = {"format": FORMAT, "version": VERSION, "counts": tally.result(), "inputs": inputs or [],
                    "files": dict(sorted(hashes.items()))}
        _write_text(tmp / MANIFEST, _pretty(manifest))
    return manifest


def _counted(count: Callable[[Any], None], record: Any) -> Any:
    count(record)
    return record


def _write_lines(path: Path, records: Iterable[dict]) -> str:
    """One canonical JSON line per record; the sha256 of the bytes written."""
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        for record in records:
            line = (canonical_json(record) + "\n").encode("utf-8")
            digest.update(line)
            fh.write(line)
        _sync(fh)
    return digest.hexdigest()


def _write_text(path: Path, text: str) -> str:
    data = text.encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
        _sync(fh)
    return hashlib.sha256(data).hexdigest()


def _sync(fh: Any) -> None:
    """On disk before the directory is swapped in: a crash after the swap finds whole files."""
    fh.flush()
    os.fsync(fh.fileno())


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
