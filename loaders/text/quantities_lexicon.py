"""The words and symbols `numbers` reads quantities with, in English and French.

Kept apart from the parser so that adding a currency, a scale word or a hedge
is a change to a table, not to a regular expression. Every table maps a surface
form to what it means; `numbers` compiles them longest form first.
"""
from __future__ import annotations

from decimal import Decimal

THOUSAND, MILLION, BILLION, TRILLION = (Decimal(10) ** n for n in (3, 6, 9, 12))

# Scale words written after the number, with a space ("465 billion", "3,2 milliards").
# Looked up lower-cased. French "billion" is 10^12, as is "mille milliards".
SCALES: dict[str, dict[str, Decimal]] = {
    "en": {"thousand": THOUSAND, "million": MILLION, "millions": MILLION, "mn": MILLION,
           "mln": MILLION, "billion": BILLION, "billions": BILLION, "bn": BILLION,
           "trillion": TRILLION, "trillions": TRILLION, "tn": TRILLION, "trn": TRILLION},
    "fr": {"mille": THOUSAND, "million": MILLION, "millions": MILLION, "milliard": BILLION,
           "milliards": BILLION, "md": BILLION, "mds": BILLION, "mrd": BILLION, "mrds": BILLION,
           "billion": TRILLION, "billions": TRILLION, "mille milliards": TRILLION},
}
# Abbreviations that may also be glued to the number ("$465bn", "12Mds $").
GLUED_SCALES: dict[str, tuple[str, ...]] = {
    "en": ("bn", "mn", "mln", "tn", "trn"),
    "fr": ("md", "mds", "mrd", "mrds"),
}
# One-letter scales ("$5.6m", "12 G$", "5 M€"): only read when a currency is
# attached, since "7B", "5G" or "10 m" are model sizes, networks and metres.
LETTER_SCALES: dict[str, dict[str, Decimal]] = {
    "en": {"k": THOUSAND, "m": MILLION, "b": BILLION},
    "fr": {"k": THOUSAND, "m": MILLION, "g": BILLION},
}

# Counts written as words, read only right before a scale word ("un milliard", "mille milliards").
NUMBER_WORDS: dict[str, dict[str, int]] = {
    "en": {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "a hundred": 100, "one hundred": 100},
    "fr": {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
           "huit": 8, "neuf": 9, "dix": 10, "cent": 100, "mille": 1000},
}

ISO_CODES = ("USD", "EUR", "GBP", "JPY", "CNY", "AUD", "CAD", "CHF", "HKD", "KRW", "TWD",
             "INR", "SEK", "DKK", "NOK", "SGD")

# Currency written before the number ("US$465 billion", "€3.2 billion", "CHF 10").
PREFIXES: dict[str, str] = {
    "$": "USD", "US$": "USD", "US $": "USD", "U.S.$": "USD", "A$": "AUD", "AU$": "AUD",
    "C$": "CAD", "CA$": "CAD", "CAN$": "CAD", "HK$": "HKD", "S$": "SGD", "SG$": "SGD",
    "NT$": "TWD", "€": "EUR", "£": "GBP", "¥": "JPY", "CN¥": "CNY", "RMB": "CNY",
    "₩": "KRW", "₹": "INR", "Rs": "INR", "Rs.": "INR", **{code: code for code in ISO_CODES},
}
# Currency symbols and codes written after the number ("465 Md$", "10 $ US", "5 M€").
SUFFIX_SYMBOLS: dict[str, str] = {
    "$": "USD", "$US": "USD", "$ US": "USD", "US$": "USD", "$CA": "CAD", "$ CA": "CAD",
    "$ can": "CAD", "$AU": "AUD", "$ AU": "AUD", "$HK": "HKD", "$ HK": "HKD", "€": "EUR",
    "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR", **{code: code for code in ISO_CODES},
}
# Currency names written after the number or scale word; matched case-insensitively.
CURRENCY_WORDS: dict[str, dict[str, str]] = {
    "en": {"dollars": "USD", "dollar": "USD", "us dollars": "USD", "u.s. dollars": "USD",
           "american dollars": "USD", "australian dollars": "AUD", "canadian dollars": "CAD",
           "hong kong dollars": "HKD", "singapore dollars": "SGD", "taiwan dollars": "TWD",
           "new taiwan dollars": "TWD", "taiwanese dollars": "TWD", "euros": "EUR", "euro": "EUR",
           "pounds": "GBP", "pounds sterling": "GBP", "yen": "JPY", "yuan": "CNY",
           "renminbi": "CNY", "won": "KRW", "rupees": "INR", "swiss francs": "CHF",
           "swedish kronor": "SEK", "swedish crowns": "SEK", "danish kroner": "DKK",
           "norwegian kroner": "NOK"},
    "fr": {"dollars": "USD", "dollar": "USD", "dollars américains": "USD", "dollars us": "USD",
           "dollars australiens": "AUD", "dollars canadiens": "CAD", "dollars de hong kong": "HKD",
           "dollars hongkongais": "HKD", "dollars de singapour": "SGD", "dollars singapouriens": "SGD",
           "dollars taïwanais": "TWD", "nouveaux dollars taïwanais": "TWD", "euros": "EUR",
           "euro": "EUR", "livres sterling": "GBP", "livres": "GBP", "livre sterling": "GBP",
           "yens": "JPY", "yen": "JPY", "yuans": "CNY", "yuan": "CNY", "renminbis": "CNY",
           "wons": "KRW", "won": "KRW", "roupies": "INR", "roupies indiennes": "INR",
           "francs suisses": "CHF", "francs": "CHF", "couronnes suédoises": "SEK", "couronnes danoises": "DKK",
           "couronnes norvégiennes": "NOK"},
}
# Currency names that are also common words: read only after a scale word ("5 billion won").
AMBIGUOUS_WORDS = frozenset({"won", "livres"})

# Units that are not currencies, in either language; matched case-insensitively.
UNIT_WORDS: dict[str, str] = {
    "%": "percent", "percent": "percent", "per cent": "percent", "pct": "percent",
    "pour cent": "percent", "pour-cent": "percent",
    "percentage point": "pp", "percentage points": "pp", "percentage-point": "pp",
    "percentage-points": "pp", "pp": "pp", "ppt": "pp", "ppts": "pp",
    "point de pourcentage": "pp", "points de pourcentage": "pp", "pt de pourcentage": "pp",
    "pts de pourcentage": "pp",
}

# Hedges written before the number; matched case-insensitively, ' also matches ’.
QUALIFIERS: dict[str, dict[str, str]] = {
    "en": {"nearly": "approx", "almost": "approx", "close to": "approx", "about": "approx",
           "around": "approx", "roughly": "approx", "approximately": "approx", "some": "approx",
           "an estimated": "approx", "approx.": "approx", "circa": "approx",
           "more than": "more_than", "over": "more_than", "above": "more_than",
           "upwards of": "more_than", "in excess of": "more_than",
           "less than": "less_than", "under": "less_than", "below": "less_than",
           "fewer than": "less_than", "as much as": "as_much_as", "as many as": "as_much_as",
           "up to": "up_to", "at most": "up_to", "no more than": "up_to",
           "not more than": "up_to", "at least": "at_least", "no less than": "at_least",
           "no fewer than": "at_least"},
    "fr": {"près de": "approx", "presque": "approx", "environ": "approx", "quelque": "approx",
           "autour de": "approx", "quasiment": "approx", "pratiquement": "approx",
           "approximativement": "approx", "de l'ordre de": "approx", "aux alentours de": "approx",
           "plus de": "more_than", "au-delà de": "more_than", "au delà de": "more_than",
           "davantage que": "more_than", "supérieur à": "more_than", "supérieure à": "more_than",
           "moins de": "less_than", "inférieur à": "less_than", "inférieure à": "less_than",
           "autant que": "as_much_as", "jusqu'à": "up_to", "au plus": "up_to",
           "au maximum": "up_to", "au moins": "at_least", "pas moins de": "at_least",
           "au minimum": "at_least"},
}

# The canonical words `format_quantity` writes (each must read back through the tables above).
QUALIFIER_TEXT: dict[str, dict[str, str]] = {
    "en": {"approx": "about", "more_than": "more than", "less_than": "less than",
           "as_much_as": "as much as", "up_to": "up to", "at_least": "at least"},
    "fr": {"approx": "environ", "more_than": "plus de", "less_than": "moins de",
           "as_much_as": "autant que", "up_to": "jusqu'à", "at_least": "au moins"},
}
EN_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$",
              "HKD": "HK$", "SGD": "S$", "TWD": "NT$"}
FR_NAMES = {"USD": "dollars", "EUR": "euros", "GBP": "livres sterling", "JPY": "yens",
            "CNY": "yuans", "AUD": "dollars australiens", "CAD": "dollars canadiens",
            "CHF": "francs suisses", "HKD": "dollars de Hong Kong", "KRW": "wons",
            "TWD": "dollars taïwanais", "INR": "roupies", "SEK": "couronnes suédoises",
            "DKK": "couronnes danoises", "NOK": "couronnes norvégiennes",
            "SGD": "dollars de Singapour"}
FORMAT_SCALES: dict[str, tuple[tuple[Decimal, str, str], ...]] = {  # (scale, singular, plural)
    "en": ((TRILLION, "trillion", "trillion"), (BILLION, "billion", "billion"),
           (MILLION, "million", "million")),
    "fr": ((TRILLION, "billion", "billions"), (BILLION, "milliard", "milliards"),
           (MILLION, "million", "millions")),
}
PP_TEXT = {"en": ("percentage point", "percentage points"),
           "fr": ("point de pourcentage", "points de pourcentage")}
