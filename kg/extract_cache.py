"""A content-hash cache of article extraction, the expensive step of a build.

Why: extracting an article costs about a tenth of a second and a corpus grows by
a few articles a day; a rebuild should only read what is new. An entry is keyed
by everything the extractor's output depends on:

    sha256(format, extractor fingerprint, file name, article bytes, sidecar name and bytes)

- the file name, because its suffix picks the reader (.html, .md, .txt) and it is the
  evidence `source` of an article without a URL;
- the sidecar (`NAME.meta.yaml` / `.meta.json`), where `published`, `lang` and `url` come
  from when the article does not carry them itself (front matter and <meta> tags are in
  the article bytes);
- the fingerprint: the source of the extractor (`kg.loaders.text`, the article loader),
  its YAML lexicons, the reference registry and the schema it loads, the record and
  diagnostic code, and the versions of the libraries that parse text, so a change to
  any of them invalidates every entry.

The value is the extracted records (the one fact shape: every field of every entity,
fact, evidence and diagnostic, in their order) as canonical JSON. Fresh extractions take
the same encode/decode round trip as cached ones, so a cached build cannot differ from
a fresh one. Entries are written atomically; an unreadable or mismatched entry is
ignored and recomputed.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from kg.atomic import OutputError, write_text
from kg.diagnostics import Diagnostic
from kg.loading import LoadResult
from kg.model import Entity, Evidence, Fact, Location, canonical_json

#: bump when the encoding below changes meaning
CACHE_FORMAT = 1
#: where `kg build -o DIR` keeps the cache, inside DIR (carried over when DIR is replaced)
CACHE_SUBDIR = Path(".cache") / "extract"
#: what the extractor's output depends on, besides the article: (package, file-name suffixes)
_SOURCES = (("kg.loaders.text", (".py", ".yaml")), ("kg.schema", (".py", ".yaml")))
_FILES = (("kg.loaders", ("article.py", "reference.py", "factsheet.py", "_readers.py", "_input_bounds.py")),
          ("kg", ("model.py", "names.py", "records.py", "diagnostics.py", "loading.py",
                  "extract_cache.py")))
_LIBRARIES = ("selectolax", "rapidfuzz", "PyYAML")


@dataclass(frozen=True)
class ArticleJob:
    """One article as bytes, so a worker on another machine needs no shared file system."""

    name: str
    data: bytes
    sidecar: tuple[str, bytes] | None = None

    def key(self, fingerprint: str) -> str:
        h = hashlib.sha256()
        side_name, side_data = self.sidecar or ("", b"")
        for part in (str(CACHE_FORMAT).encode(), fingerprint.encode(), self.name.encode("utf-8"),
                     self.data, side_name.encode("utf-8"), side_data):
            h.update(len(part).to_bytes(8, "big") + part)  # length-prefixed: no ambiguity
        return h.hexdigest()


def read_job(path: Path) -> ArticleJob:
    """The article and the sidecar `read_document` would use (the first that exists)."""
    from kg.loaders.text.document import SIDE_SUFFIXES
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    sidecar = None
    for suffix in SIDE_SUFFIXES:
        side = path.with_name(stem + suffix)
        if side.is_file():
            sidecar = (side.name, side.read_bytes())
            break
    return ArticleJob(path.name, path.read_bytes(), sidecar)


@cache
def fingerprint() -> str:
    """Hash of the extractor's code, lexicons, registry and schema (computed once per process)."""
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(label.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big") + data)

    for package, suffixes in _SOURCES:
        for f in sorted(resources.files(package).iterdir(), key=lambda f: f.name):
            if f.name.endswith(suffixes):
                add(f"{package}/{f.name}", f.read_bytes())
    for package, names in _FILES:
        for name in names:
            add(f"{package}/{name}", resources.files(package).joinpath(name).read_bytes())
    for f in sorted(resources.files("kg.loaders").joinpath("reference").iterdir(), key=lambda f: f.name):
        add(f"reference/{f.name}", f.read_bytes())
    for lib in _LIBRARIES:
        try:
            add(lib, metadata.version(lib).encode())
        except metadata.PackageNotFoundError:
            add(lib, b"-")
    return h.hexdigest()


# -- the records as JSON, field by field (no normalisation, so decode(encode(r)) == r) -----------
def _loc(loc: Location | None, path: str) -> Any:
    if loc is None:
        return None
    return [None if loc.path == path else loc.path, loc.line]


def _unloc(raw: Any, path: str) -> Location | None:
    return None if raw is None else Location(raw[0] if raw[0] is not None else path, raw[1])


def _evidence(ev: Evidence) -> dict[str, Any]:
    return {"source": ev.source, "quote": ev.quote, "span": list(ev.span) if ev.span else ev.span,
            "extractor": ev.extractor, "confidence": ev.confidence, "lang": ev.lang,
            "url": ev.url, "line": ev.line}


def encode(result: LoadResult, path: str) -> dict[str, Any]:
    """`result` as JSON-ready data; locations at `path` are stored without it."""
    return {
        "entities": [{"id": e.id, "type": e.type, "name": e.name, "aliases": list(e.aliases),
                      "properties": [[k, v] for k, v in e.properties.items()], "loc": _loc(e.loc, path)}
                     for e in result.entities],
        "facts": [{"s": f.s, "p": f.p, "o": f.o, "value": f.value, "unit": f.unit,
                   "qualifier": f.qualifier, "date": f.date,
                   "properties": [[k, v] for k, v in f.properties.items()],
                   "evidence": [_evidence(ev) for ev in f.evidence],
                   "annotations": [[k, v] for k, v in f.annotations.items()], "loc": _loc(f.loc, path)}
                  for f in result.facts],
        "diagnostics": [{"code": d.code, "message": d.message, "field": d.field, "loc": _loc(d.loc, path)}
                        for d in result.diagnostics],
    }


def decode(data: dict[str, Any], path: str) -> LoadResult:
    """What `encode` stored, with its locations at `path` (where this copy of the article is)."""
    out = LoadResult()
    for e in data["entities"]:
        out.entities.append(Entity(e["id"], e["type"], e["name"], list(e["aliases"]),
                                   dict(e["properties"]), _unloc(e["loc"], path)))
    for f in data["facts"]:
        evidence = [Evidence(**{**ev, "span": tuple(ev["span"]) if ev["span"] else ev["span"]})
                    for ev in f["evidence"]]
        out.facts.append(Fact(f["s"], f["p"], f["o"], f["value"], f["unit"], f["qualifier"], f["date"],
                              dict(f["properties"]), evidence, dict(f["annotations"]),
                              _unloc(f["loc"], path)))
    for d in data["diagnostics"]:
        out.diagnostics.append(Diagnostic(d["code"], d["message"], _unloc(d["loc"], path), d["field"]))
    return out


class ExtractCache:
    """Entries `ROOT/ab/abcdef....json`, one per article key; safe to share between builds."""

    def __init__(self, root: Path):
        self.root = Path(root)
        #: why the cache could not be written (full disk, read-only): the build goes on without it
        self.error: str | None = None

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        """Whether an entry for `key` is there, from its first bytes only (canonical JSON puts
        `format` and `key` first): planning a rebuild must not parse every entry twice. An
        entry corrupt past its header is caught by `load`."""
        head = canonical_json({"format": CACHE_FORMAT, "key": key})[:-1].encode()
        try:
            with self._path(key).open("rb") as stream:
                return stream.read(len(head)) == head
        except OSError:
            return False

    def load(self, key: str, source: str) -> LoadResult | None:
        """The stored records with their locations at `source`, or None when absent, unreadable,
        corrupt or not this key's."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            if entry["format"] == CACHE_FORMAT and entry["key"] == key:
                return decode(entry["result"], source)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass
        return None

    def put(self, key: str, result: dict[str, Any]) -> None:
        """Store an entry; a failure to write is remembered in `error`, never raised."""
        if self.error is not None:
            return
        text = canonical_json({"format": CACHE_FORMAT, "key": key, "result": result}) + "\n"
        try:
            write_text(self._path(key), text)
        except (OSError, OutputError) as exc:
            self.error = str(exc) if isinstance(exc, OutputError) else f"{self.root}: {exc.strerror or exc}"


def carry_over(old_graph: Path, new_graph: Path) -> None:
    """Hard-link (or copy) the old graph directory's cache into the one replacing it.

    The old directory is left untouched, so an interrupted swap still leaves it whole. Best
    effort: an entry that cannot be carried is only extracted again next time.
    """
    src = old_graph / CACHE_SUBDIR
    if not src.is_dir():
        return
    for folder, _dirs, files in os.walk(src):
        target = new_graph / CACHE_SUBDIR / Path(folder).relative_to(src)
        for name in files:
            if name.startswith("."):  # another build's temporary
                continue
            try:
                target.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(Path(folder) / name, target / name)
                except OSError:
                    shutil.copy2(Path(folder) / name, target / name)
            except OSError:
                continue
