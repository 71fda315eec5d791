"""Market values from market reports: losses, gains and levels, with their currency.

"wiping $593 billion off its market value", "a effacé 465 milliards de dollars de
capitalisation", "market capitalisation of about A$9.8 billion": the value is tied
to the company named before it, or to the day's Event when the sentence is about
the selloff itself ("La vente a effacé environ 1 billion de dollars").
"""
from __future__ import annotations

import re

from kg.loaders.text.context import Context
from kg.loaders.text.quantities import Quantity
from kg.loaders.text.rules_moves import SUBJECT_TYPES, in_quotes, subject_of
from kg.loaders.text.segment import Sentence

CAP = re.compile(r"capitali[sz]\w*|market value|market cap|valeur (boursière|marchande|de marché)|"
                 r"valorisation|market worth|from (its|their) value|de sa valeur|de valeur|"
                 r"off (its|their|the [\w\-]+['’]s) value|in value", re.I)
LOSS = re.compile(r"\b(perd\w*|effac\w*|baisse|chut\w*|wip\w*|eras\w*|lost|los\w*|shed\w*|evapor\w*|"
                  r"fondre|fondu|envolé\w* en fumée|destroy\w*|détrui\w*|amput\w*|plong\w*|slash\w*|"
                  r"knock\w*|cut|down|drop\w*|fell|tumbl\w*|shr[aiu]nk\w*|sank|lopped|permis de)\b", re.I)
GAIN = re.compile(r"\b(gagn\w*|ajout\w*|added|add\w*|gain\w*|hausse|rose|jump\w*|soar\w*|bondi\w*)\b", re.I)
EVENT_SUBJECT = re.compile(r"^\W*(la vente|the sell-?off|the rout|le krach|la chute|the plunge|the slump|"
                           r"la débâcle|la dégringolade|cette vente|this sell-?off|the selloff|la baisse|"
                           r"the decline|the drop|the crash)\b", re.I)


LEVEL = re.compile(r"\b(stood at|stands at|valued at|worth|of|à|de|s['’]établit|atteint|reached|to|"
                   r"about|around|environ|près de|roughly|nearly|approchait|approche|approached|atteignait|"
                   r"s['’]élevait|s['’]élève|totalled|totaled|valait|vaut|was worth|is worth)\s*$", re.I)


def _cap_kind(ctx: Context, sent: Sentence, q: Quantity) -> str:
    before = ctx.doc.text[max(sent.start, q.start - 60):q.start]
    after = ctx.doc.text[q.end:min(sent.end, q.end + 60)]
    local = before + " " + after
    if LOSS.search(before[-40:]) or re.match(r"\s*(of|de|en)\s+(market value|valeur|capitali)", after) and LOSS.search(local):
        return "market_cap_loss"
    if GAIN.search(before[-40:]):
        return "market_cap_gain"
    if CAP.search(before) and LEVEL.search(before):
        return "market_cap"
    if LOSS.search(after[:25]) and not CAP.search(before):
        return "market_cap_loss"
    if LOSS.search(local) and not LEVEL.search(before):
        return "market_cap_loss"
    return "market_cap_gain" if GAIN.search(local) else "market_cap"


#: a sum that is a price, a cost or a budget, not a market value: "trained for under $6 million"
SPENT = re.compile(r"\b(for|pour|cost\w*|coût\w*|coûté|spen[dt]\w*|dépens\w*|invest\w*|budget\w*|"
                   r"train\w*|entraîn\w*|raised|levé\w*|paid|payé\w*|deal|contrat|contract)\b[^.;,]{0,20}$", re.I)
NEAR = 90  # characters between a market value and the words that say it is one


def _about_market_value(ctx: Context, sent: Sentence, q: Quantity) -> bool:
    """Whether the sum `q` is the market value the sentence speaks of, not another figure in it."""
    if SPENT.search(ctx.doc.text[max(sent.start, q.start - 40):q.start]):
        return False
    window = ctx.doc.text[max(sent.start, q.start - NEAR):min(sent.end, q.end + NEAR)]
    return CAP.search(window) is not None


def extract_market_caps(ctx: Context, sent: Sentence) -> None:
    if sent.headline or not CAP.search(sent.text):
        return
    quoted = in_quotes(sent)
    for q in ctx.quantities(sent):
        if q.unit in (None, "percent", "pp") or any(a <= q.start < b for a, b in quoted) or q.value < 1e6:
            continue
        if not _about_market_value(ctx, sent, q):
            continue
        pred = _cap_kind(ctx, sent, q)
        date = ctx.fact_date(sent, near=(q.start, q.end))
        m = subject_of(ctx, sent, q, sent.start)
        if m is None and pred == "market_cap":
            m = next(iter(ctx.mentions_in(q.end, sent.end, SUBJECT_TYPES)), None)
        if (EVENT_SUBJECT.search(sent.text) or m is None) and pred != "market_cap":
            subject = ctx.event(date)
        else:
            subject = ctx.use(m) if m else None
        if subject is None:
            continue
        ctx.add_fact(sent, "market-cap", subject, pred, value=abs(q.value), unit=q.unit,
                     qualifier=q.qualifier, date=date, confidence=0.75)
