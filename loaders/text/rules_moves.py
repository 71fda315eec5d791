"""Stock and index moves, and market-value changes, from market-report sentences.

Each percentage is tied to the nearest company or index on its left (or,
with "respectively", to the listed names in order); its direction comes from
the verb or sign before it, its session from cues around it (premarket, in
early trading, at the close, en séance, a clôturé), its date from the
sentence, paragraph or article. Numbers inside quotes, headlines and
non-price figures (revenue, market share, rates) are not moves.

This module reads a sentence's percentages, one by one or as lists; the direction and session
cues are in `moves_cues`, finding whose move it is in `moves_subjects`.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.moves_cues import NOT_PRICE, move_direction, move_session
# SUBJECT_TYPES and subject_of are also imported from here by rules_caps
from kg.loaders.text.moves_subjects import SUBJECT_TYPES, is_ellipsis, listed_names, subject_of, tradable
from kg.loaders.text.quantities import Quantity
from kg.loaders.text.segment import Sentence

#: one figure for every name of a list: "Broadcom and Marvell each lost 10%"
_EACH = re.compile(r"\b(?:each|both|chacun\w*|tous (?:les )?deux|toutes (?:les )?deux)\b", re.I)
#: between two names of a list; a ticker in brackets may follow a name ("Broadcom (AVGO) and ...")
_LISTED = re.compile(r"\s*\)?\s*(?:\([^()]{1,30}\))?\s*(?:,|and|et|,\s*and|,\s*et)\s*", re.I)
_RESPECTIVELY = re.compile(r"\b(respectively|respectivement|separately|individually|correspondingly)\b", re.I)
_QUOTE = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


def in_quotes(sent: Sentence) -> list[tuple[int, int]]:
    """Document spans of the quotations in `sent`: a number someone says is no market move."""
    return [(sent.start + m.start(), sent.start + m.end()) for m in _QUOTE.finditer(sent.text)]


def _opening(ctx: Context, sent: Sentence) -> str:
    """Sentence-initial adverbials ("Ce mardi matin, en début de séance, ...") set the scene
    for every clause: the text before the first name, when it ends with a comma."""
    first = ctx.mentions_in(sent.start, sent.end)
    head = sent.text[:(first[0].start - sent.start) if first else 0]
    bare = re.sub(r"(?:\b(?:le|la|les|the)\s*|\bl['’])\s*$", "", head, flags=re.I).rstrip()
    return head if bare.endswith(",") and len(head) <= 90 else ""


def _percents(ctx: Context, sent: Sentence) -> list[Quantity]:
    """The sentence's percentages that could be price moves (not quoted, at most 100)."""
    quoted = in_quotes(sent)
    return [q for q in ctx.quantities(sent) if q.unit == "percent"
            and not any(a <= q.start < b for a, b in quoted) and abs(q.value) <= 100]


def _emit(ctx: Context, sent: Sentence, subject: Mention, q: Quantity, pred: str, session: str,
          rule: str = "moves", near: tuple[int, int] | None = None) -> None:
    """Record one move fact; its subject becomes the one a later pronoun refers to. A move whose
    trading day is unknown (no date in the text, none published) is not a fact: it has no
    session to belong to (the schema requires one)."""
    date = ctx.fact_date(sent, near=near or (q.start, q.end))
    if ctx.event(date) is None:
        ctx.undated_moves.add((subject.entity, pred, abs(q.value)))
        return
    ent = ctx.use(subject)
    ctx.last_move_subject = subject
    qualifier = "as_much_as" if q.qualifier == "up_to" else q.qualifier  # "jusqu'à 9 %" is a peak
    ctx.add_fact(sent, rule, ent, pred, ctx.event(date), value=abs(q.value), unit="percent",
                 qualifier=qualifier, date=date, session=session,
                 confidence=0.85 if subject.method != "new" else 0.6)


_JOIN = re.compile(r"^\s*(?:,|et|and|,\s*et|,\s*and|;)\s*(?:de\s+|d['’]|of\s+|by\s+)?$", re.I)


def _runs(ctx: Context, percents: list[Quantity]) -> list[list[Quantity]]:
    """Percentages that follow each other in a list ("6,4 %, 5,1 % et 12,5 %")."""
    runs: list[list[Quantity]] = []
    for q in percents:
        if runs and _JOIN.match(ctx.doc.text[runs[-1][-1].end:q.start]):
            runs[-1].append(q)
        else:
            runs.append([q])
    return runs


def _respectively(ctx: Context, sent: Sentence, percents: list[Quantity]) -> list[Quantity]:
    """Emit the moves of a 'respectively' list; return the percentages left for the other rules."""
    cue = _RESPECTIVELY.search(sent.text)
    if not cue:
        return _parallel(ctx, sent, percents)
    at = sent.start + cue.start()
    for run in _runs(ctx, percents):
        near_before = 0 <= run[0].start - (sent.start + cue.end()) <= 6
        near_after = 0 <= at - run[-1].end <= 4
        if len(run) < 2 or not (near_before or near_after):
            continue
        floor = max([q.end for q in percents if q.end <= run[0].start], default=sent.start)
        names = list({m.entity: m for m in ctx.mentions_in(floor, run[0].start, SUBJECT_TYPES)
                      if tradable(ctx, m)}.values())
        if len(names) < len(run):
            names = listed_names(ctx, floor, run[0].start) or names
        if len(names) < len(run):
            continue
        names = names[-len(run):]
        text = ctx.doc.text[names[-1].end:run[0].start]
        after = ctx.doc.text[run[-1].end:sent.end]
        pred = move_direction(text, run[0], re.sub(r"^[\s,]*(respectively|respectivement)", "", after)) or "fell_by"
        done = list(run)
        for m, q in zip(names, run):
            _emit(ctx, sent, m, q, "fell_by" if q.value < 0 else pred,
                  move_session(text, after, q), "moves-respectively", (run[0].start, run[-1].end))
        for other in _runs(ctx, percents):
            if other is not run and len(other) == len(run) and other[0].start > run[-1].end:
                lead = ctx.doc.text[max(run[-1].end, other[0].start - 40):other[0].start]
                pred2 = move_direction(lead, other[0], ctx.doc.text[other[-1].end:sent.end]) or pred
                for m, q in zip(names, other):  # "..., après des baisses de 8,6 %, 4,9 % et 8,3 % lundi"
                    _emit(ctx, sent, m, q, pred2, move_session(lead, "", q), "moves-respectively",
                          (other[0].start, other[-1].end))
                done.extend(other)
        return [q for q in percents if q not in done]
    return percents


def _parallel(ctx: Context, sent: Sentence, percents: list[Quantity]) -> list[Quantity]:
    """'Micron and AMD fell 11% and 6%': as many names in one list as numbers in the next."""
    for run in _runs(ctx, percents):
        if len(run) < 2:
            continue
        floor = max([q.end for q in percents if q.end <= run[0].start], default=sent.start)
        names = [m for m in ctx.mentions_in(floor, run[0].start, SUBJECT_TYPES) if tradable(ctx, m)]
        if len(names) != len(run) or len({m.entity for m in names}) != len(names):
            continue
        gaps = [ctx.doc.text[a.end:b.start] for a, b in zip(names, names[1:])]
        if not all(re.fullmatch(r"\s*(?:,|and|et|,\s*and|,\s*et)\s*", g) for g in gaps):
            continue
        text = ctx.doc.text[names[-1].end:run[0].start]
        pred = move_direction(text, run[0], ctx.doc.text[run[-1].end:sent.end])
        if pred is None:
            continue
        for m, q in zip(names, run):
            _emit(ctx, sent, m, q, "fell_by" if q.value < 0 else pred, move_session(text, "", q),
                  "moves-parallel", (run[0].start, run[-1].end))
        return [q for q in percents if q not in run]
    return percents


def extract_moves(ctx: Context, sent: Sentence) -> None:
    """The rule: every move a sentence reports, lists first, then each percentage left."""
    if sent.headline:
        return
    percents = _respectively(ctx, sent, _percents(ctx, sent))
    if not percents:
        return
    floor, last_subject, last_pred = sent.start, None, None
    for i, q in enumerate(percents):
        subject = subject_of(ctx, sent, q, floor) or last_subject
        start = subject.end if subject and subject.end > floor else floor
        between = ctx.doc.text[start:q.start]
        if subject is None or NOT_PRICE.search(between):
            floor = q.end
            continue
        nxt = percents[i + 1].start if i + 1 < len(percents) else sent.end
        raw_after = ctx.doc.text[q.end:nxt]
        after = re.split(r"[,;]\s+(?:et |and |while |tandis |alors |mais |but )?(?=\S)|\b(?:before|avant de|then|puis)\b",
                         raw_after)[0]
        inherits = subject is last_subject or is_ellipsis(ctx, floor, q)
        pred = move_direction(between, q, raw_after) or (last_pred if inherits else None)
        if pred is None:
            floor = q.end
            continue
        session = move_session(between, after, q, _opening(ctx, sent))
        _emit(ctx, sent, subject, q, pred, session)
        if _EACH.search(between):
            for other in _listed_before(ctx, floor, subject):
                _emit(ctx, sent, other, q, pred, session, "moves-each")
        floor, last_subject, last_pred = q.end, subject, pred


def _listed_before(ctx: Context, floor: int, last: Mention) -> list[Mention]:
    """The names listed before `last` (after `floor`), nearest first."""
    out: list[Mention] = []
    anchor, seen = last.start, {last.entity}
    for m in reversed([m for m in ctx.mentions_in(floor, last.start, SUBJECT_TYPES) if tradable(ctx, m)]):
        gap = ctx.doc.text[m.end:anchor]
        if m.entity in seen and re.fullmatch(r"\s*\(?\s*", gap):  # "Marvell Technology (MRVL)": one name
            anchor = m.start
            continue
        if m.entity in seen or not _LISTED.fullmatch(gap):
            break
        out.append(m)
        anchor = m.start
        seen.add(m.entity)
    return out
