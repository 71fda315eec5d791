"""The article loader on the seed, on our own corpus, and on the hard cases one by one."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import kg
from kg.evaluate import evaluate, evaluate_many, pair_files
from kg.loaders.article import extract_file
from kg.loaders.text.document import read_document
from kg.loaders.text.gazetteer import registry_gazetteer

from helpers import FIXTURES, SHARED

ARTICLES = FIXTURES / "articles"
PRECISION_FLOOR, RECALL_FLOOR = 0.85, 0.65
SEED = SHARED / "seed" / "article-fr.txt"


def _extract(cli, tmp_path: Path, article: Path, *args: str) -> Path:
    out = tmp_path / (article.stem + ".yaml")
    result = cli("extract", article, *args, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def test_seed_meets_the_acceptance_figures(cli, tmp_path, gold_path):
    pred = _extract(cli, tmp_path, SEED, "--published", "2025-01-27", "--lang", "fr")
    report = evaluate(pred, gold_path)
    assert report.recall_required >= 0.95, report.missed
    assert report.precision >= 0.9, report.extra


def test_eval_command_on_the_seed(cli, tmp_path, gold_path):
    pred = _extract(cli, tmp_path, SEED, "--published", "2025-01-27")
    result = cli("eval", pred, gold_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["per_language"]["fr"]["matched"] >= 33
    assert "fell_by" in data["per_predicate"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Every article of our own corpus extracted once; (pred dir, pairs)."""
    out = tmp_path_factory.mktemp("pred")
    for gold in sorted(ARTICLES.glob("*.gold.yaml")):
        stem = gold.name[: -len(".gold.yaml")]
        article = next(p for p in ARTICLES.glob(stem + ".*")
                       if p.suffix in (".txt", ".md", ".html") and ".meta" not in p.name)
        result, meta = extract_file(article)
        sheet = {"article": meta, "entities": [e.to_dict() for e in result.entities],
                 "facts": [f.to_dict() for f in result.facts]}
        (out / f"{stem}.yaml").write_text(yaml.safe_dump(sheet, allow_unicode=True), encoding="utf-8")
    return out, pair_files(out, ARTICLES)


def test_corpus_is_big_enough_and_bilingual():
    golds = sorted(ARTICLES.glob("*.gold.yaml"))
    assert len(golds) >= 15
    langs = {yaml.safe_load(g.read_text(encoding="utf-8"))["article"]["lang"] for g in golds}
    assert langs == {"en", "fr"}


def test_corpus_scores_hold(corpus):
    _, pairs = corpus
    report = evaluate_many(pairs)
    # Floors under the figures measured when this test was written (see the closing note);
    # a change that loses accuracy on our own corpus fails here.
    assert report.precision >= PRECISION_FLOOR, (report.precision, report.extra[:10])
    assert report.recall_required >= RECALL_FLOOR, (report.recall_required, report.missed[:10])
    for lang in ("en", "fr"):
        assert report.per_language[lang].matched > 0


def test_held_out_set_scores_hold(tmp_path):
    """Articles never used to write the rules (measured once before any change they informed)."""
    held = FIXTURES / "articles-holdout"
    for gold in sorted(held.glob("*.gold.yaml")):
        stem = gold.name[: -len(".gold.yaml")]
        article = next(p for p in held.glob(stem + ".*") if p.suffix in (".txt", ".md", ".html"))
        result, meta = extract_file(article)
        sheet = {"article": meta, "entities": [e.to_dict() for e in result.entities],
                 "facts": [f.to_dict() for f in result.facts]}
        (tmp_path / f"{stem}.yaml").write_text(yaml.safe_dump(sheet, allow_unicode=True), encoding="utf-8")
    report = evaluate_many(pair_files(tmp_path, held))
    assert len(report.per_language) == 2
    assert report.precision >= 0.7 and report.recall_required >= 0.5, (report.precision, report.recall_required)


def test_negative_controls_are_not_dated_on_the_selloff(corpus):
    out, _ = corpus
    for stem in ("a06-covid-crash-retrospective", "a09-nvidia-earnings-2024"):
        sheet = yaml.safe_load((out / f"{stem}.yaml").read_text(encoding="utf-8"))
        dates = {f.get("date") for f in sheet["facts"] if f["p"] in ("fell_by", "rose_by")}
        assert dates and "2025-01-27" not in dates, (stem, dates)


def test_evidence_spans_point_at_the_quoted_words():
    doc = read_document(SEED, published="2025-01-27")
    result, _ = extract_file(SEED, published="2025-01-27")
    for fact in result.facts:
        for ev in fact.evidence:
            a, b = ev.span
            assert doc.text[a:b] == ev.quote
            assert ev.extractor.startswith("rules:") and 0 < ev.confidence <= 1 and ev.lang == "fr"


def test_extraction_is_deterministic(cli, tmp_path):
    a = _extract(cli, tmp_path / "a", SEED, "--published", "2025-01-27")
    b = _extract(cli, tmp_path / "b", SEED, "--published", "2025-01-27")
    assert a.read_bytes() == b.read_bytes()


def test_build_accepts_articles_and_meets_the_registry(cli, tmp_path):
    article = tmp_path / "note.md"
    article.write_text("---\npublished: 2025-01-28\nlang: en\n---\n"
                       "Shares of Micron Technology closed down 11.7% on Monday, while Apple rose 3.2%.\n",
                       encoding="utf-8")
    out = tmp_path / "g"
    assert cli("build", article, "-o", out).exit_code == 0
    graph = kg.load(out)
    moves = {(f.s, f.p, f.value, f.date, f.properties.get("session")) for f in graph.facts()
             if f.p in ("fell_by", "rose_by")}
    assert moves == {("micron", "fell_by", 11.7, "2025-01-27", "close"),
                     ("apple", "rose_by", 3.2, "2025-01-27", "unstated")}
    assert graph.entity("micron").properties["ticker"] == "MU"  # the registry's node, not a copy


@pytest.mark.parametrize("text,expected", [
    ("Alphabetet Méta ont baissé", ["alphabet", "meta"]),
    ("comme Nvidiadont les puces", ["nvidia"]),
    ("Selon Daniel NewmanNvidia publie", ["daniel_newman", "nvidia"]),
    ("Micro-appareils avancés a glissé", ["amd"]),
    ("la startup En profondeur a publié", ["deepseek"]),
    ("une analyse en profondeur du marché", []),
    ("the arm of the company", []),
])
def test_gazetteer_repairs_and_guards(text, expected):
    assert [m.entity for m in registry_gazetteer().find(text)] == expected


def test_weekday_contradiction_is_flagged(tmp_path):
    article = tmp_path / "x.md"
    article.write_text("---\npublished: 2025-01-29\nlang: en\n---\n"
                       "On Monday, January 28, 2025, Nvidia shares rose 8.9% at the close.\n", encoding="utf-8")
    result, _ = extract_file(article)
    assert [d.code for d in result.diagnostics] == ["date-conflict"]
    moves = [f for f in result.facts if f.p == "rose_by"]
    assert [m.date for m in moves] == ["2025-01-28"]


def test_missing_date_is_reported_not_guessed(tmp_path):
    article = tmp_path / "x.txt"
    article.write_text("Nvidia shares fell 3% on Monday.\n", encoding="utf-8")
    result, _ = extract_file(article)
    assert "missing-metadata" in [d.code for d in result.diagnostics]
    # a move needs its trading day (the schema's Event): none is made up, and the loss is said
    assert not [f for f in result.facts if f.p == "fell_by"]
    left_out = [d for d in result.diagnostics if "left out" in d.message]
    assert len(left_out) == 1 and left_out[0].message.startswith("1 market move(s) left out")
    assert str(left_out[0].loc) == f"{article}:1"
    dated = tmp_path / "y.txt"
    dated.write_text("Nvidia shares fell 3% on 27 January 2025.\n", encoding="utf-8")
    result, _ = extract_file(dated)
    assert [f.date for f in result.facts if f.p == "fell_by"] == ["2025-01-27"]
    assert not [d for d in result.diagnostics if "left out" in d.message]


def test_metadata_from_front_matter_sidecar_html_and_flags(tmp_path):
    md = tmp_path / "a.md"
    md.write_text("---\npublished: 2025-01-27\nlang: fr\nurl: https://x.example/a\n---\nTexte.\n")
    txt = tmp_path / "b.txt"
    txt.write_text("Some text about markets.\n")
    (tmp_path / "b.meta.yaml").write_text("published: 2025-01-28\noutlet: Example Wire\n")
    html = tmp_path / "c.html"
    html.write_text('<html lang="fr"><head><meta name="date" content="2025-01-26"><title>T</title></head>'
                    "<body><nav>Menu 5%</nav><article><p>Le titre a chuté.</p></article></body></html>")
    assert (read_document(md).published, read_document(md).lang, read_document(md).url) == (
        "2025-01-27", "fr", "https://x.example/a")
    doc = read_document(txt)
    assert (doc.published, doc.outlet, doc.lang) == ("2025-01-28", "Example Wire", "en")
    doc = read_document(html)
    assert (doc.published, doc.lang, doc.title, doc.text) == ("2025-01-26", "fr", "T", "Le titre a chuté.")
    assert read_document(md, published="2025-02-01").published == "2025-02-01"


def test_extracted_sheet_builds_as_is(cli, tmp_path):
    """What `kg extract` prints is a fact sheet a person can edit and `kg build` can load."""
    sheet = _extract(cli, tmp_path, SEED, "--published", "2025-01-27")
    result = cli("build", sheet, "-o", tmp_path / "g", "--json")
    assert result.exit_code == 0, result.output
    graph = kg.load(tmp_path / "g")
    nvidia = [f for f in graph.facts() if f.s == "nvidia" and f.p == "fell_by"]
    assert nvidia and nvidia[0].evidence[0].extractor == "rules:moves"


def test_a_story_set_in_another_year_raises_no_false_weekday_conflict(tmp_path):
    article = tmp_path / "x.md"
    article.write_text("---\npublished: 2025-03-10\nlang: en\n---\nOn Monday, March 9, 2020, the S&P 500 "
                       "fell 7.6%. On Thursday, March 12, it sank 9.5%.\n", encoding="utf-8")
    result, _ = extract_file(article)
    assert [d.code for d in result.diagnostics] == []
    assert sorted(f.date for f in result.facts if f.p == "fell_by") == ["2020-03-09", "2020-03-12"]


@pytest.mark.parametrize("head, sidecar, expected", [
    ("Bourse : le titre plonge\n\nPublié le 12/02/2025 à 18h05\n\n", None, "2025-02-12"),
    ("Chip stocks slide\nUpdated March 5, 2025\nPublished: March 4, 2025 at 10:05 a.m. ET\n", None, "2025-03-04"),
    ("Titre\nMis à jour le mercredi 12 février 2025\n", None, "2025-02-12"),
    ("Titre\nPublié le 12/02/2025 à 18h05\n", "published: 2025-01-30\n", "2025-01-30"),
    ("Chip stocks slide\nThe group published on March 4, 2025 a profit warning.\n", None, None),
    ("Chip stocks slide\nPublication of the audit is due on March 4, 2025.\n", None, None),
    ("La Bourse recule\n\nParis, 27 janv. 2025 (AFP) - La Bourse de Paris a reculé lundi.\n", None, "2025-01-27"),
    ("Chips slide\nLONDON, Jan. 27, 2025 (Wire) - Chip stocks fell on Monday.\n", None, "2025-01-27"),
    ("Chips slide\nNEW YORK, March 4 (Wire) - Chip stocks fell on Tuesday.\n", None, None),
])
def test_a_plain_text_article_states_its_publication_date_in_its_head(tmp_path, head, sidecar, expected):
    """"Publié le ..." / "Published: ..." in the first lines dates the article (a sidecar or front
    matter still wins; "published" wins over "updated"; a date in a sentence does not count)."""
    article = tmp_path / "a.txt"
    article.write_text(head + "Nvidia fell 3% on the news, and Micron lost 2%.\n", encoding="utf-8")
    if sidecar:
        (tmp_path / "a.meta.yaml").write_text(sidecar, encoding="utf-8")
    doc = read_document(article)
    assert doc.published == expected
    assert ("byline" in doc.meta_sources) == (expected is not None and sidecar is None)


@pytest.mark.parametrize("text, name", [
    ("Chip stocks slide as Beijing curbs gallium\n\nNvidia fell 3% on Tuesday.\n", "Chip stocks slide as Beijing curbs gallium"),
    ("Publié le 12/02/2025 à 18h05\n\nL'action Legrand a reculé de 2,1 % mercredi.\n", "a.txt"),
    ("Nvidia fell 3% on Tuesday, and Micron lost 2%.\n", "a.txt"),
])
def test_an_untitled_article_is_named_by_its_headline(tmp_path, text, name):
    article = tmp_path / "a.txt"
    article.write_text(text, encoding="utf-8")
    result, _ = extract_file(article)
    assert [e.name for e in result.entities if e.type == "Article"] == [name]


LD = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, '
      '{"@type": ["NewsArticle"], "headline": "Micron slides", "datePublished": "2025-01-27T21:04:00Z", '
      '"publisher": {"@type": "Organization", "name": "ChipWire"}, "inLanguage": "en-US"}]}</script>')


@pytest.mark.parametrize("head, body, expected", [
    (LD + "<title>Micron slides | ChipWire</title>", "", ("2025-01-27", "Micron slides", "ChipWire")),
    ("<title>Micron slides | ChipWire</title>", '<time datetime="2025-01-27T21:04">Jan 27</time>',
     ("2025-01-27", "Micron slides | ChipWire", None)),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": </script>', "",
     (None, None, None)),  # broken JSON-LD is ignored
])
def test_html_metadata_from_json_ld_and_time(tmp_path, head, body, expected):
    """Many news pages date themselves in schema.org JSON-LD or a <time> element, not <meta>."""
    page = tmp_path / "p.html"
    page.write_text(f"<html><head>{head}</head><body><article>{body}<p>Micron fell 11.7% on Monday.</p>"
                    "</article></body></html>", encoding="utf-8")
    doc = read_document(page)
    assert (doc.published, doc.title, doc.outlet) == expected
