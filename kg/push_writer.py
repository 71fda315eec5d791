"""Send the steps of a push plan to a Bolt server in batches, and retry what is safe to retry.

Why a module of its own: cutting rows into batches the server survives (FalkorDB's 4 KB
statement buffer, `kg.push_codec`) and deciding when a failed batch may be sent again are the
two things that make a push survive a real server; the plan (`kg.push_plan`) and the entry points
(`kg.push_bolt`) need not know how.

Batches are cut by rows (`batch`) and, on a server with a text limit, by bytes (an upper bound:
the rows' JSON), so a FalkorDB batch holds about a dozen rows; a row too big alone is written
without its longest properties, which are then appended in pieces. Each piece says at which
length of the property it goes (`size(x.p) = row.at`, code points on FalkorDB, measured): a
piece sent twice is appended once, so the appends are idempotent like every MERGE + SET batch.

Retries. Every batch goes through the driver's `execute_query`, which runs it in a managed
transaction and retries what the driver classes as retryable (TransientError such as a
deadlock or a leader switch, ServiceUnavailable, SessionExpired: a dropped connection) with
backoff for up to the driver's `max_transaction_retry_time` (30 s by default). The driver does
not retry IncompleteCommit (the connection was lost while the COMMIT was in flight): it cannot
know whether the transaction was applied, and re-running a non-idempotent one could apply it
twice. Every statement here is idempotent, so the writer itself sends such a batch again, at most
`ATTEMPTS` times in all with a doubling pause from `BACKOFF` seconds. Nothing else is retried:
a syntax, constraint, type or other client error fails at once. A transient error that outlasts
the retries raises PushError saying so; the batches already sent stay on the server (FalkorDB
cannot roll back), and pushing the same graph again completes it to the state of one clean push.
"""
from __future__ import annotations

import time
from typing import Any

from kg.push_codec import Codec, PushError
from kg.push_plan import Step, _ident

#: sends of one batch, in all, when the driver leaves its outcome unknown (IncompleteCommit)
ATTEMPTS = 3
#: seconds before the first re-send; doubled before each next one
BACKOFF = 0.25
#: what a persistent transient error leaves, and what to do about it
RESUME = ("the batches already sent stay on the server; run the same push again to complete "
          "it (pushing is idempotent)")


def unknown_outcome(exc: BaseException) -> bool:
    """True for a batch that may or may not have been applied and that the driver did not retry:
    the connection was lost during COMMIT (neo4j IncompleteCommit)."""
    from neo4j.exceptions import IncompleteCommit
    return isinstance(exc, IncompleteCommit)


def transient(exc: BaseException) -> bool:
    """True for an error the driver classes as retryable (it has retried it already)."""
    retryable = getattr(exc, "is_retryable", None)
    return bool(callable(retryable) and retryable())


def failure(what: str, exc: BaseException, attempts: int) -> str:
    """The message of a batch that could not be written, saying what was tried."""
    head, kind = f"writing {what} failed", f"{type(exc).__name__}: {exc}"
    if unknown_outcome(exc):
        times = f"{attempts} time{'s' if attempts != 1 else ''}"
        return f"{head}: the connection was lost during COMMIT, {times} ({kind}); {RESUME}"
    if transient(exc):
        return f"{head}: a transient error outlasted the driver's retries ({kind}); {RESUME}"
    return f"{head}: {kind}"


class _Writer:
    """Writes steps in batches, counting what the server reports created."""

    def __init__(self, driver: Any, codec: Codec, batch: int, kw: dict) -> None:
        self.driver, self.codec, self.batch, self.kw = driver, codec, batch, kw
        self.created = {"nodes": 0, "relationships": 0, "properties": 0}
        self.statements = 0
        self.retries = 0  # batches this writer sent again (the driver's own retries not counted)

    def run(self, statement: str, chunk: list[dict], what: str) -> int:
        """Send one batch; the number of rows it wrote."""
        result = self.send(statement, self.codec.encode(chunk), what)
        self.statements += 1
        c = result.summary.counters
        self.created["nodes"] += c.nodes_created
        self.created["relationships"] += c.relationships_created
        self.created["properties"] += c.properties_set
        return result.records[0]["written"] if result.records else 0

    def send(self, statement: str, rows: list[dict], what: str) -> Any:
        """`execute_query` of one batch, sent again (bounded, with backoff) while its outcome is
        unknown; PushError when it fails for good."""
        attempt = 1
        while True:
            try:
                return self.driver.execute_query(statement, rows=rows, **self.kw)
            except Exception as exc:
                if not unknown_outcome(exc) or attempt >= ATTEMPTS:
                    raise PushError(failure(what, exc, attempt)) from exc
            time.sleep(BACKOFF * 2 ** (attempt - 1))
            attempt += 1
            self.retries += 1

    def step(self, step: Step) -> int:
        """Write every row of `step` in batches of at most `batch` rows (and, on a server with a
        text limit, at most its budget of bytes); a row too big alone is written in pieces."""
        budget = self.codec.budget(step.statement)
        written, chunk, size = 0, [], 2
        for row in step.rows:
            cost = self.codec.size(row) + 2 if budget is not None else 0
            if budget is not None and cost + 2 > budget:
                written += self.oversized(step, row, budget)
                continue
            if chunk and (len(chunk) >= self.batch or (budget is not None and size + cost > budget)):
                written += self.flush(step, chunk)
                chunk, size = [], 2
            chunk.append(row)
            size += cost
        if chunk:
            written += self.flush(step, chunk)
        return written

    def flush(self, step: Step, chunk: list[dict]) -> int:
        """Send `chunk`; PushError unless every row was written."""
        n = self.run(step.statement, chunk, step.name)
        if n != len(chunk):
            raise PushError(f"{step.name}: {len(chunk) - n} of {len(chunk)} rows were not written "
                            f"(an end node is missing?)")
        return n

    def oversized(self, step: Step, row: dict, budget: int) -> int:
        """Write `row` without its longest properties, then append those in pieces."""
        base = {**row, "props": dict(row["props"])}
        moved = []
        while self.codec.size(base) + 4 > budget and base["props"]:
            name = max(base["props"], key=lambda k: self.codec.size(base["props"][k]))
            moved.append((name, base["props"].pop(name)))
        if self.codec.size(base) + 4 > budget or step.match is None:
            raise PushError(f"{step.name} {row.get('key')!r}: too large for the server's "
                            f"{self.codec.text_limit}-byte statement limit")
        self.flush(step, [base])
        for name, value in moved:
            self.append(step, row, name, value)
        return 1

    def append(self, step: Step, row: dict, name: str, value: Any) -> None:
        """Set property `name` of the row's node or relationship to `value`, piece by piece: the
        first piece replaces what is there, each next one is appended only at its offset."""
        col = _ident(name, "property")
        statement = (step.match + f"SET x.{col} = CASE WHEN row.first THEN row.part "
                     f"WHEN size(x.{col}) = row.at THEN x.{col} + row.part ELSE x.{col} END\n"
                     f"RETURN count(*) AS written")
        keys = {k: row[k] for k in ("key", "src", "dst") if k in row}
        empty = {**keys, "first": False, "at": len(value), "part": ""}
        room = self.codec.budget(statement) - self.codec.size(empty) - 8
        at = 0
        for i, part in enumerate(_pieces(value, room, self.codec)):
            if self.run(statement, [{**keys, "first": i == 0, "at": at, "part": part}], step.name) != 1:
                raise PushError(f"{step.name} {row.get('key')!r}: appending {name} failed")
            at += len(part)


def _pieces(value: Any, room: int, codec: Codec) -> list[Any]:
    """`value` (a string or a list) cut into parts that each take at most `room` bytes."""
    if isinstance(value, str):
        parts, cur, size = [], [], 0
        for ch in value:
            cost = codec.size(ch) - 2
            if cur and size + cost > room:
                parts.append("".join(cur))
                cur, size = [], 0
            cur.append(ch)
            size += cost
        return parts + ["".join(cur)] if cur or not parts else parts
    if isinstance(value, list):
        parts, cur, size = [], [], 2
        for item in value:
            cost = codec.size(item) + 2
            if cost + 2 > room:
                raise PushError(f"a list item of {cost} bytes is beyond the server's statement limit")
            if cur and size + cost > room:
                parts.append(cur)
                cur, size = [], 2
            cur.append(item)
            size += cost
        return parts + [cur] if cur or not parts else parts
    raise PushError(f"a {type(value).__name__} value beyond the server's statement limit")
