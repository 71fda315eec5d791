"""Facts on disk while a graph is assembled, so a build's memory does not grow with its corpus.

Why: months of news give millions of claims, and held as Python objects they need gigabytes.
The pipeline streams every entity mention and claim into a SQLite file (stdlib, nothing to
install), lets SQLite's external sort put them in order, merges claims one group at a time
(`kg.merge`) and reads the merged facts back in id order for the writer. What stays in memory
is the resolved entities, the diagnostics and one group of claims. Small library builds use an
in-memory database. Records are stored as pickled tuples of builtins (several times faster to
read back than pickled dataclasses); they are the pipeline's own, written and read by the same
process, never a user's file.
"""
from __future__ import annotations

import pickle
import sqlite3
from itertools import groupby
from pathlib import Path
from typing import Any, Iterable, Iterator

from kg.model import Entity, Evidence, Fact, Location

_BATCH = 5000
_TABLES = """
CREATE TABLE mention (placeholder INTEGER, path TEXT, line INTEGER, id TEXT, seq INTEGER PRIMARY KEY,
                      blob BLOB);
CREATE TABLE claim (grp INTEGER, path TEXT, line INTEGER, seq INTEGER PRIMARY KEY, blob BLOB);
CREATE TABLE keyed (ck TEXT, pos INTEGER, id TEXT, slot TEXT, blob BLOB);
CREATE TABLE merged (id TEXT, slot TEXT, last INTEGER, blob BLOB);
"""
_EVIDENCE = ("source", "quote", "span", "extractor", "confidence", "lang", "url", "line")


def _loc(loc: Location | None) -> tuple | None:
    return (loc.path, loc.line) if loc else None


def _unloc(raw: tuple | None) -> Location | None:
    return Location(*raw) if raw else None


def dump_fact(f: Fact) -> bytes:
    evidence = [tuple(getattr(e, k) for k in _EVIDENCE) for e in f.evidence]
    return pickle.dumps((f.s, f.p, f.o, f.value, f.unit, f.qualifier, f.date, f.properties, evidence,
                         f.annotations, _loc(f.loc)), protocol=pickle.HIGHEST_PROTOCOL)


def load_fact(blob: bytes) -> Fact:
    t = pickle.loads(blob)  # noqa: S301 - written by this process (module docstring)
    return Fact(*t[:8], [Evidence(*e) for e in t[8]], t[9], _unloc(t[10]))


def dump_entity(e: Entity) -> bytes:
    return pickle.dumps((e.id, e.type, e.name, e.aliases, e.properties, _loc(e.loc)),
                        protocol=pickle.HIGHEST_PROTOCOL)


def load_entity(blob: bytes) -> Entity:
    t = pickle.loads(blob)  # noqa: S301 - written by this process (module docstring)
    return Entity(*t[:5], _unloc(t[5]))


def _where(loc: Location | None) -> tuple[str, int]:
    return (loc.path, loc.line or 0) if loc else ("", 0)


class FactStore:
    """Entity mentions and claims as loaded, claims keyed by content, merged facts by id: four
    tables in one file, written in one transaction (nothing here needs to survive a crash)."""

    def __init__(self, path: Path | None = None) -> None:
        self._db = sqlite3.connect(str(path) if path else ":memory:", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-32768",
                       f"temp_store={'FILE' if path else 'MEMORY'}"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(_TABLES)
        self._db.execute("BEGIN")
        self._pending: dict[str, list[tuple]] = {"mention": [], "claim": []}
        self._seq = 0

    def close(self) -> None:
        self._db.close()

    # -- records, as loaded ---------------------------------------------------
    def _add(self, table: str, row: tuple) -> None:
        pending = self._pending[table]
        pending.append(row)
        if len(pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        for table, rows in self._pending.items():
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                self._db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
                rows.clear()

    def add_entity(self, ent: Entity) -> None:
        """Keep an entity as read; `entities()` gives them in the order resolution meets them."""
        self._seq += 1
        self._add("mention", (ent.name == ent.id, *_where(ent.loc), ent.id, self._seq, dump_entity(ent)))

    def entities(self) -> Iterator[Entity]:
        """Placeholders (an id repeated as the name) last, so they never win a name; then by
        where they were read, id, load order."""
        self._flush()
        for (blob,) in self._db.execute("SELECT blob FROM mention ORDER BY placeholder, path, line, id, seq"):
            yield load_entity(blob)

    def add_claim(self, fact: Fact, reference: bool = False) -> None:
        """Keep a loaded claim; `claims()` gives the reference's first, in their order, then the
        others by where they were read (path, line), ties in load order."""
        self._seq += 1
        where = ("", 0) if reference else _where(fact.loc)
        self._add("claim", (0 if reference else 1, *where, self._seq, dump_fact(fact)))

    def claims(self) -> Iterator[Fact]:
        self._flush()
        for (blob,) in self._db.execute("SELECT blob FROM claim ORDER BY grp, path, line, seq"):
            yield load_fact(blob)

    # -- claims keyed by content, for merging -------------------------------
    def add_keyed(self, rows: Iterable[tuple[str, int, str | None, Fact]]) -> None:
        """(content key, position, slot, claim): a claim alone with its content is final as is."""
        self._insert("keyed", ((ck, pos, f.id, slot, dump_fact(f)) for ck, pos, slot, f in rows))
        self._db.execute("DELETE FROM claim")
        self._db.execute("DELETE FROM mention")
        self._db.execute("CREATE INDEX keyed_ck ON keyed (ck, pos)")
        # the content keys claimed more than once, found once for both uses below
        self._db.execute("CREATE TEMP TABLE shared AS SELECT ck FROM keyed GROUP BY ck HAVING COUNT(*) > 1")
        self._db.execute("CREATE UNIQUE INDEX temp.shared_ck ON shared (ck)")
        self._db.execute("INSERT INTO merged SELECT id, slot, pos, blob FROM keyed WHERE ck NOT IN shared")

    def keyed_groups(self) -> Iterator[list[tuple[int, Fact]]]:
        """Claims sharing their content with others, one group at a time, each in load order."""
        rows = self._db.execute("SELECT ck, pos, blob FROM keyed WHERE ck IN shared ORDER BY ck, pos")
        for _, group in groupby(rows, key=lambda r: r[0]):
            yield [(pos, load_fact(blob)) for _, pos, blob in group]

    def _insert(self, table: str, rows: Iterable[tuple]) -> None:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                self._db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", batch)
                batch.clear()
        if batch:
            self._db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(batch[0]))})", batch)

    # -- merged facts -------------------------------------------------------
    def add_merged(self, rows: Iterable[tuple[Fact, str | None, int]]) -> None:
        self._insert("merged", ((f.id, slot, last, dump_fact(f)) for f, slot, last in rows))
        self._db.execute("DELETE FROM keyed")
        self._db.execute("CREATE INDEX merged_id ON merged (id)")
        self._db.execute("CREATE INDEX merged_slot ON merged (slot, id)")

    def crowded_slots(self) -> list[str]:
        """Slots of a single-valued predicate holding more than one fact, by their first fact id."""
        return [slot for slot, _ in self._db.execute(
            "SELECT slot, MIN(id) AS first FROM merged WHERE slot IS NOT NULL "
            "GROUP BY slot HAVING COUNT(*) > 1 ORDER BY first")]

    def in_slot(self, slot: str) -> list[tuple[int, Fact]]:
        return [(last, load_fact(blob)) for last, blob in
                self._db.execute("SELECT last, blob FROM merged WHERE slot = ? ORDER BY id", (slot,))]

    def replace(self, fact: Fact, fact_id: str) -> None:
        """Store `fact` again (its annotations changed; its content, hence `fact_id`, did not)."""
        self._db.execute("UPDATE merged SET blob = ? WHERE id = ?", (dump_fact(fact), fact_id))

    def facts(self) -> Iterator[Fact]:
        """Every merged fact, in id order."""
        for (blob,) in self._db.execute("SELECT blob FROM merged ORDER BY id"):
            yield load_fact(blob)
