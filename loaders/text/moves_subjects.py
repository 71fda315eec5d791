"""Whose move a percentage is: the company or index a market report ties it to.

The subject of "Nvidia fell 17%" is easy; the rules of kg.loaders.text.rules_moves also meet
companies the registry does not know ("Melexis a cédé 5,6 %"), appositions ("Melexis, le
spécialiste ..., a terminé en baisse"), a verb left out ("et Ahold Delhaize de 1,2 %"),
pronouns and "the company", relative clauses and lists of names. Finding the subject is its own
job, with its own tables of name shapes and non-names, so it lives here.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.moves_cues import FALL, RISE
from kg.loaders.text.quantities import Quantity
from kg.loaders.text.segment import Sentence

SUBJECT_TYPES = (*ORG_TYPES, "MarketIndex")


_RELATIVE = re.compile(r"^\s*,?\s*(dont|qui|which|who|whose|that|, (a|an|the|un|une|le|la|l['’]))\b", re.I)
_STOCK_ANAPHORA = re.compile(r"\b(the chipmaker|the chip designer|the chip maker|the company|the group|"
                             r"the firm|le groupe|la société|le fabricant|le fondeur|le spécialiste|le concepteur|"
                             r"l['’]entreprise|le constructeur|l['’]équipementier|the index|l['’]indice|the benchmark|the gauge|the stock|the shares|its shares|its stock|their shares|le titre|"
                             r"l['’]action|ses actions|son action|son titre|leurs actions|the company['’]s shares|"
                             r"son cours|its share price|the group['’]s shares)\b", re.I)


_NAME_BEFORE_VERB = re.compile(
    r"(?:^|[\s,;(])(?:(?:shares|stock) (?:of|in) |(?:les )?actions? (?:de |d['’])|le titre (?:de |d['’])?)?"
    r"(?P<name>(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|[A-Z]{2,})(?:\s+(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|&|[A-Z]{2,})){0,3}"
    r"(?:\s\d{2,4})?)"
    r"(?:\s*\([^)]{1,24}\))?(?:['’]s)?\s+(?:shares\s+|stock\s+)?(?:a |ont |has |have |was |were |had |also |"
    r"encore |aussi )*$")
_NOT_NAMES = set("""the le la les un une des ce cette ces shares stocks stock investors markets market semiconductor chip
chips tech european asian american french german japanese chinese monday tuesday wednesday thursday friday
lundi mardi mercredi jeudi vendredi january february march april may june july august september october
november december janvier février mars avril mai juin juillet août septembre octobre novembre décembre wall
street bourse paris london tokyo europe asia in en at à au meanwhile pendant ailleurs elsewhere but mais and et
its their son sa ses leur it il elle they ils he she index indice sector secteur bitcoin ether ethereum gold
silver oil brent crude wti copper dollar euro yen yuan sterling pound treasuries treasury yields yield bonds
bond or argent pétrole baril cuivre livre obligations taux crypto cryptos""".split())


_NAME = (r"(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|[A-Z]{2,})(?:\s+(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|&|[A-Z]{2,}))"
         r"{0,3}(?:\s\d{2,4}\b)?")
_NAME_APPOSITION = re.compile(rf"(?:(?<![\w’'])(?<=^)|(?<=[.;:,]\s)|\b(?:et|and|while|tandis que|mais|but)\s+|"
                              rf"\b(?:[Ss]hares|[Ss]tock) (?:in|of) |\b(?:[Ll]es )?actions? (?:de |d['’]))"
                              rf"(?P<name>{_NAME})\s*,")
_INDEX_NAME = re.compile(r"\b(index|indice|composite|average|\d{2,4})\b", re.I)
_NAME_ELLIPSIS = re.compile(rf"^\s*(?:,|et|and|;)\s+(?P<name>{_NAME})\s+(?:de|by|of|d['’])?\s*$")


def _unknown_subject(ctx: Context, sent: Sentence, floor: int, q: Quantity) -> Mention | None:
    """A company the registry does not know, named right before its move ("Melexis a cédé 5,6 %"),
    before an apposition ("Melexis, le spécialiste ..., a terminé en baisse de 5,6 %"), or with
    the verb left out ("UCB a progressé de 1,8 % et Ahold Delhaize de 1,2 %")."""
    text = ctx.doc.text[floor:q.start]
    verb = list(FALL.finditer(text)) + list(RISE.finditer(text))
    m = _NAME_ELLIPSIS.match(text) if floor > sent.start else None
    if m is None and verb:
        head = text[:min(verb, key=lambda v: v.start()).start()]
        m = _NAME_BEFORE_VERB.search(head)
        if m is None:
            found = [x for i in range(len(head)) for x in [_NAME_APPOSITION.match(head, i)] if x]
            m = found[-1] if found else None
    if not m:
        return None
    name = m.group("name")
    words = name.split()
    if all(w.lower().strip("’'") in _NOT_NAMES for w in words) or words[0].lower() in _NOT_NAMES and len(words) == 1:
        return None
    while words and words[0].lower() in _NOT_NAMES:
        words = words[1:]
    name = " ".join(words)
    if not name[:1].isalpha() or not name[:1].isupper():
        return None
    start = floor + m.start("name") + m.group("name").find(name)
    if not name or ctx.mentions_in(start, start + len(name)):
        return None
    return ctx.new_entity(name, "MarketIndex" if _INDEX_NAME.search(name) else "Company", 0.55, start)


def is_ellipsis(ctx: Context, floor: int, q: Quantity) -> bool:
    """'..., et Ahold Delhaize de 1,2 %': a name whose verb is left out (it takes the last one's)."""
    return bool(_NAME_ELLIPSIS.match(ctx.doc.text[floor:q.start]))


def _pronoun_subject(text: str) -> bool:
    """'..., it sank 9.5%' / 'il a cédé 2 %': a pronoun right before the move's verb."""
    verbs = list(FALL.finditer(text)) + list(RISE.finditer(text))
    if not verbs:
        return False
    head = text[:min(verbs, key=lambda v: v.start()).start()]
    return bool(re.search(r"(?:^|[,;]\s*|\b(?:and|et|but|mais)\s+)(?:it|il|elle|they|ils)\s+"
                          r"(?:also\s+|then\s+|a\s+|ont\s+|has\s+|had\s+|aussi\s+)*$", head, re.I))


def tradable(ctx: Context, m: Mention) -> bool:
    """Unlisted labs (DeepSeek, OpenAI) make news but have no share price to move."""
    ent = ctx.gazetteer.entities.get(m.entity)
    return ent is None or ent.properties.get("listed", True) is not False


def subject_of(ctx: Context, sent: Sentence, q: Quantity, floor: int) -> Mention | None:
    """Whose move the percentage `q` is: the nearest tradable company or index between `floor`
    and it (the outer one around a relative clause), a new name, or what a pronoun refers to."""
    found = [m for m in ctx.mentions_in(floor, q.start, SUBJECT_TYPES) if tradable(ctx, m)]
    if not found:
        unknown = _unknown_subject(ctx, sent, floor, q)
        if unknown is None and _pronoun_subject(ctx.doc.text[floor:q.start]):
            return ctx.last_move_subject
        if unknown is None and _STOCK_ANAPHORA.search(ctx.doc.text[floor:q.start]):
            head = ctx.doc.text[floor:q.start]
            index = re.search(r"index|indice|benchmark|gauge", head, re.I)
            firm = re.search(r"company|group|firm|chip|groupe|société|fabricant|fondeur|spécialiste|"
                             r"concepteur|entreprise|constructeur|équipementier", head, re.I)
            types = ("MarketIndex",) if index else ORG_TYPES if firm else SUBJECT_TYPES
            last = ctx.last_move_subject
            if last is not None and last.type in types:
                return last
            return ctx.last_of_type(sent.start, types)
        return unknown
    nearest = found[-1]
    for outer in found[:-1]:
        opener = _RELATIVE.match(ctx.doc.text[outer.end:nearest.start])
        if opener:
            close = ctx.doc.text.find(",", outer.end + opener.end(), q.start)
            if close != -1 and close >= nearest.end:
                return outer  # "Broadcom, dont les puces ... de Google, a chuté de 17 %"
    return nearest


_LIST = re.compile(rf"(?P<list>{_NAME}(?:\s*,\s*{_NAME})*\s*,?\s+(?:and|et)\s+{_NAME})")


def listed_names(ctx: Context, start: int, end: int) -> list[Mention]:
    """'Goodman Group and Macquarie Technology Group dropped ...': the names of a list, known or new."""
    text = ctx.doc.text[start:end]
    found = list(_LIST.finditer(text))
    if not found:
        return []
    lst = found[-1]
    out = []
    for part in re.finditer(rf"{_NAME}", lst.group("list")):
        if part.group(0) in ("and", "et"):
            continue
        at = start + lst.start("list") + part.start()
        known = [m for m in ctx.mentions_in(at, at + len(part.group(0)), SUBJECT_TYPES)]
        out.append(known[0] if known else ctx.new_entity(
            part.group(0), "MarketIndex" if _INDEX_NAME.search(part.group(0)) else "Company", 0.55, at))
    return out
