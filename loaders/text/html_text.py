"""HTML to article text, offline: keep the story, drop navigation, widgets and teasers.

selectolax parses without fetching anything (no external entities, no
network). Elements that are page furniture rather than the story are removed
by tag and by class/id words; block elements become line breaks.
"""
from __future__ import annotations

import json
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button",
              "iframe", "svg", "figure", "template", "select", "menu")
_DROP_WORDS = ("nav", "menu", "footer", "header", "sidebar", "ticker", "quote-widget", "widget",
               "related", "recommend", "teaser", "promo", "advert", "ad-", "cookie", "share",
               "social", "newsletter", "subscribe", "breadcrumb", "comments", "market-data",
               "stock-strip", "read-also", "lire-aussi", "most-read")
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article",
           "blockquote", "pre", "td", "dd", "dt")


def _meta(tree: HTMLParser) -> dict[str, Any]:
    out: dict[str, Any] = {}
    html = tree.css_first("html")
    if html is not None and html.attributes.get("lang"):
        out["lang"] = str(html.attributes["lang"]).lower()[:2]
    title = tree.css_first("title")
    if title is not None and title.text(strip=True):
        out["title"] = title.text(strip=True)
    for node in tree.css("meta"):
        name = (node.attributes.get("name") or node.attributes.get("property") or
                node.attributes.get("itemprop") or "").lower()
        content = (node.attributes.get("content") or "").strip()
        if not content:
            continue
        if name in ("date", "article:published_time", "datepublished", "pubdate", "dc.date",
                    "publish-date", "og:published_time"):
            m = re.match(r"\d{4}-\d{2}-\d{2}", content)
            if m:
                out.setdefault("published", m.group(0))
        elif name in ("og:site_name", "publisher", "og:publisher"):
            out.setdefault("outlet", content)
        elif name in ("og:url",):
            out.setdefault("url", content)
        elif name in ("og:title",) and "title" not in out:
            out["title"] = content
        elif name in ("language", "og:locale", "content-language"):
            out.setdefault("lang", content.lower()[:2])
    canonical = tree.css_first('link[rel="canonical"]')
    if canonical is not None and canonical.attributes.get("href"):
        out.setdefault("url", canonical.attributes["href"])
    _linked_data(tree, out)
    stamp = tree.css_first("article time[datetime]") or tree.css_first("time[pubdate]")
    if stamp is not None and "published" not in out:
        m = re.match(r"\d{4}-\d{2}-\d{2}", str(stamp.attributes.get("datetime") or ""))
        if m:
            out["published"] = m.group(0)
    return out


_LD_MAX = 1_000_000  # bytes of one JSON-LD block read; a larger one is skipped


def _linked_data(tree: HTMLParser, out: dict[str, Any]) -> None:
    """Date, headline, outlet and language from the page's schema.org JSON-LD (`NewsArticle`),
    which many news sites carry instead of <meta> tags. Parsed as plain JSON: its @context is
    never fetched."""
    for node in tree.css('script[type="application/ld+json"]'):
        text = node.text() or ""
        try:
            data = json.loads(text) if len(text) <= _LD_MAX else None
        except (ValueError, RecursionError):
            continue
        for item in _ld_items(data):
            published = re.match(r"\d{4}-\d{2}-\d{2}", str(item.get("datePublished") or ""))
            if published:
                out.setdefault("published", published.group(0))
            if isinstance(item.get("headline"), str) and item["headline"].strip():
                out["title"] = item["headline"].strip()  # the story's own, without " | Site"
            publisher = item.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                out.setdefault("outlet", publisher["name"].strip())
            if isinstance(item.get("inLanguage"), str):
                out.setdefault("lang", item["inLanguage"].lower()[:2])
            return  # the first article the page describes


def _ld_items(data: Any) -> list[dict]:
    """The JSON-LD objects that describe an article, top level or in an @graph."""
    items = data if isinstance(data, list) else [data]
    items = [i for i in items if isinstance(i, dict)]
    items += [g for i in items if isinstance(i.get("@graph"), list) for g in i["@graph"] if isinstance(g, dict)]
    return [i for i in items if _ARTICLE_TYPES & _types(i)]


def _types(item: dict) -> set[str]:
    kind = item.get("@type")
    return {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}


def _is_furniture(node) -> bool:
    words = " ".join(str(node.attributes.get(a) or "") for a in ("class", "id", "role")).lower()
    return any(w in words for w in _DROP_WORDS) or node.attributes.get("aria-hidden") == "true"


def html_to_text(html: str) -> tuple[dict[str, Any], str]:
    """(metadata, story text with one paragraph per line)."""
    tree = HTMLParser(html)
    meta = _meta(tree)
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return meta, ""
    for tag in _DROP_TAGS:
        for node in root.css(tag):
            node.decompose()
    for node in list(root.traverse()):
        if node.tag not in ("-text",) and node.attributes is not None and _is_furniture(node):
            node.decompose()
    for tag in _BLOCKS:
        for node in root.css(tag):
            node.insert_after("\n")
    text = root.text(deep=True, separator="")
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return meta, "\n".join(ln for ln in lines if ln)
