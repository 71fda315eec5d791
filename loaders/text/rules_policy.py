"""Policies (export controls, Stargate, the CHIPS Act) and the causes of market events.

Generic phrases such as "restrictions d'exportation" or "export controls" name
the US controls when the United States is the issuer in view; who imposed or
announced a policy, whom it targets and how much it invests come from the
same sentence. The cause of a market event ("déclenchée par", "sparked by",
"after ...") becomes triggered_by on the trading day's Event.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.segment import Sentence

EXPORT_CONTROL = re.compile(r"(restrictions?|contrôles?|interdiction|embargo|limitations?|règles?)\s+"
                            r"(d['’]|à l['’]|sur les |aux )\s*exportations?|export (controls?|restrictions?|"
                            r"curbs?|ban|rules?|limits?)|chip (curbs|controls|restrictions|export rules)|"
                            r"entity list|liste noire", re.I)
ISSUE = re.compile(r"\b(impos\w*|introdu\w*|adopt\w*|annonc\w*|unveil\w*|tighten\w*|durci\w*|renforc\w*|"
                   r"élargi\w*|expand\w*|instaur\w*|mis en place|put in place|issued|publié\w*|émis|"
                   r"enacted|signed|signé|passed|voté)\b", re.I)
TARGET = re.compile(r"\b(vers|to|on|against|visant|targeting|aimed at|à destination de|sur|contre|"
                    r"à l['’]encontre de|for)\s+(la |le |les |l['’])?$", re.I)
ANNOUNCE = re.compile(r"\b(annonc\w*|announc\w*|unveil\w*|dévoil\w*|présent\w*|launch\w*|lanc\w*|"
                      r"l['’]annonce)\b", re.I)
CAUSE = re.compile(r"\b(déclench\w*|provoqu\w*|caus\w*|alimenté\w*|suscité\w*|trigger\w*|spark\w*|"
                   r"driven by|fueled by|fuelled by|prompted by|set off|à cause de|en raison de|due to|"
                   r"sur fond de|in response to|en réaction à|après que|after|following|amid|dans le sillage)\b", re.I)
EVENT_WORDS = re.compile(r"\b(vente|ventes|selloff|sell-?off|chute|krach|rout|plunge|slump|décrochage|"
                         r"dégringolade|débâcle|baisse|panique|panic|tumble|crash|rally|rebond)\b", re.I)
MARKET_WORDS = re.compile(r"\b(actions|titres|valeurs|shares|stocks|séance|session|Bourse|investisseurs|"
                          r"investors|traders|markets?|marchés?|Wall Street|Nasdaq|indices|index)\b", re.I)
USA = "usa"


def _policies(ctx: Context, sent: Sentence) -> list[Mention]:
    found = ctx.mentions_in(sent.start, sent.end, ("Policy",))
    generic = EXPORT_CONTROL.search(sent.text)
    if generic and not any(m.start <= sent.start + generic.start() < m.end for m in found):
        para = " ".join(s.text for s in ctx.sentences if s.paragraph == sent.paragraph)
        us_in_view = any(m.entity == USA for m in ctx.mentions if m.type == "Country"
                         and ctx.doc.text[m.start:m.end] in para) or not ctx.mentions_in(
                             sent.start, sent.end, ("Country",))
        ent = ctx.gazetteer.entities.get("us_export_controls")
        if us_in_view and ent is not None:
            found.append(Mention(sent.start + generic.start(), sent.start + generic.end(), generic.group(0),
                                 ent.id, "Policy", "cue", 0.7))
    return found


def extract_policy(ctx: Context, sent: Sentence) -> None:
    for pol in _policies(ctx, sent):
        head = ctx.doc.text[sent.start:pol.start]
        verb = list(ISSUE.finditer(head))
        if verb:
            issuers = ctx.mentions_in(sent.start, sent.start + verb[-1].start(), ("Country", *ORG_TYPES))
            if issuers:
                ctx.add_fact(sent, "policy", ctx.use(pol), "issued_by", ctx.use(issuers[-1]), confidence=0.7)
        for c in ctx.mentions_in(pol.end, sent.end, ("Country", *ORG_TYPES)):
            if TARGET.search(ctx.doc.text[max(pol.end, c.start - 30):c.start]):
                ctx.add_fact(sent, "policy", ctx.use(pol), "targets", ctx.use(c), confidence=0.65)
        if ANNOUNCE.search(sent.text):
            people = ctx.mentions_in(sent.start, sent.end, ("Person",)) or _person_near(ctx, sent)
            for p in people[:1]:
                ctx.add_fact(sent, "policy", ctx.use(pol), "announced_by", ctx.use(p), confidence=0.65)
        money = [q for q in ctx.quantities(sent) if q.unit not in (None, "percent", "pp") and q.value > 0]
        if money and len(ctx.mentions_in(sent.start, sent.end, ("Policy",))) == 1:
            q = min(money, key=lambda x: abs(x.start - pol.start))
            ctx.add_fact(sent, "policy", ctx.use(pol), "investment", value=q.value, unit=q.unit,
                         qualifier=q.qualifier, confidence=0.6)


def _person_near(ctx: Context, sent: Sentence) -> list[Mention]:
    from kg.loaders.text.people import person_at
    m = re.search(r"\b(président|president|PDG|CEO|ministre|minister|secrétaire|secretary)\s+", sent.text, re.I)
    if not m:
        return []
    p = person_at(ctx, sent.text[m.end():m.end() + 60], sent.start + m.end())
    return [p] if p is not None else []


def extract_causes(ctx: Context, sent: Sentence, has_moves: bool) -> None:
    cue = CAUSE.search(sent.text)
    if not cue or sent.headline:
        return
    strong = cue.group(0).lower() not in ("after", "following", "amid", "après que")
    market = MARKET_WORDS.search(sent.text[:cue.start()])
    if not (EVENT_WORDS.search(sent.text[:cue.start()]) or ((has_moves or market) and not strong)):
        return
    after = ctx.mentions_in(sent.start + cue.end(), sent.end, (*ORG_TYPES, "AIModel", "Policy", "Event"))
    after = [m for m in after if m.type != "Country"]
    if not after:
        return
    event = ctx.event(ctx.fact_date(sent))
    if event is not None:
        ctx.add_fact(sent, "cause", event, "triggered_by", ctx.use(after[0]),
                     confidence=0.7 if strong else 0.5)
