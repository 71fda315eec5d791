"""What `kg eval` reports: counts, scores, missed and extra facts, the entity alignment.

Built by `kg.evaluate`; rendered here as text for people and as JSON for scripts.
Both renderings are deterministic: every list is sorted, every mapping keyed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def ratio(num: int, den: int) -> float | None:
    """`num/den`, or None when there is nothing to measure (0/0 is not a score)."""
    return num / den if den else None


def harmonic(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Counts:
    """Fact counts of one slice (all, one predicate, one language). Matching is
    one-to-one, so `matched` counts both the matched pred and the matched gold facts."""

    pred: int = 0
    gold: int = 0
    required: int = 0
    matched: int = 0
    matched_required: int = 0

    def add(self, other: "Counts") -> None:
        for name in ("pred", "gold", "required", "matched", "matched_required"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float | None:
        return ratio(self.matched, self.pred)

    @property
    def recall(self) -> float | None:
        """Over every gold fact, optional ones included."""
        return ratio(self.matched, self.gold)

    @property
    def recall_required(self) -> float | None:
        """Over the gold facts marked required (the default): the headline recall."""
        return ratio(self.matched_required, self.required)

    @property
    def f1(self) -> float | None:
        return harmonic(self.precision, self.recall)

    @property
    def f1_required(self) -> float | None:
        return harmonic(self.precision, self.recall_required)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in
                               ("pred", "gold", "required", "matched", "matched_required")}
        for k in ("precision", "recall", "recall_required", "f1", "f1_required"):
            val = getattr(self, k)
            out[k] = None if val is None else round(val, 6)
        return out


@dataclass
class FactIssue:
    """A gold fact not found (missed) or a predicted fact matching nothing (extra)."""

    article: str
    predicate: str
    description: str
    required: bool | None = None  # missed facts only
    near_miss: str | None = None  # "qualifier: gold approx, pred exact" ...

    def sort_key(self) -> tuple:
        return (self.article, self.required is False, self.predicate, self.description)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"article": self.article, "predicate": self.predicate,
                               "description": self.description}
        if self.required is not None:
            out["required"] = self.required
        if self.near_miss:
            out["near_miss"] = self.near_miss
        return out


@dataclass
class Alignment:
    """Where one predicted entity landed among the gold entities."""

    article: str
    pred_id: str
    pred_type: str
    pred_name: str
    gold_id: str | None = None
    how: str | None = None  # id | date | name; None when unaligned
    candidates: list[str] = field(default_factory=list)  # every gold id that qualified
    ambiguous: bool = False  # several candidates tied for best: the smallest id was taken

    def sort_key(self) -> tuple:
        return (self.article, self.pred_id)

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "pred_id": self.pred_id, "pred_type": self.pred_type,
                "pred_name": self.pred_name, "gold_id": self.gold_id, "how": self.how,
                "candidates": sorted(self.candidates), "ambiguous": self.ambiguous}


@dataclass
class EvalReport:
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (pred path, gold path)
    overall: Counts = field(default_factory=Counts)
    per_predicate: dict[str, Counts] = field(default_factory=dict)
    per_language: dict[str, Counts] = field(default_factory=dict)
    missed: list[FactIssue] = field(default_factory=list)
    extra: list[FactIssue] = field(default_factory=list)
    alignment: list[Alignment] = field(default_factory=list)
    unaligned_gold: list[tuple[str, str]] = field(default_factory=list)  # (article, gold id)
    gold_entities: int = 0
    excluded: dict[str, int] = field(default_factory=dict)  # predicate -> pred facts not scored
    problems: list[str] = field(default_factory=list)  # load errors in either file

    precision = property(lambda self: self.overall.precision)
    recall = property(lambda self: self.overall.recall)
    recall_required = property(lambda self: self.overall.recall_required)
    f1 = property(lambda self: self.overall.f1)
    f1_required = property(lambda self: self.overall.f1_required)

    @property
    def ambiguous(self) -> list[Alignment]:
        return [a for a in self.alignment if a.ambiguous]


def to_json(report: EvalReport) -> dict[str, Any]:
    return {
        "pairs": [{"pred": p, "gold": g} for p, g in sorted(report.pairs)],
        "overall": report.overall.to_dict(),
        "per_predicate": {k: v.to_dict() for k, v in sorted(report.per_predicate.items())},
        "per_language": {k: v.to_dict() for k, v in sorted(report.per_language.items())},
        "missed": [m.to_dict() for m in sorted(report.missed, key=FactIssue.sort_key)],
        "extra": [e.to_dict() for e in sorted(report.extra, key=FactIssue.sort_key)],
        "entities": {
            "gold": report.gold_entities,
            "gold_aligned": report.gold_entities - len(report.unaligned_gold),
            "unaligned_gold": [{"article": a, "gold_id": g} for a, g in sorted(report.unaligned_gold)],
            "alignment": [a.to_dict() for a in sorted(report.alignment, key=Alignment.sort_key)],
        },
        "excluded": dict(sorted(report.excluded.items())),
        "problems": sorted(report.problems),
    }


def _f(val: float | None) -> str:
    return "    -" if val is None else f"{val:5.3f}"


def _table(title: str, rows: dict[str, Counts]) -> list[str]:
    width = max([len(title), *(len(k) for k in rows)])
    lines = [f"{title:<{width}}  pred  gold   req match      P      R  R-req     F1"]
    for name, c in sorted(rows.items()):
        lines.append(f"{name:<{width}}  {c.pred:4d}  {c.gold:4d}  {c.required:4d}  {c.matched:4d}"
                     f"  {_f(c.precision)}  {_f(c.recall)}  {_f(c.recall_required)}  {_f(c.f1)}")
    return lines


def render_text(report: EvalReport) -> str:
    o = report.overall
    skipped = ", ".join(f"{n} {p}" for p, n in sorted(report.excluded.items()))
    lines = [f"{len(report.pairs)} article(s): {o.gold} gold facts ({o.required} required), "
             f"{o.pred} predicted" + (f" (not scored: {skipped})" if skipped else ""),
             f"precision {_f(o.precision)}  recall {_f(o.recall)}  required recall "
             f"{_f(o.recall_required)}  F1 {_f(o.f1)}  F1 (required) {_f(o.f1_required)}",
             f"entities: {report.gold_entities - len(report.unaligned_gold)}/{report.gold_entities} "
             f"gold entities aligned, {len(report.ambiguous)} ambiguous alignment(s)", ""]
    lines += _table("predicate", report.per_predicate) + [""]
    lines += _table("language", report.per_language)
    for title, issues in (("missed (gold facts not found)", report.missed),
                          ("extra (predicted facts matching nothing)", report.extra)):
        lines += ["", f"{title}: {len(issues)}"]
        for i in sorted(issues, key=FactIssue.sort_key):
            tag = "" if title.startswith("extra") else ("[required] " if i.required else "[optional] ")
            near = (f"  -- near miss{' of' if tag == '' else ':'} {i.near_miss}"
                    if i.near_miss else "")
            lines.append(f"  {i.article}: {tag}{i.description}{near}")
    aligned = sorted(report.alignment, key=Alignment.sort_key)
    by_id = sum(1 for a in aligned if a.how == "id")
    lines += ["", f"alignment: {by_id} by id" + (", others:" if len(aligned) > by_id else "")]
    for a in aligned:
        if a.how == "id" and not a.ambiguous:
            continue
        target = f"{a.gold_id} [{a.how}]" if a.gold_id else "(unaligned)"
        amb = f"  AMBIGUOUS among {', '.join(sorted(a.candidates))}" if a.ambiguous else ""
        lines.append(f"  {a.article}: {a.pred_id} ({a.pred_type} {a.pred_name!r}) -> {target}{amb}")
    if report.unaligned_gold:
        lines.append("  gold entities no prediction aligned to: "
                     + ", ".join(f"{a}:{g}" for a, g in sorted(report.unaligned_gold)))
    if report.problems:
        lines += ["", f"problems reading the files: {len(report.problems)}"]
        lines += [f"  {p}" for p in sorted(report.problems)]
    # the headline again, last, where a scrolled terminal or `| tail` shows it
    lines += ["", f"total: precision {_f(o.precision)}  recall {_f(o.recall)}  "
                  f"required recall {_f(o.recall_required)}"]
    return "\n".join(lines)
