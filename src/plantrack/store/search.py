"""Full-text queries over entries and the plan's titles (see core.text for how terms become phrases).

Terms are folded to one script like the index; a one-character term is scanned for in every
spelling that folds to it (关 finds 关 and 關).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from plantrack.core import scripts
from plantrack.core.text import parse_query
from plantrack.limits import SEARCH_LIMIT
from plantrack.models import Entry
from plantrack.store import fts, ledger


@dataclass(frozen=True)
class PlanHit:
    id: str
    kind: str
    title: str
    title_zh: str | None = None  # the Chinese title or name as written, for a Chinese reader


def _any_spelling(column: str, chars: Sequence[str]) -> tuple[str, list[str]]:
    """SQL true when ``column`` holds every one of ``chars`` in some spelling (关 or 關)."""
    clauses: list[str] = []
    params: list[str] = []
    for c in chars:
        spellings = sorted(scripts.spellings(c))
        clauses.append("(" + " OR ".join([f"instr({column}, ?) > 0"] * len(spellings)) + ")")
        params += spellings
    return " AND ".join(clauses), params


def search(conn: sqlite3.Connection, query: str, limit: int = SEARCH_LIMIT,
           targets: Sequence[str] | None = None) -> tuple[list[PlanHit], list[Entry], bool]:  # fmt: skip
    """Plan objects and entries matching ``query``, newest recorded first; and whether more matched."""
    q = parse_query(query)
    plan_hits: list[PlanHit] = []
    if q.match is not None:
        rows = conn.execute(
            "SELECT p.id, p.kind, p.data_json FROM plan_fts f JOIN plan_object p"
            " ON p.id = f.object_id AND p.kind = f.kind WHERE plan_fts MATCH ? ORDER BY p.kind, p.id",
            (q.match,),
        ).fetchall()
    else:  # one-character terms alone: a scan, narrowed in SQL to objects holding a spelling
        scan, spelled = _any_spelling("data_json", q.substrings)
        rows = conn.execute(
            f"SELECT id, kind, data_json FROM plan_object WHERE {scan} ORDER BY kind, id", spelled
        ).fetchall()
    for oid, kind, data_json in rows:
        d = json.loads(data_json)
        folded = scripts.fold_chars(fts.plan_text(oid, d))
        if all(s in folded for s in q.substrings):
            title = d.get("title") or d.get("name") or oid
            plan_hits.append(PlanHit(oid, kind, title, d.get("title_zh") or d.get("name_zh")))
    where: list[str] = []
    params: list[object] = []
    if q.match is not None:
        where.append("e.id IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?)")
        params.append(q.match)
    if q.substrings:
        scan, more_params = _any_spelling("e.text", q.substrings)
        where.append(scan)
        params += more_params
    if targets:
        where.append(f"e.target IN ({','.join('?' * len(targets))})")
        params += list(targets)
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT e.id FROM entry e WHERE {' AND '.join(where)} ORDER BY e.id DESC LIMIT ?",
            (*params, limit + 1),
        )
    ]
    more = len(ids) > limit
    entries = ledger.entries_by_id(conn, ids[:limit])
    return plan_hits, entries, more
