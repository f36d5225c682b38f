"""The ledger's head: the hash of its last entry, which anchors everything before it.

A report, a backup or a bundle records the head it was made from; later, ``db doctor --head``
checks that the chain still passes through it, so a ledger rewritten and re-chained, or cut
short, after the head was printed is found out.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from plantrack.errors import PlantrackError
from plantrack.store import clauses

HASH_PREFIX = re.compile(r"[0-9a-f]{32,64}")  # 128 bits at least: too many to forge a match


@dataclass(frozen=True)
class Head:
    hash: str
    id: int  # the row id of the last entry
    entries: int  # how many entries the ledger held up to it


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: every query inside sees the same database, so a head read there is
    the last entry the other reads count, whatever others write meanwhile (inside a transaction
    already: that one)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def head(conn: sqlite3.Connection, upto_id: int | None = None, *, known_at: str | None = None) -> Head | None:
    """The head of the ledger (None when it is empty): its last entry, or the last entry whose row
    id is at most ``upto_id``, or (``known_at``) the last entry known here by that instant
    (recorded here, or received from another site, by then), as a report selects them."""
    where: list[str] = []
    args: list[object] = []
    if upto_id is not None:
        where.append("e.id <= ?")
        args.append(upto_id)
    if known_at is not None:
        where.append(f"{clauses.KNOWN_E} <= ?")
        args.append(known_at)
    sql = "SELECT e.id, e.hash FROM entry e"
    if where:
        sql += " WHERE " + " AND ".join(where)
    row = conn.execute(sql + " ORDER BY e.id DESC LIMIT 1", args).fetchone()
    if row is None:
        return None
    n = conn.execute("SELECT count(*) FROM entry WHERE id <= ?", (row[0],)).fetchone()[0]
    return Head(str(row[1]), int(row[0]), int(n))


def parse(text: str) -> str:
    """A head as a user gives it: 12 to 64 hex digits (spaces and case ignored)."""
    value = "".join(text.split()).lower()
    if not HASH_PREFIX.fullmatch(value):
        raise PlantrackError(
            f"{text.strip()[:80]!r} is not a ledger head",
            hint="give the hash a report or 'plantrack db head' printed (at least its first 32 hex digits)",
        )
    return value


def find(conn: sqlite3.Connection, prefix: str) -> list[tuple[int, str]]:
    """Entries whose stored hash starts with ``prefix``: (row id, hash)."""
    rows = conn.execute(
        "SELECT id, hash FROM entry WHERE hash >= ? AND hash < ? ORDER BY id LIMIT 2",
        (prefix, prefix + "g"),
    ).fetchall()
    return [(int(i), str(h)) for i, h in rows]
