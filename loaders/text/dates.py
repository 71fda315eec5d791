"""Dates in English and French news text, resolved to ISO days against the publication date.

A fact is dated by what its sentence says: "27 janvier 2025", "Jan. 27",
"lundi", "hier", "last week", "en 2023". Relative and weekday mentions only make
sense against the day the article was published, and a weekday written next to
a date ("lundi 28 janvier") is kept as a check: when the calendar disagrees the
explicit date wins and the mention carries a `conflict` note. The vocabulary
lives in `dates_lexicon`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Callable

from kg.loaders.text import dates_lexicon as lex

GRANULARITIES = ("day", "week", "month", "year")
KINDS = ("explicit", "relative", "weekday")
_YEAR = r"(?P<year>(?:1[89]|2[01])\d\d)(?!\d)"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?!\d)"
_SPLIT_YEAR_MAX_DAYS = 62  # a year-less date further than this after publication is last year's


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date: str                # ISO YYYY-MM-DD; the first day for week, month and year granularity
    granularity: str         # one of GRANULARITIES
    kind: str                # one of KINDS
    conflict: str | None     # set when a written weekday disagrees with the explicit date


# start, end, day (None: a date-like span that names no real day), granularity, kind, conflict
Hit = tuple[int, int, "date | None", str, str, "str | None"]
Resolver = Callable[[re.Match, "date | None", str], "Hit | None"]


def _alt(words, icase: bool = True, capitalized: bool = False) -> str:
    """Alternation of `words`, longest first; ' matches ’, a space any whitespace run."""
    forms = sorted({w.capitalize() if capitalized else w for w in words}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(p).replace("'", "['’]") for p in w.split(" ")) for w in forms)
    return f"(?i:{body})" if icase else f"(?:{body})"


def _key(surface: str) -> str:
    return re.sub(r"\s+", " ", surface.replace("’", "'")).lower().rstrip(".")


def _published(published: str | None) -> date | None:
    return date.fromisoformat(published[:10]) if published else None


def weekday_date(weekday: int, published: str, direction: str = "past") -> str:
    """The ISO day of `weekday` (0 = Monday) seen from `published`: "past" is the most recent
    one on or before it, "last" strictly before it, "next" strictly after it."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
    pub = date.fromisoformat(published[:10])
    back, ahead = (pub.weekday() - weekday) % 7, (weekday - pub.weekday()) % 7
    if direction == "past":
        return (pub - timedelta(days=back)).isoformat()
    if direction == "last":
        return (pub - timedelta(days=back or 7)).isoformat()
    if direction == "next":
        return (pub + timedelta(days=ahead or 7)).isoformat()
    raise ValueError(f"direction must be 'past', 'last' or 'next', not {direction!r}")


def _with_year(month: int, day: int, pub: date | None) -> date | None:
    """A year-less date: the publication year, or the year before when that lands well after it."""
    if pub is None:
        return None
    for year in (pub.year, pub.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if year < pub.year or (found - pub).days <= _SPLIT_YEAR_MAX_DAYS:
            return found
    return None


def _two_digit_year(year: str) -> int:
    return int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 70 else 1900 + int(year)


def _explicit(m: re.Match, pub: date | None, lang: str) -> Hit | None:
    g = m.groupdict()
    if g.get("a"):  # numeric day/month: the unambiguous order, else the language's
        a, b = int(g["a"]), int(g["b"])
        if g["sep"] != "/" and len(g["year"]) != 4:
            return None
        month_first = b > 12 or (lang == "en" and a <= 12)
        month, day = (a, b) if month_first else (b, a)
    else:
        month = int(g["month"]) if g["month"].isdigit() else lex.MONTHS[lang][_key(g["month"])]
        day = int(g["day"]) if g.get("day") else None
    try:
        if g.get("year"):
            found = date(_two_digit_year(g["year"]), month, day or 1)
        else:
            found = _with_year(month, day, pub)
    except ValueError:
        found = None
    if found is None:  # "31 février 2025": kept as a blocker so "février 2025" is not read instead
        return m.start(), m.end(), None, "day", "explicit", None
    conflict = None
    if g.get("wd") and day:
        names = {**lex.WEEKDAYS[lang], **lex.WEEKDAY_ABBREVIATIONS[lang]}
        if names[_key(g["wd"])] != found.weekday():
            conflict = (f"{m.group()}: {found.isoformat()} is a "
                        f"{lex.ENGLISH_DAY_NAMES[found.weekday()]}")
    return m.start(), m.end(), found, "day" if day else "month", "explicit", conflict


def _year(m: re.Match, pub: date | None, lang: str) -> Hit | None:
    return m.start("year"), m.end("year"), date(int(m["year"]), 1, 1), "year", "explicit", None


def _relative(m: re.Match, pub: date | None, lang: str) -> Hit | None:
    if pub is None:
        return None
    unit, offset = lex.RELATIVE[lang][_key(m.group())]
    if unit == "day":
        found = pub + timedelta(days=offset)
    elif unit == "week":
        found = pub - timedelta(days=pub.weekday()) + timedelta(weeks=offset)
    elif unit == "month":
        year, month = divmod(pub.year * 12 + pub.month - 1 + offset, 12)
        found = date(year, month + 1, 1)
    else:
        found = date(pub.year + offset, 1, 1)
    return m.start(), m.end(), found, unit, "relative", None


def _weekday(m: re.Match, pub: date | None, lang: str) -> Hit | None:
    if pub is None:
        return None
    mod = _key(m["mod"]) if m["mod"] else ""
    direction = ("last" if mod in lex.WEEKDAY_BEFORE[lang] else
                 "next" if mod in lex.WEEKDAY_AFTER[lang] else "past")
    day = weekday_date(lex.WEEKDAYS[lang][_key(m["wd"])], pub.isoformat(), direction)
    return m.start(), m.end(), date.fromisoformat(day), "day", "weekday", None


@cache
def _patterns(lang: str) -> tuple[tuple[re.Pattern, Resolver], ...]:
    if lang not in lex.MONTHS:
        raise ValueError(f"unsupported language {lang!r} (expected 'en' or 'fr')")
    en = lang == "en"  # English capitalizes month and day names, so "may" and "march" stay verbs
    month = (rf"(?P<month>{_alt(lex.MONTH_NAMES[lang], not en, en)}"
             rf"|{_alt(lex.MONTH_ABBREVIATIONS[lang], not en, en)}\.?)")
    month_name = rf"(?P<month>{_alt(lex.MONTH_YEAR_NAMES[lang], not en, en)})"
    days = {**lex.WEEKDAYS[lang], **lex.WEEKDAY_ABBREVIATIONS[lang]}
    wd = rf"(?:(?P<wd>{_alt(days, not en, en)})\.?,?\s+)?"
    day_suffix = r"(?:st|nd|rd|th)?" if en else r"(?:er|re|ᵉʳ|e)?"
    explicit = [
        rf"(?<!\w){wd}(?:the\s+)?{_DAY}{day_suffix}(?:\s+of)?\s+{month}(?:,?\s+{_YEAR})?(?!\w)",
        rf"(?<!\w){month_name},?\s+{_YEAR}(?!\w)",
        rf"(?<![\w./-]){wd}(?P<year>\d{{4}})(?P<sep>[-/])(?P<month>\d{{1,2}})(?P=sep)(?P<day>\d{{1,2}})(?!\d)",
        rf"(?<![\w./-]){wd}(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<year>\d{{4}}|\d\d)"
        rf"(?![\w/-]|\.\d)",
    ]
    if en:
        explicit.append(rf"(?<!\w){wd}{month}\s+{_DAY}{day_suffix}(?:,?\s+{_YEAR})?(?![\w%])")
    weekday = _alt(lex.WEEKDAYS[lang], not en, en)
    before_after = _alt((*lex.WEEKDAY_BEFORE[lang], *lex.WEEKDAY_AFTER[lang], *(("this",) if en else ())))
    weekday_re = (rf"(?<!\w)(?:(?P<mod>{before_after})\s+)?(?P<wd>{weekday})(?!\w)" if en else
                  rf"(?<!\w)(?P<wd>{weekday})(?:\s+(?P<mod>{before_after}))?(?!\w)")
    cues = _alt(lex.YEAR_CUES[lang])
    return (
        *((re.compile(p), _explicit) for p in explicit),
        (re.compile(rf"(?<!\w){cues}(?:\s+|-){_YEAR}(?![\w%]|[.,]\d)"), _year),
        (re.compile(rf"(?<!\w){_alt(lex.RELATIVE[lang])}(?!\w|\s*-\s*l[àa]\b)"), _relative),
        (re.compile(weekday_re), _weekday),
    )


def _hits(text: str, pub: date | None, lang: str) -> list[Hit]:
    """Every resolvable span, longest first when they overlap, in text order."""
    found = [hit for regex, resolve in _patterns(lang) for m in regex.finditer(text)
             if (hit := resolve(m, pub, lang)) is not None]
    chosen: list[Hit] = []
    for hit in sorted(found, key=lambda h: (h[0] - h[1], h[0])):
        if all(hit[1] <= c[0] or hit[0] >= c[1] for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h[0])


def find_dates(text: str, published: str | None, lang: str) -> list[DateMention]:
    """Every date mention in `text` ("en" or "fr"), in order, without overlaps (longest wins).

    Relative, weekday and year-less mentions need `published` (ISO) and are skipped without it."""
    return [DateMention(s, e, text[s:e], d.isoformat(), gran, kind, conflict)
            for s, e, d, gran, kind, conflict in _hits(text, _published(published), lang) if d is not None]


def parse_date(text: str, lang: str, published: str | None = None) -> str | None:
    """The ISO day of the one date `text` mentions ("27 janvier 2025", "1/27/2025"), else None.

    `published` lets relative and year-less dates resolve; month and year mentions give their first day."""
    hits = _hits(text, _published(published), lang)
    return hits[0][2].isoformat() if len(hits) == 1 and hits[0][2] is not None else None
