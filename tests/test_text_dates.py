"""Dates in English and French news, resolved against the publication day."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.loaders.text.dates import find_dates, parse_date, weekday_date

PUB = "2025-01-28"  # a Tuesday

# (lang, text, [(surface, date, granularity, kind), ...]) read against PUB
CASES = [
    # explicit days
    ("fr", "le 27 janvier 2025", [("27 janvier 2025", "2025-01-27", "day", "explicit")]),
    ("fr", "le 27 janvier", [("27 janvier", "2025-01-27", "day", "explicit")]),
    ("fr", "Le 1er février 2025", [("1er février 2025", "2025-02-01", "day", "explicit")]),
    ("fr", "le 1er fevrier", [("1er fevrier", "2025-02-01", "day", "explicit")]),
    ("fr", "le 27 janv. 2025", [("27 janv. 2025", "2025-01-27", "day", "explicit")]),
    ("fr", "Lundi 27 janvier", [("Lundi 27 janvier", "2025-01-27", "day", "explicit")]),
    ("en", "on January 27, 2025", [("January 27, 2025", "2025-01-27", "day", "explicit")]),
    ("en", "on January 27th, 2025", [("January 27th, 2025", "2025-01-27", "day", "explicit")]),
    ("en", "on Jan. 27", [("Jan. 27", "2025-01-27", "day", "explicit")]),
    ("en", "on Jan 27", [("Jan 27", "2025-01-27", "day", "explicit")]),
    ("en", "on 27 Jan 2025", [("27 Jan 2025", "2025-01-27", "day", "explicit")]),
    ("en", "on 27 January", [("27 January", "2025-01-27", "day", "explicit")]),
    ("en", "the 27th of January 2025", [("the 27th of January 2025", "2025-01-27", "day", "explicit")]),
    ("en", "on Monday, Jan. 27", [("Monday, Jan. 27", "2025-01-27", "day", "explicit")]),
    ("en", "Mon., Jan. 27, 2025", [("Mon., Jan. 27, 2025", "2025-01-27", "day", "explicit")]),
    ("en", "as of 2025-01-27", [("2025-01-27", "2025-01-27", "day", "explicit")]),
    ("en", "2025-01-27T14:30:00Z", [("2025-01-27", "2025-01-27", "day", "explicit")]),
    ("fr", "le 27/01/2025", [("27/01/2025", "2025-01-27", "day", "explicit")]),
    ("fr", "le 27.01.2025", [("27.01.2025", "2025-01-27", "day", "explicit")]),
    ("en", "on 27/01/2025", [("27/01/2025", "2025-01-27", "day", "explicit")]),
    ("en", "on 1/27/2025", [("1/27/2025", "2025-01-27", "day", "explicit")]),
    ("fr", "le 1/27/2025", [("1/27/2025", "2025-01-27", "day", "explicit")]),
    ("en", "on 01/02/2025", [("01/02/2025", "2025-01-02", "day", "explicit")]),
    ("fr", "le 01/02/2025", [("01/02/2025", "2025-02-01", "day", "explicit")]),
    ("fr", "le 27/01/25", [("27/01/25", "2025-01-27", "day", "explicit")]),
    # a year-less date lands in the publication year unless that is well after publication
    ("fr", "le 20 décembre", [("20 décembre", "2024-12-20", "day", "explicit")]),
    ("en", "on Sept. 5", [("Sept. 5", "2024-09-05", "day", "explicit")]),
    ("fr", "le 15 mars", [("15 mars", "2025-03-15", "day", "explicit")]),
    # months and years
    ("fr", "en mars 2020", [("mars 2020", "2020-03-01", "month", "explicit")]),
    ("en", "in March 2020", [("March 2020", "2020-03-01", "month", "explicit")]),
    ("fr", "en 2023", [("2023", "2023-01-01", "year", "explicit")]),
    ("en", "in 2023", [("2023", "2023-01-01", "year", "explicit")]),
    ("en", "by mid-2025", [("2025", "2025-01-01", "year", "explicit")]),
    ("fr", "d'ici fin 2026", [("2026", "2026-01-01", "year", "explicit")]),
    # weekdays
    ("fr", "lundi", [("lundi", "2025-01-27", "day", "weekday")]),
    ("fr", "ce mardi", [("mardi", "2025-01-28", "day", "weekday")]),
    ("en", "on Monday", [("Monday", "2025-01-27", "day", "weekday")]),
    ("en", "Monday's selloff", [("Monday", "2025-01-27", "day", "weekday")]),
    ("en", "on Tuesday", [("Tuesday", "2025-01-28", "day", "weekday")]),
    ("en", "on Friday", [("Friday", "2025-01-24", "day", "weekday")]),
    ("fr", "mardi dernier", [("mardi dernier", "2025-01-21", "day", "weekday")]),
    ("en", "last Tuesday", [("last Tuesday", "2025-01-21", "day", "weekday")]),
    ("fr", "jeudi prochain", [("jeudi prochain", "2025-01-30", "day", "weekday")]),
    ("en", "next Thursday", [("next Thursday", "2025-01-30", "day", "weekday")]),
    ("en", "next Tuesday", [("next Tuesday", "2025-02-04", "day", "weekday")]),
    # relative
    ("fr", "hier", [("hier", "2025-01-27", "day", "relative")]),
    ("fr", "hier soir", [("hier", "2025-01-27", "day", "relative")]),
    ("en", "Yesterday", [("Yesterday", "2025-01-27", "day", "relative")]),
    ("fr", "aujourd'hui", [("aujourd'hui", "2025-01-28", "day", "relative")]),
    ("fr", "aujourd’hui", [("aujourd’hui", "2025-01-28", "day", "relative")]),
    ("en", "today", [("today", "2025-01-28", "day", "relative")]),
    ("fr", "à ce jour", [("ce jour", "2025-01-28", "day", "relative")]),
    ("fr", "ce jour-là", []),
    ("fr", "avant-hier", [("avant-hier", "2025-01-26", "day", "relative")]),
    ("en", "the day before yesterday", [("the day before yesterday", "2025-01-26", "day", "relative")]),
    ("fr", "demain", [("demain", "2025-01-29", "day", "relative")]),
    ("fr", "le lendemain", []),
    ("en", "tomorrow", [("tomorrow", "2025-01-29", "day", "relative")]),
    ("fr", "la semaine dernière", [("la semaine dernière", "2025-01-20", "week", "relative")]),
    ("en", "last week", [("last week", "2025-01-20", "week", "relative")]),
    ("fr", "cette semaine", [("cette semaine", "2025-01-27", "week", "relative")]),
    ("en", "earlier this week", [("this week", "2025-01-27", "week", "relative")]),
    ("fr", "le mois dernier", [("le mois dernier", "2024-12-01", "month", "relative")]),
    ("en", "last month", [("last month", "2024-12-01", "month", "relative")]),
    ("fr", "l'an dernier", [("l'an dernier", "2024-01-01", "year", "relative")]),
    ("fr", "l'année dernière", [("l'année dernière", "2024-01-01", "year", "relative")]),
    ("en", "last year", [("last year", "2024-01-01", "year", "relative")]),
    # things that are not dates
    ("en", "I may march 3 times", []),
    ("fr", "sept milliards", []),
    ("en", "Mondays are slow", []),
    ("fr", "le 31 février 2025", []),
    ("en", "1.2.25 release", []),
]


@pytest.mark.parametrize("lang,text,expected", CASES)
def test_find_dates(lang, text, expected):
    found = find_dates(text, PUB, lang)
    assert [(d.text, d.date, d.granularity, d.kind) for d in found] == expected
    for d in found:
        assert text[d.start:d.end] == d.text and d.conflict is None


@pytest.mark.parametrize("lang,text,note", [
    ("fr", "lundi 28 janvier 2025", "lundi 28 janvier 2025: 2025-01-28 is a Tuesday"),
    ("en", "Tuesday, January 27, 2025", "Tuesday, January 27, 2025: 2025-01-27 is a Monday"),
    ("en", "Fri., Jan. 27", "Fri., Jan. 27: 2025-01-27 is a Monday"),
])
def test_a_weekday_that_disagrees_with_the_date_is_a_conflict(lang, text, note):
    (d,) = find_dates(text, PUB, lang)
    assert d.text == text and d.conflict == note and d.kind == "explicit"
    assert d.date == ("2025-01-28" if "28" in text else "2025-01-27")


def test_mentions_come_in_order_without_overlap():
    text = "Le lundi 27 janvier 2025, hier donc, DeepSeek a fait chuter Nvidia; en 2023 déjà, le 3 mars."
    found = find_dates(text, PUB, "fr")
    assert [d.text for d in found] == ["lundi 27 janvier 2025", "hier", "2023", "3 mars"]
    assert [d.start for d in found] == [text.index(d.text) for d in found]


def test_relative_mentions_need_a_publication_date():
    found = find_dates("hier, lundi 27 janvier 2025, le 3 mars, en 2023", None, "fr")
    assert [d.text for d in found] == ["lundi 27 janvier 2025", "2023"]


def test_published_may_carry_a_time():
    assert parse_date("hier", "fr", "2025-01-28T09:30:00+01:00") == "2025-01-27"


@pytest.mark.parametrize("weekday,direction,expected", [
    (0, "past", "2025-01-27"), (1, "past", "2025-01-28"), (2, "past", "2025-01-22"),
    (1, "last", "2025-01-21"), (0, "last", "2025-01-27"),
    (1, "next", "2025-02-04"), (3, "next", "2025-01-30"),
])
def test_weekday_date(weekday, direction, expected):
    assert weekday_date(weekday, PUB, direction) == expected


def test_weekday_date_refuses_bad_input():
    with pytest.raises(ValueError):
        weekday_date(7, PUB)
    with pytest.raises(ValueError):
        weekday_date(0, PUB, "sideways")


@pytest.mark.parametrize("lang,text,published,expected", [
    ("fr", "27 janvier 2025", None, "2025-01-27"),
    ("en", "  January 27, 2025 ", None, "2025-01-27"),
    ("en", "1/27/2025", None, "2025-01-27"),
    ("fr", "mars 2020", None, "2020-03-01"),
    ("fr", "hier", None, None),
    ("fr", "hier", PUB, "2025-01-27"),
    ("fr", "le 3 mars", None, None),
    ("fr", "le 3 mars", "2025-03-10", "2025-03-03"),
    ("fr", "le 3 mars et le 5 mars 2025", None, None),
    ("en", "no date here", None, None),
])
def test_parse_date(lang, text, published, expected):
    assert parse_date(text, lang, published) == expected


FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
EN_SHORT = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _fr_day(d: date) -> str:
    return "1er" if d.day == 1 else str(d.day)


FORMATS = {
    "en": [lambda d: f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}",
           lambda d: f"{EN_SHORT[d.month - 1]} {d.day}, {d.year}",
           lambda d: f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}",
           lambda d: f"{EN_DAYS[d.weekday()]}, {EN_MONTHS[d.month - 1]} {d.day}, {d.year}",
           lambda d: f"{d.month}/{d.day}/{d.year}",
           lambda d: d.isoformat()],
    "fr": [lambda d: f"{_fr_day(d)} {FR_MONTHS[d.month - 1]} {d.year}",
           lambda d: f"le {_fr_day(d)} {FR_MONTHS[d.month - 1]} {d.year}",
           lambda d: f"{FR_DAYS[d.weekday()]} {_fr_day(d)} {FR_MONTHS[d.month - 1]} {d.year}",
           lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
           lambda d: d.isoformat()],
}
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
LANGS = st.sampled_from(["en", "fr"])


@settings(max_examples=200, deadline=None)
@given(day=DATES, lang=LANGS, style=st.integers(min_value=0, max_value=5))
def test_formatted_dates_round_trip(day, lang, style):
    fmt = FORMATS[lang][style % len(FORMATS[lang])]
    text = fmt(day)
    assert parse_date(text, lang) == day.isoformat(), text
    (mention,) = find_dates(text, None, lang)
    assert mention.conflict is None and mention.granularity == "day"


@settings(max_examples=200, deadline=None)
@given(day=DATES, lang=LANGS, after=st.integers(min_value=0, max_value=300))
def test_year_less_dates_resolve_to_the_recent_past(day, lang, after):
    text = f"{day.day} {FR_MONTHS[day.month - 1]}" if lang == "fr" else f"{EN_MONTHS[day.month - 1]} {day.day}"
    published = (day + timedelta(days=after)).isoformat()
    assert parse_date(text, lang, published) == day.isoformat(), (text, published)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=80), published=st.one_of(st.none(), DATES.map(date.isoformat)), lang=LANGS)
def test_any_text_is_read_without_error(text, published, lang):
    found = find_dates(text, published, lang)
    for d in found:
        assert d.start < d.end and text[d.start:d.end] == d.text
        date.fromisoformat(d.date)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
