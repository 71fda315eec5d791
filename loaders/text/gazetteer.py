"""Find registry entities in text: aliases in both languages, garbled forms, glued tokens.

The registry's names are indexed as sequences of folded tokens, so "NVIDIA",
"Nvidia" and "nvidia's" meet, and "Micro-appareils avancés" matches AMD.
Guards keep common words out: a match needs a capital letter (or a digit),
very short names need their exact registry spelling, and machine-translation
forms (mt_aliases) must match case-sensitively. Tokens glued by careless
translation ("Nvidiadont", "Alphabetet", "NewmanNvidia") are split before
matching when one part is a known name and the whole is not.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from kg.model import Entity
from kg.names import fold

TOKEN = re.compile(r"\w+")
MAX_TOKENS = 8
GLUE_WORDS = ("dont", "et", "de", "des", "du", "la", "le", "les", "au", "aux", "en", "est", "qui",
              "que", "sur", "pour", "ont", "and", "the", "of", "to", "in", "is", "was", "has", "which",
              "that", "on", "for", "said", "s")
_TICKER = re.compile(r"\((?:(?:NASDAQ|NYSE|Nasdaq|Euronext|TSX|ASX|TSE|LSE|XETRA|Xetra|SIX|KRX|TWSE|HKEX|"
                     r"EPA|AMS|BRU|ETR|TYO)\s*:\s*)?(?P<sym>[A-Z][A-Z0-9\-]{0,6}(?:\.[A-Z]{1,2})?)\)|"
                     r"(?<![\w$])\$(?P<cash>[A-Z]{2,5})\b")
_GLUE = re.compile("(?:" + "|".join(sorted(GLUE_WORDS, key=len, reverse=True)) + ")$")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ]{3})(?=[A-Z][a-zà-ÿ]{2})")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    fold: str


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    entity: str
    type: str
    method: str        # alias | mt | glued | fuzzy | new
    confidence: float


def fold_token(tok: str) -> str:
    tok = unicodedata.normalize("NFKD", tok)
    return "".join(ch for ch in tok if not unicodedata.combining(ch)).casefold()


def tokens_of(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(0), fold_token(m.group(0))) for m in TOKEN.finditer(text)]


class Gazetteer:
    def __init__(self, entities: list[Entity], synonyms: bool = True):
        from kg.loaders.text.synonyms import SynonymIndex
        self.entities = {e.id: e for e in entities}
        self.synonyms = SynonymIndex(entities) if synonyms else None
        self.by_ticker: dict[str, set[str]] = {}
        for ent in entities:
            ticker = ent.properties.get("ticker")
            if isinstance(ticker, str) and len(ticker) >= 2:
                self.by_ticker.setdefault(ticker.upper(), set()).add(ent.id)
        self.names: dict[tuple[str, ...], set[str]] = {}
        self.exact: dict[tuple[str, ...], set[str]] = {}   # case-sensitive surface -> ids
        self.mt_keys: set[tuple[str, ...]] = set()         # which exact surfaces are garbled forms
        self._folded: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}
        self.vocab: set[str] = set()
        #: first token -> the longest name (in tokens) that starts with it, to skip hopeless spans fast
        self.reach: dict[str, int] = {}
        for ent in entities:
            for name in ent.names():
                self._add(name, ent.id, self.names, folded=True)
                self._add(name, ent.id, self.exact, folded=False)
            for name in ent.properties.get("mt_aliases") or []:
                self._add(str(name), ent.id, self.exact, folded=False)
                self.mt_keys.add(tuple(t.text for t in tokens_of(str(name))))

    def _add(self, name: str, ent_id: str, table: dict, folded: bool) -> None:
        toks = tuple(t.fold if folded else t.text for t in tokens_of(name))
        if toks and len(toks) <= MAX_TOKENS:
            table.setdefault(toks, set()).add(ent_id)
            self.vocab.update(fold_token(t) for t in toks)
            self.reach[toks[0]] = max(self.reach.get(toks[0], 0), len(toks))

    def folded_names(self, types: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """(entity ids, folded names) of the entities of `types`, computed once per type set."""
        if types not in self._folded:
            pairs = [(e.id, fold(n)) for e in self.entities.values() if e.type in types for n in e.names()]
            self._folded[types] = ([i for i, _ in pairs], [n for _, n in pairs])
        return self._folded[types]

    # -- token repair --------------------------------------------------------
    def repair(self, toks: list[Token]) -> list[Token]:
        out: list[Token] = []
        for tok in toks:
            out.extend(self._split(tok) if tok.fold not in self.vocab else [tok])
        return out

    def _split(self, tok: Token) -> list[Token]:
        if len(tok.text) < 5:
            return [tok]
        parts = _CAMEL.split(tok.text)
        if len(parts) == 2 and any(fold_token(p) in self.vocab for p in parts):
            cut = tok.start + len(parts[0])
            return [Token(tok.start, cut, parts[0], fold_token(parts[0])),
                    Token(cut, tok.end, parts[1], fold_token(parts[1]))]
        glue_match = _GLUE.search(tok.fold)
        for glue in ([glue_match.group(0)] if glue_match else []):
            head = tok.text[: -len(glue)]
            if tok.fold.endswith(glue) and len(head) >= 3 and fold_token(head) in self.vocab and head[0].isupper() or (
                    tok.fold.endswith(glue) and len(head) >= 5 and fold_token(head) in self.vocab):
                cut = tok.start + len(head)
                return [Token(tok.start, cut, head, fold_token(head)),
                        Token(cut, tok.end, tok.text[len(head):], glue)]
        return [tok]

    # -- matching ------------------------------------------------------------
    def _accept(self, span: list[Token], ids: set[str], exact: bool) -> bool:
        if exact:
            return True
        surface = [t.text for t in span]
        if not any(t[:1].isupper() or any(c.isdigit() for c in t) for t in surface):
            return False
        if len("".join(t.fold for t in span)) <= 3:
            return bool(ids & self.exact.get(tuple(surface), set()))
        return True

    def tickers(self, text: str) -> tuple[list[Mention], list[tuple[int, int]]]:
        """Tickers in the forms the press prints them: '(NVDA.O)', '(Nasdaq: NVDA)', '$NVDA';
        with the spans of those parentheses, where no other name is to be read."""
        out, spans = [], []
        for m in _TICKER.finditer(text):
            sym = (m.group("sym") or m.group("cash") or "").split(".")[0].upper()
            ids = self.by_ticker.get(sym, set())
            start, end = m.span("sym") if m.group("sym") else m.span("cash")
            if len(ids) == 1:
                ident = next(iter(ids))
                out.append(Mention(start, end, text[start:end], ident, self.entities[ident].type, "ticker", 0.9))
                spans.append(m.span())
        return out, spans

    def find(self, text: str) -> list[Mention]:
        """Registry names, then word-by-word rewrites of them in what is left."""
        tickers, spans = self.tickers(text)
        found = [m for m in self.find_names(text) if not any(a <= m.start < b for a, b in spans)] + tickers
        if self.synonyms is not None:
            rewritten = self.synonyms.find(text, [])
            # a rewrite that covers a shorter plain match wins ("Micron Innovation" over "Micron")
            longer = [r for r in rewritten if not any(m.start <= r.start and r.end <= m.end for m in found)
                      and all((m.start >= r.start and m.end <= r.end) or m.end <= r.start or m.start >= r.end
                              for m in found)]
            found = [m for m in found if not any(r.start <= m.start and m.end <= r.end for r in longer)] + longer
        return sorted(found, key=lambda m: (m.start, m.end))

    def find_names(self, text: str) -> list[Mention]:
        """Longest registry matches, left to right, without overlaps."""
        original = tokens_of(text)
        as_written = {(t.start, t.end) for t in original}
        toks = self.repair(original)
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            hit = self._longest(toks, i)
            if hit is None:
                i += 1
                continue
            n, ids, method = hit
            span = toks[i:i + n]
            ent = self.entities[sorted(ids)[0]]
            glued = any((t.start, t.end) not in as_written for t in span)  # split by repair()
            out.append(Mention(span[0].start, span[-1].end, text[span[0].start:span[-1].end], ent.id,
                               ent.type, "glued" if glued else method, 0.9 if method == "mt" else 0.95))
            i += n
        return out

    def _longest(self, toks: list[Token], i: int):
        reach = max(self.reach.get(toks[i].fold, 0), self.reach.get(toks[i].text, 0))
        for n in range(min(reach, len(toks) - i), 0, -1):
            span = toks[i:i + n]
            if any(b.start - a.end > 2 for a, b in zip(span, span[1:])):
                continue  # names do not run across punctuation gaps
            exact = self.exact.get(tuple(t.text for t in span))
            if exact and len(exact) == 1 and self._accept(span, exact, exact=True):
                return n, exact, "mt" if tuple(t.text for t in span) in self.mt_keys else "alias"
            ids = self.names.get(tuple(t.fold for t in span))
            if ids and len(ids) == 1 and self._accept(span, ids, exact=False):
                return n, ids, "alias"
        return None


@cache
def registry_gazetteer() -> Gazetteer:
    from kg.loaders.reference import load_reference
    return Gazetteer(load_reference().entities)
