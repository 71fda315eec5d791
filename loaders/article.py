"""Raw news articles (.txt, .md, .html) become facts with evidence.

The loader reads the document and its metadata and hands it to the rule-based
extractor in `kg.loaders.text`; what comes out is the same fact-sheet shape as
a curated file, so `kg extract` output can be reviewed, edited and built.
"""
from __future__ import annotations

from pathlib import Path

from kg.diagnostics import Diagnostic
from kg.loaders._readers import ParseError, out_of_memory
from kg.loading import LoadResult
from kg.model import Location
from kg.registry import register

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def extract_file(path: Path, published: str | None = None, lang: str | None = None,
                 url: str | None = None) -> tuple[LoadResult, dict]:
    """(records, article metadata) of one article."""
    from kg.loaders.text.document import read_document
    from kg.loaders.text.extract import extract_document
    doc = read_document(path, published=published, lang=lang, url=url)
    result = LoadResult()
    if not doc.published:
        result.diagnostics.append(Diagnostic(
            "missing-metadata", "article has no publication date (front matter, sidecar, <meta>, a "
            "'Published:' line at its head, or --published): relative dates stay unresolved",
            Location(str(path), 1), "published"))
    entities, facts, conflicts, undated = extract_document(doc)
    if undated:
        result.diagnostics.append(Diagnostic(
            "missing-metadata", f"{undated} market move(s) left out: no trading day was found for "
            "them (no date in the text and no publication date; give --published or front matter)",
            Location(str(path), 1), "published"))
    result.diagnostics.extend(Diagnostic("date-conflict", f"{c.conflict}; used {c.date}",
                                         Location(str(path), doc.line_of(c.start)), "date") for c in conflicts)
    result.entities, result.facts = entities, facts
    meta = {"file": Path(path).name, "lang": doc.lang, "published": doc.published, "url": doc.url,
            "title": doc.title, "outlet": doc.outlet}
    return result, {k: v for k, v in meta.items() if v}


@register("loader", "article")
class ArticleLoader:
    name = "article"
    priority = 10

    def sniff(self, path: Path, head: str) -> bool:
        return path.suffix.lower() in SUFFIXES and not path.name.lower().startswith("readme")

    def load(self, path: Path) -> LoadResult:
        try:
            return extract_file(path)[0]
        except ParseError as exc:
            return LoadResult(diagnostics=[Diagnostic("syntax-error", str(exc), Location(str(path), exc.line))])
        except (OSError, UnicodeError) as exc:
            return LoadResult(diagnostics=[Diagnostic("syntax-error", str(exc), Location(str(path)))])
        except MemoryError:
            return LoadResult(diagnostics=[out_of_memory(path)])


def extract_sheet(paths: list[Path], published: str | None = None, lang: str | None = None,
                  url: str | None = None) -> tuple[dict, list[Diagnostic]]:
    """The fact sheet `kg extract` prints: `article` (or `articles`), `entities`, `facts`."""
    entities: dict[str, dict] = {}
    facts: list[dict] = []
    metas, diags = [], []
    for path in paths:
        try:
            result, meta = extract_file(Path(path), published, lang, url)
        except ParseError as exc:  # unreadable: reported, and nothing of it in the sheet
            diags.append(Diagnostic("syntax-error", str(exc), Location(str(path), exc.line)))
            continue
        metas.append(meta)
        diags.extend(result.diagnostics)
        for ent in result.entities:
            rec = ent.to_dict()
            have = entities.setdefault(rec["id"], rec)
            if have is not rec:
                have["aliases"] = sorted(set(have.get("aliases", [])) | set(rec.get("aliases", [])))
        facts.extend(f.to_dict() for f in result.facts)
    sheet: dict = {"article": metas[0]} if len(metas) == 1 else {"articles": metas}
    sheet["entities"] = [entities[k] for k in sorted(entities)]
    sheet["facts"] = facts
    return sheet, diags
