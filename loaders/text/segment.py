"""Paragraphs and sentences with character offsets, and what is not story text.

Offsets index the document text, so every fact's evidence span points at the
exact words. Lines that are page furniture in plain-text reprints (ticker
strips, "Read also" teasers, credits) are marked so their numbers never
become facts; short unpunctuated lines are headlines: their names count,
their numbers do not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREV = {"mr", "mrs", "ms", "dr", "prof", "inc", "corp", "co", "ltd", "st", "vs", "jan", "feb", "mar",
           "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "m", "mme", "mlle", "av",
           "etc", "cf", "p", "pp", "u.s", "e.g", "i.e", "gen", "gov", "sen", "rep", "jr", "sr", "n.v",
           "s.a", "plc", "approx", "est", "fig", "vol", "ca", "a.m", "p.m"}
_TEASER = re.compile(r"^\s*(read also|see also|related( articles| stories| coverage)?|more on this|"
                     r"recommended|most read|trending|lire aussi|à lire aussi|a lire aussi|voir aussi|"
                     r"sur le même sujet|les plus lus|publicité|advertisement|sponsored|image credit|"
                     r"crédit d.image|photo ?:|source ?:|\(?reporting by|édité par|edited by|"
                     r"share this|partager|subscribe|abonnez)", re.I)
_TICKER_ROW = re.compile(r"^[\sA-Z0-9.\-+%$€£¥:,|/()▲▼↑↓]+$")
_OPEN, _CLOSE = "«“\"", "»”\""


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    headline: bool = False


def _is_furniture(line: str) -> bool:
    if _TEASER.match(line):
        return True
    stripped = line.strip()
    if not stripped:
        return True
    if _TICKER_ROW.match(stripped) and re.search(r"\d", stripped):
        return True  # "NVDA 118.42 -16.97% | AMD 115.20 -6.4%"
    words = re.findall(r"[A-Za-zÀ-ÿ]+", stripped)
    lower = [w for w in words if w.islower()]
    return bool(re.search(r"\d+[.,]\d+\s*%", stripped)) and len(lower) <= 1 and len(words) <= 8


def _is_headline(line: str) -> bool:
    s = line.strip()
    return not re.search(r"[.!?…»”\"):]$", s) and len(s.split()) <= 16


def _boundaries(text: str) -> list[int]:
    """Offsets where a new sentence starts inside one paragraph."""
    cuts, depth, straight = [], 0, False
    balanced = text.count('"') % 2 == 0
    for i, ch in enumerate(text):
        if ch in "«“":
            depth += 1
        elif ch in "»”" and depth:
            depth -= 1
        elif ch == '"' and balanced:
            straight = not straight
            depth += 1 if straight else -1
        if ch not in ".!?…" or depth:
            continue
        rest = text[i + 1:]
        m = re.match(r"[»”\")\]]*\s+(?=[«“\"(A-ZÀ-Ý0-9])", rest)
        if not m:
            continue
        word = re.search(r"([\w.]+)$", text[:i])
        if ch == "." and word and (word.group(1).lower().rstrip(".") in _ABBREV or len(word.group(1)) == 1):
            continue
        cuts.append(i + 1 + m.end())
    return cuts


def sentences(text: str) -> list[Sentence]:
    """Story sentences of the text, in order; furniture lines are left out."""
    out: list[Sentence] = []
    offset = 0
    for number, line in enumerate(text.split("\n")):
        start_line, offset = offset, offset + len(line) + 1
        if _is_furniture(line):
            continue
        headline = _is_headline(line)
        lead = len(line) - len(line.lstrip())
        starts = [lead, *_boundaries(line)]
        for a, b in zip(starts, starts[1:] + [len(line)]):
            chunk = line[a:b].rstrip()
            if chunk:
                out.append(Sentence(start_line + a, start_line + a + len(chunk), chunk, number, headline))
    return out
