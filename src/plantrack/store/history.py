"""The audit trail: plan revisions, entries and retractions merged in the order they happened."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from plantrack import models
from plantrack.core.text import describe
from plantrack.models import Event
from plantrack.store import ledger


def _plan_events(conn: sqlite3.Connection, ids: list[str] | None, since: str | None) -> list[Event]:
    sql = (
        "SELECT r.rev, r.applied_at, r.user, c.kind, c.object_id, c.change, c.field, c.old, c.new"
        " FROM plan_change c JOIN plan_revision r ON r.rev = c.rev WHERE 1=1"
    )
    params: list[Any] = []
    if ids:
        sql += f" AND c.object_id IN ({','.join('?' * len(ids))})"
        params += ids
    if since:
        sql += " AND r.applied_at >= ?"
        params.append(since)
    out: list[Event] = []
    added: dict[int, tuple[str, str, dict[str, int]]] = {}
    for rev, at, user, kind, oid, change, field, old, new in conn.execute(
        sql + " ORDER BY r.rev, c.rowid", params
    ):
        if change == "added" and not ids:
            # Without a target, one line per revision says what it added.
            counts = added.setdefault(rev, (at, user, {}))[2]
            counts[kind] = counts.get(kind, 0) + 1
            continue
        old_v = json.loads(old) if old is not None else None
        new_v = json.loads(new) if new is not None else None
        if change == "updated" and field == "due":
            what, summary = "slip", f"{kind} {oid}: due date moved {old_v} → {new_v}"
        elif change == "updated" and field in ("title", "name"):
            what, summary = "renamed", f"{kind} {oid} renamed: {old_v!r} → {new_v!r}"
        elif change == "updated":
            what, summary = "updated", f"{kind} {oid}: {field} {_short(old_v)} → {_short(new_v)}"
        else:
            what, summary = change, f"{kind} {oid} {change}"
        out.append(Event(at, user, "plan", what, oid, summary, revision=rev))
    for rev, (at, user, counts) in added.items():
        parts = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in counts.items())
        out.append(Event(at, user, "plan", "added", "", f"plan revision {rev} added {parts}", revision=rev))
    return out


def _short(v: Any) -> str:
    s = "(none)" if v is None else str(v)
    return s if len(s) <= 60 else s[:57] + "..."


def events(conn: sqlite3.Connection, target: str | None = None, since: str | None = None,
           limit: int | None = None) -> tuple[list[Event], int]:  # fmt: skip
    """Events in time order (the last ``limit`` of them), and how many there were in all."""
    ids = ledger.target_family(conn, target) if target else None
    plan = _plan_events(conn, ids or None, since)
    reasons: dict[str, tuple[str, int]] = {}
    for e in ledger.entries(conn, ids or None, kinds=["retraction"], newest_first=False):
        if e.retracts:
            reasons[e.retracts] = (e.text or "", e.id)
    where = []
    params: list[Any] = []
    if ids:
        where.append(f"target IN ({','.join('?' * len(ids))})")
        params += ids
    if since:
        where.append("recorded_at >= ?")
        params.append(since)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    n_entries = conn.execute(f"SELECT count(*) FROM entry{clause}", params).fetchone()[0]
    take = None if limit is None else limit
    sql = f"SELECT id FROM entry{clause} ORDER BY id DESC" + (
        f" LIMIT {int(take)}" if take is not None else ""
    )
    entry_ids = [r[0] for r in conn.execute(sql, params)][::-1]
    out = list(plan)
    for e in ledger.entries_by_id(conn, entry_ids):
        reason = reasons.get(e.uid)
        out.append(
            Event(
                e.recorded_at,
                e.user,
                "entry",
                e.kind.value,
                e.target,
                _describe(e),
                entry=e,
                retracted=reason is not None,
                reason=reason[0] if reason else None,
            )  # fmt: skip
        )
    out.sort(key=lambda ev: (ev.at, 0 if ev.source == "plan" else 1, ev.entry.id if ev.entry else 0))
    total = len(plan) + n_entries
    if limit is not None and len(out) > limit:
        out = out[-limit:]
    return out, total


def _describe(e: models.Entry) -> str:
    return f"#{e.id} {e.kind.value} on {e.on}: {describe(e)}"
