"""Products: who makes them, who uses them, and the partnerships around them.

"puces NVIDIA A100", "2 048 puces H800 de Nvidia", "ASML, the only maker of EUV machines"
(makes); "La société aurait stocké des puces A100" (uses, by the company or by the developer of
the model trained on them); "partnership with", "accord avec" (partner_of).
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.rules_facts import _org_before
from kg.loaders.text.segment import Sentence

USE = re.compile(r"\b(utiliz\w*|réalisée? sur|entraînée? sur|built with|with \d[\d,]* |avec \d[\d\s]* |utilis\w*|stock\w*|achet\w*|acqu\w*|entraîné sur|formé sur|s'appui\w* sur|"
                 r"uses?|used|using|relies|rely|stockpil\w*|bought|buy\w*|trained on|built on|"
                 r"deploy\w*|running on|runs on|powered by|alimenté\w* par)\b", re.I)


MAKE = re.compile(r"\b(makes|made|manufactures?|manufactured|produces?|produced|builds|built|designs?|designed|"
                  r"fabrique|fabriquent|produit|produisent|conçoit|conçu\w*|fabriqué\w*)\b", re.I)


def extract_products(ctx: Context, sent: Sentence) -> None:
    for prod in ctx.mentions_in(sent.start, sent.end, ("Product",)):
        maker = _maker(ctx, prod)
        verb = list(MAKE.finditer(ctx.doc.text[max(sent.start, prod.start - 60):prod.start]))
        if maker is None and verb:
            head_at = max(sent.start, prod.start - 60) + verb[-1].start()
            if re.search(r"\b(?:by|par)\s*$", ctx.doc.text[head_at:prod.start]) is None:
                maker = _org_before(ctx, sent, head_at) or None
        if maker is not None:
            ctx.add_fact(sent, "products", ctx.use(maker), "makes", ctx.use(prod), confidence=0.75)
        head = ctx.doc.text[sent.start:prod.start]
        verb = list(USE.finditer(head))
        if not verb:
            continue
        user = _org_before(ctx, sent, sent.start + verb[-1].start()) or _developer_of_model_before(ctx, sent, prod)
        if user is not None and (maker is None or user.entity != maker.entity):
            ctx.add_fact(sent, "products", ctx.use(user), "uses", ctx.use(prod), confidence=0.65)


def _developer_of_model_before(ctx: Context, sent: Sentence, prod: Mention) -> Mention | None:
    """'Son modèle DeepSeek-V3 ... réalisé sur 2 048 puces H800': the model's developer uses the chips."""
    models = ctx.mentions_in(sent.start, prod.start, ("AIModel",))
    for model in reversed(models):
        for fact in ctx.facts:
            if fact.p == "developed" and fact.o == model.entity and fact.s in ctx.gazetteer.entities:
                ent = ctx.gazetteer.entities[fact.s]
                return Mention(model.start, model.end, ent.name, ent.id, ent.type, "developer", 0.6)
    return None


PARTNER = re.compile(r"\b(?:deal with|agreement with|accord avec|pact with|collaboration with|collaboration avec|"
                     r"joins forces with|joined forces with|s['’]allie à|s['’]associe avec|"
                     r"partenariat avec|en partenariat avec|partnership with|partnered with|partners with|"
                     r"s['’]est associée? à|s['’]associe à|teamed up with|teams up with|alliance avec|"
                     r"alliance with|collabore avec|collaborates with|joint venture with|coentreprise avec)\s+", re.I)


def extract_partners(ctx: Context, sent: Sentence) -> None:
    if sent.headline:
        return
    for m in PARTNER.finditer(sent.text):
        left = ctx.mentions_in(sent.start, sent.start + m.start(), ORG_TYPES)
        right = ctx.mentions_in(sent.start + m.end(), min(sent.end, sent.start + m.end() + 60), ORG_TYPES)
        if left and right and left[-1].entity != right[0].entity:
            ctx.add_fact(sent, "partners", ctx.use(left[-1]), "partner_of", ctx.use(right[0]), confidence=0.6)


def _maker(ctx: Context, prod: Mention) -> Mention | None:
    """A brand in the product's own name ("NVIDIA A100") or right before it ("Nvidia's H100")."""
    words = prod.surface.split()
    for n in range(len(words) - 1, 0, -1):
        prefix = " ".join(words[:n])
        inner = [m for m in ctx.gazetteer.find(prefix) if m.type in ORG_TYPES and m.end == len(prefix)]
        if inner and inner[0].start == 0:
            return Mention(prod.start, prod.start + len(prefix), prefix, inner[0].entity, inner[0].type,
                           "alias", 0.9)
    before = ctx.mentions_in(max(0, prod.start - 30), prod.start, ORG_TYPES)
    if before and re.fullmatch(r"(['’]s)?\s*", ctx.doc.text[before[-1].end:prod.start]):
        return before[-1]
    after = ctx.mentions_in(prod.end, prod.end + 25, ORG_TYPES)
    if after and re.fullmatch(r"\s+(?:de|d['’]|by|from)\s*", ctx.doc.text[prod.end:after[0].start]):
        return after[0]  # "puces H800 de Nvidia"
    head = ctx.doc.text[max(0, prod.start - 120):prod.start]
    maker = re.search(r"\b(?:maker|manufacturer|producer|supplier|fabricant|producteur|fournisseur|"
                      r"concepteur|designer)s?\s+(?:of|de|d['’]|des|du)\s+(?:[\w\-]+\s+){0,3}$", head, re.I)
    if maker:
        orgs = ctx.mentions_in(max(0, prod.start - 120), prod.start - len(head) + maker.start(), ORG_TYPES)
        if orgs:
            return orgs[-1]  # "ASML, the only maker of extreme ultraviolet lithography machines"
    return None
