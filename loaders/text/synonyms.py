"""Names rewritten word by word: spun synonyms and literal machine translations.

A spinner turns "Advanced Micro Devices" into "Progressive Micro Apparatus"; a
literal translator turns "Lam Research" into "Recherche Lam". Both keep the
name's words, each replaced by a substitute. Each registry name of two or
more words (compounds split: DeepSeek -> Deep Seek) becomes a bag of
canonical words; a run of capitalised words in the text whose substitutes can
form exactly that bag names that entity. `name_words.yaml` lists the
substitutes; words it does not list (Lam, Micron, Nasdaq) must appear as they are.
"""
from __future__ import annotations

import itertools
import re
from functools import cache
from importlib import resources

import yaml

from kg.loaders.text.gazetteer import Mention, Token, fold_token, tokens_of
from kg.model import Entity

MATCH_TYPES = ("Company", "Organization", "MarketIndex")
MAX_WORDS = 5
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@cache
def _variants() -> dict[str, set[str]]:
    """Folded variant -> the canonical words it may stand for (each word stands for itself too)."""
    text = resources.files("kg.loaders.text").joinpath("name_words.yaml").read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for word, forms in (yaml.safe_load(text) or {}).get("words", {}).items():
        out.setdefault(fold_token(word), set()).add(word)
        for form in (forms.get("en") or []) + (forms.get("fr") or []):
            if re.fullmatch(r"\w+(?:-\w+)*", form):  # "semi-conducteur": joined by `_hyphenated`
                out.setdefault(fold_token(form), set()).add(word)
    return out


def _canon(token: str) -> set[str]:
    folded = fold_token(token)
    return _variants().get(folded, set()) | {folded}


def _name_words(name: str) -> list[str]:
    words = []
    for tok in tokens_of(name):
        words.extend(p for p in _CAMEL.split(tok.text) if p)
    return [_key_word(fold_token(w)) for w in words]


def _key_word(word: str) -> str:
    """A name word spelt one letter off a lexicon word stands for it (Marvell -> marvel)."""
    if word in _variants() or len(word) < 5:
        return word
    return word[:-1] if word[-1] == word[-2] and word[:-1] in _variants() else word


class SynonymIndex:
    def __init__(self, entities: list[Entity]):
        self.bags: dict[frozenset[str], set[str]] = {}
        self.types = {e.id: e.type for e in entities}
        for ent in entities:
            if ent.type not in MATCH_TYPES:
                continue
            for name in ent.names():
                words = _name_words(name)
                if 2 <= len(words) <= MAX_WORDS and len(set(words)) == len(words):
                    self.bags.setdefault(frozenset(words), set()).add(ent.id)

    def _lookup(self, span: list[Token]) -> str | None:
        options = [sorted(_canon(t.text)) for t in span]
        if any(len(o) > 6 for o in options):
            options = [o[:6] for o in options]
        hits: set[str] = set()
        for combo in itertools.product(*options):
            hits |= self.bags.get(frozenset(combo), set()) if len(set(combo)) == len(combo) else set()
        return next(iter(hits)) if len(hits) == 1 else None

    def find(self, text: str, taken: list[tuple[int, int]]) -> list[Mention]:
        toks = _hyphenated(text, tokens_of(text))
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            hit = None
            for n in range(min(MAX_WORDS, len(toks) - i), 1, -1):
                span = toks[i:i + n]
                if not _plausible(text, span) or any(a < span[-1].end and span[0].start < b for a, b in taken):
                    continue
                ident = self._lookup(span)
                if ident is not None:
                    hit = (n, ident)
                    break
            if hit is None:
                i += 1
                continue
            n, ident = hit
            span = toks[i:i + n]
            out.append(Mention(span[0].start, span[-1].end, text[span[0].start:span[-1].end], ident,
                               self.types[ident], "synonym", 0.7))
            i += n
        return out


def _hyphenated(text: str, toks: list[Token]) -> list[Token]:
    """Tokens with a hyphenated word the lexicon knows made one ("Semi-conducteur" stands for
    "Semiconductor"), so a translated name keeps as many words as the original."""
    out: list[Token] = []
    for tok in toks:
        prev = out[-1] if out else None
        if prev is not None and text[prev.end:tok.start] == "-":
            joined = f"{prev.text}-{tok.text}"
            if fold_token(joined) in _variants():
                out[-1] = Token(prev.start, tok.end, joined, fold_token(joined))
                continue
        out.append(tok)
    return out


def _plausible(text: str, span: list[Token]) -> bool:
    """A rewritten name still looks like a name: it starts with a capital, its words are adjacent,
    and (in English) every word is capitalised."""
    if not span[0].text[:1].isupper():
        return False
    if any(b.start - a.end > 1 or text[a.end:b.start] not in (" ", "-") for a, b in zip(span, span[1:])):
        return False
    lower = [t for t in span[1:] if t.text[:1].islower()]
    return len(lower) <= 1
