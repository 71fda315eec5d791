"""Name normalisation shared by entity resolution and (later) the article loader."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Legal-form and filler words that do not tell two companies apart.
_SUFFIXES = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "plc",
    "sa", "se", "ag", "nv", "bv", "spa", "ab", "asa", "oyj", "kk", "llc", "lp",
    "holding", "holdings", "group", "the", "cie",
}


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name (any script)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace("’", "'")
    return re.sub(r"[\W_]+", " ", text).strip()


def _join_initials(words: list[str]) -> list[str]:
    """'n v' (from N.V.) and 'u s' (from U.S.) become single tokens."""
    out: list[str] = []
    run = ""
    for w in words + [""]:
        if len(w) == 1 and w.isalpha():
            run += w
            continue
        if run:
            out.append(run)
            run = ""
        if w:
            out.append(w)
    return out


@lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """`fold` without legal forms: 'ASML Holding N.V.' and 'ASML' share a key. Cached: a corpus
    names the same few thousand things over and over, and resolution asks for each every time."""
    words = _join_initials(fold(text).split())
    kept = [w for w in words if w not in _SUFFIXES]
    return " ".join(kept or words)
