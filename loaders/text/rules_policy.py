"""Policies (export controls, Stargate, the CHIPS Act) and the causes of market events.

Generic phrases such as "restrictions d'exportation" or "export controls" name
the US controls when the United States is in view and no other country issues
them in the sentence ("Beijing tightened export controls" is not); who imposed or
announced a policy, whom it targets and how much it invests come from the
same sentence. The cause of a market event ("déclenchée par", "sparked by",
"after ...") becomes triggered_by on the trading day's Event.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.segment import Sentence

EXPORT_CONTROL = re.compile(r"(restrictions?|contrôles?|interdiction|embargo|limitations?|règles?|limites?)"
                            r"(\s+\w+)?\s+(d['’]|à l['’]|sur les |aux )\s*exportations?|export (controls?|restrictions?|"
                            r"curbs?|ban|rules?|limits?)|chip (curbs|controls|restrictions|export rules)|"
                            r"(limits|restrictions|curbs|controls) on (the )?exports?|entity list|liste noire", re.I)
BY = re.compile(r"\b(published|issued|adopted|imposed|signed|enacted|promulgated|unveiled|introduced|announced|"
                r"drafted|written|publiée?s?|émise?s?|adoptée?s?|imposée?s?|signée?s?|promulguée?s?|annoncée?s?|"
                r"dévoilée?s?|instaurée?s?|décidée?s?|édictée?s?)\s+(?:by|par)\s+", re.I)
PASSIVE_TARGET = re.compile(r"\b(visée?s?|ciblée?s?|frappée?s?|touchée?s?|concernée?s?|soumise?s? aux?|"
                            r"targeted|hit|covered|caught|restricted)\s+(?:par|by)?\s*$", re.I)
ISSUE = re.compile(r"\b(impos\w*|introdu\w*|adopt\w*|annonc\w*|unveil\w*|tighten\w*|durci\w*|renforc\w*|"
                   r"élargi\w*|expand\w*|instaur\w*|mis en place|put in place|issued|publié\w*|émis|"
                   r"enacted|signed|signé|passed|voté)\b", re.I)
TARGET = re.compile(r"\b(vers|to|on|against|visant|targeting|aimed at|à destination de|sur|contre|"
                    r"à l['’]encontre de|for|cibl\w*|including|dont|notamment|such as|comme|target\w*)\s+"
                    r"(la |le |les |l['’]|the )?$", re.I)
ANNOUNCE = re.compile(r"\b(annonc\w*|announc\w*|unveil\w*|dévoil\w*|présent\w*|launch\w*|lanc\w*|"
                      r"l['’]annonce)\b", re.I)
CAUSE = re.compile(r"\b(déclench\w*|provoqu\w*|caus\w*|alimenté\w*|suscité\w*|trigger\w*|spark\w*|"
                   r"driven by|fueled by|fuelled by|prompted by|set off|à cause de|en raison de|due to|"
                   r"sur fond de|in response to|en réaction à|après que|after|following|amid|dans le sillage)\b", re.I)
EVENT_WORDS = re.compile(r"\b(vente|ventes|selloff|sell-?off|chute|krach|rout|plunge|slump|décrochage|"
                         r"dégringolade|débâcle|baisse|panique|panic|tumble|crash|rally|rebond|slide|slid|"
                         r"slumped|sold|tumbled|fell|plunged|sanctionnée?s?|dégâts|casse|repli|recul)\b", re.I)
MARKET_WORDS = re.compile(r"\b(actions|titres|valeurs|shares|stocks|séance|session|Bourse|investisseurs|"
                          r"investors|traders|markets?|marchés?|Wall Street|Nasdaq|indices|index)\b", re.I)
USA = "usa"


def _policies(ctx: Context, sent: Sentence) -> list[Mention]:
    found = ctx.mentions_in(sent.start, sent.end, ("Policy",))
    generic = EXPORT_CONTROL.search(sent.text)
    if generic and not any(m.start <= sent.start + generic.start() < m.end for m in found):
        us_in_view = any(m.entity == USA for m in ctx.mentions) or bool(
            re.search(r"Washington|Commerce Department|département américain|Maison-Blanche|White House",
                      ctx.doc.text))
        ent = ctx.gazetteer.entities.get("us_export_controls")
        if us_in_view and ent is not None:
            cue = Mention(sent.start + generic.start(), sent.start + generic.end(), generic.group(0),
                          ent.id, "Policy", "cue", 0.7)
            if not any(m.type == "Country" and m.entity != USA for m in _issuers(ctx, sent, cue)):
                found.append(cue)  # "China ... would tighten export controls" is not the US's
    return found


def _issuers(ctx: Context, sent: Sentence, pol: Mention) -> list[Mention]:
    out = []
    head = ctx.doc.text[sent.start:pol.start]
    verb = list(ISSUE.finditer(head))
    if verb:
        found = ctx.mentions_in(sent.start, sent.start + verb[-1].start(), ("Country", *ORG_TYPES))
        out.extend(found[-1:])
    by = BY.search(ctx.doc.text[pol.end:sent.end])
    if by and by.start() < 120:
        at = pol.end + by.end()
        found = ctx.mentions_in(at, min(sent.end, at + 80), ("Country", "Person", *ORG_TYPES))
        out.extend(found[:1])
    around = ctx.mentions_in(max(sent.start, pol.start - 15), min(sent.end, pol.end + 15), ("Country",))
    out.extend(m for m in around if ctx.doc.text[m.start:m.end][:1].islower() or
               ctx.doc.text[m.start:m.end] in ("US", "U.S.", "American", "américains", "américaines"))
    return out


def _targets(ctx: Context, sent: Sentence, pol: Mention) -> list[Mention]:
    out = [c for c in ctx.mentions_in(pol.end, sent.end, ("Country", "Product", *ORG_TYPES))
           if TARGET.search(ctx.doc.text[max(pol.end, c.start - 30):c.start])]
    head = ctx.doc.text[sent.start:pol.start]
    if PASSIVE_TARGET.search(re.sub(r"\s*(les|the|des|aux?)\s*$", "", head)):
        out.extend(ctx.mentions_in(sent.start, pol.start, ("Product",))[:1])
    return out


def extract_policy(ctx: Context, sent: Sentence) -> None:
    for pol in _policies(ctx, sent):
        for issuer in _issuers(ctx, sent, pol):
            if issuer.entity != pol.entity:
                ctx.add_fact(sent, "policy", ctx.use(pol), "issued_by", ctx.use(issuer), confidence=0.7)
        for target in _targets(ctx, sent, pol):
            ctx.add_fact(sent, "policy", ctx.use(pol), "targets", ctx.use(target), confidence=0.65)
        announce = ANNOUNCE.search(sent.text)
        if announce:
            by = re.search(r"\b(?:par|by)\s+", sent.text[announce.end():announce.end() + 90])
            people = ctx.mentions_in(sent.start, sent.end, ("Person",)) or _person_near(ctx, sent)
            if by:
                at = sent.start + announce.end() + by.end()
                people = ctx.mentions_in(at, at + 40, ("Person", *ORG_TYPES)) or people
            for p in people[:1]:
                ctx.add_fact(sent, "policy", ctx.use(pol), "announced_by", ctx.use(p), confidence=0.65)
        money = [q for q in ctx.quantities(sent) if q.unit not in (None, "percent", "pp") and q.value > 0]
        adjacent = [q for q in money if 0 <= pol.start - q.end <= 6]  # "the $500 billion Stargate project"
        if money and len(ctx.mentions_in(sent.start, sent.end, ("Policy",))) == 1 and (adjacent or
                re.search(r"invest|spend|dépens|mobilis|budget|fund|financ", sent.text, re.I)):
            q = adjacent[0] if adjacent else min(money, key=lambda x: abs(x.start - pol.start))
            ctx.add_fact(sent, "policy", ctx.use(pol), "investment", value=q.value, unit=q.unit,
                         qualifier=q.qualifier, confidence=0.6)


def _person_near(ctx: Context, sent: Sentence) -> list[Mention]:
    from kg.loaders.text.people import person_at
    m = re.search(r"\b(président|president|PDG|CEO|ministre|minister|secrétaire|secretary)\s+", sent.text, re.I)
    if not m:
        return []
    p = person_at(ctx, sent.text[m.end():m.end() + 60], sent.start + m.end())
    return [p] if p is not None else []


SHOCK_AFTER = re.compile(r"^[\s’'s]*(?:shock|scare|storm|effect|moment|rout|sell-?off|selloff|earthquake|"
                         r"jolt|surprise|fears?|threat|panic)\b", re.I)
SHOCK_BEFORE = re.compile(r"\b(?:choc|tempête|effet|onde de choc|séisme|secousse|panique|menace|"
                          r"coup de tonnerre|raz-de-marée)\s+(?:provoquée?s?\s+par\s+|de\s+|du\s+|d['’]\s*)?"
                          r"(?:la |le |l['’]|les )?(?:[\w\-]+\s+){0,3}$", re.I)
CAUSE_TYPES = (*ORG_TYPES, "AIModel", "Policy", "Event", "Product")
NEAR_CAUSE = re.compile(r"\b(?:as|après|in the wake of|on the back of|(?:on |sur fond de )?(?:fears?|concerns?|"
                        r"worries|craintes?|inquiétudes?)\s+(?:that|about|over|sur|que|qu['’]|liées? à|autour de))\b",
                        re.I)


def extract_causes(ctx: Context, sent: Sentence, has_moves: bool) -> None:
    """Collect what the text says set a market event off; `settle_causes` picks one per day."""
    if sent.headline:
        return
    market = has_moves or EVENT_WORDS.search(sent.text) or MARKET_WORDS.search(sent.text)
    if not market:
        return
    for cue in CAUSE.finditer(sent.text):
        strong = cue.group(0).lower() not in ("after", "following", "amid", "après que")
        after = [m for m in ctx.mentions_in(sent.start + cue.end(), min(sent.end, sent.start + cue.end() + 200),
                                            CAUSE_TYPES)]
        if after:
            _candidate(ctx, sent, after[0], 3 if strong else 2, sent.start + cue.start())
    for cue in NEAR_CAUSE.finditer(sent.text):
        near = ctx.mentions_in(sent.start + cue.end(), min(sent.end, sent.start + cue.end() + 45), CAUSE_TYPES)
        if near and (has_moves or EVENT_WORDS.search(sent.text)):
            _candidate(ctx, sent, near[0], 2, sent.start + cue.start())
    for m in ctx.mentions_in(sent.start, sent.end, CAUSE_TYPES):
        if SHOCK_AFTER.match(ctx.doc.text[m.end:m.end + 20]) or SHOCK_BEFORE.search(ctx.doc.text[sent.start:m.start]):
            _candidate(ctx, sent, m, 3, m.start)


def _candidate(ctx: Context, sent: Sentence, cause: Mention, score: int, at: int) -> None:
    if ctx.entities.get(cause.entity, None) is not None and ctx.entities[cause.entity].type == "Event":
        return
    moves = [f for f in ctx.facts if f.p in ("fell_by", "rose_by") and f.evidence
             and f.evidence[0].span == (sent.start, sent.end)]
    date = moves[-1].date if moves else ctx.fact_date(sent, near=at)
    ctx.causes.append((date, score, cause, sent))


def settle_causes(ctx: Context) -> None:
    """One trigger per trading day with moves: the cause named most strongly and most often."""
    days = {f.date for f in ctx.facts if f.p in ("fell_by", "rose_by") and f.date}
    by_day: dict[str, dict[str, list]] = {}
    for date, score, cause, sent in ctx.causes:
        if date in days:
            by_day.setdefault(date, {}).setdefault(cause.entity, []).append((score, cause, sent))
    for date, options in sorted(by_day.items()):
        best = max(options.values(), key=lambda v: (sum(x[0] for x in v), -v[0][2].start))
        score, cause, sent = best[0]
        ctx.add_fact(sent, "cause", ctx.event(date), "triggered_by", ctx.use(cause),
                     confidence=0.7 if score >= 3 else 0.5)
