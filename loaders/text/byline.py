"""The publication date a plain-text article states in its own head.

Copied web pages and wire copy carry no front matter, but their first lines often say when they
were published: "Publié le 12/02/2025 à 18h05", "Published: March 4, 2025", "Mis en ligne le
mercredi 12 février 2025", or a wire dateline, "Paris, 27 janv. 2025 (AFP) -". Without it,
relative dates ("mercredi", "last week") and the trading day of every market move stay
unresolved, so the whole article's moves are lost. Only the head is read, only a line that opens
with a publication cue or a dateline counts (a date elsewhere in the text is what the story is
about, not when it was written), and "published" wins over a dateline, which wins over "updated".
"""
from __future__ import annotations

import re

from kg.loaders.text.dates import parse_date

HEAD_LINES = 12  # lines of the head looked at (the headline, a standfirst, the byline)
HEAD_CHARS = 4000  # ... within its first characters: a byline is never further down
_CUE = re.compile(r"^\W{0,3}(?:(?P<pub>publié|publiée|published|posted|mis en ligne|première publication|"
                  r"date de publication|publication)|(?P<upd>mis à jour|mise à jour|updated|modifié|actualisé))"
                  r"\b\s*(?:le|on|at|:|-|—)?\s*(?P<rest>.{4,100})$", re.I)


#: a wire dateline opening the story: "Paris, 27 janv. 2025 (AFP) -", "LONDON, Jan 27, 2025 (Wire) —"
#: (`*+` is possessive: a long run of capitals is one word, not split four ways at every letter)
_DATELINE = re.compile(r"^(?:[A-ZÀ-Ý][\w'’.\-]*+\s?){1,4},\s+(?P<rest>[^()\n]{6,40}?)\s*(?:\([^()\n]{2,30}\)\s*)?[-–—]\s")
_ENGLISH = {"published", "posted", "updated"}


def byline_date(text: str) -> str | None:
    """The ISO publication day stated in the first lines of `text`, or None. The cue's language,
    not the article's, says how to read "12/02/2025": a French page may quote English."""
    updated = dateline = None
    head = [line.strip() for line in text[:HEAD_CHARS].splitlines() if line.strip()]
    for line in head[:HEAD_LINES]:
        m = _CUE.match(line)
        if not m:
            wire = _DATELINE.match(line)
            if wire and dateline is None:
                dateline = _first_date(wire.group("rest"), "fr") or _first_date(wire.group("rest"), "en")
            continue
        cue = (m.group("pub") or m.group("upd")).lower()
        day = _first_date(m.group("rest"), "en" if cue in _ENGLISH else "fr")  # 12/02 is day-first in French
        if day and m.group("pub"):
            return day
        updated = updated or day
    return dateline or updated


def is_byline(line: str) -> bool:
    """Whether `line` is a "Publié le ..." / "Updated ..." line (not a headline)."""
    return _CUE.match(line.strip()) is not None


def _first_date(text: str, lang: str) -> str | None:
    """The day written first in `text` ("12/02/2025 à 18h05 - Mis à jour le 13/02/2025"), if
    `text` opens with it ("Publication of the report is due on ..." is no byline)."""
    if not re.match(r"(?:[^\W\d]+\.?,?\s+){0,2}\d", text):
        return None
    first = re.split(r"\s(?:[-–—|•]|mis à jour|updated|modifié)\s", text, maxsplit=1, flags=re.I)[0]
    first = re.sub(r"\s(?:à|at)\s+\d{1,2}\s*(?:[h:]\s*\d{2})?.*$", "", first, flags=re.I)
    return parse_date(first, lang) or parse_date(first, "fr" if lang == "en" else "en")
