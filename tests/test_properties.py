"""Property-based tests (hypothesis): arbitrary input never crashes the fact-sheet loaders, the
number and date parsers or the article extractor, and what we write we read back.

Beside the examples in test_factsheet_formats, test_text_quantities, test_text_dates and
test_article_rules (which already check short arbitrary text and the canonical
`format_quantity`), this file covers:

- fact sheets: arbitrary bytes and arbitrary well-formed-but-wrong structures in every format
  end as diagnostics, never as an exception; valid records generated from the schema's types
  round-trip through YAML, JSON, JSON Lines and CSV (parse(format(x)) == x);
- numbers and dates: long and hostile text (digit runs, separators, controls, bidi marks) is
  read without error in bounded time; quantities and dates written the many ways English and
  French articles write them ("3,2 %", "1,5 Md$", "US$1.5bn", "Mon., Jan. 27, 2025",
  "1er févr. 2025"), alone or inside a sentence, parse back to the same value, unit and day;
- articles: arbitrary unicode (controls, RTL marks, very long tokens, HTML fragments) as .txt,
  .md or .html gives a sheet, and that sheet, written as YAML (kg.sheet_yaml), builds without
  errors, with and without the reference registry; a 12,000-character token or sentence is
  extracted in bounded time.

What these properties found (and what was fixed): strings safe_dump leaves bare that the reader
reads as numbers ("1e5") and NELs PyYAML folds (kg.sheet_yaml); JSON Lines and CSV headers split
at NEL/U+2028 by str.splitlines, and a CSV header past the csv field limit raised csv.Error
(loaders/_readers.py); evidence quotes NFC-normalised and stripped of bidi marks on loading, so
an extracted quote no longer matched its span (kg/records.py keeps quotes verbatim); name
patterns quadratic in a token's length and span checks quadratic in the number of names
(loaders/text/people.py NAME_START, rules_*.py, extract.py, context.py).

Every test is bounded (max_examples, deadline=None); the file runs in well under a minute.
"""
from __future__ import annotations

import csv
import io
import json
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.diagnostics import Diagnostic
from kg.loading import LoadResult, load_file
from kg.records import add_record, clean_text, sheet_context
from kg.schema.model import load_schema
from kg.sheet_yaml import dump_yaml

SCHEMA = load_schema()
SEVERITIES = {"error", "warning", "info"}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _files():
    """A fresh directory per example (hypothesis runs many examples in one test call)."""
    return TemporaryDirectory(prefix="rkg-prop-")


def _diagnostics_only(result: LoadResult) -> None:
    assert isinstance(result, LoadResult)
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic) and d.severity in SEVERITIES and d.code and d.message


# -- fact sheets: nothing but diagnostics ------------------------------------------------------
SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")
#: the words a fact sheet is made of, so random structures reach past the first checks
KEYS = sorted({"entities", "facts", "source", "article", "id", "type", "name", "aliases", "names",
               "s", "p", "o", "value", "unit", "qualifier", "date", "evidence", "quote", "span",
               "confidence", "lang", "url", "extractor", "line", "required", "note",
               "conflicts_with", *SCHEMA.node_types, *SCHEMA.edges,
               *(k for props in SCHEMA.node_props.values() for k in props),
               *(k for e in SCHEMA.edges.values() for k in e.properties), *SCHEMA.fact_fields})
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(KEYS), st.sampled_from(["2025-01-27", "2025-02-30", "1e5", "NaN", "-3,2 %",
                                            "percent", "USD", "nvidia", "", " ", "|", "a|b"]))
TREES = st.recursive(SCALARS, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.sampled_from(KEYS), kids, max_size=6)), max_leaves=25)
SHEETS = st.one_of(
    TREES, st.fixed_dictionaries({"entities": st.lists(TREES, max_size=3), "facts": st.lists(TREES, max_size=3)},
                                 optional={"source": TREES, "article": TREES}))


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


CSV_TEXT = st.builds(_csv_text, st.lists(st.sampled_from(KEYS), min_size=1, max_size=8),
                     st.lists(st.lists(st.text(max_size=10) | st.sampled_from(KEYS), max_size=9), max_size=5))


def _structured(draw_value, fmt: str) -> str:
    if fmt in (".yaml", ".yml"):
        return yaml.safe_dump(draw_value, allow_unicode=True)
    if fmt == ".jsonl":
        items = draw_value if isinstance(draw_value, list) else [draw_value]
        return "\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    return json.dumps(draw_value, ensure_ascii=False)


@FAST
@given(data=st.binary(max_size=600) | st.text(max_size=300).map(str.encode), suffix=st.sampled_from(SUFFIXES))
@example(data=b'id,type,name"' + b"x" * 140_000, suffix=".csv")  # past the csv module's field limit
@example(data=b'{"s": "a", "p": "supplies", "o": "\xc2\x85"}\n', suffix=".jsonl")  # a NEL inside a string
def test_arbitrary_bytes_as_a_fact_sheet_give_diagnostics_not_exceptions(data, suffix):
    with _files() as tmp:
        path = Path(tmp) / f"sheet{suffix}"
        path.write_bytes(data)
        _diagnostics_only(load_file(path))


@settings(max_examples=120, deadline=None)
@given(doc=SHEETS, suffix=st.sampled_from((".yaml", ".json", ".jsonl")))
def test_arbitrary_structures_give_diagnostics_and_build(doc, suffix):
    """Well-formed files holding the wrong shapes (a list for a name, a mapping for a date...)
    are reported, never raised, by the loader and by the validation of a build."""
    import kg
    with _files() as tmp:
        path = Path(tmp) / f"sheet{suffix}"
        path.write_text(_structured(doc, suffix), encoding="utf-8")
        _diagnostics_only(load_file(path))
        graph = kg.build([path], reference=False, errors="keep")
        assert all(d.severity in SEVERITIES for d in graph.diagnostics)


@FAST
@given(text=CSV_TEXT)
def test_arbitrary_csv_tables_give_diagnostics_and_build(text):
    import kg
    with _files() as tmp:
        path = Path(tmp) / "table.csv"
        path.write_text(text, encoding="utf-8", newline="")
        _diagnostics_only(load_file(path))
        graph = kg.build([path], reference=False, errors="keep")
        assert all(d.severity in SEVERITIES for d in graph.diagnostics)


# -- fact sheets: parse(format(x)) == x --------------------------------------------------------
def _clean(s: str) -> str:
    return clean_text(s)


# Strings as a sheet holds them once read: NFC, no format controls (Cf), no surrounding space,
# no NUL (refused in every file), no "|" (the CSV list separator).
TEXT = (st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00|"),
                min_size=1, max_size=16).map(_clean).filter(bool))


def _chars(alphabet: str, min_size: int, max_size: int):
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


_LOWER, _UPPER, _DIGITS = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
# the schema's patterns, spelled out (st.from_regex trips hypothesis' shrinker on some of them)
PATTERNS = {
    "id": st.builds(str.__add__, _chars(_LOWER + _DIGITS, 1, 1), _chars(_LOWER + _DIGITS + "_-.", 0, 20)),
    "ticker": st.builds(str.__add__, _chars(_UPPER + _DIGITS, 1, 1), _chars(_UPPER + _DIGITS + ".-", 0, 11)),
    "country_code": _chars(_UPPER, 2, 2),
    "currency": _chars(_UPPER, 3, 3),
    "wikidata": st.integers(1, 10 ** 9).map(lambda n: f"Q{n}"),
    "lang": _chars(_LOWER, 2, 2),
    "mic": _chars(_UPPER + _DIGITS, 4, 4),
}
assert set(PATTERNS) == set(SCHEMA.patterns), "a schema pattern without a strategy"
IDS = PATTERNS["id"]
DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)).map(date.isoformat)


def _value(spec):
    """A valid value of a schema property spec."""
    if spec.enum:
        return st.sampled_from(spec.enum)
    if spec.type == "string":
        return PATTERNS[spec.pattern_name] if spec.pattern is not None else TEXT
    if spec.type == "integer":
        return st.integers(min_value=int(spec.min) if spec.min is not None else -(2 ** 60),
                           max_value=int(spec.max) if spec.max is not None else 2 ** 60)
    if spec.type == "year":
        return st.integers(min_value=1800, max_value=2100)
    if spec.type == "number":
        return st.one_of(st.floats(min_value=spec.min, max_value=spec.max, allow_nan=False, allow_infinity=False),
                         st.integers(min_value=int(spec.min) if spec.min is not None else -(2 ** 60),
                                     max_value=int(spec.max) if spec.max is not None else 2 ** 60))
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "date":
        return DAYS
    if spec.type == "list":
        return st.lists(TEXT, min_size=1, max_size=3, unique=True)
    raise AssertionError(f"no strategy for {spec.type}")


CORE_PROPS = {"name", "aliases"}


@st.composite
def entities(draw):
    etype = draw(st.sampled_from(SCHEMA.concrete_types()))
    specs = {k: v for k, v in SCHEMA.node_props[etype].items() if k not in CORE_PROPS}
    chosen = draw(st.lists(st.sampled_from(sorted(specs)), unique=True, max_size=4)) if specs else []
    record = {"id": draw(IDS), "type": etype, "name": draw(TEXT)}
    aliases = draw(st.lists(TEXT, max_size=3, unique=True))
    if aliases:
        record["aliases"] = aliases
    for key in chosen:
        record[key] = draw(_value(specs[key]))
    return record


EVIDENCE = st.fixed_dictionaries(
    {"source": TEXT},
    optional={"quote": TEXT, "extractor": TEXT, "confidence": st.floats(0, 1), "lang": _value(SCHEMA.evidence_fields["lang"]),
              "url": TEXT, "line": st.integers(1, 10 ** 6),
              "span": st.tuples(st.integers(0, 10 ** 5), st.integers(0, 10 ** 5)).map(sorted)})
VALUES = st.one_of(st.integers(min_value=0, max_value=10 ** 18),
                   st.floats(min_value=0, max_value=1e16, allow_nan=False),
                   st.decimals(min_value=0, max_value=10 ** 6, places=2).map(float))


@st.composite
def facts(draw):
    p = draw(st.sampled_from(sorted(SCHEMA.edges)))
    spec = SCHEMA.edges[p]
    record = {"s": draw(IDS), "p": p}
    if spec.is_attribute:
        kinds = spec.value_kinds or ("count",)
        record["value"] = draw(VALUES)
        record["unit"] = draw(st.sampled_from(sorted(SCHEMA.units_for(kinds))))
    else:
        record["o"] = draw(IDS)
        if spec.value_kinds and draw(st.booleans()):
            record["value"] = draw(VALUES)
            record["unit"] = draw(st.sampled_from(sorted(SCHEMA.units_for(spec.value_kinds))))
    fields = {**SCHEMA.fact_fields, **spec.properties}
    for key in draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=3)):
        record[key] = draw(_value(fields[key]))
    if draw(st.booleans()):
        record["evidence"] = draw(st.lists(EVIDENCE, min_size=1, max_size=2))
    else:
        record.update(draw(EVIDENCE))
    return record


def _expected(records: list[dict], kind: str) -> LoadResult:
    """What the loader makes of the records straight from memory (no file in between)."""
    result = LoadResult()
    ctx = sheet_context(None, "memory")
    for record in records:
        add_record(dict(record), ctx, result, kind)
    return result


def _dicts(result: LoadResult) -> tuple[list, list, list]:
    return ([e.to_dict() for e in result.entities], [f.to_dict() for f in result.facts],
            sorted(d.code for d in result.diagnostics))


def _csv_cell(key: str, value) -> str:
    from kg.loaders._readers import guard_cell  # the CSV export's formula guard, undone on reading
    if key == "span":
        return f"{value[0]}:{value[1]}"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return json.dumps(value, ensure_ascii=False)
        return guard_cell("|".join(value))  # as kg.exporters.csv writes a list
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return guard_cell(value)


def _write_csv(path: Path, records: list[dict]) -> None:
    header = sorted({k for r in records for k in r})
    rows = []
    for r in records:
        cells = {k: _csv_cell(k, v) for k, v in r.items()}
        rows.append([cells.get(k, "") for k in header])
    path.write_text(_csv_text(header, rows), encoding="utf-8", newline="")


def _write(path: Path, entities_: list[dict], facts_: list[dict]) -> list[Path]:
    fmt = path.suffix
    if fmt == ".csv":
        ent_path, fact_path = path.with_name("entities.csv"), path.with_name("facts.csv")
        _write_csv(ent_path, entities_)
        _write_csv(fact_path, facts_)
        return [p for p, recs in ((ent_path, entities_), (fact_path, facts_)) if recs]
    if fmt == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*entities_, *facts_]),
                        encoding="utf-8")
    elif fmt == ".json":
        path.write_text(json.dumps({"entities": entities_, "facts": facts_}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
    else:
        path.write_text(dump_yaml({"entities": entities_, "facts": facts_}), encoding="utf-8")
    return [path]


@settings(max_examples=80, deadline=None)
@given(ents=st.lists(entities(), max_size=4), fcts=st.lists(facts(), max_size=4),
       fmt=st.sampled_from((".yaml", ".json", ".jsonl", ".csv")))
def test_valid_records_round_trip_through_every_format(ents, fcts, fmt):
    expected = LoadResult()
    expected.extend(_expected(ents, "entity"))
    expected.extend(_expected(fcts, "fact"))
    # the in-memory reading is the records themselves: nothing lost or changed
    assert [(e.id, e.type, e.name) for e in expected.entities] == [(r["id"], r["type"], r["name"]) for r in ents]
    for ent, rec in zip(expected.entities, ents):
        assert ent.aliases == sorted(set(rec.get("aliases", [])) - {rec["name"]})
        assert ent.properties == {k: v for k, v in rec.items() if k not in ("id", "type", "name", "aliases")}
    for fact, rec in zip(expected.facts, fcts):
        assert (fact.s, fact.p, fact.o, fact.value, fact.unit) == (
            rec["s"], rec["p"], rec.get("o"), rec.get("value"), rec.get("unit"))
        assert type(fact.value) is type(rec.get("value"))
        sources = [e["source"] for e in rec.get("evidence", [rec])]
        assert sorted(e.source for e in fact.evidence) == sorted(sources)
    with _files() as tmp:
        loaded = LoadResult()
        for path in _write(Path(tmp) / f"sheet{fmt}", ents, fcts):
            result = load_file(path)
            loaded.extend(result)
        assert _dicts(loaded) == _dicts(expected)


@settings(max_examples=150, deadline=None)
@given(doc=st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",))),
                              st.from_regex(r"[-+]?[0-9][0-9_]*(\.[0-9_]*)?[eE][-+]?[0-9]+", fullmatch=True))))
def test_sheet_yaml_writes_strings_the_reader_reads_back(doc):
    """kg.sheet_yaml against the reader: "1e5" stays a string (safe_dump left it bare and the
    reader made it a float), a NEL stays a NEL (PyYAML folded it into a space)."""
    from kg.loaders._readers import parse_yaml
    assert list(parse_yaml(dump_yaml(doc)) or []) == doc


@settings(max_examples=40, deadline=None)
@given(value=st.integers(min_value=2 ** 53, max_value=10 ** 30) | st.integers(min_value=-(10 ** 30), max_value=-(2 ** 53)))
def test_big_integers_survive_csv_cells(value):
    """CSV cells are read as numbers where the schema wants one: an integer past 2^53 keeps its
    every digit (a float would round 9007199254740993 to ...992)."""
    from kg.records import to_number
    assert to_number(str(value)) == value and isinstance(to_number(str(value)), int)
    assert to_number(f"{value:,}") == value


# -- numbers: never crash, bounded time --------------------------------------------------------
from kg.loaders.text.quantities import QUALIFIERS, find_quantities, parse_quantity  # noqa: E402
from kg.loaders.text import quantities_lexicon as qlex  # noqa: E402
from kg.loaders.text.byline import byline_date  # noqa: E402
from kg.loaders.text.dates import find_dates, parse_date  # noqa: E402
from kg.loaders.text import dates_lexicon as dlex  # noqa: E402

LANGS = st.sampled_from(["en", "fr"])
NOISE = ["\u200f", "\u200e", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\x00", "\x07", "\x1b",
         "\u00a0", "\u202f", "\u2009", "\u2028", "\n", "\t", "\r", "\u0301", "\ufffd", "\U0001F4C8"]
TOKENS = st.one_of(
    st.sampled_from(["17%", "3,2 %", "$465 billion", "465 milliards de dollars", "1,5 Md$", "−4,2 %",
                     "January 27, 2025", "27 janvier 2025", "lundi", "yesterday", "hier", "Jan.", "1er",
                     "2025-01-27", "27/01/2025", "16h30", "GPT-4", "A100", "Nvidia", "a fell", "près de",
                     "between 3 and 5%", "de 3 à 5 %", "US$", "€", "bn", "Mds", "per cent", "pour cent"]),
    st.sampled_from(NOISE),
    st.text(alphabet="0123456789,.  '’-−–+%$€", min_size=1, max_size=8),
    st.integers(min_value=1, max_value=400).map(lambda n: "9" * n),
    st.integers(min_value=1, max_value=150).map(lambda n: "1," * n + "000"),
    st.integers(min_value=1, max_value=150).map(lambda n: "1 " * n + "000"),
    st.text(max_size=10),
)
HOSTILE = st.lists(TOKENS, max_size=60).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(text=HOSTILE, lang=LANGS, published=st.none() | DAYS)
def test_number_and_date_parsers_take_any_text_in_bounded_time(text, lang, published):
    start = time.perf_counter()
    found = find_quantities(text, lang)
    dates = find_dates(text, published, lang)
    assert time.perf_counter() - start < 2.0, "a regex backtracks on this text"
    for q in found:
        assert text[q.start:q.end] == q.text and q.qualifier in QUALIFIERS
        assert q.value == q.value and abs(q.value) != float("inf")
    for d in dates:
        assert text[d.start:d.end] == d.text
        date.fromisoformat(d.date)
    parse_quantity(text, lang)
    parse_date(text, lang, published)
    for head in (text, "Publié le " + text, "Published: " + text.replace("\n", " ")):
        stated = byline_date("Headline\n" + head)
        assert stated is None or date.fromisoformat(stated)


# -- numbers: written as articles write them ---------------------------------------------------
NBSP, NNBSP = "\u00a0", "\u202f"
EN_UNITS = {"percent": ["%", " percent", " per cent", " pct"]}
FR_UNITS = {"percent": [" %", "%", f"{NBSP}%", f"{NNBSP}%", " pour cent"]}
EN_MONEY_PREFIX = {"USD": ["$", "US$", "US $", "USD "], "EUR": ["€", "EUR "], "GBP": ["£"], "JPY": ["¥"],
                   "AUD": ["A$"], "CAD": ["C$"], "HKD": ["HK$"], "CHF": ["CHF "], "CNY": ["CNY ", "RMB "]}
EN_MONEY_WORDS = {"USD": ["dollars", "US dollars"], "EUR": ["euros"], "GBP": ["pounds"], "JPY": ["yen"],
                  "CNY": ["yuan"], "CHF": ["Swiss francs"], "KRW": ["won"]}
FR_MONEY_WORDS = {"USD": ["de dollars", "$", "$ US"], "EUR": ["d'euros", "d’euros", "€"],
                  "GBP": ["de livres sterling"], "JPY": ["de yens"], "CNY": ["de yuans"],
                  "CHF": ["de francs suisses"], "KRW": ["de wons"]}
EN_SCALES = {Decimal(10) ** 6: [" million", "m", " mn"], Decimal(10) ** 9: [" billion", "bn", " bn"],
             Decimal(10) ** 12: [" trillion", "tn"]}
FR_SCALES = {Decimal(10) ** 6: [" million", " millions", " M"], Decimal(10) ** 9: [" milliard", " milliards", " Md", " Mds"],
             Decimal(10) ** 12: [" billion", " billions"]}


def _group(int_part: int, sep: str) -> str:
    digits = str(int_part)
    if not sep or len(digits) <= 3:
        return digits
    head, rest = len(digits) % 3 or 3, digits[len(digits) % 3 or 3:]
    return digits[:head] + "".join(sep + rest[i:i + 3] for i in range(0, len(rest), 3))


@st.composite
def written_numbers(draw, lang: str, max_int: int = 999_999):
    """(Decimal, text): a number as an article in `lang` writes it."""
    int_part = draw(st.integers(min_value=0, max_value=max_int))
    frac = draw(st.sampled_from(["", ""]) | st.text(alphabet="0123456789", min_size=1, max_size=3))
    frac = frac.rstrip("0")
    seps = ["", ","] if lang == "en" else ["", " ", NBSP, NNBSP]
    sep = draw(st.sampled_from(seps)) if int_part >= 1000 else ""
    text = _group(int_part, sep) + (("." if lang == "en" else ",") + frac if frac else "")
    return Decimal(f"{int_part}.{frac}" if frac else str(int_part)), text


@st.composite
def written_quantities(draw, lang: str):
    """(value, unit, qualifier, text) as an article in `lang` writes a percent or an amount."""
    kind = draw(st.sampled_from(["percent", "money"]))
    qual_surface = draw(st.none() | st.sampled_from(sorted(qlex.QUALIFIERS[lang])))
    qualifier = qlex.QUALIFIERS[lang][qual_surface] if qual_surface else "exact"
    if kind == "percent":
        number, digits = draw(written_numbers(lang, 999))
        sign = draw(st.sampled_from(["", "", "-", "−", "+"]))
        unit_text = draw(st.sampled_from((EN_UNITS if lang == "en" else FR_UNITS)["percent"]))
        value = float(-number if sign in ("-", "−") else number)
        body, unit = f"{sign}{digits}{unit_text}", "percent"
    else:
        number, digits = draw(written_numbers(lang, 9_999))
        scale = draw(st.sampled_from(sorted((EN_SCALES if lang == "en" else FR_SCALES))))
        scale_text = draw(st.sampled_from((EN_SCALES if lang == "en" else FR_SCALES)[scale]))
        if lang == "en":
            style = draw(st.sampled_from(["prefix", "words"]))
            if style == "prefix":
                unit = draw(st.sampled_from(sorted(EN_MONEY_PREFIX)))
                body = f"{draw(st.sampled_from(EN_MONEY_PREFIX[unit]))}{digits}{scale_text}"
            else:
                unit = draw(st.sampled_from(sorted(EN_MONEY_WORDS)))
                scale_text = draw(st.sampled_from([s for s in EN_SCALES[scale] if s.startswith(" ")]))
                body = f"{digits}{scale_text} {draw(st.sampled_from(EN_MONEY_WORDS[unit]))}"
        else:
            unit = draw(st.sampled_from(sorted(FR_MONEY_WORDS)))
            word = draw(st.sampled_from(FR_MONEY_WORDS[unit]))
            if word in ("$", "€", "$ US"):  # "1,5 Md$", "12 M€", "465 Mds $", "3 milliards $ US"
                space = draw(st.sampled_from(["", " "])) if word != "$ US" else " "
                body = f"{digits}{scale_text}{space}{word}"
            else:  # "1,5 milliard de dollars", "2 Mds d'euros"
                if scale_text == " M":
                    scale_text = " millions"
                body = f"{digits}{scale_text} {word}"
        value = float(number * scale)
    text = f"{qual_surface} {body}" if qual_surface else body
    return value, unit, qualifier, text


SENTENCES = {
    "en": ["{q}", "Nvidia shares fell {q} on Monday.", "The company said revenue was {q}.", "({q})",
           "Chipmakers lost {q} in value, the agency reported."],
    "fr": ["{q}", "Nvidia a chuté de {q} lundi.", "Le groupe a annoncé {q}.", "({q})",
           "Les fabricants de puces ont perdu {q}, selon l'agence."],
}


def _embed(lang: str, which: int, text: str) -> tuple[str, int]:
    template = SENTENCES[lang][which % len(SENTENCES[lang])]
    return template.replace("{q}", text), template.index("{q}")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), lang=LANGS, which=st.integers(0, 4))
def test_quantities_written_as_articles_write_them_parse_back(data, lang, which):
    value, unit, qualifier, text = data.draw(written_quantities(lang))
    back = parse_quantity(text, lang)
    assert back is not None, text
    assert (back.value, back.unit, back.qualifier) == (value, unit, qualifier), text
    sentence, at = _embed(lang, which, text)
    found = [q for q in find_quantities(sentence, lang) if q.unit is not None]
    assert [(q.value, q.unit, q.qualifier, q.start, q.end) for q in found] == [
        (value, unit, qualifier, at, at + len(text))], sentence


# -- dates: written as articles write them -----------------------------------------------------
EN_MONTHS = [m.capitalize() for m in list(dlex.MONTH_NAMES["en"])]
EN_ABBR = {n: [a.capitalize() for a, m in dlex.MONTH_ABBREVIATIONS["en"].items() if m == n] for n in range(1, 13)}
FR_MONTHS = {n: [name for name, m in dlex.MONTH_NAMES["fr"].items() if m == n] for n in range(1, 13)}
FR_ABBR = {n: [a for a, m in dlex.MONTH_ABBREVIATIONS["fr"].items() if m == n] for n in range(1, 13)}
EN_DAYS = [d.capitalize() for d in dlex.WEEKDAYS["en"]]
EN_DAY_ABBR = {n: [a.capitalize() for a, m in dlex.WEEKDAY_ABBREVIATIONS["en"].items() if m == n] for n in range(7)}
FR_DAYS = list(dlex.WEEKDAYS["fr"])
DAY_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


def _en_ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


@st.composite
def written_dates(draw, lang: str):
    """(date, text): a day written in full, as an article in `lang` writes it."""
    d = draw(DAY_DATES)
    m = d.month
    if lang == "en":
        month = draw(st.sampled_from([EN_MONTHS[m - 1], *(a + "." for a in EN_ABBR[m]), *EN_ABBR[m]]))
        day = draw(st.sampled_from([str(d.day), _en_ordinal(d.day)]))
        wd = draw(st.sampled_from(["", f"{EN_DAYS[d.weekday()]}, ",
                                   *(f"{a}., " for a in EN_DAY_ABBR[d.weekday()])]))
        text = draw(st.sampled_from([f"{wd}{month} {day}, {d.year}", f"{wd}{d.day} {month} {d.year}",
                                     f"{wd}{month} {day} {d.year}", f"the {_en_ordinal(d.day)} of {month} {d.year}",
                                     f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}"
                                     if d.day > 12 else d.isoformat(), d.isoformat(),
                                     f"{d.isoformat()}T{draw(st.integers(0, 23)):02d}:30:00Z"]))
    else:
        month = draw(st.sampled_from([*FR_MONTHS[m], *(a + "." for a in FR_ABBR[m]), *FR_ABBR[m]]))
        month = draw(st.sampled_from([month, month.capitalize()]))
        day = draw(st.sampled_from(["1er", "1ᵉʳ"])) if d.day == 1 else str(d.day)
        wd = draw(st.sampled_from(["", f"{FR_DAYS[d.weekday()]} ", f"{FR_DAYS[d.weekday()].capitalize()} "]))
        text = draw(st.sampled_from([f"{wd}{day} {month} {d.year}", f"le {wd}{day} {month} {d.year}",
                                     f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}/{d.month}/{d.year}"
                                     if d.day > 12 else f"{d.day:02d}.{d.month:02d}.{d.year}", d.isoformat()]))
    return d, text


DATE_SENTENCES = {
    "en": ["{d}", "Nvidia fell 17% on {d}, after the release.", "Shares closed lower ({d}).",
           "On {d} the index dropped 3.1% at the close."],
    "fr": ["{d}", "Nvidia a chuté de 17 % le {d}, après l'annonce.", "Le titre a fini en baisse ({d}).",
           "Le {d}, l'indice a perdu 3,1 % à la clôture."],
}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), lang=LANGS, which=st.integers(0, 3), published=st.none() | DAYS)
def test_dates_written_as_articles_write_them_parse_back(data, lang, which, published):
    day, text = data.draw(written_dates(lang))
    assert parse_date(text, lang) == day.isoformat(), text
    assert parse_date(text, lang, published) == day.isoformat(), (text, published)
    template = DATE_SENTENCES[lang][which]
    body = text[3:] if template.startswith(("Nvidia a chuté de 17 % le", "Le {d}")) and text.startswith("le ") else text
    sentence = template.replace("{d}", body)
    days = [m for m in find_dates(sentence, published, lang) if m.granularity == "day"]
    assert [(m.date, m.conflict) for m in days] == [(day.isoformat(), None)], sentence
    cue = "Publié le " if lang == "fr" else "Published: "
    assert byline_date(f"Headline\n{cue}{body} à 18h05\nNvidia fell.") == day.isoformat(), body


@settings(max_examples=150, deadline=None)
@given(day=DAY_DATES, lang=LANGS, shift=st.integers(1, 6))
def test_a_wrong_weekday_is_a_conflict_and_the_written_date_wins(day, lang, shift):
    wrong = (day.weekday() + shift) % 7
    if lang == "en":
        text = f"{EN_DAYS[wrong]}, {EN_MONTHS[day.month - 1]} {day.day}, {day.year}"
    else:
        text = f"{FR_DAYS[wrong]} {day.day} {FR_MONTHS[day.month][0]} {day.year}"
    (mention,) = find_dates(text, None, lang)
    assert mention.date == day.isoformat() and mention.conflict, text


@settings(max_examples=150, deadline=None)
@given(pub=DAY_DATES, lang=LANGS, which=st.sampled_from(["yesterday", "today", "tomorrow"]))
def test_relative_days_resolve_against_publication(pub, lang, which):
    offset = {"yesterday": -1, "today": 0, "tomorrow": 1}[which]
    word = which if lang == "en" else {"yesterday": "hier", "today": "aujourd'hui", "tomorrow": "demain"}[which]
    sentence = f"Nvidia fell 17% {word}." if lang == "en" else f"Nvidia a chuté de 17 % {word}."
    (mention,) = find_dates(sentence, pub.isoformat(), lang)
    assert mention.date == (pub + timedelta(days=offset)).isoformat() and mention.kind == "relative"


@settings(max_examples=100, deadline=None)
@given(day=DAY_DATES, lang=LANGS)
def test_month_and_year_give_the_first_day_at_month_granularity(day, lang):
    text = f"{EN_MONTHS[day.month - 1]} {day.year}" if lang == "en" else f"{FR_MONTHS[day.month][0]} {day.year}"
    (mention,) = find_dates(text, None, lang)
    assert (mention.date, mention.granularity) == (day.replace(day=1).isoformat(), "month"), text


# -- the article extractor ---------------------------------------------------------------------
WORDS = st.sampled_from(
    ["Nvidia", "NVIDIA", "Nvidiadont", "AMD", "Micro-appareils avancés", "DeepSeek", "ASML", "Micron",
     "TSMC", "Siemens Energy", "Jensen Huang", "Pajuri", "Lisa Su", "said", "a déclaré", "fell", "rose",
     "a chuté de", "a gagné", "17%", "16,97 %", "$589 billion", "589 milliards de dollars", "nearly",
     "près de", "on Monday", "lundi", "January 27, 2025", "27 janvier 2025", "yesterday", "hier",
     "respectively", "respectivement", "supplies", "fournit", "H100", "R1", "V3", "Stargate", "CHIPS Act",
     "the", "le", "et", "and", ",", ".", ";", ":", "«", "»", '"', "“", "”", "—", "(", ")", "\n", "\n\n",
     "# Titre", "> quote", "**gras**", "[lien](http://203.0.113.1/x)", "![img](http://203.0.113.1/i.png)",
     "<p>", "</p>", "<script>alert(1)</script>", "<img src=http://203.0.113.1/x.png>", "&amp;", "&#x202E;",
     "<!--", "-->", "<![CDATA[", "<nav>Markets</nav>", "<meta name=published content=2025-01-28>",
     "<a href='javascript:alert(1)'>", "---", "published: 2025-01-28", "lang: fr"])
ARTICLES = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(WORDS, st.sampled_from(NOISE), st.text(max_size=6),
                       st.integers(1, 3000).map(lambda n: "x" * n),
                       st.integers(1, 500).map(lambda n: "Nvidia" * n)), max_size=80).map(" ".join),
)
ARTICLE_SUFFIXES = st.sampled_from([".txt", ".md", ".html"])


def _extract(text: str, suffix: str, published, lang):
    from kg.loaders.article import extract_sheet
    with _files() as tmp:
        path = Path(tmp) / f"story{suffix}"
        path.write_text(text, encoding="utf-8")
        sheet, diags = extract_sheet([path], published, lang)
    assert isinstance(sheet, dict) and isinstance(sheet.get("entities"), list) and isinstance(sheet.get("facts"), list)
    assert all(isinstance(d, Diagnostic) for d in diags)
    return sheet


def _builds_clean(sheet: dict, reference: bool) -> None:
    """The sheet written as YAML (kg.sheet_yaml, what `kg extract` should write), then `kg build`:
    no error."""
    import kg
    from kg.diagnostics import ERROR
    with _files() as tmp:
        path = Path(tmp) / "extracted.yaml"
        path.write_text(dump_yaml(sheet), encoding="utf-8")
        graph = kg.build([path], reference=reference, errors="keep")
    errors = [str(d) for d in graph.diagnostics if d.severity == ERROR]
    assert not errors, errors


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ARTICLES, suffix=ARTICLE_SUFFIXES, published=st.none() | DAYS, lang=st.sampled_from([None, "en", "fr"]))
def test_any_article_gives_a_sheet_that_builds(text, suffix, published, lang):
    sheet = _extract(text, suffix, published, lang)
    _builds_clean(sheet, reference=False)  # the sheet declares every entity it names


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(WORDS, min_size=5, max_size=60).map(" ".join), suffix=ARTICLE_SUFFIXES,
       published=st.none() | DAYS)
def test_an_extracted_sheet_builds_with_the_reference_registry(text, suffix, published):
    _builds_clean(_extract(text, suffix, published, None), reference=True)


LONG_UNITS = st.sampled_from(["A", "Nvidia", "Ab-", "Ab'", "x1", "Word ", "Jensen Huang said ", "Nvidia, ",
                               "AMD's analyst ", "d'Elon ", "iVBORw0KGgo"])


@settings(max_examples=10, deadline=None)
@given(unit=LONG_UNITS, other=LONG_UNITS, suffix=ARTICLE_SUFFIXES)
def test_long_tokens_and_sentences_are_extracted_in_bounded_time(unit, other, suffix):
    """12,000 characters of one token or one sentence: every name pattern used to start at each
    capital and scan to the token's end (quadratic: 17 s for "AAAA...", hours for a base64 blob)."""
    text = (unit * (6000 // len(unit))) + (other * (6000 // len(other)))
    start = time.perf_counter()
    _extract(text, suffix, None, None)
    assert time.perf_counter() - start < 5.0


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=300), suffix=ARTICLE_SUFFIXES)
def test_arbitrary_bytes_as_an_article_are_reported_not_raised(data, suffix):
    from kg.loaders.article import extract_sheet
    with _files() as tmp:
        path = Path(tmp) / f"story{suffix}"
        path.write_bytes(data)
        sheet, diags = extract_sheet([path])
        assert isinstance(sheet, dict)
        _diagnostics_only(load_file(path))
