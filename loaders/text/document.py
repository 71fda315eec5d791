"""Read an article (.txt, .md, .html) into clean text plus its metadata.

Metadata comes, by precedence, from explicit options, a sidecar file
(NAME.meta.yaml / NAME.meta.json), front matter (.md/.txt between `---`
lines) or HTML <meta> tags. Boilerplate (navigation, ticker widgets,
"related articles") is dropped before any extraction, offline. Articles and
sidecars are read like fact sheets (`kg.loaders._readers`): UTF-8 only, no NUL
byte, at most KG_MAX_INPUT_BYTES; metadata YAML is parsed safely, without aliases.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.loaders._readers import ParseError, parse_json, parse_yaml, read_text
from kg.loaders.text.lang import detect_language

SIDE_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")
META_KEYS = ("published", "lang", "url", "title", "outlet")


@dataclass
class Document:
    path: str
    text: str
    published: str | None = None
    lang: str = "en"
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    meta_sources: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.url or Path(self.path).name

    #: line in the file where `text` starts (front matter and headers come before)
    first_line: int = 1

    def line_of(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)

    @property
    def id(self) -> str:
        digest = hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:10]
        return f"article_{digest}"


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value)
        return m.group(1) if m else None
    return None


def _clean_meta(raw: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in META_KEYS:
        alt = {"published": ("date", "published_at", "datePublished")}.get(key, ())
        value = next((raw[k] for k in (key, *alt) if raw.get(k) not in (None, "")), None)
        if value is None:
            continue
        out[key] = _iso(value) if key == "published" else str(value).strip()
    if "lang" in out:
        out["lang"] = out["lang"].lower()[:2]
    return out


def sidecar_meta(path: Path) -> dict[str, Any]:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    for suffix in SIDE_SUFFIXES:
        side = path.with_name(stem + suffix)
        if side.is_file():
            text = read_text(side)
            try:
                data = parse_json(text) if suffix.endswith("json") else parse_yaml(text)
            except ParseError as exc:
                where = f", line {exc.line}" if exc.line else ""
                raise ParseError(f"sidecar {side.name}{where}: {exc}") from None
            return _clean_meta(data) if isinstance(data, dict) else {}
    return {}


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """(metadata, body, offset of the body in the original text)."""
    m = re.match(r"\A\ufeff?---[ \t]*\n(.*?\n)---[ \t]*\n", text, re.S)
    if not m:
        return {}, text, 0
    try:
        data = parse_yaml(m.group(1)) or {}
    except ParseError:
        return {}, text, 0
    return (_clean_meta(data) if isinstance(data, dict) else {}), text[m.end():], m.end()


def _markdown_to_text(body: str) -> str:
    body = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", body)           # images
    body = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", body)        # links keep their text
    body = re.sub(r"^\s{0,3}#{1,6}\s*", "", body, flags=re.M)   # headings
    body = re.sub(r"(\*\*|__)(.+?)\1", r"\2", body)
    body = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", body)
    body = re.sub(r"^\s*>\s?", "", body, flags=re.M)
    return body


def read_document(path: Path, published: str | None = None, lang: str | None = None,
                  url: str | None = None) -> Document:
    """Clean text and metadata of one article file."""
    raw = read_text(path).replace("\r\n", "\n").replace("\r", "\n")
    meta: dict[str, Any] = {}
    sources: list[str] = []
    first_line = 1
    if path.suffix.lower() in (".html", ".htm"):
        from kg.loaders.text.html_text import html_to_text
        meta_html, text = html_to_text(raw)
        meta.update(meta_html)
        if meta_html:
            sources.append("html")
    else:
        fm, body, body_at = split_front_matter(raw)
        text = body.lstrip("\n")
        first_line = raw.count("\n", 0, body_at) + (len(body) - len(text)) + 1
        if fm:
            meta.update(fm)
            sources.append("front-matter")
        if path.suffix.lower() == ".md":
            text = _markdown_to_text(text)
    side = sidecar_meta(path)
    if side:
        meta.update(side)
        sources.append("sidecar")
    given = {k: v for k, v in (("published", published), ("lang", lang), ("url", url)) if v and v != "auto"}
    if given:
        meta.update(given)
        sources.append("options")
    text = text.rstrip("\n")
    doc_lang = meta.get("lang") or detect_language(text)
    if not meta.get("published"):
        from kg.loaders.text.byline import byline_date
        meta["published"] = byline_date(text)
        if meta["published"]:
            sources.append("byline")
    return Document(path=str(path), text=text, published=meta.get("published"), lang=doc_lang,
                    url=meta.get("url"), title=meta.get("title"), outlet=meta.get("outlet"),
                    meta_sources=sources, first_line=first_line)
