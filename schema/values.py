"""Checks one value against one property spec; shared by nodes, edges and evidence."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from kg.schema.model import PropSpec


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def scalar_kind(value: Any) -> str | None:
    """The schema type of a Python boolean, integer or float (a bool is not a number); None for
    anything else. Exporters that type columns or literals from the values start here."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "number" if isinstance(value, float) else None


def check_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected an ISO date YYYY-MM-DD, got {type(value).__name__} {value!r}"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"expected an ISO date YYYY-MM-DD, got {value!r}"
    return None if len(value) == 10 else f"expected an ISO date YYYY-MM-DD, got {value!r}"


def check_number(value: Any, lo: float | None, hi: float | None) -> str | None:
    if not _is_number(value):
        return f"expected a number, got {value!r}"
    if not math.isfinite(value):
        return f"expected a finite number, got {value!r}"
    if lo is not None and value < lo:
        return f"{value!r} is below the minimum {lo}"
    if hi is not None and value > hi:
        return f"{value!r} is above the maximum {hi}"
    return None


def _check_type(spec: PropSpec, value: Any) -> str | None:
    kind = spec.type
    if kind == "string":
        return None if isinstance(value, str) and value.strip() else f"expected a non-empty string, got {value!r}"
    if kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value)
        return None if ok else f"expected a list of scalars, got {value!r}"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if kind == "date":
        return check_date(value)
    if kind in ("integer", "year"):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"expected an integer, got {value!r}"
        return check_number(value, spec.min, spec.max)
    if kind == "number":
        return check_number(value, spec.min, spec.max)
    return f"schema error: unknown property type {kind!r}"


def check(spec: PropSpec, value: Any) -> str | None:
    """Why `value` does not fit `spec`, or None when it does."""
    problem = _check_type(spec, value)
    if problem:
        return problem
    if spec.enum is not None and value not in spec.enum:
        return f"{value!r} is not one of {', '.join(spec.enum)}"
    if spec.pattern is not None and isinstance(value, str) and not spec.pattern.match(value):
        return f"{value!r} does not match the {spec.pattern_name} pattern {spec.pattern.pattern}"
    return None
