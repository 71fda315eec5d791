"""ripplekg: knowledge graphs of market news, built from facts with evidence.

    import kg
    graph = kg.build(["facts.yaml"])          # reference registry on by default
    g = graph.to_networkx()                   # a networkx MultiDiGraph
    nodes, edges, values = graph.to_frames()  # typed pandas DataFrames

The heavy modules load on first use, so `import kg` stays cheap.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["build", "load", "save", "export", "Graph", "Entity", "Fact", "Evidence", "BuildError"]

_LAZY = {
    "build": ("kg.pipeline", "build"),
    "BuildError": ("kg.pipeline", "BuildError"),
    "load": ("kg.store", "load_graph"),
    "save": ("kg.store", "write_graph"),
    "export": ("kg.exporters", "export"),
    "Graph": ("kg.graph", "Graph"),
    "Entity": ("kg.model", "Entity"),
    "Fact": ("kg.model", "Fact"),
    "Evidence": ("kg.model", "Evidence"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    import importlib
    module, attr = _LAZY[name]
    return getattr(importlib.import_module(module), attr)
