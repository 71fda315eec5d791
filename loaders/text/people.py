"""Names of people and organisations in the slots where the text names them.

Attribution and apposition patterns say "here is a person" or "here is an
employer"; this module reads the name there, matches it against the registry
(exactly, then by fuzzy spelling for misspelled or mistranscribed names such
as "Pajuri" for Pajjuri), and otherwise makes a new entity of the guessed
type with a lower confidence.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.names import fold

_PARTICLE = r"(?:de|van|von|da|di|del|der|du|le|la|bin|al|ben|dos|das)"
_CAP = r"[A-ZÀ-Ý][\w’'\-]*[\wÀ-ÿ]"
#: where a name searched for in a sentence may start: at a word, or after a one-letter elision
#: ("d'Elon Musk"), never inside a token; else each capital of a long token ("AAAA...",
#: base64, "Ab-Ab-...") starts a scan to its end, quadratic in the token's length
NAME_START = r"(?<![\w\-])(?<!\w\w['’])(?<![’'\-]\w['’])"
PERSON_NAME = re.compile(rf"{_CAP}(?:\s+(?:{_PARTICLE}\s+)?{_CAP}){{1,3}}")
ORG_NAME = re.compile(rf"(?:{_CAP}|[A-Z]{{2,}})(?:(?:[ \-&]|\s(?:and|et|de|des|du|of|&)\s)(?:[ld]['’])?"
                      rf"(?:{_CAP}|[A-Z]{{2,}})){{0,4}}")
_STOP_FIRST = {"le", "la", "les", "un", "une", "the", "a", "an", "selon", "according", "mais", "but",
               "pendant", "en", "in", "at", "chez", "pour", "for", "si", "if", "ce", "cette", "this", "that",
               "lundi", "mardi", "mercredi", "jeudi", "vendredi", "monday", "tuesday", "wednesday",
               "thursday", "friday", "nous", "we", "il", "elle", "he", "she", "they", "ils"}
#: job titles, as the text spells them (the one list the person rules share)
ROLE_WORDS = (r"analyst\w*|analyste\w*|stratég\w*|strategist|économiste|economist|gérant\w*|manager|"
              r"conseill\w*|advis\w*|président\w*|president|directeur|directrice|director|chief|CEO|PDG|CIO|"
              r"CFO|CTO|COO|fondat\w*|founder|co-?founder|chairman|chairwoman|spokes\w+|porte-parole|"
              r"responsable|head|partner|associé\w*|investisseur|investor|trader|chercheu\w*|researcher|"
              r"professor|professeur|officer|executive|dirigeant\w*|patron\w*|boss|vice-président|"
              r"vice president|VP|économiste|editor|chroniqueu\w*|specialist|spécialiste|expert\w*")
_ROLE_WORD = re.compile(rf"(?:{ROLE_WORDS})", re.I)
#: honorifics and offices written before a name that are not jobs at a company
_HONORIFICS = {"dr", "mr", "mrs", "ms", "m", "mme", "prof", "minister", "ministre", "secretary",
               "secretaire", "senator", "senateur", "governor", "gouverneur", "general", "vice", "deputy",
               "acting"}


def _is_title(word: str) -> bool:
    """"CEO", "Chief", "Mme": a word written before a name that is not part of it."""
    return fold(word).rstrip(".") in _HONORIFICS or _ROLE_WORD.fullmatch(word.rstrip(".")) is not None


def clean_role(text: str | None) -> str | None:
    """A job title as the text gives it, without its article: "an analyst" and "la PDG" are
    "analyst" and "PDG"."""
    role = re.sub(r"^(?:(?:le|la|les|un|une|the|an|a)\s+|l['’]\s*)", "", (text or "").strip(), flags=re.I)
    return role or None


def _fuzzy(ctx: Context, name: str, types: tuple[str, ...], cutoff: float) -> str | None:
    ids, names = ctx.gazetteer.folded_names(types)
    if not names:
        return None
    probe = fold(name)
    best = process.extractOne(probe, names, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None:
        return None
    digits = [t for t in probe.split() if any(c.isdigit() for c in t)]
    if digits != [t for t in best[0].split() if any(c.isdigit() for c in t)]:
        return None
    return ids[best[2]]


def resolve_name(ctx: Context, name: str, start: int, types: tuple[str, ...], new_type: str,
                 cutoff: float) -> Mention | None:
    """A mention for `name` found in a slot expecting `types`."""
    name = name.strip(" ,.;:’'")
    if not name or fold(name).split()[:1] and fold(name).split()[0] in _STOP_FIRST:
        return None
    known = [m for m in ctx.mentions_in(start, start + len(name)) if m.type in types]
    if known:
        return known[0]
    ident = _fuzzy(ctx, name, types, cutoff)
    if ident is not None:
        ent = ctx.gazetteer.entities[ident]
        return Mention(start, start + len(name), name, ident, ent.type, "fuzzy", 0.75)
    return ctx.new_entity(name, new_type, 0.55, start)


def person_at(ctx: Context, text: str, offset: int) -> Mention | None:
    """The first person named in `text` (which starts at document offset `offset`)."""
    for m in ctx.mentions_in(offset, offset + len(text), ("Person",)):
        return m
    for m in PERSON_NAME.finditer(text):
        name, start = _before_other_names(ctx, m.group(0), offset + m.start())
        poss = list(re.finditer(r"['’]s\s+", name))
        if poss:  # "Sandhurst Research's Omar Velez": the person follows the possessive
            start += poss[-1].end()
            name = name[poss[-1].end():]
        words = name.split()
        while words and (fold(words[0]) in _STOP_FIRST or
                         len(words) > 2 and _is_title(words[0])):
            start += len(words[0]) + 1
            words = words[1:]
        if len(words) < 2:
            continue
        return resolve_name(ctx, " ".join(words), start, ("Person",), "Person", 88)
    return None


def _before_other_names(ctx: Context, name: str, start: int) -> tuple[str, int]:
    """Cut a candidate name where another entity's name begins ("Daniel NewmanNvidia"), or
    start it after one that opens it ("Intel Maria Olsen", in "la PDG d'Intel Maria Olsen")."""
    others = [m for m in ctx.mentions_in(start, start + len(name) + 40) if m.type != "Person"
              and m.start < start + len(name)]
    if others and others[0].start == start and others[0].end < start + len(name):
        rest = name[others[0].end - start:]
        return _before_other_names(ctx, rest.lstrip(" ,"), others[0].end + len(rest) - len(rest.lstrip(" ,")))
    if others:
        name = name[: others[0].start - start].rstrip(" ,")
    return name, start


_NOT_ORG = {"IA", "AI", "US", "UE", "EU", "PDG", "CEO", "CFO", "CTO", "CIO", "USA", "UK"}


def org_at(ctx: Context, text: str, offset: int) -> Mention | None:
    """The organisation named in an employer slot ("analyst at X", "chez X", "de la société X")."""
    found = ctx.mentions_in(offset, offset + len(text), ORG_TYPES)
    if found:
        return found[-1]
    if ctx.mentions_in(offset, offset + len(text), ("Country", "Person", "MarketIndex", "Policy")):
        return None
    best = None
    for m in ORG_NAME.finditer(text):
        if m.group(0) not in _NOT_ORG:
            best = m
            break
    segment = re.split(r",|\s(?:in|à|qui|who|dans|based|basée?|installée?|,)\s", text.strip())[0].strip()
    if best is not None and ctx.doc.lang == "fr" and segment[:1].isupper() and len(segment.split()) <= 4 \
            and text.strip().startswith(best.group(0)):
        return resolve_name(ctx, segment, offset + text.find(segment), ORG_TYPES, "Organization", 90)
    if best is None:
        tail = re.search(r"([\wÀ-ÿ’'\-]+(?:\s+[\wÀ-ÿ’'\-]+)?)\W*$", text)
        if tail and ctx.doc.lang == "fr":
            hit = _fuzzy(ctx, tail.group(1), ORG_TYPES, 85)
            if hit:
                ent = ctx.gazetteer.entities[hit]
                return Mention(offset + tail.start(1), offset + tail.end(1), tail.group(1), hit, ent.type, "fuzzy", 0.65)
        return None
    return resolve_name(ctx, best.group(0), offset + best.start(), ORG_TYPES, "Organization", 90)
