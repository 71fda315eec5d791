"""Paths the tests share (importable: pytest puts tests/ on sys.path)."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GOLD = SHARED / "seed" / "gold.yaml"
EXAMPLE = REPO / "examples" / "deepseek-selloff"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
EXPORT_FIXTURE = FIXTURES / "export" / "small.yaml"


def assert_golden(name: str, data: bytes) -> None:
    """`data` equals the golden file `tests/golden/NAME`; KG_UPDATE_GOLDEN=1 rewrites it instead
    (review the diff: a golden file is the format's contract)."""
    import os
    path = GOLDEN / name
    if os.environ.get("KG_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"no golden file {path}: run with KG_UPDATE_GOLDEN=1 and review it"
    assert data == path.read_bytes(), f"{name} differs from its golden file (KG_UPDATE_GOLDEN=1 to accept)"

#: a query that outgrows a small memory budget fast, for each embedded engine: Oxigraph keeps a
#: group per pair of triples (about 200 MB a second); Ladybug sorts every triple of node ids (a
#: DISTINCT there gives up anywhere between 0.2 and 40 s, a sort in 0.2 s)
RUNAWAY = {
    "sparql": "SELECT ?a ?b (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y } GROUP BY ?a ?b ?x ?y LIMIT 1",
    "cypher": "MATCH (a), (b), (c) RETURN a.id + b.id + c.id AS k ORDER BY k",
}
