"""Problems found while loading, resolving and validating, and how they are shown.

The codes are a closed set so scripts can rely on them; each has a default
severity and one line of help. Text output follows compilers
(`path:line: error: message [code]`) and is grouped per rule, like dbt.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from kg.model import Location

ERROR, WARNING, INFO = "error", "warning", "info"
#: longer messages (a 20,000-character id quoted back) keep their head and tail only
MAX_MESSAGE = 2000

#: code -> (severity, what it means)
CODES: dict[str, tuple[str, str]] = {
    "syntax-error": (ERROR, "the file cannot be parsed as its format"),
    "bad-record": (ERROR, "a record is not a mapping, or is neither an entity nor a fact"),
    "duplicate-id": (ERROR, "one id names two entities of incompatible types"),
    "unknown-node-type": (ERROR, "the entity type is not in the schema"),
    "unknown-edge-type": (ERROR, "the predicate is neither an edge type nor an attribute of the schema"),
    "missing-field": (ERROR, "a required field or property is absent"),
    "bad-value": (ERROR, "a value has the wrong type, enum member, pattern or range"),
    "bad-unit": (ERROR, "a value's unit does not fit what the predicate measures"),
    "dangling-reference": (ERROR, "a fact names an entity that no input declares"),
    "domain-violation": (ERROR, "the subject's type is not allowed for this predicate"),
    "range-violation": (ERROR, "the object's type is not allowed for this predicate"),
    "missing-evidence": (ERROR, "a fact has no source"),
    "bad-evidence": (ERROR, "an evidence record is malformed"),
    "unknown-property": (WARNING, "a property the schema does not define (kept)"),
    "missing-metadata": (WARNING, "an article lacks its publication date; relative dates stay unresolved"),
    "date-conflict": (WARNING, "a weekday contradicts the explicit date next to it; the explicit date is used"),
    "conflict": (WARNING, "sources disagree on a single-valued fact (all values kept)"),
    "ambiguous-name": (WARNING, "a name matches several known entities; none was chosen"),
    "unresolved-name": (INFO, "a name matched no known entity; a new entity was made"),
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    loc: Location | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown diagnostic code {self.code!r}")
        if len(self.message) > MAX_MESSAGE:
            cut = len(self.message) - MAX_MESSAGE
            short = f"{self.message[:MAX_MESSAGE - 500]} ... [{cut} characters omitted] ... {self.message[-500:]}"
            object.__setattr__(self, "message", short)

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def sort_key(self) -> tuple:
        loc = self.loc or Location("")
        return (loc.path, loc.line or 0, self.code, self.field or "", self.message)

    def to_dict(self) -> dict:
        out = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.loc:
            out["path"] = self.loc.path
            if self.loc.line:
                out["line"] = self.loc.line
        if self.field:
            out["field"] = self.field
        return out

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        what = f" (field {self.field})" if self.field else ""
        return f"{where}{self.severity}: {self.message}{what} [{self.code}]"


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diags)


def summary(diags: Iterable[Diagnostic]) -> dict:
    diags = list(diags)
    by_sev = Counter(d.severity for d in diags)
    by_code = Counter(d.code for d in diags)
    return {"errors": by_sev[ERROR], "warnings": by_sev[WARNING], "infos": by_sev[INFO],
            "by_code": dict(sorted(by_code.items()))}


def render_text(diags: Iterable[Diagnostic], show_info: bool = False) -> str:
    """Every problem with its location, grouped per rule, then a one-line total."""
    diags = sorted(diags, key=Diagnostic.sort_key)
    shown = [d for d in diags if show_info or d.severity != INFO]
    lines: list[str] = []
    for code in sorted({d.code for d in shown}):
        group = [d for d in shown if d.code == code]
        lines.append(f"== {code} ({len(group)}): {CODES[code][1]}")
        lines.extend(str(d) for d in group)
    s = summary(diags)
    lines.append(f"{s['errors']} error(s), {s['warnings']} warning(s), {s['infos']} note(s)")
    return "\n".join(lines)


def render_json(diags: Iterable[Diagnostic]) -> str:
    diags = sorted(diags, key=Diagnostic.sort_key)
    report = {"summary": summary(diags), "diagnostics": [d.to_dict() for d in diags]}
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True)
