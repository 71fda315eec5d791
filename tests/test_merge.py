"""Corroboration and conflicts: one fact per claim, disagreements kept and flagged."""
from __future__ import annotations

import kg


def _sheet(tmp_path, name, body):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


ENTS = """entities:
  - {id: acme, type: Company, name: Acme}
  - {id: bolt, type: Company, name: Bolt}
  - {id: day, type: Event, name: A day, date: 2025-01-27}
"""


def test_same_fact_from_two_sources_is_one_fact_with_two_evidences(tmp_path):
    a = _sheet(tmp_path, "a.yaml", ENTS + "facts:\n  - {s: acme, p: fell_by, o: day, value: 5, unit: percent, date: 2025-01-27, source: wire A}\n")
    b = _sheet(tmp_path, "b.yaml", "facts:\n  - {s: acme, p: fell_by, o: day, value: 5.0, unit: percent, date: 2025-01-27, source: wire B}\n")
    graph = kg.build([a, b], reference=False)
    facts = [f for f in graph.facts() if f.p == "fell_by"]
    assert len(facts) == 1
    assert sorted(e.source for e in facts[0].evidence) == ["wire A", "wire B"]
    assert graph.to_networkx().edges["acme", "day", facts[0].id]["n_sources"] == 2


def test_conflicting_values_are_kept_and_reported(tmp_path):
    a = _sheet(tmp_path, "a.yaml", ENTS + """facts:
  - {s: acme, p: fell_by, o: day, value: 17, unit: percent, qualifier: approx, date: 2025-01-27, session: close, source: wire A}
  - {s: acme, p: fell_by, o: day, value: 16.97, unit: percent, date: 2025-01-27, session: close, source: exchange}
  - {s: acme, p: fell_by, o: day, value: 3, unit: percent, date: 2025-01-27, session: premarket, source: wire A}
""")
    graph = kg.build([a], reference=False)
    moves = {f.value: f for f in graph.facts() if f.p == "fell_by"}
    assert set(moves) == {17, 16.97, 3}
    assert moves[17].annotations["conflicts_with"] == [moves[16.97].id]
    assert moves[16.97].annotations["conflicts_with"] == [moves[17].id]
    assert "conflicts_with" not in moves[3].annotations  # another session, another slot
    conflicts = [d for d in graph.diagnostics if d.code == "conflict"]
    assert len(conflicts) == 1 and "wire A" in conflicts[0].message and "exchange" in conflicts[0].message


def test_single_valued_edge_conflict(tmp_path):
    a = _sheet(tmp_path, "a.yaml", ENTS + """  - {id: us, type: Country, name: United States}
  - {id: cn, type: Country, name: China}
facts:
  - {s: acme, p: headquartered_in, o: us, source: filing}
  - {s: acme, p: headquartered_in, o: cn, source: blog}
""")
    graph = kg.build([a], reference=False)
    assert sum(1 for d in graph.diagnostics if d.code == "conflict") == 1
    assert len([f for f in graph.facts() if f.p == "headquartered_in"]) == 2


def test_symmetric_edges_merge_both_directions(tmp_path):
    a = _sheet(tmp_path, "a.yaml", ENTS + """facts:
  - {s: acme, p: competes_with, o: bolt, source: one}
  - {s: bolt, p: competes_with, o: acme, source: two}
""")
    graph = kg.build([a], reference=False)
    comp = [f for f in graph.facts() if f.p == "competes_with"]
    assert len(comp) == 1 and len(comp[0].evidence) == 2


def test_multi_valued_edges_do_not_conflict(tmp_path):
    a = _sheet(tmp_path, "a.yaml", ENTS + """facts:
  - {s: acme, p: supplies, o: bolt, product: wafers, source: one}
  - {s: acme, p: supplies, o: bolt, product: masks, source: two}
""")
    graph = kg.build([a], reference=False)
    assert len([f for f in graph.facts() if f.p == "supplies"]) == 2
    assert not [d for d in graph.diagnostics if d.code == "conflict"]
