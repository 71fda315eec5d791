"""Paths the tests share (importable: pytest puts tests/ on sys.path)."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GOLD = SHARED / "seed" / "gold.yaml"
EXAMPLE = REPO / "examples" / "deepseek-selloff"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
