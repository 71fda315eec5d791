"""The flat export: the fact-sheet shape as JSON, loadable again by `kg build`."""
from __future__ import annotations

import json
from pathlib import Path

from kg.atomic import write_text
from kg.registry import register


@register("exporter", "json")
class JsonExporter:
    suffix = ".json"

    def write(self, graph, path: Path) -> None:
        text = json.dumps(graph.to_records(), indent=1, sort_keys=True, ensure_ascii=False)
        write_text(path, text + "\n")
