"""`kg eval`'s scorer: entity alignment, fact matching, precision and recall."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kg.evaluate import evaluate, evaluate_many, pair_files, render_text, to_json

SEED_GOLD = Path(__file__).resolve().parents[2] / "shared/seed/gold.yaml"

GOLD_ENTITIES = [
    {"id": "nvidia", "type": "Company", "name": "Nvidia", "names": ["NVIDIA"]},
    {"id": "deepseek", "type": "Company", "name": "DeepSeek", "names": ["Deepseek"]},
    {"id": "openai", "type": "Company", "name": "OpenAI"},
    {"id": "meta", "type": "Company", "name": "Meta Platforms", "names": ["Meta"]},
    {"id": "liang", "type": "Person", "name": "Liang Wenfeng"},
    {"id": "selloff_2025_01_27", "type": "Event", "name": "DeepSeek selloff", "date": "2025-01-27",
     "names": ["la vente"]},
]
GOLD_FACTS = [
    {"s": "nvidia", "p": "fell_by", "o": "selloff_2025_01_27", "value": 17, "unit": "percent",
     "qualifier": "approx", "date": "2025-01-27"},
    {"s": "meta", "p": "fell_by", "o": "selloff_2025_01_27", "value": 3, "unit": "percent",
     "qualifier": "exact", "date": "2025-01-27"},
    {"s": "deepseek", "p": "competes_with", "o": "openai"},
    {"s": "deepseek", "p": "founded_by", "o": "liang"},
    {"s": "nvidia", "p": "supplies", "o": "deepseek", "required": False},
]


def _write(path: Path, entities, facts, lang="fr", gold=True) -> Path:
    doc = {"entities": entities, "facts": facts}
    if gold:
        doc = {"article": {"file": f"{path.stem}.txt", "lang": lang}, **doc}
    else:
        doc = {"article": {"file": "a.txt"}, "source": "a.txt", **doc}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _gold(tmp_path: Path, facts=None, name="gold.yaml", lang="fr", entities=None) -> Path:
    return _write(tmp_path / name, entities or GOLD_ENTITIES,
                  GOLD_FACTS if facts is None else facts, lang)


def _pred(tmp_path: Path, facts, entities=None, name="pred.yaml") -> Path:
    ents = [{k: v for k, v in e.items() if k != "names"} | {"aliases": e.get("names", [])}
            for e in (GOLD_ENTITIES if entities is None else entities)]
    facts = [{k: v for k, v in f.items() if k != "required"} for f in facts]
    return _write(tmp_path / name, ents, facts, gold=False)


def _scores(report):
    return report.precision, report.recall_required, report.recall


def test_perfect_prediction_scores_one(tmp_path):
    report = evaluate(_pred(tmp_path, GOLD_FACTS), _gold(tmp_path))
    assert _scores(report) == (1.0, 1.0, 1.0)
    assert report.f1 == 1.0 and not report.missed and not report.extra and not report.problems


def test_missing_required_fact_lowers_recall(tmp_path):
    report = evaluate(_pred(tmp_path, GOLD_FACTS[1:]), _gold(tmp_path))
    assert report.precision == 1.0
    assert report.recall_required == pytest.approx(3 / 4)
    assert report.recall == pytest.approx(4 / 5)
    [missed] = report.missed
    assert missed.required is True and missed.predicate == "fell_by"
    assert missed.description == "nvidia fell_by selloff_2025_01_27 = 17 percent (approx) on 2025-01-27"
    assert missed.near_miss is None


def test_extra_fact_lowers_precision(tmp_path):
    extra = {"s": "openai", "p": "founded_by", "o": "liang"}
    report = evaluate(_pred(tmp_path, GOLD_FACTS + [extra]), _gold(tmp_path))
    assert report.precision == pytest.approx(5 / 6)
    assert report.recall_required == 1.0
    assert [e.description for e in report.extra] == ["openai founded_by liang"]


def test_optional_gold_fact_never_hurts(tmp_path):
    gold = _gold(tmp_path)
    predicted = evaluate(_pred(tmp_path, GOLD_FACTS), gold)
    assert predicted.precision == 1.0  # predicting it is correct
    skipped = evaluate(_pred(tmp_path, GOLD_FACTS[:4]), gold)
    assert skipped.precision == 1.0 and skipped.recall_required == 1.0
    assert skipped.recall == pytest.approx(4 / 5)  # the bonus recall over all gold facts
    assert [(m.predicate, m.required) for m in skipped.missed] == [("supplies", False)]


def test_alignment_by_name_ignores_accents_and_case(tmp_path):
    ents = GOLD_ENTITIES[:3] + [{"id": "meta_platforms_inc", "type": "Company", "name": "MÉTA"}] \
        + GOLD_ENTITIES[4:]
    facts = [dict(GOLD_FACTS[1], s="meta_platforms_inc")]
    report = evaluate(_pred(tmp_path, facts, ents), _gold(tmp_path))
    row = next(a for a in report.alignment if a.pred_id == "meta_platforms_inc")
    assert (row.gold_id, row.how, row.ambiguous) == ("meta", "name", False)
    assert report.precision == 1.0 and not report.extra


def test_alignment_by_event_date(tmp_path):
    ents = GOLD_ENTITIES[:5] + [{"id": "nvidia_rout", "type": "Event", "name": "Nvidia rout",
                                 "date": "2025-01-27"}]
    facts = [dict(GOLD_FACTS[0], o="nvidia_rout")]
    report = evaluate(_pred(tmp_path, facts, ents), _gold(tmp_path))
    row = next(a for a in report.alignment if a.pred_id == "nvidia_rout")
    assert (row.gold_id, row.how) == ("selloff_2025_01_27", "date")
    assert report.precision == 1.0
    # An event of another day does not align, and its moves are extra.
    ents[-1] = dict(ents[-1], date="2025-01-28")
    report = evaluate(_pred(tmp_path, facts, ents), _gold(tmp_path))
    assert next(a for a in report.alignment if a.pred_id == "nvidia_rout").gold_id is None
    assert report.precision == 0.0


def test_alignment_by_id_beats_names(tmp_path):
    ents = [{"id": "nvidia", "type": "Company", "name": "NVDA Corporation"}, *GOLD_ENTITIES[1:]]
    report = evaluate(_pred(tmp_path, GOLD_FACTS, ents), _gold(tmp_path))
    row = next(a for a in report.alignment if a.pred_id == "nvidia")
    assert (row.gold_id, row.how) == ("nvidia", "id")
    assert _scores(report) == (1.0, 1.0, 1.0)


def test_company_and_organization_align_but_person_does_not(tmp_path):
    ents = [{"id": "nv", "type": "Organization", "name": "Nvidia"},
            {"id": "meta", "type": "Person", "name": "Meta"}, *GOLD_ENTITIES[1:3], GOLD_ENTITIES[5]]
    facts = [dict(GOLD_FACTS[0], s="nv"), GOLD_FACTS[1]]
    report = evaluate(_pred(tmp_path, facts, ents), _gold(tmp_path))
    rows = {a.pred_id: a for a in report.alignment}
    assert rows["nv"].gold_id == "nvidia"
    assert rows["meta"].gold_id is None  # same id, but a Person is not a Company
    assert report.precision == 0.5
    assert [e.description for e in report.extra] == [
        "meta fell_by selloff_2025_01_27 = 3 percent (exact) on 2025-01-27"]
    assert ("gold.txt", "meta") in report.unaligned_gold


def test_ambiguous_alignment_is_reported(tmp_path):
    gold_ents = GOLD_ENTITIES + [{"id": "meta_ai", "type": "Company", "name": "Meta AI",
                                  "names": ["Meta"]}]
    gold = _gold(tmp_path, entities=gold_ents)
    pred = _pred(tmp_path, [], [{"id": "x", "type": "Company", "name": "Meta"}])
    [row] = evaluate(pred, gold).alignment
    assert row.ambiguous and row.gold_id == "meta" and row.candidates == ["meta", "meta_ai"]
    assert "AMBIGUOUS" in render_text(evaluate(pred, gold))


@pytest.mark.parametrize("value, ok", [(17.1, True), (16.9, True), (17.17, True), (17.5, False)])
def test_value_tolerance(tmp_path, value, ok):
    report = evaluate(_pred(tmp_path, [dict(GOLD_FACTS[0], value=value)]), _gold(tmp_path, GOLD_FACTS[:1]))
    assert report.recall == (1.0 if ok else 0.0)
    if not ok:
        assert report.missed[0].near_miss == f"value: gold 17, pred {value}"


def test_small_values_have_an_absolute_tolerance(tmp_path):
    gold = _gold(tmp_path, [dict(GOLD_FACTS[1], value=0.5)])
    assert evaluate(_pred(tmp_path, [dict(GOLD_FACTS[1], value=0.509)]), gold).recall == 1.0
    assert evaluate(_pred(tmp_path, [dict(GOLD_FACTS[1], value=0.52)]), gold).recall == 0.0


def test_qualifier_mismatch_is_a_near_miss(tmp_path):
    pred = _pred(tmp_path, [dict(GOLD_FACTS[0], qualifier="exact")])
    report = evaluate(pred, _gold(tmp_path, GOLD_FACTS[:1]))
    assert _scores(report) == (0.0, 0.0, 0.0)
    [missed] = report.missed
    assert missed.near_miss == "qualifier: gold approx, pred exact"
    assert report.extra[0].near_miss == ("gold nvidia fell_by selloff_2025_01_27 = 17 percent (approx) "
                                         "on 2025-01-27: qualifier: gold approx, pred exact")
    assert "near miss: qualifier: gold approx, pred exact" in render_text(report)


def test_missing_pred_qualifier_means_exact_and_missing_gold_qualifier_accepts_any(tmp_path):
    exact = {k: v for k, v in GOLD_FACTS[1].items() if k != "qualifier"}
    assert evaluate(_pred(tmp_path, [exact]), _gold(tmp_path, GOLD_FACTS[1:2])).recall == 1.0
    approx = {k: v for k, v in GOLD_FACTS[0].items() if k != "qualifier"}
    assert evaluate(_pred(tmp_path, [approx]), _gold(tmp_path, GOLD_FACTS[:1])).recall == 0.0
    report = evaluate(_pred(tmp_path, [dict(GOLD_FACTS[0], qualifier="more_than")]),
                      _gold(tmp_path, [approx]))
    assert report.recall == 1.0


def test_date_session_and_unit_are_compared_when_gold_gives_them(tmp_path):
    gold = _gold(tmp_path, [dict(GOLD_FACTS[0], session="close")])
    report = evaluate(_pred(tmp_path, [dict(GOLD_FACTS[0], date="2025-01-28", unit="USD")]), gold)
    assert report.missed[0].near_miss == ("unit: gold percent, pred USD; date: gold 2025-01-27, "
                                          "pred 2025-01-28; session: gold close, pred unstated")
    assert evaluate(_pred(tmp_path, [dict(GOLD_FACTS[0], session="close")]), gold).recall == 1.0
    # A move without a date takes its event's date.
    undated = {k: v for k, v in GOLD_FACTS[0].items() if k != "date"}
    assert evaluate(_pred(tmp_path, [undated]), _gold(tmp_path, GOLD_FACTS[:1])).recall == 1.0


def test_symmetric_predicates_match_either_direction(tmp_path):
    flipped = [{"s": "openai", "p": "competes_with", "o": "deepseek"},
               {"s": "liang", "p": "founded_by", "o": "deepseek"}]
    report = evaluate(_pred(tmp_path, flipped), _gold(tmp_path, GOLD_FACTS[2:4]))
    assert report.per_predicate["competes_with"].matched == 1
    assert report.per_predicate["founded_by"].matched == 0  # not symmetric


def test_mentions_are_not_scored(tmp_path):
    ents = GOLD_ENTITIES + [{"id": "article_1", "type": "Article", "name": "a.txt"}]
    facts = GOLD_FACTS + [{"s": "article_1", "p": "mentions", "o": "nvidia"}]
    report = evaluate(_pred(tmp_path, facts, ents), _gold(tmp_path))
    assert _scores(report) == (1.0, 1.0, 1.0)
    assert report.excluded == {"mentions": 1} and "mentions" not in report.per_predicate
    assert "article_1" not in {a.pred_id for a in report.alignment}


def test_per_predicate_and_per_language(tmp_path):
    facts = [GOLD_FACTS[0], dict(GOLD_FACTS[1], value=4), GOLD_FACTS[2],
             {"s": "openai", "p": "competes_with", "o": "nvidia"}]
    report = evaluate(_pred(tmp_path, facts), _gold(tmp_path, lang="fr"))
    fell = report.per_predicate["fell_by"]
    assert (fell.pred, fell.gold, fell.matched, fell.precision, fell.recall) == (2, 2, 1, 0.5, 0.5)
    comp = report.per_predicate["competes_with"]
    assert (comp.pred, comp.gold, comp.matched, comp.precision, comp.recall) == (2, 1, 1, 0.5, 1.0)
    founded = report.per_predicate["founded_by"]
    assert (founded.pred, founded.precision, founded.recall) == (0, None, 0.0)
    sup = report.per_predicate["supplies"]
    assert (sup.required, sup.recall_required) == (0, None)
    assert list(report.per_language) == ["fr"]
    fr = report.per_language["fr"]
    assert (fr.pred, fr.gold, fr.required, fr.matched) == (4, 5, 4, 2)


def test_evaluate_many_micro_averages_and_splits_languages(tmp_path):
    fr_gold = _gold(tmp_path, GOLD_FACTS[2:4], name="fr.gold.yaml", lang="fr")
    en_gold = _gold(tmp_path, GOLD_FACTS[:4], name="en.gold.yaml", lang="en")
    fr_pred = _pred(tmp_path, GOLD_FACTS[2:4], name="fr.yaml")
    en_pred = _pred(tmp_path, GOLD_FACTS[:1], name="en.yaml")
    report = evaluate_many([(fr_pred, fr_gold), (en_pred, en_gold)])
    assert report.recall_required == pytest.approx(3 / 6)  # macro would be (1 + 1/4) / 2
    assert report.precision == 1.0
    assert report.per_language["fr"].recall == 1.0
    assert report.per_language["en"].recall == pytest.approx(1 / 4)
    assert {m.article for m in report.missed} == {"en.gold.txt"}
    assert len(report.pairs) == 2


def test_pair_files_pairs_directories_by_article_name(tmp_path):
    golds, preds = tmp_path / "gold", tmp_path / "pred"
    golds.mkdir(), preds.mkdir()
    for name in ("a", "b"):
        (golds / f"{name}.gold.yaml").write_text("facts: []\n")
    (preds / "a.json").write_text("{}"), (preds / "b.pred.yaml").write_text("{}")
    (preds / "unannotated.yaml").write_text("{}")
    assert pair_files(preds, golds) == [(preds / "a.json", golds / "a.gold.yaml"),
                                        (preds / "b.pred.yaml", golds / "b.gold.yaml")]
    assert pair_files(preds / "a.json", golds / "a.gold.yaml") == [(preds / "a.json",
                                                                    golds / "a.gold.yaml")]
    (preds / "b.yaml").write_text("{}")
    with pytest.raises(ValueError, match="several predictions for b"):
        pair_files(preds, golds)
    (preds / "b.yaml").unlink(), (preds / "b.pred.yaml").unlink()
    with pytest.raises(ValueError, match="no prediction .* for: b"):
        pair_files(preds, golds)
    with pytest.raises(ValueError):
        pair_files(preds / "a.json", golds)
    with pytest.raises(FileNotFoundError):
        pair_files(tmp_path / "nope", golds)


def test_json_prediction_and_deterministic_output(tmp_path):
    pred = tmp_path / "pred.json"
    doc = yaml.safe_load(_pred(tmp_path, GOLD_FACTS[::-1]).read_text(encoding="utf-8"))
    pred.write_text(json.dumps(doc), encoding="utf-8")
    report = evaluate(pred, _gold(tmp_path))
    again = evaluate(pred, _gold(tmp_path))
    assert _scores(report) == (1.0, 1.0, 1.0)
    assert json.dumps(to_json(report)) == json.dumps(to_json(again))
    assert render_text(report) == render_text(again)
    assert to_json(report)["overall"]["f1"] == 1.0


def test_load_errors_are_reported(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("facts: [\n", encoding="utf-8")
    report = evaluate(bad, _gold(tmp_path))
    assert report.problems and report.precision is None and report.recall == 0.0


def test_seed_gold_against_itself_is_perfect():
    assert SEED_GOLD.is_file(), SEED_GOLD
    report = evaluate(SEED_GOLD, SEED_GOLD)
    assert report.overall.gold == 40 and report.overall.required == 35
    assert _scores(report) == (1.0, 1.0, 1.0)
    assert report.per_language["fr"].f1 == 1.0
    assert all(a.how == "id" for a in report.alignment) and not report.unaligned_gold
