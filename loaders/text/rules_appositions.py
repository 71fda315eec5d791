"""People named with their job: appositions, possessives, roles before names, reported speech.

"X, analyst at Y", "Y's X", "le PDG de Y, X", "Bernstein analyst X", and what such a
person says without quote marks ("X said the selloff in Nvidia looked overdone").
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.people import NAME_START, PERSON_NAME, ROLE_WORDS, clean_role, person_at
from kg.loaders.text.rules_quotes import INDIRECT, NAME_SAYS, QUOTE, ROLE, _employment
from kg.loaders.text.segment import Sentence

POSSESSIVE = re.compile(r"['’]s\s+(?:(?:chief|senior|lead|head|top|veteran)\s+)*(?P<role>[a-z][\w\- ]{0,40}?)?\s*$")
#: "Intel's chief executive", "Bernstein's senior analyst" (an apposition naming an employer)
POSSESSIVE_ROLE = re.compile(rf"[A-ZÀ-Ý][\w&.\- ]{{0,40}}['’]s\s+[\w\- ]{{0,30}}?\b(?:{ROLE_WORDS})\b", re.I)
NAMED = re.compile(NAME_START + r"(?P<name>[A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-]+){1,3})\s*,\s*"
                   r"(?:un |une |the |an |a |l['’]|le |la )?(?P<app>[^,;]+)")


NAME_OF_ORG = re.compile(NAME_START + r"(?P<name>[A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-]+){1,3})\s+(?:of|from|at|de|chez)\s+"
                         r"(?P<org>[A-ZÀ-Ý][\w&.’'\-]*(?:\s+(?:[A-ZÀ-Ý&][\w&.’'\-]*)){0,3})\s*,?\s+"
                         r"(?:said|says|told|wrote|added|noted|argued|a déclaré|a dit|estime|explique|"
                         r"souligne|juge|a estimé|a expliqué|a souligné)\b")
WHO_WORKS = re.compile(r"^\s*,\s*(?:who|qui)\s+(?:covers|covered|follows|followed|tracks|tracked|works|worked|"
                       r"runs|ran|heads|headed|leads|led|manages|managed|suit|suivait|travaille|dirige|dirigeait)"
                       r"\b[^,;]{0,60}?\s(?:at|for|of|chez|pour|à)\s+(?P<org>[A-ZÀ-Ý][^,;.]*)")


WHO_RUNS = re.compile(r"^\s*,\s*(?:who|qui)\s+(?:also |now |still |aussi |également )?(?:runs|ran|heads|headed|"
                      r"leads|led|manages|managed|dirige|dirigeait|préside|présidait|chairs|chaired)\s+"
                      r"(?:aussi |également |désormais )?"
                      r"(?:the |le |la |les |l['’]|son |sa |his |her )?(?:[a-zà-ÿ\-]+\s+){0,3}"
                      r"(?P<org>[A-ZÀ-Ý][^,;.]*)")


def _name_of_org(ctx: Context, sent: Sentence, people: dict) -> None:
    """'Tomoko Arai of Mizuho said ...' names a person with her employer."""
    from kg.loaders.text.people import org_at
    for m in NAME_OF_ORG.finditer(sent.text):
        person = person_at(ctx, m.group("name"), sent.start + m.start("name"))
        if person is None or person.type != "Person":
            continue
        org = org_at(ctx, m.group("org"), sent.start + m.start("org"))
        if org is not None and org.type in ORG_TYPES:
            ctx.add_fact(sent, "works-for", ctx.use(person), "works_for", ctx.use(org), confidence=0.7)
        people.setdefault(person.start, person)


def _who_works(ctx: Context, sent: Sentence, person: Mention) -> Mention | None:
    """'Raj Mehta, who covers semiconductors at Wolfe Research, ...', 'Liang Wenfeng, who also
    runs the hedge fund High-Flyer'."""
    from kg.loaders.text.people import org_at
    tail = ctx.doc.text[person.end:sent.end]
    m = WHO_WORKS.match(tail) or WHO_RUNS.match(tail)
    if not m:
        return None
    org = org_at(ctx, m.group("org"), person.end + m.start("org"))
    if org is None or org.type not in ORG_TYPES:
        return None
    ctx.add_fact(sent, "works-for", ctx.use(person), "works_for", ctx.use(org), confidence=0.65)
    return org


def _named_after_role(ctx: Context, sent: Sentence, people: dict) -> None:
    """'le directeur général d'Intel, Maria Olsen, ...' / 'la PDG d'Intel Maria Olsen a estimé':
    a role of an organisation, then the name."""
    for org in ctx.mentions_in(sent.start, sent.end, ORG_TYPES):
        if not ROLE_BEFORE.search(ctx.doc.text[max(sent.start, org.start - 60):org.start]):
            continue
        after = re.match(r"\s*,?\s*", ctx.doc.text[org.end:sent.end])
        at = org.end + after.end()
        name = re.match(PERSON_NAME, ctx.doc.text[at:sent.end])
        if name and not ctx.mentions_in(at, at + 1):
            p = person_at(ctx, name.group(0), at)
            if p is not None and p.type == "Person":
                people.setdefault(p.start, p)


def extract_appositions(ctx: Context, sent: Sentence) -> None:
    """'X, analyst at Y' (known or new people), "Y's X", and what X says in reported speech."""
    people: dict[int, Mention] = {}
    for person in ctx.mentions_in(sent.start, sent.end, ("Person",)):
        people[person.start] = person
    for m in NAMED.finditer(sent.text):
        app = m.group("app")[:90]
        if ROLE.search(app) or POSSESSIVE_ROLE.match(app) or WHO_WORKS.match(", " + app) or WHO_RUNS.match(", " + app):
            p = person_at(ctx, m.group("name"), sent.start + m.start("name"))
            if p is not None:
                people.setdefault(p.start, p)
    _name_of_org(ctx, sent, people)
    _named_after_role(ctx, sent, people)
    for m in NAME_SAYS.finditer(sent.text):
        p = person_at(ctx, m.group("name"), sent.start + m.start("name"))
        if p is not None and p.type == "Person":
            people.setdefault(p.start, p)
    for start, person in sorted(people.items()):
        tail = ctx.doc.text[person.end:sent.end]
        employer = None
        m = re.match(r"\s*,\s*(?:un |une |the |an |a )?(?P<app>[^,;]+(?:,\s*[^,;]+)?)", tail)
        if m:
            employer = _employment(ctx, sent, person, m.group("app"), person.end + m.start("app"))
        employer = (_possessive_employer(ctx, sent, person) or _role_before(ctx, sent, person)
                    or _who_works(ctx, sent, person) or employer)
        _reported_speech(ctx, sent, person, employer)


ROLE_BEFORE = re.compile(rf"\b(?P<role>(?:le |la |l['’]|the )?(?:\w+ )?(?:{ROLE_WORDS})(?: \w+)?)\s+"
                         rf"(?:de|du|of|at|chez|d['’])\s*$", re.I)


def _role_before(ctx: Context, sent: Sentence, person: Mention) -> Mention | None:
    """'le PDG de SoftBank, Masayoshi Son' / 'chief executive of Nvidia Jensen Huang'."""
    orgs = ctx.mentions_in(max(sent.start, person.start - 80), person.start, ORG_TYPES)
    if not orgs:
        return None
    org = orgs[-1]
    if not re.fullmatch(r"\s*,?\s*", ctx.doc.text[org.end:person.start]):
        return None
    m = ROLE_BEFORE.search(ctx.doc.text[max(sent.start, org.start - 60):org.start])
    if not m:
        return None
    ctx.add_fact(sent, "works-for", ctx.use(person), "works_for", ctx.use(org),
                 role=clean_role(m.group("role")), confidence=0.7)
    return org


def _possessive_employer(ctx: Context, sent: Sentence, person: Mention) -> Mention | None:
    """"Sandhurst Research's Omar Velez", "Bernstein analyst Stacy Rasgon"."""
    head = ctx.doc.text[sent.start:person.start]
    # the employer ends at most ~45 characters before the name: look at the last few hundred
    # (the whole head, for every person of a long sentence, was quadratic)
    near = max(sent.start, person.start - 400)
    orgs = ctx.mentions_in(near, person.start, ORG_TYPES)
    named = re.search(NAME_START + r"(?P<org>[A-ZÀ-Ý][\w&\-]+(?:\s+[A-ZÀ-Ý&][\w&\-]*){0,3})['’]s\s+[\w\- ]{0,40}$",
                      ctx.doc.text[near:person.start])
    if named and not (orgs and orgs[-1].end >= near + named.end("org")):
        from kg.loaders.text.people import resolve_name
        org = resolve_name(ctx, named.group("org"), near + named.start("org"), ORG_TYPES,
                           "Organization", 90)
        if org is None or org.type not in ORG_TYPES:
            return None
    elif orgs:
        org = orgs[-1]
    else:
        return None
    gap = ctx.doc.text[org.end:person.start]
    m = POSSESSIVE.match(gap) or re.fullmatch(r"\s+(?P<role>(?:[a-z\-]+\s+){0,3}(?:analyst|strategist|economist|"
                                               r"trader|chief executive|CEO|founder|spokesperson|president))\s+", gap)
    if not m or len(gap) > 45 or head.count("«") != head.count("»"):
        return None
    ctx.add_fact(sent, "works-for", ctx.use(person), "works_for", ctx.use(org), role=clean_role(m.group("role")),
                 confidence=0.7)
    return org


def _reported_speech(ctx: Context, sent: Sentence, person: Mention, employer: Mention | None) -> None:
    """'X, analyst at Y, said the selloff in Nvidia looked overdone' (no quote marks)."""
    rest = ctx.doc.text[person.end:sent.end]
    if QUOTE.search(rest):
        return
    m = INDIRECT.search(rest)
    if not m or m.start() > 140:
        return
    at = person.end + m.start("clause")
    skip = {person.entity, employer.entity if employer else None}
    for target in ctx.mentions_in(at, at + len(m.group("clause"))):
        if target.type not in ("Country", "Event") and target.entity not in skip:
            ctx.last_speaker = person
            ctx.add_fact(sent, "reported-speech", ctx.use(person), "comments_on", ctx.use(target),
                         confidence=0.6)
            return
