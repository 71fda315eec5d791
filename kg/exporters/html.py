"""One self-contained HTML page to look at a graph: opens offline, fetches nothing.

The page inlines cytoscape.js (vendored from its npm package with its licence,
see vendor/README.md), the cyjs document of the graph, and a small viewer
(`html_template.html`): a legend by entity type, filters by edge type and date,
search by name, and a side panel with each entity's facts and evidence quotes.

Data never becomes markup. The graph travels as JSON in a
`<script type="application/json">` block with `<`, `>`, `&`, U+2028 and U+2029
written as `\\uXXXX` escapes, so no label can close the block; the viewer puts
labels on the page with `textContent` and on the canvas as text; the title is
HTML-escaped; a Content-Security-Policy forbids every load from elsewhere.
Positions come from the cyjs layout, so the same graph gives the same bytes.
"""
from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from kg.atomic import write_text
from kg.exporters.cyjs import elements
from kg.exporters.drawing import TYPE_STYLES
from kg.registry import register

#: the vendored cytoscape.js release (kg/exporters/vendor/README.md says where it came from)
CYTOSCAPE_VERSION = "3.35.0"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")
_SLOT = re.compile(r"\{\{(TITLE|DATA|VERSION|LICENSE|LIBRARY)\}\}")
#: what must not occur in text inlined into a <script> element
_SCRIPT_BREAKERS = re.compile(r"</script|<!--", re.IGNORECASE)


def script_json(doc: Any) -> str:
    """JSON that is safe inside `<script type="application/json">` and still parses as the same value."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def _resource(name: str) -> str:
    return resources.files("kg.exporters").joinpath(name).read_text(encoding="utf-8")


def _inline_script(text: str, what: str) -> str:
    if _SCRIPT_BREAKERS.search(text):
        raise ValueError(f"{what} contains '</script' or '<!--' and cannot be inlined")
    return text


def render(graph, title: str | None = None) -> str:
    """The page for `graph` as text; `title` defaults to the graph's name."""
    doc = elements(graph)
    if title is not None:
        doc["data"]["name"] = title
    # the colours of the other drawings (yEd, GEXF, DOT); a type they do not know gets one
    # from the page's palette
    doc["data"]["colours"] = {t: s.colour for t, s in TYPE_STYLES.items()}
    licence = _resource("vendor/cytoscape.LICENSE")
    if "*/" in licence:
        raise ValueError("the cytoscape.js licence text would end its comment early")
    slots = {
        "TITLE": html.escape(f"{doc['data']['name']} · ripplekg", quote=True),
        "DATA": script_json(doc),
        "VERSION": CYTOSCAPE_VERSION,
        "LICENSE": _inline_script(licence, "the cytoscape.js licence"),
        "LIBRARY": _inline_script(_resource("vendor/cytoscape.min.js"), "the vendored cytoscape.js"),
    }
    # one pass: text put into a slot is never searched for slots again
    return _SLOT.sub(lambda m: slots[m.group(1)], _resource("html_template.html"))


@register("exporter", "html")
class HtmlExporter:
    suffix = ".html"

    def write(self, graph, path: Path) -> None:
        write_text(path, render(graph))

