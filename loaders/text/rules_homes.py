"""Where a company is based: 'la startup chinoise X', 'Dutch chipmaker ASML', "Japan's Advantest".

A country named as an adjective or a possessive right before a company, or in an apposition
after it ("X, une entreprise chinoise"), is its home: `headquartered_in`.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.segment import Sentence

_DEMONYM_EN = re.compile(r"(ese|ish|ian|an|ch|i)$")


def extract_homes(ctx: Context, sent: Sentence) -> None:
    """'la startup chinoise X', 'Dutch chipmaker ASML', 'X, une entreprise chinoise'."""
    for country in ctx.mentions_in(sent.start, sent.end, ("Country",)):
        if not _is_demonym(ctx, country):
            _possessive_home(ctx, sent, country)
            continue
        after = ctx.mentions_in(country.end, min(sent.end, country.end + 60), ORG_TYPES)
        if after and re.fullmatch(r"[\w\s’'\-]{0,40}", ctx.doc.text[country.end:after[0].start]) and \
                len(ctx.doc.text[country.end:after[0].start].split()) <= 5:
            ctx.add_fact(sent, "homes", ctx.use(after[0]), "headquartered_in", ctx.use(country), confidence=0.65)
            continue
        before = ctx.mentions_in(max(sent.start, country.start - 80), country.start, ORG_TYPES)
        if before:
            gap = ctx.doc.text[before[-1].end:country.start]
            if re.match(r"\s*,\s*(une?|an?|the|la|le)\b", gap) and gap.count(",") == 1 and len(gap.split()) <= 8:
                ctx.add_fact(sent, "homes", ctx.use(before[-1]), "headquartered_in", ctx.use(country),
                             confidence=0.6)


#: "Japan's Advantest", "South Korea's top chipmaker SK Hynix"; not "China's ban on Micron"
_COUNTRYS = re.compile(r"['’]s\s+(?:(?!(?:to|on|of|for|with|by|from|at|in|over|against|and)\b)[a-z\-]+\s+){0,2}$")


def _possessive_home(ctx: Context, sent: Sentence, country: Mention) -> None:
    after = ctx.mentions_in(country.end, min(sent.end, country.end + 40), ORG_TYPES)
    if after and _COUNTRYS.fullmatch(ctx.doc.text[country.end:after[0].start]):
        ctx.add_fact(sent, "homes", ctx.use(after[0]), "headquartered_in", ctx.use(country), confidence=0.65)


def _is_demonym(ctx: Context, country: Mention) -> bool:
    s = country.surface
    ent = ctx.gazetteer.entities.get(country.entity)
    if ent is None or s == ent.name or s == ent.properties.get("label_fr"):
        return False
    return s[:1].islower() or (ctx.doc.lang == "en" and bool(_DEMONYM_EN.search(s)) and " " not in s)
