"""Who supplies whom, from the verbs of selling and the lists of customers.

"ASML sells its systems to TSMC, Samsung Electronics and Intel", "qu'elle
fournit notamment à STMicroelectronics", "qui compte Google parmi ses plus
gros clients", "customers such as Microsoft, Amazon and Alphabet": the seller
is the company named before the verb (or "the company"/"l'entreprise", the
one the story is about), the buyers the companies named after it.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.segment import Sentence

SELL = re.compile(r"\b(sells?|sold|selling|supplies|supplied|supplying|ships?|shipped|provides?|provided|"
                  r"delivers?|delivered|fournit|fournissent|fournissait|vend|vendent|vendait|livre|livrent|"
                  r"équipe|équipent)\b(?P<what>[^.;]{0,80}?)\b(?P<to>to|à|aux|au)\s+", re.I)
CUSTOMERS = re.compile(r"\b(customers?|clients?|buyers?|acheteurs?)\s+(?:such as|including|like|include|comme|"
                       r"dont|notamment|parmi lesquels|tels? que)\s+", re.I)
AMONG = re.compile(r"\b(?:compte|counts?|inclut|includes?|has)\s+(?P<who>[^.;]{2,80}?)\s+(?:parmi ses|among its)\s+"
                   r"(?:[\w\-]+\s+){0,3}(?:clients|customers)", re.I)
STOP = re.compile(r"[;:.]|\b(which|who|that|qui|que|où|where|while|tandis|but|mais)\b", re.I)
ANAPHORA = re.compile(r"\b(l['’]entreprise|la société|le groupe|elle|il|the company|the firm|the group|it)\b", re.I)


def _seller(ctx: Context, sent: Sentence, pos: int) -> Mention | None:
    found = [m for m in ctx.mentions_in(sent.start, pos, ORG_TYPES)]
    if found:
        return found[0] if re.search(r",\s*(?:qui|which|that)\b", ctx.doc.text[found[0].end:pos]) else found[-1]
    if ANAPHORA.search(ctx.doc.text[sent.start:pos]):
        para = [s for s in ctx.sentences if s.paragraph == sent.paragraph and s.start <= sent.start]
        first = ctx.mentions_in(para[0].start, sent.start, ORG_TYPES) if para else []
        return first[0] if first else ctx.last_of_type(sent.start, ORG_TYPES)
    return None


def _buyers(ctx: Context, start: int, end: int) -> list[Mention]:
    stop = STOP.search(ctx.doc.text[start:end])
    stop_at = start + stop.start() if stop else end
    return [m for m in ctx.mentions_in(start, stop_at, ORG_TYPES)]


def _emit(ctx: Context, sent: Sentence, seller: Mention | None, buyers: list[Mention], what: str = "") -> None:
    if seller is None:
        return
    product = what.strip(" ,") or None
    if product and (len(product.split()) > 6 or ctx.mentions_in(0, 0)):
        product = None
    for buyer in buyers:
        if buyer.entity != seller.entity:
            ctx.add_fact(sent, "supplies", ctx.use(seller), "supplies", ctx.use(buyer), confidence=0.6)


FUNDED = re.compile(r"\b(?:financée?s?|soutenue?s?|backed|funded|financed|owned)\s+(?:par|by)\s+", re.I)
FUNDS = re.compile(r"\b(?:bailleurs? de fonds|backers?|investors?|investisseurs?|actionnaires?|shareholders?)\s+"
                   r"(?:de|du|d['’]|of|in)\s+|\b(?:funding|financing|financer?|finance|invests? in|a investi dans|"
                   r"investit dans|invested in)\s+", re.I)


def extract_investments(ctx: Context, sent: Sentence) -> None:
    """'La start-up est financée par High-Flyer', 'one of the companies funding Stargate'."""
    if sent.headline:
        return
    for m in FUNDED.finditer(sent.text):
        target = _seller(ctx, sent, sent.start + m.start())
        investors = _buyers(ctx, sent.start + m.end(), sent.end)
        for inv in investors[:3]:
            if target is not None and inv.entity != target.entity:
                ctx.add_fact(sent, "investments", ctx.use(inv), "invests_in", ctx.use(target), confidence=0.6)
    for m in FUNDS.finditer(sent.text):
        at = sent.start + m.end()
        targets = [t for t in ctx.mentions_in(at, min(sent.end, at + 40), (*ORG_TYPES, "Policy"))]
        investor = _seller(ctx, sent, sent.start + m.start())
        if targets and investor is not None and investor.entity != targets[0].entity:
            ctx.add_fact(sent, "investments", ctx.use(investor), "invests_in", ctx.use(targets[0]), confidence=0.55)


SELL_DIRECT = re.compile(r"\b(supplies|supplied|supplying|fournit|fournissent|équipe|équipent|powers|"
                         r"alimente|alimentent)\s+(?:(?:chips|puces|memory|mémoire|parts|pièces|components|"
                         r"composants|systems|systèmes|equipment|équipements)\s+(?:to|à|for|pour)\s+)?", re.I)
#: what may stand between "supplies" and its customer: "fournit notamment Microsoft"
BEFORE_BUYER = re.compile(r"(?:(?:notamment|également|aussi|entre autres|en particulier|surtout|also|notably|"
                          r"including|in particular|among others|les|the)\s*)*", re.I)
LIST_GAP = re.compile(r",?\s*(?:et|and|ainsi que|as well as|&)?", re.I)
SUPPLIER_OF = re.compile(r"\b(?:a |an |the |un |le |l['’]un des |one of the |main |key |major |principal |"
                         r"grand |gros )*(?:suppliers?|fournisseurs?|vendors?)\s+(?:of|to|for|de|du|des|d['’]|à)\s+",
                         re.I)


def _listed_buyers(ctx: Context, at: int, end: int) -> list[Mention]:
    """The customers named right after a verb of supplying, and those listed with the first
    ("fournit notamment Microsoft et Amazon")."""
    out: list[Mention] = []
    for b in _buyers(ctx, at, min(end, at + 80)):
        gap = ctx.doc.text[(out[-1].end if out else at):b.start].strip()
        if out and not LIST_GAP.fullmatch(gap):
            break
        if out or b.start - at <= 4 or BEFORE_BUYER.fullmatch(gap):
            out.append(b)
    return out


def extract_supplies(ctx: Context, sent: Sentence) -> None:
    if sent.headline:
        return
    for m in SELL_DIRECT.finditer(sent.text):
        at = sent.start + m.end()
        _emit(ctx, sent, _seller(ctx, sent, sent.start + m.start()), _listed_buyers(ctx, at, sent.end)[:3])
    for m in SUPPLIER_OF.finditer(sent.text):
        at = sent.start + m.end()
        _emit(ctx, sent, _seller(ctx, sent, sent.start + m.start()), _buyers(ctx, at, min(sent.end, at + 60))[:3])
    for m in SELL.finditer(sent.text):
        at = sent.start + m.start()
        _emit(ctx, sent, _seller(ctx, sent, at), _buyers(ctx, sent.start + m.end(), sent.end))
    for m in CUSTOMERS.finditer(sent.text):
        at = sent.start + m.start()
        _emit(ctx, sent, _seller(ctx, sent, at), _buyers(ctx, sent.start + m.end(), sent.end))
    for m in AMONG.finditer(sent.text):
        at = sent.start + m.start()
        who_at = sent.start + m.start("who")
        _emit(ctx, sent, _seller(ctx, sent, at), ctx.mentions_in(who_at, who_at + len(m.group("who")), ORG_TYPES))
