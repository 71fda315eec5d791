"""Quantities in English and French news: percents, money, hedges, and the digits that are not quantities."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.loaders.text.quantities import (QUALIFIERS, Quantity, find_quantities, format_quantity,
                                     parse_quantity)
from kg.loaders.text.quantities_lexicon import ISO_CODES

NBSP, NNBSP = "\u00a0", "\u202f"

# (lang, text, [(value, unit, qualifier, surface), ...])
CASES = [
    # percents
    ("en", "Nvidia fell 17% on Monday", [(17, "percent", "exact", "17%")]),
    ("fr", "Nvidia a chuté de 17 % lundi", [(17, "percent", "exact", "17 %")]),
    ("fr", f"une baisse de 17{NBSP}%", [(17, "percent", "exact", f"17{NBSP}%")]),
    ("fr", f"une baisse de 17{NNBSP}%", [(17, "percent", "exact", f"17{NNBSP}%")]),
    ("fr", "un recul de 17 pour cent", [(17, "percent", "exact", "17 pour cent")]),
    ("en", "down 17 percent", [(17, "percent", "exact", "17 percent")]),
    ("en", "down 17 per cent", [(17, "percent", "exact", "17 per cent")]),
    ("en", "down 17 pct", [(17, "percent", "exact", "17 pct")]),
    ("fr", "en hausse de 2,5 %", [(2.5, "percent", "exact", "2,5 %")]),
    ("fr", "en hausse de 2,5%", [(2.5, "percent", "exact", "2,5%")]),
    ("en", "up 2.5%", [(2.5, "percent", "exact", "2.5%")]),
    ("en", "the index (-3.1%)", [(-3.1, "percent", "exact", "-3.1%")]),
    ("en", "futures +2%", [(2, "percent", "exact", "+2%")]),
    ("fr", "le Nasdaq −4,2 %", [(-4.2, "percent", "exact", "−4,2 %")]),
    ("en", "Nasdaq –3%", [(-3, "percent", "exact", "–3%")]),
    ("en", "Nasdaq fell 3.1%.", [(3.1, "percent", "exact", "3.1%")]),
    ("en", "rates rose 0.5 percentage point", [(0.5, "pp", "exact", "0.5 percentage point")]),
    ("en", "rates rose 0.25 percentage points", [(0.25, "pp", "exact", "0.25 percentage points")]),
    ("fr", "le taux gagne 0,5 point de pourcentage", [(0.5, "pp", "exact", "0,5 point de pourcentage")]),
    ("en", "a 3% to 5% cut", [(3, "percent", "exact", "3%"), (5, "percent", "exact", "5%")]),
    ("en", "a 3 to 5% cut", [(3, "percent", "exact", "3"), (5, "percent", "exact", "5%")]),
    ("fr", "de 3 à 5 %", [(3, "percent", "exact", "3"), (5, "percent", "exact", "5 %")]),
    ("fr", "17 % et 20 %", [(17, "percent", "exact", "17 %"), (20, "percent", "exact", "20 %")]),
    # money, English
    ("en", "wiped $465 billion off", [(465e9, "USD", "exact", "$465 billion")]),
    ("en", "wiped $465bn off", [(465e9, "USD", "exact", "$465bn")]),
    ("en", "wiped US$465 billion off", [(465e9, "USD", "exact", "US$465 billion")]),
    ("en", f"US{NBSP}$465 billion", [(465e9, "USD", "exact", f"US{NBSP}$465 billion")]),
    ("en", "A$1.2 billion", [(1.2e9, "AUD", "exact", "A$1.2 billion")]),
    ("en", "C$3 million", [(3e6, "CAD", "exact", "C$3 million")]),
    ("en", "HK$2bn", [(2e9, "HKD", "exact", "HK$2bn")]),
    ("en", "€3.2 billion", [(3.2e9, "EUR", "exact", "€3.2 billion")]),
    ("en", "$1 trillion", [(1e12, "USD", "exact", "$1 trillion")]),
    ("en", "$1tn", [(1e12, "USD", "exact", "$1tn")]),
    ("en", "5.6 million dollars", [(5.6e6, "USD", "exact", "5.6 million dollars")]),
    ("en", "a $5.6m round", [(5.6e6, "USD", "exact", "$5.6m")]),
    ("en", "£2bn", [(2e9, "GBP", "exact", "£2bn")]),
    ("en", "¥500 billion", [(500e9, "JPY", "exact", "¥500 billion")]),
    ("en", "1,234.5 million", [(1234.5e6, None, "exact", "1,234.5 million")]),
    ("en", "shares closed at $118.42", [(118.42, "USD", "exact", "$118.42")]),
    ("en", "2 billion yuan", [(2e9, "CNY", "exact", "2 billion yuan")]),
    ("en", "CHF 10 million", [(10e6, "CHF", "exact", "CHF 10 million")]),
    ("en", "5 billion won", [(5e9, "KRW", "exact", "5 billion won")]),
    ("en", "a billion dollars", [(1e9, "USD", "exact", "a billion dollars")]),
    ("en", "-$5 billion", [(-5e9, "USD", "exact", "-$5 billion")]),
    ("en", "$3-5 billion", [(3e9, "USD", "exact", "$3"), (5e9, "USD", "exact", "5 billion")]),
    ("en", "between 2 and 3 billion dollars",
     [(2e9, "USD", "exact", "2"), (3e9, "USD", "exact", "3 billion dollars")]),
    # money, French
    ("fr", "3,2 milliards d'euros", [(3.2e9, "EUR", "exact", "3,2 milliards d'euros")]),
    ("fr", "3,2 milliards d’euros", [(3.2e9, "EUR", "exact", "3,2 milliards d’euros")]),
    ("fr", "465 milliards de dollars", [(465e9, "USD", "exact", "465 milliards de dollars")]),
    ("fr", "465 Md$", [(465e9, "USD", "exact", "465 Md$")]),
    ("fr", "12 G$", [(12e9, "USD", "exact", "12 G$")]),
    ("fr", "12 Mds $", [(12e9, "USD", "exact", "12 Mds $")]),
    ("fr", "5 M€", [(5e6, "EUR", "exact", "5 M€")]),
    ("fr", "1 billion de dollars", [(1e12, "USD", "exact", "1 billion de dollars")]),
    ("fr", "1 000 milliards de dollars", [(1e12, "USD", "exact", "1 000 milliards de dollars")]),
    ("fr", "mille milliards de dollars", [(1e12, "USD", "exact", "mille milliards de dollars")]),
    ("fr", "un milliard d'euros", [(1e9, "EUR", "exact", "un milliard d'euros")]),
    ("fr", "5,6 millions de dollars", [(5.6e6, "USD", "exact", "5,6 millions de dollars")]),
    ("fr", "100 millions de dollars", [(100e6, "USD", "exact", "100 millions de dollars")]),
    ("fr", "2 milliards de yuans", [(2e9, "CNY", "exact", "2 milliards de yuans")]),
    ("fr", "1 234,5 millions d'euros", [(1234.5e6, "EUR", "exact", "1 234,5 millions d'euros")]),
    ("fr", f"1{NNBSP}234,5 millions d'euros",
     [(1234.5e6, "EUR", "exact", f"1{NNBSP}234,5 millions d'euros")]),
    ("fr", f"1{NBSP}234,5 millions d'euros",
     [(1234.5e6, "EUR", "exact", f"1{NBSP}234,5 millions d'euros")]),
    ("fr", "5 milliards de dollars américains",
     [(5e9, "USD", "exact", "5 milliards de dollars américains")]),
    ("fr", "10 $ US", [(10, "USD", "exact", "10 $ US")]),
    ("fr", "5 millions de livres", [(5e6, "GBP", "exact", "5 millions de livres")]),
    ("fr", "entre 3 et 5 milliards de dollars",
     [(3e9, "USD", "exact", "3"), (5e9, "USD", "exact", "5 milliards de dollars")]),
    ("fr", "465 milliards de dollars (420 milliards d'euros)",
     [(465e9, "USD", "exact", "465 milliards de dollars"), (420e9, "EUR", "exact", "420 milliards d'euros")]),
    # quote tables: a price then a change, a currency pair
    ("fr", f"Melexis 57,10{NBSP}€ -5,6{NBSP}%",
     [(57.1, "EUR", "exact", f"57,10{NBSP}€"), (-5.6, "percent", "exact", f"-5,6{NBSP}%")]),
    ("fr", f"Pétrole WTI 73,17{NBSP}$ US −2,1{NBSP}%",
     [(73.17, "USD", "exact", f"73,17{NBSP}$ US"), (-2.1, "percent", "exact", f"−2,1{NBSP}%")]),
    ("en", "EUR/USD 1.0493 +0.6%", [(1.0493, None, "exact", "1.0493"), (0.6, "percent", "exact", "+0.6%")]),
    ("en", "In 2023 $5bn went", [(2023, None, "exact", "2023"), (5e9, "USD", "exact", "$5bn")]),
    # qualifiers, English
    ("en", "fell nearly 17%", [(17, "percent", "approx", "nearly 17%")]),
    ("en", "almost 17%", [(17, "percent", "approx", "almost 17%")]),
    ("en", "close to $1 trillion", [(1e12, "USD", "approx", "close to $1 trillion")]),
    ("en", "About 17%", [(17, "percent", "approx", "About 17%")]),
    ("en", "around 17%", [(17, "percent", "approx", "around 17%")]),
    ("en", "roughly 17%", [(17, "percent", "approx", "roughly 17%")]),
    ("en", "approximately 17%", [(17, "percent", "approx", "approximately 17%")]),
    ("en", "some 17%", [(17, "percent", "approx", "some 17%")]),
    ("en", "an estimated $465bn", [(465e9, "USD", "approx", "an estimated $465bn")]),
    ("en", "more than 3%", [(3, "percent", "more_than", "more than 3%")]),
    ("en", "over $600 billion", [(600e9, "USD", "more_than", "over $600 billion")]),
    ("en", "above 3%", [(3, "percent", "more_than", "above 3%")]),
    ("en", "upwards of $5bn", [(5e9, "USD", "more_than", "upwards of $5bn")]),
    ("en", "in excess of $5bn", [(5e9, "USD", "more_than", "in excess of $5bn")]),
    ("en", "less than 2%", [(2, "percent", "less_than", "less than 2%")]),
    ("en", "under 2%", [(2, "percent", "less_than", "under 2%")]),
    ("en", "below 2%", [(2, "percent", "less_than", "below 2%")]),
    ("en", "fewer than 100", [(100, None, "less_than", "fewer than 100")]),
    ("en", "as much as 17%", [(17, "percent", "as_much_as", "as much as 17%")]),
    ("en", "up to 9%", [(9, "percent", "up_to", "up to 9%")]),
    ("en", "at least 3%", [(3, "percent", "at_least", "at least 3%")]),
    ("en", "no less than 4%", [(4, "percent", "at_least", "no less than 4%")]),
    ("en", "a whopping $600 billion", [(600e9, "USD", "exact", "$600 billion")]),
    # qualifiers, French
    ("fr", "près de 17 %", [(17, "percent", "approx", "près de 17 %")]),
    ("fr", "Près de 17 %", [(17, "percent", "approx", "Près de 17 %")]),
    ("fr", "presque 17 %", [(17, "percent", "approx", "presque 17 %")]),
    ("fr", "une baisse d'environ 3 %", [(3, "percent", "approx", "environ 3 %")]),
    ("fr", "quelque 17 %", [(17, "percent", "approx", "quelque 17 %")]),
    ("fr", "autour de 3 %", [(3, "percent", "approx", "autour de 3 %")]),
    ("fr", "quasiment 3 %", [(3, "percent", "approx", "quasiment 3 %")]),
    ("fr", "pratiquement 3 %", [(3, "percent", "approx", "pratiquement 3 %")]),
    ("fr", "approximativement 3 %", [(3, "percent", "approx", "approximativement 3 %")]),
    ("fr", "de l'ordre de 5 %", [(5, "percent", "approx", "de l'ordre de 5 %")]),
    ("fr", "aux alentours de 3 %", [(3, "percent", "approx", "aux alentours de 3 %")]),
    ("fr", "plus de 600 milliards de dollars",
     [(600e9, "USD", "more_than", "plus de 600 milliards de dollars")]),
    ("fr", "au-delà de 5 %", [(5, "percent", "more_than", "au-delà de 5 %")]),
    ("fr", "davantage que 5 %", [(5, "percent", "more_than", "davantage que 5 %")]),
    ("fr", "moins de 2 %", [(2, "percent", "less_than", "moins de 2 %")]),
    ("fr", "jusqu'à 9 %", [(9, "percent", "up_to", "jusqu'à 9 %")]),
    ("fr", "jusqu’à 9 %", [(9, "percent", "up_to", "jusqu’à 9 %")]),
    ("fr", "au moins 3 %", [(3, "percent", "at_least", "au moins 3 %")]),
    ("fr", "pas moins de 3 %", [(3, "percent", "at_least", "pas moins de 3 %")]),
    # bare numbers, and digits that are no quantity
    ("en", "in 2025", [(2025, None, "exact", "2025")]),
    ("fr", "en 2023", [(2023, None, "exact", "2023")]),
    ("fr", "le 27 janvier", [(27, None, "exact", "27")]),
    ("fr", "Le S&P 500 a perdu 1,5 %", [(500, None, "exact", "500"), (1.5, "percent", "exact", "1,5 %")]),
    ("fr", "à 16h30", []),
    ("en", "at 16:30 GMT", []),
    ("en", "on 2025-01-27", []),
    ("fr", "le 27/01/2025", []),
    ("en", "A100 and H800 chips", []),
    ("en", "GPT-4 and V3", []),
    ("en", "Janus-Pro-7B", []),
    ("fr", "le Covid-19", []),
    ("en", "a 7B model on 5G", []),
    ("en", "the 1st and 2nd", []),
    ("fr", "le 1er février, la 2e place", []),
    ("en", "10m away", []),
    ("fr", "5 livres", [(5, None, "exact", "5")]),
    ("en", "he won 5", [(5, None, "exact", "5")]),
]


@pytest.mark.parametrize("lang,text,expected", CASES)
def test_find_quantities(lang, text, expected):
    found = find_quantities(text, lang)
    got = [(q.value, q.unit, q.qualifier, q.text) for q in found]
    assert got == [(pytest.approx(v, rel=1e-12), u, ql, s) for v, u, ql, s in expected]
    for q in found:
        assert text[q.start:q.end] == q.text


def test_offsets_in_a_sentence():
    text = "Nvidia a perdu près de 17 %, soit 589 milliards de dollars, lundi."
    q1, q2 = find_quantities(text, "fr")
    assert (q1.start, q1.end) == (text.index("près"), text.index("%") + 1)
    assert text[q2.start:q2.end] == "589 milliards de dollars" and q2.value == 589e9


@pytest.mark.parametrize("lang,text,expected", [
    ("en", "17%", (17, "percent", "exact")),
    ("en", "  about $465 billion ", (465e9, "USD", "approx")),
    ("fr", "près de 465 milliards de dollars", (465e9, "USD", "approx")),
    ("fr", "2,5 %", (2.5, "percent", "exact")),
    ("en", "up 17%", None),
    ("en", "17% and 5%", None),
    ("en", "GPT-4", None),
    ("fr", "", None),
])
def test_parse_quantity(lang, text, expected):
    q = parse_quantity(text, lang)
    assert (q.value, q.unit, q.qualifier) == expected if expected else q is None


@pytest.mark.parametrize("q,lang,text", [
    (Quantity(465e9, "USD", "approx", 0, 0, ""), "en", "about $465 billion"),
    (Quantity(465e9, "USD", "approx", 0, 0, ""), "fr", "environ 465 milliards de dollars"),
    (Quantity(3.2e9, "EUR", "exact", 0, 0, ""), "fr", "3,2 milliards d'euros"),
    (Quantity(1e12, "USD", "exact", 0, 0, ""), "fr", "1 billion de dollars"),
    (Quantity(-3.1, "percent", "exact", 0, 0, ""), "en", "-3.1%"),
    (Quantity(-3.1, "percent", "up_to", 0, 0, ""), "fr", "jusqu'à -3,1 %"),
    (Quantity(0.5, "pp", "exact", 0, 0, ""), "fr", "0,5 point de pourcentage"),
    (Quantity(2e9, "CNY", "exact", 0, 0, ""), "en", "CNY 2 billion"),
])
def test_format_quantity(q, lang, text):
    assert format_quantity(q, lang) == text


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        find_quantities("17%", "de")


LANGS = st.sampled_from(["en", "fr"])
NEWSY = st.text(alphabet="0123456789 ,.%$€£¥-−+–kmbnMdGsé'’AaUSHCtrilonpu\u00a0\u202f", max_size=40)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(max_size=80), NEWSY), lang=LANGS)
def test_any_text_is_read_without_error(text, lang):
    found = find_quantities(text, lang)
    for q in found:
        assert q.start < q.end and text[q.start:q.end] == q.text
        assert q.qualifier in QUALIFIERS
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


VALUES = st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e16, max_value=1e16),
                   st.integers(min_value=0, max_value=10**13).map(float),
                   st.decimals(min_value=-1000, max_value=1000, places=2).map(float))


@settings(max_examples=300, deadline=None)
@given(value=VALUES, unit=st.sampled_from([None, "percent", "pp", *ISO_CODES]),
       qualifier=st.sampled_from(QUALIFIERS), lang=LANGS)
def test_format_then_parse_round_trips(value, unit, qualifier, lang):
    text = format_quantity(Quantity(value, unit, qualifier, 0, 0, ""), lang)
    back = parse_quantity(text, lang)
    assert back is not None, text
    assert (back.value, back.unit, back.qualifier) == (value, unit, qualifier), text
