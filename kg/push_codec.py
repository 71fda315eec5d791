"""How values travel to a Bolt server: found by probing it, never by its agent string.

Why a module of its own: a Neo4j server takes parameters as they are, FalkorDB (4.16, over its
Bolt port, which says "Neo4j/5.13.0") does not, and what to do about it is one decision taken
once per server (`probe`) and applied to every batch (`Codec`) by the writer
(`kg.push_writer`), the read engine (`kg.engines.bolt`) and the plan of statements
(`kg.push_plan`, which sends floats as `float_parts`).

What FalkorDB needs:

- Bolt parameters are pasted into the query text as literals (`CYPHER name=value ...`): a string
  with `'` breaks the statement and `\\` is read as an escape, so strings (in lists and maps too)
  are sent escaped (`\\` -> `\\\\`, `'` -> `\\'`) when a probe shows the server needs it, and then
  round-trip unchanged.
- Floats are printed with 6 decimals (1e-10 arrives as 0.0) and `toFloat()` of a string parses
  as a 32-bit float, so every DOUBLE column travels as three integers `[m, a, b]` with value =
  m * 2^a * 2^b (exact for any finite double) and is rebuilt in Cypher; the same statement runs
  on Neo4j.
- Parameters and statement are pasted into a 4 KB buffer: past it the server crashes, so a codec
  for FalkorDB carries that limit and the writer cuts batches by bytes (`Codec.size`,
  `Codec.budget`).
- No `CREATE CONSTRAINT` in its Cypher: `Codec.flavour` says which DDL the server speaks.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

#: FalkorDB 4.16 pastes parameters into a fixed 4 KB buffer ahead of the query text: a statement
#: plus parameters past that crashes the server (measured: 4,072 bytes pass, 4,100 kill it)
FALKORDB_TEXT_LIMIT = 4096
#: bytes kept free under that limit (the `CYPHER name=` prefix, rounding of the estimate)
TEXT_MARGIN = 256
#: server-flavour probe value: four characters, a, backslash, backslash, b
_BACKSLASH_PROBE = "a\\\\b"
_STRING_PROBE = "it's \"q\" \\ `x` é\n"


class PushError(Exception):
    """The graph cannot be written: a type not in the schema, a failed statement, lost rows."""


@dataclass(frozen=True)
class Codec:
    """How parameter values must be encoded for one server (found by `probe`)."""

    flavour: str = "neo4j"        # "neo4j" or "falkordb" (what DDL the server takes)
    escape_strings: bool = False  # the server pastes string parameters into the query text
    exact_floats: bool = True     # float parameters arrive unchanged
    text_limit: int | None = None  # bytes of statement + parameters the server survives

    def encode(self, value: Any) -> Any:
        """`value` with every string (in lists and maps too) escaped when the server needs it."""
        if isinstance(value, str):
            return value.replace("\\", "\\\\").replace("'", "\\'") if self.escape_strings else value
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {self.encode(k): self.encode(v) for k, v in value.items()}
        return value

    def size(self, value: Any) -> int:
        """An upper bound of the bytes `value` takes once pasted into the query text: its JSON
        (quoted keys, `, ` and `: ` separators, escapes doubled) is never shorter than FalkorDB's
        `{key: 'value'}` form."""
        return len(json.dumps(self.encode(value), ensure_ascii=False).encode("utf-8"))

    def budget(self, statement: str) -> int | None:
        """Bytes of parameters that may go with `statement` (None: no limit)."""
        if self.text_limit is None:
            return None
        return self.text_limit - TEXT_MARGIN - len(statement.encode("utf-8"))


def float_parts(x: float) -> list[int] | None:
    """[m, a, b] with m * 2^a * 2^b == x exactly (integers travel exactly, floats may not)."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        raise PushError(f"{x!r} cannot be stored: not a finite number")
    mantissa, exponent = math.frexp(x)
    m, e = int(mantissa * (1 << 53)), exponent - 53
    a = e // 2  # two factors, each a normal power of two, so neither under- nor overflows
    return [m, a, e - a]


def _flavour(driver: Any, kw: dict) -> str:
    """"neo4j" when the server answers dbms.components(), "falkordb" when only db.indexes()."""
    try:
        driver.execute_query("CALL dbms.components() YIELD name RETURN name", **kw)
        return "neo4j"
    except Exception:  # FalkorDB: no such procedure (reported as UnknownError over Bolt)
        try:
            driver.execute_query("CALL db.indexes()", **kw)
            return "falkordb"
        except Exception as exc:
            raise PushError(f"the server answers neither dbms.components() (Neo4j) nor "
                            f"db.indexes() (FalkorDB): {exc}") from exc


def probe(driver: Any, database: str | None = None) -> Codec:
    """Ask the server how it treats strings and floats in parameters, and which DDL it speaks."""
    kw = {"database_": database} if database else {}
    flavour = _flavour(driver, kw)
    records = driver.execute_query("RETURN $s AS s, $f AS f", s=_BACKSLASH_PROBE,
                                   f=0.1234567890123456, **kw).records
    got, f = records[0]["s"], records[0]["f"]
    if got == _BACKSLASH_PROBE:
        escape = False
    elif got == "a\\b":
        escape = True
    else:
        raise PushError(f"the server changes string parameters in an unknown way: "
                        f"{_BACKSLASH_PROBE!r} came back as {got!r}")
    codec = Codec(flavour, escape, f == 0.1234567890123456,
                  FALKORDB_TEXT_LIMIT if flavour == "falkordb" else None)
    back = driver.execute_query("RETURN $s AS s", s=codec.encode(_STRING_PROBE), **kw).records[0]["s"]
    if back != _STRING_PROBE:
        raise PushError(f"string parameters do not round-trip: {_STRING_PROBE!r} came back as {back!r}")
    return codec
