"""The packaged reference registry: the AI supply chain as of January 2025.

Loaded first by every build (unless switched off), so names in articles and
fact sheets resolve to one canonical node with its ticker, country and aliases.
The data are ordinary fact sheets under `reference/`.
"""
from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path

from kg.diagnostics import Diagnostic
from kg.loading import LoadResult
from kg.model import Location
from kg.registry import register
from kg.loaders._readers import ParseError, parse_yaml
from kg.loaders.factsheet import load_document

PACKAGE_DIR = "reference"


def _files() -> list:
    root = resources.files("kg.loaders").joinpath(PACKAGE_DIR)
    return sorted((f for f in root.iterdir() if f.name.endswith((".yaml", ".yml"))),
                  key=lambda f: f.name)


@cache
def _load() -> tuple[LoadResult, str]:
    result = LoadResult()
    digest = hashlib.sha256()
    for f in _files():
        text = f.read_text(encoding="utf-8")
        digest.update(f.name.encode() + b"\0" + text.encode("utf-8"))
        where = f"{PACKAGE_DIR}/{f.name}"
        try:
            load_document(parse_yaml(text), where, result)
        except ParseError as exc:
            result.diagnostics.append(Diagnostic("syntax-error", str(exc), Location(where, exc.line)))
    return result, digest.hexdigest()


def load_reference() -> LoadResult:
    """A fresh copy of the registry's records (callers may mutate them)."""
    import copy
    return copy.deepcopy(_load()[0])


def reference_digest() -> str:
    return _load()[1]


@register("loader", "reference")
class ReferenceLoader:
    """Never sniffed from a file: `kg build` adds it unless --no-reference."""

    name = "reference"
    priority = 0

    def sniff(self, path: Path, head: str) -> bool:
        return False

    def load(self, path: Path | None = None) -> LoadResult:
        return load_reference()
