"""Percentages, amounts of money and bare numbers in English and French news text.

Market news states its facts as quantities ("fell nearly 17%", "465 milliards
de dollars"); the rules need each one as a value in base units with its unit,
its hedge and its exact span, whatever the language's decimal comma, thousands
separator or meaning of "billion". Digits inside names (A100, GPT-4, Covid-19,
7B), dates and clock times are not quantities at all; a number with no unit is
returned with unit None for callers to ignore. The vocabulary lives in
`quantities_lexicon`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from kg.loaders.text import quantities_lexicon as lex

QUALIFIERS = ("exact", "approx", "more_than", "less_than", "as_much_as", "up_to", "at_least")
SP = r"[ \t\u00a0\u202f]"  # the spaces that may sit inside one quantity (no line breaks)
_NUMBER = {
    "en": r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]\d)|\d+(?:\.\d+)?",
    "fr": r"\d{1,3}(?:[ \u00a0\u202f'’]\d{3})+(?:,\d+)?(?!\d)|\d+(?:[,.]\d+)?",
}
_DATE_OR_TIME = re.compile(
    r"(?<![\d.,])(?:\d{4}([-/])\d{1,2}\1\d{1,2}|\d{1,2}([/.-])\d{1,2}\2\d{2,4}|\d{1,2}/\d{1,2}"
    r"|\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}\s?h\s?\d{2})(?!\d)")
_BETWEEN = re.compile(rf"(?<!\w)(?i:between|entre){SP}+\Z")


@dataclass(frozen=True)
class Quantity:
    value: float          # in base units (465e9 for "465 milliards de dollars"); explicit signs kept
    unit: str | None      # "percent", "pp", an ISO currency code, or None for a bare number
    qualifier: str        # one of QUALIFIERS
    start: int            # [start, end) in the input text, hedge words included
    end: int
    text: str             # text[start:end]


@dataclass
class _Raw:
    """A quantity while it is being read: number and scale kept apart so ranges can share them."""
    start: int
    end: int
    number: Decimal
    scale: Decimal | None
    unit: str | None
    qualifier: str
    prefixed: bool = False


def _alt(words, icase: bool = False) -> str:
    """A regex alternation of `words`, longest first; ' matches ’ and spaces match any space run."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        pieces = [re.escape(p).replace("'", "['’]") for p in word.split(" ")]
        parts.append(f"{SP}+".join(pieces))
    body = "|".join(parts)
    return f"(?i:{body})" if icase else f"(?:{body})"


@dataclass(frozen=True)
class _Grammar:
    number: re.Pattern
    left: re.Pattern
    glued: re.Pattern
    scale: re.Pattern
    unit: re.Pattern
    scales: dict[str, Decimal]
    units: dict[str, str]
    qualifiers: dict[str, str]


@cache
def _grammar(lang: str) -> _Grammar:
    if lang not in lex.SCALES:
        raise ValueError(f"unsupported language {lang!r} (expected 'en' or 'fr')")
    letters, quals = lex.LETTER_SCALES[lang], lex.QUALIFIERS[lang]
    left = re.compile(
        rf"(?:(?<!\w)(?P<qual>{_alt(quals, True)}){SP}+)?"
        rf"(?P<sign1>(?<![\w.,])[-+−])?"
        rf"(?:(?<![A-Za-z/])(?P<cur>{_alt(lex.PREFIXES)})[ \u00a0]?)?"
        rf"(?P<sign>(?<![\w.,])[-+−–])?\Z")
    glued = re.compile(rf"(?P<scale>{_alt((*lex.GLUED_SCALES[lang], *letters), True)})(?!\w)")
    scale = re.compile(rf"{SP}+(?P<scale>{_alt((*lex.SCALES[lang], *letters), True)})(?!\w)")
    words = {**lex.CURRENCY_WORDS[lang], **lex.UNIT_WORDS}
    unit = re.compile(rf"{SP}*(?P<conn>(?i:de{SP}+|d['’]{SP}*))?"
                      rf"(?P<unit>{_alt(words, True)}|{_alt(lex.SUFFIX_SYMBOLS)}(?!{SP}*\d))(?!\w)")
    units = {**{k.lower(): v for k, v in words.items()}, **lex.SUFFIX_SYMBOLS}
    scale_words = _alt(lex.SCALES[lang], True)
    number = re.compile(rf"{_NUMBER[lang]}|(?<!\w){_alt(lex.NUMBER_WORDS[lang], True)}"
                        rf"(?={SP}+{scale_words}(?!\w))")
    return _Grammar(number, left, glued, scale, unit,
                    {**lex.SCALES[lang], **letters}, units,
                    {k.replace("’", "'").lower(): v for k, v in quals.items()})


def _norm(surface: str) -> str:
    """A matched surface with spaces and apostrophes made plain, for table lookups."""
    return re.sub(r"\s+", " ", surface.replace("’", "'")).lower()


def _glued_left(text: str, start: int) -> bool:
    """Is the digit at `start` part of a longer token (A100, GPT-4, 1.2.3, 16:30, or the "4"
    of a French "6,4" read as English)?"""
    prev = text[start - 1] if start else ""
    before = text[start - 2] if start > 1 else ""
    return (prev.isalnum() or prev == "_" or (prev == "-" and before.isalpha())
            or (prev in ".:/," and before.isdigit()))


def _glued_right(text: str, end: int) -> bool:
    """Does the digit run ending at `end` run on into a longer token (7B, 16h30, 2.0.1, or the
    "6" of "6,4 %" where the language's numbers have no decimal comma)?"""
    nxt = text[end] if end < len(text) else ""
    after = text[end + 1] if end + 1 < len(text) else ""
    return nxt.isalnum() or nxt == "_" or (nxt in ".:/," and after.isdigit())


def _to_decimal(digits: str, lang: str) -> Decimal:
    if digits[0].isalpha():
        return Decimal(lex.NUMBER_WORDS[lang][_norm(digits)])
    digits = re.sub(r"[ \u00a0\u202f'’]", "", digits)  # Swiss 12'950,3 too
    digits = digits.replace(",", "") if lang == "en" else digits.replace(",", ".")
    return Decimal(digits)


def _unit_key(surface: str, units: dict[str, str]) -> str | None:
    """The unit a matched symbol or word stands for, whatever its spaces and apostrophes."""
    key = re.sub(r"\s+", " ", surface.replace("’", "'"))
    return units.get(key, units.get(key.lower()))


def _read_one(text: str, m: re.Match, g: _Grammar, lang: str, floor: int) -> _Raw | None:
    """The quantity around the digits of `m`, or None when they belong to a name, date or time."""
    s, e = m.span()
    left = g.left.search(text, max(floor, s - 60), s)
    cur, sign = left["cur"], left["sign"] or left["sign1"]
    if not (cur or sign) and _glued_left(text, s):
        return None
    number = _to_decimal(m.group(), lang)
    if sign in ("-", "−", "–"):
        number = -number
    scale_m = g.glued.match(text, e)
    if scale_m is None and _glued_right(text, e):
        return None
    scale_m = scale_m or g.scale.match(text, e)
    scale_word = _norm(scale_m["scale"]) if scale_m else None
    unit_m = None if cur else g.unit.match(text, scale_m.end() if scale_m else e)
    unit = _unit_key(cur, lex.PREFIXES) if cur else None
    if unit_m:
        bare = not scale_word and (unit_m["conn"] or _norm(unit_m["unit"]) in lex.AMBIGUOUS_WORDS)
        unit = None if bare else _unit_key(unit_m["unit"], g.units)
        unit_m = unit_m if unit else None
    if scale_word in lex.LETTER_SCALES[lang] and unit not in lex.ISO_CODES:
        if scale_m.re is g.glued:
            return None  # "7B", "5G", "10m": a name or another unit, not a quantity
        scale_m = scale_word = None
    end = unit_m.end() if unit_m else scale_m.end() if scale_m else e
    qual = g.qualifiers[_norm(left["qual"])] if left["qual"] else "exact"
    return _Raw(left.start(), end, number, g.scales[scale_word] if scale_word else None, unit,
                qual, prefixed=bool(cur))


def _join_ranges(text: str, raws: list[_Raw]) -> None:
    """Let the first number of "3 to 5%" or "$3-5 billion" take the unit and scale it shares."""
    for a, b in zip(raws, raws[1:]):
        gap = text[a.end:b.start]
        joined = re.fullmatch(rf"{SP}*(?:[-–—]|to|à|au){SP}*", gap) or (
            re.fullmatch(rf"{SP}+(?:and|et){SP}+", gap) and _BETWEEN.search(text, 0, a.start))
        if not joined or (a.unit and b.unit and a.unit != b.unit):
            continue
        if a.unit is None and a.scale is None and a.number == int(a.number) and 1900 <= a.number <= 2100:
            continue  # "2024 - 5 %": a year, then a figure
        if a.scale is None and b.scale is not None and (a.unit in (None, b.unit) or a.prefixed):
            a.scale = b.scale
        if a.unit is None:
            a.unit = b.unit
        elif b.unit is None and a.prefixed:
            b.unit = a.unit


def find_quantities(text: str, lang: str) -> list[Quantity]:
    """Every quantity in `text` ("en" or "fr"), in order, with character offsets."""
    g = _grammar(lang)
    masked = [m.span() for m in _DATE_OR_TIME.finditer(text)]
    raws: list[_Raw] = []
    for m in g.number.finditer(text):
        if any(a <= m.start() < b for a, b in masked) or (raws and m.start() < raws[-1].end):
            continue
        try:
            raw = _read_one(text, m, g, lang, raws[-1].end if raws else 0)
        except InvalidOperation:
            raw = None
        if raw is not None:
            raws.append(raw)
    _join_ranges(text, raws)
    out = []
    for r in raws:
        value = float(r.number * r.scale) if r.scale is not None else float(r.number)
        if math.isfinite(value):
            out.append(Quantity(value, r.unit, r.qualifier, r.start, r.end, text[r.start:r.end]))
    return out


def parse_quantity(text: str, lang: str) -> Quantity | None:
    """The one quantity the whole of `text` denotes (surrounding spaces allowed), else None."""
    found = find_quantities(text, lang)
    if len(found) != 1:
        return None
    q = found[0]
    return q if q.start == len(text) - len(text.lstrip()) and q.end == len(text.rstrip()) else None


def _digits(number: Decimal, lang: str) -> str:
    out = format(number, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out.replace(".", ",") if lang == "fr" else out


def format_quantity(q: Quantity, lang: str) -> str:
    """Canonical text for `q` in `lang`, which `parse_quantity` reads back to the same value,
    unit and qualifier ("about $465 billion", "environ 465 milliards de dollars")."""
    _grammar(lang)
    number = Decimal(repr(float(q.value)))
    sign, number = ("-" if number.is_signed() else ""), abs(number)
    scale_word = ""
    if q.unit in lex.ISO_CODES:
        for scale, one, many in lex.FORMAT_SCALES[lang]:
            if number >= scale:
                number /= scale
                scale_word = one if number < 2 else many
                break
    digits = _digits(number, lang)
    if q.unit is None:
        body = f"{sign}{digits}"
    elif q.unit == "percent":
        body = f"{sign}{digits}%" if lang == "en" else f"{sign}{digits} %"
    elif q.unit == "pp":
        one, many = lex.PP_TEXT[lang]
        body = f"{sign}{digits} {one if number < 2 else many}"
    elif lang == "en":
        symbol = lex.EN_SYMBOLS.get(q.unit, f"{q.unit} ")
        body = f"{sign}{symbol}{digits}" + (f" {scale_word}" if scale_word else "")
    else:
        name = lex.FR_NAMES.get(q.unit, q.unit)
        of = ("d'" if name[0] in "aeiouéè" else "de ") if scale_word else ""
        body = f"{sign}{digits} " + (f"{scale_word} {of}" if scale_word else "") + name
    qual = lex.QUALIFIER_TEXT[lang].get(q.qualifier)
    return f"{qual} {body}" if qual else body
