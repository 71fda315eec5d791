"""One registry for every pluggable part: loaders, exporters, query engines.

Like rdflib's plugin table, a part registers itself by name with a decorator;
the registry imports the modules of the part's package on first use, so adding
a loader is one file (plus its test). Third-party packages can add parts through
the entry-point group `ripplekg.<kind>`.
"""
from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points
from typing import Any, Callable

#: kind -> package whose modules are imported to discover built-in parts
PACKAGES = {"loader": "kg.loaders", "exporter": "kg.exporters", "engine": "kg.engines"}

_parts: dict[str, dict[str, Any]] = {kind: {} for kind in PACKAGES}
_discovered: set[str] = set()


def register(kind: str, name: str) -> Callable[[Any], Any]:
    """Decorator: make `obj` available as `get(kind, name)`."""
    if kind not in PACKAGES:
        raise ValueError(f"unknown part kind {kind!r}")

    def deco(obj: Any) -> Any:
        part = obj() if isinstance(obj, type) else obj  # a class is one instance
        previous = _parts[kind].get(name)
        if previous is not None and type(previous) is not type(part):
            raise ValueError(f"{kind} {name!r} is registered twice")
        _parts[kind][name] = part
        return obj
    return deco


def _discover(kind: str) -> None:
    if kind in _discovered:
        return
    _discovered.add(kind)
    try:
        package = importlib.import_module(PACKAGES[kind])
    except ModuleNotFoundError:
        package = None
    if package is not None:
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{PACKAGES[kind]}.{info.name}")
    for ep in entry_points(group=f"ripplekg.{kind}"):
        register(kind, ep.name)(ep.load())


def get(kind: str, name: str) -> Any:
    _discover(kind)
    try:
        return _parts[kind][name]
    except KeyError:
        raise KeyError(f"no {kind} named {name!r}; known: {', '.join(names(kind))}") from None


def names(kind: str) -> list[str]:
    _discover(kind)
    return sorted(_parts[kind])


def parts(kind: str) -> dict[str, Any]:
    _discover(kind)
    return dict(sorted(_parts[kind].items()))
