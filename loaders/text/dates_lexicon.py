"""Month and weekday names, relative-date phrases and year cues for `dates`, in English and French.

Kept apart from the parser so that a new spelling ("févr.", "Thurs.") or a new
phrase ("la semaine passée") is a table entry. Keys are lower case; French
forms are listed with and without accents, as wire copy often drops them.
"""
from __future__ import annotations

MONTH_NAMES: dict[str, dict[str, int]] = {
    "en": {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
           "august": 8, "september": 9, "october": 10, "november": 11, "december": 12},
    "fr": {"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
           "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
           "décembre": 12, "decembre": 12},
}
# Abbreviations, which may end in a dot ("Jan. 27", "27 janv. 2025").
MONTH_ABBREVIATIONS: dict[str, dict[str, int]] = {
    "en": {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "sept": 9, "oct": 10, "nov": 11, "dec": 12},
    "fr": {"janv": 1, "févr": 2, "fevr": 2, "fév": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9,
           "oct": 10, "nov": 11, "déc": 12, "dec": 12},
}
MONTHS = {lang: {**MONTH_NAMES[lang], **MONTH_ABBREVIATIONS[lang]} for lang in MONTH_NAMES}
# Names that may stand with a bare year ("March 2020", "Jan 2025", "mars 2020"); French
# abbreviations are left out there because "sept 2025" is more often "seven 2025".
MONTH_YEAR_NAMES: dict[str, tuple[str, ...]] = {
    "en": tuple(MONTHS["en"]),
    "fr": tuple(MONTH_NAMES["fr"]),
}
WEEKDAYS: dict[str, dict[str, int]] = {
    "en": {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
           "saturday": 5, "sunday": 6},
    "fr": {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
           "dimanche": 6},
}
# Abbreviations read only right before a date ("Mon., Jan. 27"), never alone.
WEEKDAY_ABBREVIATIONS: dict[str, dict[str, int]] = {
    "en": {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
           "sat": 5, "sun": 6},
    "fr": {"lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6},
}
ENGLISH_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Words that turn a weekday into "strictly before" or "strictly after" the publication day.
WEEKDAY_BEFORE = {"en": ("last", "past"), "fr": ("dernier", "passé", "passe")}
WEEKDAY_AFTER = {"en": ("next", "coming"), "fr": ("prochain",)}

# phrase -> (granularity, offset in that unit from the publication day)
RELATIVE: dict[str, dict[str, tuple[str, int]]] = {
    "en": {"today": ("day", 0), "yesterday": ("day", -1), "the day before yesterday": ("day", -2),
           "tomorrow": ("day", 1), "the day after tomorrow": ("day", 2),
           "last week": ("week", -1), "this week": ("week", 0), "next week": ("week", 1),
           "last month": ("month", -1), "this month": ("month", 0), "next month": ("month", 1),
           "last year": ("year", -1), "this year": ("year", 0), "next year": ("year", 1)},
    "fr": {"aujourd'hui": ("day", 0), "ce jour": ("day", 0), "hier": ("day", -1),
           "avant-hier": ("day", -2), "demain": ("day", 1), "après-demain": ("day", 2),
           "apres-demain": ("day", 2),
           "la semaine dernière": ("week", -1), "la semaine derniere": ("week", -1),
           "la semaine passée": ("week", -1), "la semaine passee": ("week", -1),
           "cette semaine": ("week", 0), "la semaine prochaine": ("week", 1),
           "le mois dernier": ("month", -1), "le mois passé": ("month", -1),
           "le mois passe": ("month", -1), "ce mois-ci": ("month", 0),
           "le mois prochain": ("month", 1),
           "l'an dernier": ("year", -1), "l'an passé": ("year", -1), "l'an passe": ("year", -1),
           "l'année dernière": ("year", -1), "l'annee derniere": ("year", -1),
           "l'année passée": ("year", -1), "cette année": ("year", 0), "cette annee": ("year", 0),
           "l'an prochain": ("year", 1), "l'année prochaine": ("year", 1)},
}

# Words after which a bare four-digit number is a year ("in 2023", "en 2023", "mid-2025").
YEAR_CUES: dict[str, tuple[str, ...]] = {
    "en": ("in", "during", "since", "until", "through", "throughout", "by", "for", "early",
           "late", "mid", "end of", "start of", "beginning of"),
    "fr": ("en", "depuis", "durant", "pendant", "d'ici", "dès", "courant", "début", "fin", "mi",
           "jusqu'en", "avant", "après"),
}
