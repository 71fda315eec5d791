"""Who said what, and who works where: quotes, attributions and appositions.

A quote is attributed to the speaker named next to it ("..., a déclaré X",
"X said: ...", "according to X"). A statement relayed by someone ("Selon X,
Nvidia publie une déclaration: ...") belongs to its author (Nvidia), and the
relayer only comments on the author. The quote's subject is the entity it
names, else the one the attribution names ("sur Y", "about Y"), else the
article's topic. Appositions give employers and roles ("X, analyste chez Y",
"Y analyst X", "Y's X") and places ("based in Singapore", "basé à Singapour").
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.people import NAME_START, ROLE_WORDS, clean_role, org_at, person_at
from kg.loaders.text.segment import Sentence

QUOTE = re.compile(r"«([^»]{8,})»|“([^”]{8,})”|\"([^\"]{8,})\"|‘([^’]{8,}?)’(?!\w)")
SAY = (r"observe|résume|relève|tranche|rappelle|poursuit|conclut|insiste|avertit|ironise|reconnaît|"
       r"précise|confie|lance|assure|analyse|constate|commente|juge|souligne|nuance|tempère|"
       r"a observé|a résumé|a relevé|a tranché|a rappelé|a poursuivi|a conclu|a insisté|a reconnu|"
       r"a précisé|a lancé|a assuré|a constaté|a nuancé|a qualifié|qualifie|called|described|termed|"
       r"a déclaré|a dit|a écrit|a affirmé|a estimé|a expliqué|a ajouté|a souligné|a indiqué|a commenté|"
       r"a averti|a noté|a jugé|a prévenu|a résumé|a confié|a observé|a tweeté|déclare|explique|estime|"
       r"souligne|ajoute|affirme|note|prévient|écrit|indique|said|says|wrote|writes|told|added|noted|"
       r"explained|warned|commented|argued|cautioned|observed|tweeted|posted|remarked|stated")
AFTER = re.compile(rf"^[\s,»”\"]*(?:{SAY})\b[\s,]*(?P<who>[^.;!?«“]*)", re.I)
AFTER_NAME = re.compile(rf"^[\s,»”\"]*(?P<who>[^.;!?«“\"]{{2,160}}?)\s+(?:{SAY})\b(?P<rest>[^.;!?«“]*)", re.I)
PRONOUN = re.compile(r"^\s*(he|she|il|elle|they|ils|elles)\s*$", re.I)
INDIRECT = re.compile(rf"\b(?:{SAY}|believes|thinks|expects|estime|pense|juge|considère|croit)\b\s+"
                      rf"(?:that |que |qu['’])?(?P<clause>[^«“\"]+)$", re.I)
NAME_SAYS = re.compile(NAME_START + rf"(?P<name>[A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-]+){{1,3}})\s+(?:{SAY})\b")
BEFORE = re.compile(rf"(?P<who>[^.;!?»”]*?)\s*,?\s*(?:{SAY}|publie une déclaration|a publié une déclaration|"
                    rf"issued a statement|in a statement|dans un communiqué|in a note|dans une note)\b"
                    rf"(?P<about>[^«“\"]*)[:,]?\s*$", re.I)
ACCORDING = re.compile(r"\b(?:selon|d['’]après|according to|as indicated by|as per|per|pour)\s+"
                       r"(?P<who>[^,:;«“\"]+)", re.I)
POLICY_ANAPHORA = re.compile(r"\b(the (?:rule|measure|policy|law|regulation|framework|ban|curbs?)|"
                             r"la (?:mesure|règle|loi|réglementation|politique)|le (?:texte|dispositif|décret))\b", re.I)
ROLE = re.compile(rf"(?P<role>[\w\-’' ]{{0,50}}?\b(?:{ROLE_WORDS})\b[\w\-’' ]{{0,40}}?)"
                  r"\s+(?:at|of|with|chez|à|au|aux|de|du|des|d['’]|auprès de|for|pour)\s*"
                  r"(?P<org>(?:[A-ZÀ-Ý]|(?:la |le |l['’]|the |a |an |une? )?(?:\w+ )?(?:société|firme|cabinet|"
                  r"firm|company|banque|bank|groupe|group|maison|fonds|fund|boutique|house|institut|institute)\b)"
                  r"[^,;.]*)")
PLACE = re.compile(r"(?:basée?s? à|based in|installée?s? à|headquartered in)\s+(?P<place>[A-ZÀ-Ý][\w\-]+)|"
                   r"(?P<place2>[A-ZÀ-Ý][\w\-]+)-based", re.I)
ABOUT = re.compile(r"\b(?:sur|about|on|concernant|regarding|au sujet de)\s+(?P<what>.+)$", re.I)


def _subject_of_quote(ctx: Context, qstart: int, qend: int, about: str, about_at: int,
                      speaker: Mention, employer: Mention | None) -> str | None:
    skip = {speaker.entity, employer.entity if employer else None, ctx.employers.get(speaker.entity)}
    for m in ctx.mentions_in(about_at, about_at + len(about)):
        if m.type not in ("Country", "Event") and m.entity not in skip:
            return ctx.use(m)
    if POLICY_ANAPHORA.search(about) or POLICY_ANAPHORA.search(ctx.doc.text[qstart:qend]):
        policy = ctx.last_of_type(about_at or qstart, ("Policy",))
        if policy is not None:
            return ctx.use(policy)
    inside = [m for m in ctx.mentions_in(qstart, qend) if m.type not in ("Country",) and m.entity not in skip]
    if inside:
        counts: dict[str, int] = {}
        for m in inside:
            counts[m.entity] = counts.get(m.entity, 0) + 1
        best = max(inside, key=lambda m: (counts[m.entity], -m.start))
        return ctx.use(best)
    local = _local_topic(ctx, qstart, skip)
    if local is not None:
        return local
    if ctx.topic in skip:
        return None
    return ctx.topic


def _local_topic(ctx: Context, pos: int, skip: set) -> str | None:
    """The entity the surrounding paragraph talks about most (a quote about 'it')."""
    para = next((s.paragraph for s in ctx.sentences if s.start <= pos < s.end + 1), None)
    sents = [s for s in ctx.sentences if s.paragraph == para and s.start <= pos]
    counts: dict[str, int] = {}
    for sent in sents:
        for m in ctx.mentions_in(sent.start, min(sent.end, pos), (*ORG_TYPES, "AIModel", "Policy", "MarketIndex")):
            if m.entity not in skip:
                counts[m.entity] = counts.get(m.entity, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda e: counts[e])
    return ctx.use(next(m for m in ctx.mentions if m.entity == best))


DESCRIPTOR = re.compile(r"^(?:la |le |l'|l’|the |a |an |une? )?(?:\w+ )?(?:société|firme|cabinet|firm|company|"
                        r"banque|bank|groupe|group|maison|fonds|fund|boutique|house|institut|institute)\b", re.I)


def _employment(ctx: Context, sent: Sentence, person: Mention, text: str, offset: int) -> Mention | None:
    """Employer and role from an apposition next to the person's name."""
    lead = ctx.mentions_in(offset, offset + len(text), ORG_TYPES)
    if lead and lead[0].start - offset <= 4:
        poss = re.match(r"['’]s\s+(?P<role>[^,;]{2,60})", ctx.doc.text[lead[0].end:offset + len(text)])
        if poss:  # "Ned Finkle, Nvidia's vice president of government affairs"
            ctx.add_fact(sent, "works-for", ctx.use(person), "works_for", ctx.use(lead[0]),
                         role=clean_role(poss.group("role")), confidence=0.75)
            return lead[0]
    m = ROLE.search(text)
    if m:
        org_text, org_at_ = m.group("org"), offset + m.start("org")
        rest = text[m.end("org"):]
        named = re.match(r"\s*,\s*([^,;.]+)", rest)
        if org_text[:1].islower() and DESCRIPTOR.match(org_text) and named and not ctx.mentions_in(org_at_, org_at_ + len(org_text), ORG_TYPES):
            org_text, org_at_ = named.group(1), offset + m.end("org") + named.start(1)
        org = org_at(ctx, org_text, org_at_)
        if org is not None and org.type in ORG_TYPES:
            ctx.add_fact(sent, "works-for", ctx.use(person), "works_for", ctx.use(org),
                         role=clean_role(m.group("role")), confidence=0.8)
            return org
    return None


def _place(ctx: Context, sent: Sentence, person: Mention, text: str, offset: int) -> None:
    m = PLACE.search(text)
    if not m:
        return
    group = "place" if m.group("place") else "place2"
    for c in ctx.mentions_in(offset + m.start(group), offset + m.end(group), ("Country",)):
        ctx.add_fact(sent, "based-in", ctx.use(person), "based_in", ctx.use(c), confidence=0.7)


def _comment(ctx: Context, sent: Sentence, speaker: Mention, quote: tuple[int, int], context: str,
             offset: int, about: str = "", about_at: int = 0) -> None:
    employer = None
    if speaker.type == "Person":
        employer = _employment(ctx, sent, speaker, context, offset)
        _place(ctx, sent, speaker, context, offset)
    ctx.last_speaker = speaker
    obj = _subject_of_quote(ctx, quote[0], quote[1], about, about_at, speaker, employer)
    if obj and obj != speaker.entity:
        text = ctx.doc.text[quote[0]:quote[1]].strip(" «»“”\"")
        ctx.add_fact(sent, "quotes", ctx.use(speaker), "comments_on", obj, quote=text,
                     confidence=0.75)


ANAPHORA = re.compile(r"\b(la société|l['’]entreprise|le groupe|la firme|la start-?up|the company|the firm|"
                      r"the group|the startup|the lab|le laboratoire)\b", re.I)


def _speaker(ctx: Context, text: str, offset: int) -> Mention | None:
    if PRONOUN.match(text):
        return ctx.last_speaker or ctx.last_of_type(offset, ("Person",))
    person = person_at(ctx, text, offset)
    if person is not None:
        return person
    orgs = ctx.mentions_in(offset, offset + len(text), ORG_TYPES)
    if orgs:
        return orgs[-1]
    if ANAPHORA.search(text):
        return ctx.last_of_type(offset, ORG_TYPES)
    return None


def _last_clause(who: str) -> int:
    """Where the clause that holds the speaker starts ('..., mais la société a déclaré')."""
    cuts = [m.end() for m in re.finditer(r",\s*(?:mais|but|et|and|while|tandis que|alors que)\s+|;\s*", who)]
    return cuts[-1] if cuts else 0


def extract_quotes(ctx: Context, sent: Sentence) -> None:
    if not QUOTE.search(sent.text):
        _according(ctx, sent, None)
    for q in QUOTE.finditer(sent.text):
        qs, qe = sent.start + q.start(), sent.start + q.end()
        if _attributed_after(ctx, sent, q, (qs, qe)):
            continue
        _attributed_before(ctx, sent, q, (qs, qe))


def _attributed_after(ctx: Context, sent: Sentence, q: re.Match, span: tuple[int, int]) -> bool:
    """'«...», a déclaré X, analyste chez Y' and '"...," X, an analyst at Y, said'."""
    after = sent.text[q.end():]
    for pattern in (AFTER, AFTER_NAME):
        m = pattern.match(after)
        if not m or not m.group("who").strip():
            continue
        at = sent.start + q.end() + m.start("who")
        speaker = _speaker(ctx, m.group("who"), at)
        if speaker is None:
            continue
        context = m.group("who") + (m.group("rest") if "rest" in m.groupdict() else "")
        _comment(ctx, sent, speaker, span, context, at)
        return True
    return False


def _attributed_before(ctx: Context, sent: Sentence, q: re.Match, span: tuple[int, int]) -> None:
    """'X said: «...»', 'Selon X, Y publie une déclaration sur Z: «...»'."""
    m = BEFORE.search(sent.text[:q.start()])
    if not m:
        _according(ctx, sent, span)
        return
    who, at = m.group("who"), sent.start + m.start("who")
    relay = ACCORDING.search(who)
    relayer = person_at(ctx, relay.group("who"), at + relay.start("who")) if relay else None
    tail = _last_clause(who)
    speaker = (_author(ctx, who, at, relayer) or _speaker(ctx, who[tail:], at + tail)
               or _speaker(ctx, who, at))
    if speaker is None:
        return
    about = ABOUT.search(m.group("about") or "")
    about_text = about.group("what") if about else (m.group("about") or "")
    about_at = sent.start + m.start("about") + (about.start("what") if about else 0)
    _comment(ctx, sent, speaker, span, who, at, about_text, about_at)
    if relayer is not None and relayer.entity != speaker.entity:
        ctx.add_fact(sent, "quotes-relay", ctx.use(relayer), "comments_on", ctx.use(speaker), confidence=0.5)


def _according(ctx: Context, sent: Sentence, span: tuple[int, int] | None) -> bool:
    """'According to X of Y, ...' / 'selon X, stratégiste chez Y' / '..., as indicated by X, an expert at Y'."""
    m = ACCORDING.search(sent.text)
    if not m:
        return False
    at = sent.start + m.start("who")
    speaker = person_at(ctx, m.group("who"), at)
    if speaker is None or speaker.type != "Person":
        return False
    tail = ctx.doc.text[speaker.end:sent.end]
    employer = None
    app = re.match(r"\s*(?:,\s*)?(?P<app>(?:of|de|chez|at|from)\s+[^,;]+|[^,;]+)", tail)
    if app:
        text = app.group("app")
        employer = _employment(ctx, sent, speaker, text if ROLE.search(text) else f"analyst {text}",
                               speaker.end + app.start("app") - (0 if ROLE.search(text) else len("analyst ")))
    ctx.last_speaker = speaker
    skip = {speaker.entity, employer.entity if employer else None}
    quote = span or (sent.start, sent.end)
    obj = _subject_of_quote(ctx, quote[0], quote[1], "", 0, speaker, employer) if span else None
    if obj is None:
        outside = [x for x in ctx.mentions_in(sent.start, sent.end) if not (at <= x.start < speaker.end + 60)
                   and x.type not in ("Country", "Event", "Person") and x.entity not in skip]
        obj = ctx.use(outside[0]) if outside else _local_topic(ctx, sent.start, skip)
    if obj and obj != speaker.entity:
        ctx.add_fact(sent, "quotes-according", ctx.use(speaker), "comments_on", obj, confidence=0.6)
    return True


def _author(ctx: Context, who: str, at: int, relayer: Mention | None) -> Mention | None:
    """In 'Selon X, Y publie ...' the author is the entity named after the relayer X."""
    if relayer is None:
        return None
    after = [m for m in ctx.mentions_in(relayer.end, at + len(who)) if m.type in (*ORG_TYPES, "Person")]
    return after[-1] if after else None
