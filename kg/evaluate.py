"""Score an extraction (PRED, a fact sheet from `kg extract`) against a gold annotation.

Both files are read with `kg.loading.load_file`. Steps:

1. Align entities pred -> gold: same id; else, for two Events, the same `date`
   property (an article has one event per day, and event names such as "la
   vente" are too vague to decide); else a shared name under `kg.names.key`
   (case, accents, legal forms ignored), most shared names first. Types must be
   compatible (`Schema.compatible`: equal, or one is_a the other, so Company ~
   Organization). Ties are reported as ambiguous and the smallest gold id wins.
   Several pred entities may land on one gold entity. A declared pred entity
   that aligns to nothing never matches a gold fact; an id the pred file uses
   without declaring it is taken as is. Article entities are left out of the
   alignment list (gold never annotates the article itself).
2. Match facts one-to-one, greedily, required gold facts first, each in file
   order: aligned s, p, o equal (either direction for symmetric predicates),
   and, where gold gives them, value (1% relative or 0.01 absolute), unit,
   qualifier (a missing pred qualifier means exact), date (a pred fact without
   one takes the date of its Event object) and, for fell_by/rose_by, session
   (missing means unstated). Pred facts identical in content (same Fact.id)
   count once.
3. `mentions` facts (article -> entity) are not scored: gold never annotates
   them. They are counted in `EvalReport.excluded`.
4. A missed gold fact gets a near-miss reason when a pred fact has the same
   s, p, o but a different value, unit, qualifier, date or session.
"""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from kg.diagnostics import ERROR
from kg.evaluate_report import Alignment, Counts, EvalReport, FactIssue, render_text, to_json
from kg.loaders._readers import ParseError, parse_json, parse_yaml, read_text
from kg.loading import LoadResult, load_file
from kg.model import Entity, Fact
from kg.names import key
from kg.schema.model import load_schema

__all__ = ["EvalReport", "evaluate", "evaluate_many", "pair_files", "render_text", "to_json"]

EXCLUDED = frozenset({"mentions"})
MOVES = frozenset({"fell_by", "rose_by"})
GOLD_SUFFIXES = (".gold.yaml", ".gold.yml", ".gold.json")
PRED_SUFFIXES = (".pred.yaml", ".pred.yml", ".pred.json", ".pred.jsonl",
                 ".yaml", ".yml", ".json", ".jsonl")


def pair_files(pred: Path, gold: Path) -> list[tuple[Path, Path]]:
    """(pred, gold) pairs: two files, or two directories paired by article name:
    gold NAME.gold.yaml (or, in a directory of its own, any NAME.yaml/.json) <->
    pred NAME.pred.yaml, NAME.yaml, NAME.json... Raises ValueError when a gold file
    has no prediction or several, or when nothing pairs."""
    pred, gold = Path(pred), Path(gold)
    for path in (pred, gold):
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or directory")
    if pred.is_file() and gold.is_file():
        return [(pred, gold)]
    if not (pred.is_dir() and gold.is_dir()):
        raise ValueError("give two files or two directories (PRED and GOLD)")
    golds = {f.name[: -len(s)]: f for f in gold.iterdir() for s in GOLD_SUFFIXES
             if f.is_file() and f.name.endswith(s)}
    if not golds and pred.resolve() != gold.resolve():
        golds = {f.stem: f for f in gold.iterdir()
                 if f.is_file() and f.suffix in (".yaml", ".yml", ".json")}
    if not golds:
        raise ValueError(f"{gold}: no gold files (NAME.gold.yaml)")
    pairs, missing = [], []
    for name, gold_file in sorted(golds.items()):
        found = [pred / (name + s) for s in PRED_SUFFIXES
                 if (pred / (name + s)).is_file() and (pred / (name + s)) != gold_file]
        if len(found) > 1:
            raise ValueError(f"several predictions for {name}: {', '.join(f.name for f in found)}")
        if found:
            pairs.append((found[0], gold_file))
        else:
            missing.append(name)
    if missing:
        raise ValueError(f"no prediction in {pred} for: {', '.join(missing)}")
    return pairs


def evaluate(pred_path: Path, gold_path: Path) -> EvalReport:
    return evaluate_many([(Path(pred_path), Path(gold_path))])


def evaluate_many(pairs: list[tuple[Path, Path]]) -> EvalReport:
    """One report micro-averaged over several articles (counts are summed, then divided)."""
    report = EvalReport()
    for pred_path, gold_path in pairs:
        _score_pair(Path(pred_path), Path(gold_path), report)
    return report


# --- reading ---------------------------------------------------------------

def _load(path: Path, report: EvalReport) -> tuple[dict[str, Entity], list[Fact]]:
    res: LoadResult = load_file(path)
    report.problems.extend(str(d) for d in res.diagnostics if d.severity == ERROR)
    entities: dict[str, Entity] = {}
    for ent in res.entities:
        if ent.id in entities:  # one id twice: keep the first, pool the names
            first = entities[ent.id]
            first.aliases = sorted(set(first.aliases) | set(ent.names()) - {first.name})
        else:
            entities[ent.id] = Entity(ent.id, ent.type, ent.name, list(ent.aliases), dict(ent.properties))
    return entities, res.facts


def _article(path: Path, facts: list[Fact]) -> tuple[str, str]:
    """(label, lang) of a gold file: its `article` block, else its evidence, else 'unknown'."""
    block: Any = None
    try:
        text = read_text(path)
        doc = parse_json(text) if path.suffix == ".json" else parse_yaml(text)
        block = doc.get("article") if isinstance(doc, dict) else None
    except (OSError, ParseError):
        pass
    block = block if isinstance(block, dict) else {}
    langs = sorted({e.lang for f in facts for e in f.evidence if e.lang})
    lang = block.get("lang") or (langs[0] if len(langs) == 1 else "unknown")
    label = block.get("file") or path.name
    return str(label), str(lang)


# --- entity alignment --------------------------------------------------------

def _keys(ent: Entity) -> set[str]:
    return {k for k in (key(n) for n in ent.names()) if k}


def _align(pred: dict[str, Entity], gold: dict[str, Entity], article: str,
           report: EvalReport) -> dict[str, str]:
    schema = load_schema()
    gold_keys = {gid: _keys(g) for gid, g in gold.items()}
    mapping: dict[str, str] = {}
    for pid, ent in sorted(pred.items()):
        pkeys = _keys(ent)
        ranked = []
        for gid, g in gold.items():
            if not schema.compatible(ent.type, g.type):
                continue
            same_date = (ent.type == g.type == "Event" and ent.properties.get("date") is not None
                         and str(ent.properties.get("date")) == str(g.properties.get("date")))
            rank = (gid == pid, same_date, len(pkeys & gold_keys[gid]))
            if any(rank):
                ranked.append((rank, gid))
        ranked.sort(key=lambda r: (tuple(-int(x) for x in r[0]), r[1]))
        row = Alignment(article, pid, ent.type, ent.name, candidates=[g for _, g in ranked])
        if ranked:
            best = ranked[0][0]
            row.gold_id = ranked[0][1]
            row.how = "id" if best[0] else "date" if best[1] else "name"
            row.ambiguous = sum(1 for r, _ in ranked if r == best) > 1
            mapping[pid] = row.gold_id
        else:
            mapping[pid] = "\0pred:" + pid  # declared but unaligned: matches no gold fact
        if ent.type != "Article":  # gold never annotates the article itself
            report.alignment.append(row)
    hit = set(mapping.values())
    report.unaligned_gold.extend((article, gid) for gid in sorted(gold) if gid not in hit)
    report.gold_entities += len(gold)
    return mapping


# --- fact matching -------------------------------------------------------------

def _required(fact: Fact) -> bool:
    val = fact.annotations.get("required", True)
    return str(val).strip().lower() not in ("false", "no", "0") if isinstance(val, str) else bool(val)


def _slot(fact: Fact, mapping: dict[str, str], symmetric: set[str]) -> tuple:
    s = mapping.get(fact.s, fact.s)
    o = mapping.get(fact.o, fact.o) if fact.o is not None else None
    if fact.p in symmetric and o is not None:
        s, o = sorted((s, o))
    return (s, fact.p, o)


def _fmt(val: Any) -> str:
    if isinstance(val, (int, float)) and not isinstance(val, bool):
        return f"{val:,.12g}" if abs(val) >= 1e4 else f"{val:.12g}"
    return "none" if val is None else str(val)


def _differences(gold: Fact, pred: Fact, pred_date: str | None) -> list[str]:
    diffs = []
    if gold.value is not None and (pred.value is None or not math.isclose(
            float(pred.value), float(gold.value), rel_tol=0.01, abs_tol=0.01)):
        diffs.append(f"value: gold {_fmt(gold.value)}, pred {_fmt(pred.value)}")
    if gold.unit is not None and pred.unit != gold.unit:
        diffs.append(f"unit: gold {gold.unit}, pred {_fmt(pred.unit)}")
    if gold.qualifier is not None and (pred.qualifier or "exact") != gold.qualifier:
        diffs.append(f"qualifier: gold {gold.qualifier}, pred {pred.qualifier or 'exact'}")
    if gold.date is not None and str(pred_date) != str(gold.date):
        diffs.append(f"date: gold {gold.date}, pred {_fmt(pred_date)}")
    session = gold.properties.get("session")
    if gold.p in MOVES and session is not None and pred.properties.get("session", "unstated") != session:
        diffs.append(f"session: gold {session}, pred {pred.properties.get('session', 'unstated')}")
    return diffs


def describe(fact: Fact, s: str | None = None, o: str | None = None) -> str:
    text = f"{s or fact.s} {fact.p}" + (f" {o or fact.o}" if fact.o is not None else "")
    if fact.value is not None:
        text += f" = {_fmt(fact.value)}" + (f" {fact.unit}" if fact.unit else "")
    if fact.qualifier:
        text += f" ({fact.qualifier})"
    if fact.date:
        text += f" on {fact.date}"
    if fact.properties.get("session"):
        text += f" [session {fact.properties['session']}]"
    return text


def _label(pid: str | None, mapping: dict[str, str]) -> str | None:
    gid = mapping.get(pid) if pid is not None else None
    return pid if gid is None or gid == pid or gid.startswith("\0") else f"{pid}[={gid}]"


def _score_pair(pred_path: Path, gold_path: Path, report: EvalReport) -> None:
    report.pairs.append((str(pred_path), str(gold_path)))
    pred_ents, pred_all = _load(pred_path, report)
    gold_ents, gold_facts = _load(gold_path, report)
    article, lang = _article(gold_path, gold_facts)
    mapping = _align(pred_ents, gold_ents, article, report)
    symmetric = {name for name, spec in load_schema().edges.items() if spec.symmetric}

    pred_facts, seen = [], set()
    for f in pred_all:
        if f.p in EXCLUDED:
            report.excluded[f.p] = report.excluded.get(f.p, 0) + 1
        elif f.id not in seen:
            seen.add(f.id)
            pred_facts.append(f)
    pred_dates = []
    for f in pred_facts:
        event = pred_ents.get(f.o) if f.o is not None else None
        implied = event.properties.get("date") if event is not None and event.type == "Event" else None
        pred_dates.append(f.date if f.date is not None else (str(implied) if implied else None))
    by_slot: dict[tuple, list[int]] = defaultdict(list)
    for i, f in enumerate(pred_facts):
        by_slot[_slot(f, mapping, symmetric)].append(i)

    used: dict[int, int] = {}  # pred index -> gold index
    order = sorted(range(len(gold_facts)), key=lambda g: (not _required(gold_facts[g]), g))
    for g in order:
        gf = gold_facts[g]
        for i in by_slot.get(_slot(gf, {}, symmetric), []):
            if i not in used and not _differences(gf, pred_facts[i], pred_dates[i]):
                used[i] = g
                break
    matched_gold = set(used.values())

    slices = [report.overall, report.per_language.setdefault(lang, Counts())]
    near_of_pred: dict[int, str] = {}
    for g, gf in enumerate(gold_facts):
        req, hit = _required(gf), g in matched_gold
        for c in slices + [report.per_predicate.setdefault(gf.p, Counts())]:
            c.gold += 1
            c.required += req
            c.matched += hit
            c.matched_required += hit and req
        if hit:
            continue
        near = None
        cands = by_slot.get(_slot(gf, {}, symmetric), [])
        scored = [(i in used, len(d), i, d) for i in cands
                  if (d := _differences(gf, pred_facts[i], pred_dates[i]))]
        if scored:
            *_, i, diffs = min(scored)
            near = "; ".join(diffs)
            near_of_pred.setdefault(i, f"{describe(gf)}: " + near)
        report.missed.append(FactIssue(article, gf.p, describe(gf), req, near))
    for i, f in enumerate(pred_facts):
        for c in slices + [report.per_predicate.setdefault(f.p, Counts())]:
            c.pred += 1
        if i not in used:
            desc = describe(f, _label(f.s, mapping), _label(f.o, mapping))
            near = f"gold {near_of_pred[i]}" if i in near_of_pred else None
            report.extra.append(FactIssue(article, f.p, desc, None, near))
