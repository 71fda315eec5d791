"""Corporate facts: founding, models and what they cost, rivals, chips used and made.

Each rule reads one sentence; the subject of a clause is the entity named
before its verb or, for "the company" / "la société" / "le modèle", the last
entity of the right type named before (the article's topic for a company).
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.people import NAME_START
from kg.loaders.text.segment import Sentence

FOUNDED_YEAR = re.compile(r"\b(?:fondée?s?|créée?s?|founded|co-founded|established|set up|started|"
                          r"lancée?s?|launched)\s+(?:en|in)\s+(?P<year>(?:19|20)\d\d)\b", re.I)
FOUNDED_BY = re.compile(r"\b(?:fondée?s?|créée?s?|cofondée?s?|co-?fondée?s?|founded|co-founded|"
                        r"set up|started)\b(?:\s+[^\s.,;]+){0,5}?\s+(?:par|by)\s+(?P<who>[^.;]+)", re.I)
FOUNDED_ORG_YEAR = re.compile(r"\b(?:co-?)?(?:founded|cofounded|fonda|a fondé|a cofondé|established|created|"
                              r"a créé)\s+(?P<org>[A-ZÀ-Ý][\w\-&]*(?:\s+[A-ZÀ-Ý][\w\-&]*){0,3})\s+(?:in|en)\s+"
                              r"(?P<year>(?:19|20)\d\d)\b")
FOUNDER_CLAUSE = re.compile(NAME_START + r"(?P<person>[A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-]+){1,3}),?\s+(?:who|qui)\s+"
                            r"(?:a\s+)?(?:co-?)?(?:founded|cofounded|fonda|fondé|cofondé|established|created|créé)\s+"
                            r"(?P<org>[A-ZÀ-Ý][\w\-&]*(?:\s+[A-ZÀ-Ý][\w\-&]*){0,3})")
FOUNDED_OBJECT = re.compile(NAME_START + r"(?<!&)(?P<org>[A-ZÀ-Ý][\w\-&]*(?:\s+[A-ZÀ-Ý][\w\-&]*){0,3})[^.;]{0,80}?\bque\s+"
                            r"(?P<person>[A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-]+){1,3})\s+a\s+(?:co-?)?fondée?")
DEVELOP = re.compile(r"\b(dévoil\w*|lanc\w*|publi\w*|présent\w*|annonc\w*|développ\w*|sorti\w*|conçu\w*|"
                     r"mis au point|released?|unveil\w*|launch\w*|introduc\w*|develop\w*|built|rolled out|"
                     r"debut\w*|shipped|open-sourced|trained)\b", re.I)
COST = re.compile(r"\b(co[ûu]t\w*|cost\w*|spent|dépens\w*|price tag|budget)\b", re.I)
TRAIN = re.compile(r"entraîn\w*|entrain\w*|formation|training|to train|développer|to develop|to build|"
                   r"pour le créer|build it", re.I)
HEDGE = re.compile(r"\b(aurait|auraient|reportedly|reported|said to|would have|estimat\w*|estim\w*|"
                   r"selon les estimations|claimed|affirme avoir|prétend)\b", re.I)
COMPARE = re.compile(r"\b(opponent|adversaire|alternative to|alternative à|en comparaison|par comparaison|by comparison|in comparison|compared (with|to)|"
                     r"comparé\w* à|rival\w*|concurren\w*|compet\w*|challenger\w*|face à|versus|vs\.?|"
                     r"take on|taking on|s'attaque à|défie\w*|challenge\w*)\b", re.I)
ANAPHORA_ORG = re.compile(r"\b(la société|l'entreprise|l’entreprise|la start-?up|le groupe|la firme|"
                          r"the company|the firm|the startup|the start-up|the group|the lab)\b", re.I)
ANAPHORA_MODEL = re.compile(r"\b(le modèle|ce modèle|the model|this model|it)\b", re.I)
def _org_before(ctx: Context, sent: Sentence, pos: int) -> Mention | None:
    found = ctx.mentions_in(sent.start, pos, ORG_TYPES)
    if found:
        return found[-1]
    head = ctx.doc.text[sent.start:pos]
    if ANAPHORA_ORG.search(head) and ctx.topic and ctx.gazetteer.entities.get(ctx.topic, None) is not None:
        topic = ctx.gazetteer.entities[ctx.topic]
        if topic.type in ORG_TYPES:
            return Mention(sent.start, sent.start, topic.name, topic.id, topic.type, "anaphora", 0.7)
    last = ctx.last_of_type(sent.start, ORG_TYPES)
    return last if last is not None and ANAPHORA_ORG.search(head) else None


def extract_founding(ctx: Context, sent: Sentence) -> None:
    from kg.loaders.text.people import person_at
    for m in FOUNDED_YEAR.finditer(sent.text):
        org = _org_before(ctx, sent, sent.start + m.start())
        if org is not None:
            ctx.add_fact(sent, "founded", ctx.use(org), "founded_in", value=int(m.group("year")),
                         unit="year", confidence=0.8)
    for m in FOUNDED_ORG_YEAR.finditer(sent.text):
        at = sent.start + m.start("org")
        orgs = ctx.mentions_in(at, at + len(m.group("org")), ORG_TYPES)
        if orgs:
            ctx.add_fact(sent, "founded", ctx.use(orgs[0]), "founded_in", value=int(m.group("year")),
                         unit="year", confidence=0.75)
    for m in FOUNDED_BY.finditer(sent.text):
        org = _org_before(ctx, sent, sent.start + m.start())
        who_at = sent.start + m.start("who")
        for founder in _founders(ctx, m.group("who"), who_at):
            if org is not None and founder.entity != org.entity:
                ctx.add_fact(sent, "founded", ctx.use(org), "founded_by", ctx.use(founder), confidence=0.75)
    for m in FOUNDER_CLAUSE.finditer(sent.text):
        person = person_at(ctx, m.group("person"), sent.start + m.start("person"))
        at = sent.start + m.start("org")
        orgs = ctx.mentions_in(at, at + len(m.group("org")), ORG_TYPES)
        if person is not None and orgs:
            ctx.add_fact(sent, "founded", ctx.use(orgs[0]), "founded_by", ctx.use(person), confidence=0.7)
    for m in FOUNDED_OBJECT.finditer(sent.text):
        at = sent.start + m.start("org")
        orgs = ctx.mentions_in(at, at + len(m.group("org")), ORG_TYPES)
        person = person_at(ctx, m.group("person"), sent.start + m.start("person"))
        if person is not None and orgs:
            ctx.add_fact(sent, "founded", ctx.use(orgs[-1]), "founded_by", ctx.use(person), confidence=0.65)


def _founders(ctx: Context, who: str, at: int) -> list[Mention]:
    from kg.loaders.text.people import person_at
    out = []
    offset = 0
    for part in re.split(r"(\s+(?:et|and)\s+|,\s+)", who):
        if re.fullmatch(r"\s+(?:et|and)\s+|,\s+", part):
            offset += len(part)
            continue
        found = person_at(ctx, part, at + offset)
        if found is None and part[:1].isupper():
            orgs = ctx.mentions_in(at + offset, at + offset + len(part), ORG_TYPES)
            found = orgs[0] if orgs and orgs[0].start == at + offset else None
        if found is not None:
            out.append(found)
        elif out:
            break  # the list of founders is over
        offset += len(part)
    return out


def extract_models(ctx: Context, sent: Sentence) -> None:
    models = ctx.mentions_in(sent.start, sent.end, ("AIModel",))
    for model in models:
        left = ctx.doc.text[sent.start:model.start]
        right = ctx.doc.text[model.end:min(sent.end, model.end + 12)]
        owner = None
        right = ctx.doc.text[model.end:min(sent.end, model.end + 45)]
        own = re.match(r"\s*(?:,\s*(?:le |la |the |un |une |a |an )?[\w\s\-]{0,25}?)?(?:d['’]|de |of |from |by |"
                       r"développé par |developed by )", right)
        if own:
            nxt = ctx.mentions_in(model.end, model.end + 40, ORG_TYPES)
            owner = nxt[0] if nxt else None
        if owner is None and re.search(r"['’]s\s+(?:[\w\-]+\s+){0,4}$", left):
            prev = ctx.mentions_in(sent.start, model.start, ORG_TYPES)
            owner = prev[-1] if prev else None
        poss = re.search(r"\b(its|their|son|sa|ses|leur|leurs)\s+(?:[\w\-]+\s+){0,4}$", left, re.I)
        if owner is None and poss:
            owner = _clause_subject(ctx, sent, sent.start + poss.start()) or _topic_org(ctx)
        if owner is None:
            verb = [v for v in DEVELOP.finditer(left)]
            if verb:
                prev = ctx.mentions_in(sent.start, sent.start + verb[-1].start(), ORG_TYPES)
                owner = prev[-1] if prev else None
        if owner is not None:
            ctx.add_fact(sent, "models", ctx.use(owner), "developed", ctx.use(model), confidence=0.75)


CLAUSE = re.compile(r"\b(?:that|which|who|as|while|whereas|que|qu['’]|qui|tandis que|alors que|dont)\b|[;:]", re.I)


def _clause_subject(ctx: Context, sent: Sentence, at: int) -> Mention | None:
    """Whose "its" at `at` is: the first organisation of its clause ("claims that DeepSeek
    trained its R1 model" is DeepSeek's), else of the sentence."""
    head = ctx.doc.text[sent.start:at]
    cuts = [m.end() for m in CLAUSE.finditer(head)]
    for start in ([sent.start + cuts[-1]] if cuts else []) + [sent.start]:
        found = ctx.mentions_in(start, at, ORG_TYPES)
        if found:
            return found[0]
    return None


def _topic_org(ctx: Context) -> Mention | None:
    topic = ctx.gazetteer.entities.get(ctx.topic or "")
    if topic is None or topic.type not in ORG_TYPES:
        return None
    return Mention(0, 0, topic.name, topic.id, topic.type, "topic", 0.6)


def extract_training_cost(ctx: Context, sent: Sentence) -> None:
    if sent.headline or not COST.search(sent.text):
        return
    money = [q for q in ctx.quantities(sent) if q.unit not in (None, "percent", "pp") and q.value > 0]
    if not money:
        return
    models = ctx.mentions_in(sent.start, sent.end, ("AIModel",))
    if models:
        model = models[0]
    elif ANAPHORA_MODEL.search(sent.text) and TRAIN.search(sent.text):
        model = ctx.last_of_type(sent.start, ("AIModel",))
    else:
        model = None
    if model is None or not (TRAIN.search(sent.text) or "model" in sent.text.lower() or "modèle" in sent.text.lower()):
        return
    q = money[0]
    qualifier = "approx" if q.qualifier == "exact" and HEDGE.search(sent.text) else q.qualifier
    ctx.add_fact(sent, "training-cost", ctx.use(model), "training_cost", value=q.value, unit=q.unit,
                 qualifier=qualifier, confidence=0.7)


RIVALS = re.compile(r"\b(?:competes?|competing|rivalise|rivalisent|concurrence)\s+(?:with|against|avec)\s+|"
                    r"\b(?:rivals?|competitors?|concurrents?|challengers?)\s+(?:such as|like|including|comme|"
                    r"tels? que|notamment|to|of|de|d['’])?\s*", re.I)


def _explicit_rivals(ctx: Context, sent: Sentence) -> bool:
    """'X competes with Y', 'X and its rivals such as Y', 'X, a rival of Y'."""
    found = False
    for m in RIVALS.finditer(sent.text):
        at = sent.start + m.end()
        kinds = (*ORG_TYPES, "AIModel")
        after = [x for x in ctx.mentions_in(at, min(sent.end, at + 70), kinds)][:3]
        before = ctx.mentions_in(sent.start, sent.start + m.start(), kinds)
        if not after or not before:
            continue
        a = before[-1]
        for b in after:
            if b.entity != a.entity and b.type == a.type or {a.type, b.type} <= set(ORG_TYPES):
                ctx.add_fact(sent, "competition", ctx.use(a), "competes_with", ctx.use(b), confidence=0.6)
                found = True
    return found


def extract_competition(ctx: Context, sent: Sentence) -> None:
    if not sent.headline and _explicit_rivals(ctx, sent):
        return
    cue = COMPARE.search(sent.text)
    if not cue or sent.headline:
        return
    models = list({m.entity: m for m in ctx.mentions_in(sent.start, sent.end, ("AIModel",))}.values())
    if len(models) == 2:
        ctx.add_fact(sent, "competition", ctx.use(models[0]), "competes_with", ctx.use(models[1]),
                     confidence=0.6)
        return
    orgs = list({m.entity: m for m in ctx.mentions_in(sent.start, sent.end, ORG_TYPES)}.values())
    topic = ctx.gazetteer.entities.get(ctx.topic or "")
    if len(orgs) == 1 and topic is not None and topic.type in ORG_TYPES and orgs[0].entity != topic.id:
        pair = (topic.id, orgs[0].entity)
        sector = {ctx.gazetteer.entities[e].properties.get("sector") for e in pair if e in ctx.gazetteer.entities}
        if len(sector) != 1:
            return
    elif len(orgs) == 2:
        pair = (orgs[0].entity, orgs[1].entity)
    else:
        return
    for m in ctx.mentions_in(sent.start, sent.end, ORG_TYPES):
        ctx.use(m)
    if pair[0] not in ctx.entities and topic is not None:
        ctx.use(Mention(0, 0, topic.name, topic.id, topic.type, "topic", 0.7))
    ctx.add_fact(sent, "competition", pair[0], "competes_with", pair[1], confidence=0.6)


MODEL_CODE = re.compile(r"\b(?P<code>(?:[A-Z][a-z]+[-\s]?)?(?:[A-Za-z]{1,4}-?\d+(?:\.\d+)?[A-Za-z]{0,3}|"
                        r"[A-Z][a-z]+\s\d(?:\.\d)?))\b")
MODEL_WORD = re.compile(r"\b(mod[eè]les?|models?|LLM|chatbot|assistant|raisonnement|reasoning|IA|AI)\b", re.I)


def find_model_codes(ctx: Context) -> list[Mention]:
    """AI models named by a code next to the word 'model' ("its R1 reasoning model", "le modèle R1").

    A code that, prefixed with a lab named in the sentence, is a registry name
    ("DeepSeek" + "R1") resolves to that model; other codes become new models.
    """
    out = []
    taken = [(m.start, m.end) for m in ctx.mentions]
    for sent in ctx.sentences:
        if not MODEL_WORD.search(sent.text):
            continue
        labs = ctx.mentions_in(sent.start, sent.end, ORG_TYPES)
        for m in MODEL_CODE.finditer(sent.text):
            start, end = sent.start + m.start("code"), sent.start + m.end("code")
            if any(a < end and start < b for a, b in taken):
                continue
            near = sent.text[max(0, m.start() - 40):m.end() + 40]
            if not MODEL_WORD.search(near) or re.fullmatch(r"\d+", m.group("code")):
                continue
            hit = _lab_model(ctx, labs, m.group("code"))
            if hit is not None:
                out.append(Mention(start, end, m.group("code"), hit, "AIModel", "alias", 0.8))
                taken.append((start, end))
    return out


def _lab_model(ctx: Context, labs: list[Mention], code: str) -> str | None:
    topic = _topic_org(ctx)
    for lab in reversed(labs + ([topic] if topic is not None else [])):
        name = ctx.gazetteer.entities[lab.entity].name if lab.entity in ctx.gazetteer.entities else lab.surface
        found = [m for m in ctx.gazetteer.find(f"{name} {code}") if m.type == "AIModel"]
        if found and found[0].end == len(name) + 1 + len(code):
            return found[0].entity
    return None
