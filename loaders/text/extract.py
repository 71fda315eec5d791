"""The article extractor: a document in, a fact sheet (entities, facts, evidence) out.

Deterministic and offline: registry lookups, patterns and number/date parsers,
no model download. Steps: clean text -> sentences -> mentions -> the article's
date and topic -> rules per sentence -> fact-sheet records. Every fact keeps
its sentence, span, rule and confidence as evidence.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import Context, main_topic
from kg.loaders.text.dates import DateMention
from kg.loaders.text.document import Document
from kg.loaders.text.gazetteer import Gazetteer, Mention, registry_gazetteer
from kg.loaders.text.rules_facts import (extract_competition, extract_founding, extract_models,
                                         extract_training_cost, find_model_codes)
from kg.loaders.text.rules_homes import extract_homes
from kg.loaders.text.rules_products import extract_partners, extract_products
from kg.loaders.text.rules_supply import extract_investments, extract_supplies
from kg.loaders.text.rules_caps import extract_market_caps
from kg.loaders.text.rules_figures import extract_figures
from kg.loaders.text.rules_moves import extract_moves
from kg.loaders.text.rules_policy import extract_causes, extract_policy, settle_causes
from kg.loaders.text.rules_appositions import extract_appositions
from kg.loaders.text.rules_quotes import extract_quotes
from kg.loaders.text.segment import sentences
from kg.model import Entity, Fact


def _event_day(ctx: Context) -> str | None:
    """The day the story is about: its first day-precise date outside headlines, else publication."""
    for sent in ctx.sentences:
        if sent.headline:
            continue
        for d in ctx.dates(sent):
            if d.granularity == "day" and not ctx._is_reference(d):
                return d.date
    return ctx.doc.published


RULES = (extract_quotes, extract_appositions, extract_founding, extract_models, extract_training_cost,
         extract_competition, extract_products, extract_supplies, extract_investments, extract_homes,
         extract_policy, extract_figures, extract_partners)


def _run(ctx: Context) -> None:
    ctx.event_day = _event_day(ctx)
    ctx.topic = main_topic(ctx.mentions)
    for sent in ctx.sentences:
        before = len(ctx.facts)
        extract_moves(ctx, sent)
        extract_market_caps(ctx, sent)
        has_moves = any(f.p in ("fell_by", "rose_by") for f in ctx.facts[before:])
        for rule in RULES:
            rule(ctx, sent)
        extract_causes(ctx, sent, has_moves)
    settle_causes(ctx)


def _discovered(ctx: Context) -> list[Mention]:
    """Every other place the text names an entity the registry did not know (found by a rule)."""
    # characters already named (a flag per character: checking each find against a list of
    # spans was quadratic in the number of names on a long text)
    taken = bytearray(len(ctx.doc.text) + 1)
    for m in ctx.mentions:
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
    out: list[Mention] = []
    for ent in ctx.entities.values():
        if ent.id in ctx.gazetteer.entities or ent.type in ("Event", "Article"):
            continue
        forms = {ent.name} | ctx.surfaces.get(ent.id, set())
        if ent.type == "Person":
            forms |= {f.split()[-1] for f in list(forms) if len(f.split()) >= 2 and len(f.split()[-1]) >= 4}
        for form in sorted(forms, key=len, reverse=True):
            for m in re.finditer(rf"(?<![\w]){re.escape(form)}(?![\w])", ctx.doc.text):
                if not any(taken[m.start():m.end()]):
                    out.append(Mention(m.start(), m.end(), form, ent.id, ent.type, "new", 0.55))
                    taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return out


def extract_document(doc: Document, gazetteer: Gazetteer | None = None
                     ) -> tuple[list[Entity], list[Fact], list[DateMention], int]:
    """(entities, facts, dates whose weekday contradicts them, market moves left out for want
    of a trading day) of one document.

    Two passes: the first finds the names the registry lacks (a company in a move, a
    person in an attribution); the second reads the text again knowing them.
    """
    gaz = gazetteer or registry_gazetteer()
    ctx = Context(doc=doc, sentences=sentences(doc.text), mentions=gaz.find(doc.text), gazetteer=gaz)
    ctx.mentions = sorted(ctx.mentions + find_model_codes(ctx), key=lambda m: (m.start, m.end))
    _run(ctx)
    extra = _discovered(ctx)
    if extra:
        ctx = Context(doc=doc, sentences=ctx.sentences, gazetteer=gaz,
                      mentions=sorted(ctx.mentions + extra, key=lambda m: (m.start, m.end)))
        _run(ctx)
    conflicts = [d for sent in ctx.sentences for d in ctx.dates(sent) if d.conflict]
    return (*_records(ctx), conflicts, len(ctx.undated_moves))


def _headline(ctx: Context) -> str | None:
    """The article's first line when it is a headline: a better name than its file's."""
    from kg.loaders.text.byline import is_byline
    first = ctx.sentences[0] if ctx.sentences else None
    if first is None or not first.headline or is_byline(first.text) or len(first.text) > 200:
        return None
    return first.text.strip() or None


def _records(ctx: Context) -> tuple[list[Entity], list[Fact]]:
    article = Entity(ctx.doc.id, "Article", ctx.doc.title or _headline(ctx) or ctx.doc.source, [], {
        k: v for k, v in (("url", ctx.doc.url), ("published", ctx.doc.published), ("lang", ctx.doc.lang),
                          ("outlet", ctx.doc.outlet)) if v})
    for m in ctx.mentions:
        if m.type != "Country" or m.entity in ctx.entities:
            ctx.use(m)
    entities = []
    for ident, ent in sorted(ctx.entities.items()):
        ent.aliases = sorted(s for s in ctx.surfaces.get(ident, ()) if s != ent.name)
        entities.append(ent)
    facts = list(ctx.facts)
    if ctx.sentences:
        first = ctx.sentences[0]
        for ent in entities:
            if ent.type != "Event":
                ctx.add_fact(first, "mentions", article.id, "mentions", ent.id, confidence=1.0)
        facts = list(ctx.facts)
    # a garbled name can resolve both ends of a relation to one entity: never a fact
    return [article, *entities], [f for f in facts if f.o is None or f.o != f.s]
