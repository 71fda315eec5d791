"""What every extraction rule shares: the document, its sentences and mentions, and the output.

Rules read sentences and mentions and call `add_fact`; this module owns the
evidence (quote, span, extractor, confidence), the dating of facts, the
trading-day Event, and the entities that end up in the fact sheet.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kg.loaders.text.dates import DateMention, find_dates
from kg.loaders.text.document import Document
from kg.loaders.text.gazetteer import Gazetteer, Mention
from kg.loaders.text.quantities import Quantity, find_quantities
from kg.loaders.text.segment import Sentence
from kg.model import Entity, Evidence, Fact
from kg.records import slug

ORG_TYPES = ("Company", "Organization")
_SINCE = re.compile(r"(depuis|since|from|until|jusqu|avant|before|en date du|compared with|publié|published|"
                    r"mis à jour|updated|posted|modifié|"
                    r"par rapport|contre|versus|vs\.?|a year earlier|un an plus tôt)\s*(le\s+|the\s+|en\s+|in\s+)?$",
                    re.I)


@dataclass
class Context:
    doc: Document
    sentences: list[Sentence]
    mentions: list[Mention]
    gazetteer: Gazetteer
    facts: list[Fact] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    surfaces: dict[str, set[str]] = field(default_factory=dict)
    event_day: str | None = None
    topic: str | None = None
    last_move_subject: Mention | None = None
    #: (subject, predicate, percent) of moves read but left out: no trading day was found for them
    undated_moves: set = field(default_factory=set)
    last_speaker: Mention | None = None
    #: person id -> employer id, as works_for facts are found (a quote is not about the employer)
    employers: dict = field(default_factory=dict)
    #: (date, strength, cause mention, sentence) of every cause the text names
    causes: list = field(default_factory=list)
    _dates: dict[int, list[DateMention]] = field(default_factory=dict)
    #: (the mentions list it was made for, its length, starts sorted, their indexes in the list)
    _index: tuple | None = field(default=None, repr=False)

    # -- lookups -------------------------------------------------------------
    def mentions_in(self, start: int, end: int, types: tuple[str, ...] | None = None) -> list[Mention]:
        """The mentions inside [start, end), in the order of `mentions` (found by bisection: a
        scan of every mention per call was quadratic on a long article)."""
        ms = self.mentions
        if self._index is None or self._index[0] is not ms or self._index[1] != len(ms):
            order = sorted(range(len(ms)), key=lambda i: ms[i].start)
            self._index = (ms, len(ms), [ms[i].start for i in order], order)
        starts, order = self._index[2], self._index[3]
        hits = sorted(order[bisect.bisect_left(starts, start):bisect.bisect_right(starts, end)])
        return [ms[i] for i in hits if ms[i].end <= end and (types is None or ms[i].type in types)]

    def quantities(self, sent: Sentence) -> list[Quantity]:
        out = []
        for q in find_quantities(sent.text, self.doc.lang):
            out.append(Quantity(q.value, q.unit, q.qualifier, q.start + sent.start, q.end + sent.start, q.text))
        return out

    def dates(self, sent: Sentence) -> list[DateMention]:
        if not self._dates:
            self._date_all()
        return self._dates.get(sent.start, [])

    def _date_all(self) -> None:
        """Date every sentence in order; a date without a year takes the story's year so far
        ("On Monday, March 9, 2020 ... On Thursday, March 12" is 2020-03-12)."""
        year: str | None = None
        anchor: str | None = None  # the last explicit day the story named
        for sent in self.sentences:
            opening = re.match(r"\s*(?:in|en|during|durant|au cours de l['’]année)\s+((?:19|20)\d\d)\s*,", sent.text, re.I)
            if opening:  # "In 2023, ..." sets the story's year for the dates that follow
                year = opening.group(1)
            out = []
            for d in find_dates(sent.text, self.doc.published, self.doc.lang):
                mention = DateMention(d.start + sent.start, d.end + sent.start, d.text, d.date,
                                      d.granularity, d.kind, d.conflict)
                reference = self._is_reference(mention)
                date = d.date
                has_year = bool(re.search(r"\b\d{4}\b", d.text))
                if d.kind == "weekday" and anchor and self._narrative_weekday(sent, d, anchor):
                    date = _weekday_near(anchor, dt.date.fromisoformat(d.date).weekday())
                elif d.kind == "explicit" and has_year and d.granularity in ("day", "month") and not reference:
                    year = d.date[:4]
                elif d.kind == "explicit" and not has_year and year and d.date[:4] != year and d.granularity == "day":
                    date = _with_year(d.date, year)
                    conflict = _weekday_conflict(d.text, date)
                    d = DateMention(d.start, d.end, d.text, d.date, d.granularity, d.kind, conflict)
                if d.kind == "explicit" and d.granularity == "day" and not reference:
                    anchor = date
                out.append(DateMention(mention.start, mention.end, d.text, date, d.granularity, d.kind, d.conflict))
            self._dates[sent.start] = out

    def fact_date(self, sent: Sentence, near: int | tuple[int, int] | None = None) -> str | None:
        """The day a fact of this sentence is about: its own date, else the paragraph's, else the article's."""
        own = [d for d in self.dates(sent) if d.granularity == "day" and not self._is_reference(d)]
        if near is not None:
            lo, hi = near if isinstance(near, tuple) else (near, near)
            own = [d for d in own if self._same_clause(sent, d, lo, hi)]
            if own:
                return min(own, key=lambda d: min(abs(d.start - hi), abs(lo - d.end))).date
        elif own:
            return own[0].date
        if re.search(r"\b(overnight|la nuit dernière|dans la nuit|cette nuit)\b", sent.text, re.I) and self.event_day:
            return _previous_weekday(self.event_day)
        for other in reversed([s for s in self.sentences if s.paragraph == sent.paragraph and s.end <= sent.start]):
            if "%" not in other.text:
                continue  # a date only carries over from a sentence that reports market figures
            days = [d for d in self.dates(other) if d.granularity == "day" and not self._is_reference(d)]
            if days:
                dates = [d.date for d in days]
                return self.event_day if self.event_day in dates else dates[-1]
        return self.event_day

    def _narrative_weekday(self, sent: Sentence, d: DateMention, anchor: str) -> bool:
        """'that Thursday', 'ce jeudi-là', or any weekday in a story set in another year
        refers to the story's days, not to the week of publication."""
        before = sent.text[max(0, d.start - 6):d.start].lower()
        after = sent.text[d.end:d.end + 4]
        other_year = self.doc.published is not None and anchor[:4] != self.doc.published[:4]
        return "that " in before or after.startswith("-là") or other_year

    def _same_clause(self, sent: Sentence, d: DateMention, lo: int, hi: int) -> bool:
        """A date dates a number only if no other number or clause break stands between them."""
        if d.start - sent.start < 25:
            return True  # a sentence-initial date ("Ce mardi matin, ...") covers every clause
        a, b = (d.end, lo) if d.start < lo else (hi, d.start)
        between = self.doc.text[a:b]
        money = not re.search(r"%|pour ?cent|percent", self.doc.text[lo:hi])
        number = r"\d\s*(?:milliards?|billions?|millions?|bn|Md|G\$|\$)" if money else r"\d\s*%"
        if re.search(number + r"|;|,\s*(while|whereas|but|and|tandis|alors|mais|et)\b", between):
            return False
        return True

    def _is_reference(self, d: DateMention) -> bool:
        before = self.doc.text[max(0, d.start - 40):d.start]
        return bool(_SINCE.search(before))

    def last_of_type(self, before: int, types: tuple[str, ...]) -> Mention | None:
        found = [m for m in self.mentions if m.end <= before and m.type in types]
        return found[-1] if found else None

    # -- output --------------------------------------------------------------
    def use(self, mention: Mention) -> str:
        """Put the mention's entity in the sheet (registry entity or a new one)."""
        if mention.entity not in self.entities:
            reg = self.gazetteer.entities.get(mention.entity)
            if reg is not None:
                props = {k: reg.properties[k] for k in ("ticker", "country", "date") if k in reg.properties}
                self.entities[reg.id] = Entity(reg.id, reg.type, reg.name, [], props)
            else:
                self.entities[mention.entity] = Entity(mention.entity, mention.type, mention.surface, [],
                                                       {"confidence": round(mention.confidence, 2)})
        self.surfaces.setdefault(mention.entity, set()).add(mention.surface)
        return mention.entity

    def new_entity(self, name: str, etype: str, confidence: float, start: int = 0) -> Mention:
        ident = slug(name)
        known = self.gazetteer.entities.get(ident)
        if known is not None and known.type != etype:
            ident = f"{ident}_{etype.lower()}"
        return Mention(start, start + len(name), name, ident, etype, "new", confidence)

    def event(self, date: str | None) -> str | None:
        """The Event of the market moves of a trading day (shared with the moves loader's ids)."""
        if not date:
            return None
        ident = f"market_session_{date.replace('-', '_')}"
        if ident not in self.entities:
            self.entities[ident] = Entity(ident, "Event", f"Market session of {date}", [], {"date": date})
        return ident

    def add_fact(self, sent: Sentence, rule: str, s: str, p: str, o: str | None = None,
                 confidence: float = 0.8, **fields: Any) -> Fact | None:
        props = {k: v for k, v in fields.items() if k not in ("value", "unit", "qualifier", "date") and v is not None}
        fact = Fact(s=s, p=p, o=o, value=fields.get("value"), unit=fields.get("unit"),
                    qualifier=fields.get("qualifier"), date=fields.get("date"), properties=props)
        evidence = Evidence(source=self.doc.source, quote=sent.text, span=(sent.start, sent.end),
                            extractor=f"rules:{rule}", confidence=round(confidence, 2),
                            lang=self.doc.lang, url=self.doc.url)
        key = (s, p, o, fact.value, fact.unit, fact.date, props.get("session"))
        for have in self.facts:
            if (have.s, have.p, have.o, have.value, have.unit, have.date, have.properties.get("session")) == key:
                # said twice in the article: one claim, with every place it is said
                if all(e.span != evidence.span for e in have.evidence):
                    have.evidence.append(evidence)
                return None
        fact.evidence = [evidence]
        if p == "works_for" and o is not None:
            self.employers.setdefault(s, o)
        self.facts.append(fact)
        return fact


_WEEKDAYS = {name: i for i, names in enumerate((
    ("monday", "lundi"), ("tuesday", "mardi"), ("wednesday", "mercredi"), ("thursday", "jeudi"),
    ("friday", "vendredi"), ("saturday", "samedi"), ("sunday", "dimanche"))) for name in names}


def _weekday_conflict(text: str, iso: str) -> str | None:
    """Whether the weekday written next to a date (re-dated to the story's year) contradicts it."""
    named = [_WEEKDAYS[w] for w in re.findall(r"[a-zé]+", text.lower()) if w in _WEEKDAYS]
    actual = dt.date.fromisoformat(iso).weekday()
    if not named or named[0] == actual:
        return None
    day = [k for k, v in _WEEKDAYS.items() if v == actual][0]
    return f"{text}: {iso} is a {day.capitalize()}"


def _weekday_near(anchor: str, weekday: int) -> str:
    """The day with `weekday` closest to `anchor` (ties go forward)."""
    base = dt.date.fromisoformat(anchor)
    options = [base + dt.timedelta(days=k) for k in range(-3, 4)]
    return min((d for d in options if d.weekday() == weekday), key=lambda d: (abs((d - base).days), d < base)).isoformat()


def _previous_weekday(iso: str) -> str:
    day = dt.date.fromisoformat(iso) - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day.isoformat()


def _with_year(iso: str, year: str) -> str:
    candidate = f"{year}{iso[4:]}"
    try:
        dt.date.fromisoformat(candidate)
    except ValueError:
        return iso
    return candidate


def main_topic(mentions: list[Mention]) -> str | None:
    """The entity the article is about: the most named company, lab or model."""
    counts = Counter(m.entity for m in mentions if m.type in (*ORG_TYPES, "AIModel"))
    if not counts:
        return None
    first = {m.entity: i for i, m in reversed(list(enumerate(mentions)))}
    return max(counts, key=lambda e: (counts[e], -first[e]))
