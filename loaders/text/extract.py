"""The article extractor: a document in, a fact sheet (entities, facts, evidence) out.

Deterministic and offline: registry lookups, patterns and number/date parsers,
no model download. Steps: clean text -> sentences -> mentions -> the article's
date and topic -> rules per sentence -> fact-sheet records. Every fact keeps
its sentence, span, rule and confidence as evidence.
"""
from __future__ import annotations

from kg.loaders.text.context import Context, main_topic
from kg.loaders.text.dates import DateMention
from kg.loaders.text.document import Document
from kg.loaders.text.gazetteer import Gazetteer, registry_gazetteer
from kg.loaders.text.rules_facts import (extract_competition, extract_founding, extract_homes,
                                         extract_models, extract_products, extract_training_cost,
                                         find_model_codes)
from kg.loaders.text.rules_moves import extract_market_caps, extract_moves
from kg.loaders.text.rules_policy import extract_causes, extract_policy, settle_causes
from kg.loaders.text.rules_quotes import extract_appositions, extract_quotes
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


def extract_document(doc: Document, gazetteer: Gazetteer | None = None
                     ) -> tuple[list[Entity], list[Fact], list[DateMention]]:
    """(entities, facts, dates whose weekday contradicts them) of one document."""
    gaz = gazetteer or registry_gazetteer()
    ctx = Context(doc=doc, sentences=sentences(doc.text), mentions=gaz.find(doc.text), gazetteer=gaz)
    ctx.mentions = sorted(ctx.mentions + find_model_codes(ctx), key=lambda m: (m.start, m.end))
    ctx.event_day = _event_day(ctx)
    ctx.topic = main_topic(ctx.mentions)
    for sent in ctx.sentences:
        before = len(ctx.facts)
        extract_moves(ctx, sent)
        extract_market_caps(ctx, sent)
        has_moves = any(f.p in ("fell_by", "rose_by") for f in ctx.facts[before:])
        extract_quotes(ctx, sent)
        extract_appositions(ctx, sent)
        extract_founding(ctx, sent)
        extract_models(ctx, sent)
        extract_training_cost(ctx, sent)
        extract_competition(ctx, sent)
        extract_products(ctx, sent)
        extract_homes(ctx, sent)
        extract_policy(ctx, sent)
        extract_causes(ctx, sent, has_moves)
    settle_causes(ctx)
    conflicts = [d for sent in ctx.sentences for d in ctx.dates(sent) if d.conflict]
    return (*_records(ctx), conflicts)


def _records(ctx: Context) -> tuple[list[Entity], list[Fact]]:
    article = Entity(ctx.doc.id, "Article", ctx.doc.title or ctx.doc.source, [], {
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
    return [article, *entities], facts
