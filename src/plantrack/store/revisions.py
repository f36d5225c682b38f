"""Load a validated plan into the database: diff, apply as a revision, archive what was removed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plantrack.core.dates import utc_stamp
from plantrack.core.lang import Message
from plantrack.errors import DatabaseDamaged, PlantrackError
from plantrack.models import Change, Revision
from plantrack.store import db, fts

if TYPE_CHECKING:
    from plantrack.plan import planfile
from plantrack.models import (
    Plan,
    group_to_dict,
    indicator_to_dict,
    milestone_to_dict,
    objective_to_dict,
    plan_from_dict,
    plan_to_dict,
)


def flatten(plan: Plan) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """Every object of the plan as (kind, id, parent, data), in file order."""
    out: list[tuple[str, str, str | None, dict[str, Any]]] = [
        ("plan", plan.id, None, plan_to_dict(plan, nested=False))
    ]
    out += [("sector", g.id, None, group_to_dict(g)) for g in plan.sectors]
    out += [("theme", g.id, None, group_to_dict(g)) for g in plan.themes]
    for o in plan.objectives:
        out.append(("objective", o.id, None, objective_to_dict(o, nested=False)))
        out += [("milestone", m.id, o.id, milestone_to_dict(m)) for m in o.milestones]
        out += [("indicator", i.id, o.id, indicator_to_dict(i)) for i in o.indicators]
    return out


def _stored(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[dict[str, Any], bool]]:
    rows = conn.execute("SELECT kind, id, data_json, archived_rev FROM plan_object").fetchall()
    return {(k, i): (json.loads(d), a is not None) for k, i, d, a in rows}


def current_plan_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT id FROM plan_object WHERE kind = 'plan' AND archived_rev IS NULL").fetchone()
    return row[0] if row else None


def diff(conn: sqlite3.Connection, plan: Plan) -> list[Change]:
    """What applying ``plan`` would change in the database."""
    held = current_plan_id(conn)
    if held is not None and held != plan.id:
        raise PlantrackError(
            f"this database holds plan {held!r}, not {plan.id!r}",
            hint="use another database (--db) for another plan",
        )
    stored = _stored(conn)
    changes: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for kind, oid, _parent, data in flatten(plan):
        seen.add((kind, oid))
        if (kind, oid) not in stored:
            changes.append(Change(kind, oid, "added"))
            continue
        old, archived = stored[(kind, oid)]
        if archived:
            changes.append(Change(kind, oid, "restored"))
        for key in sorted(set(old) | set(data)):
            if old.get(key) != data.get(key):
                changes.append(Change(kind, oid, "updated", key, old.get(key), data.get(key)))
    for (kind, oid), (_old, archived) in stored.items():
        if (kind, oid) not in seen and not archived:
            changes.append(Change(kind, oid, "archived"))
    return changes


def summarise(changes: list[Change]) -> Message:
    counts: dict[str, int] = {}
    for c in changes:
        if c.change == "updated":
            continue
        counts[c.change] = counts.get(c.change, 0) + 1
    updated = len({(c.kind, c.object_id) for c in changes if c.change == "updated"})
    if updated:
        counts["updated"] = updated
    if not counts:
        return Message("cli.no_changes")
    return Message(
        "cli.changes", items=tuple(Message(f"cli.changed_{what}", n=n) for what, n in counts.items())
    )


def apply(conn: sqlite3.Connection, plan: Plan, source: planfile.PlanSource, user: str,
          now: datetime) -> tuple[int | None, list[Change]]:  # fmt: skip
    """Apply ``plan`` in one transaction; return the new revision (None if nothing changed)."""
    with db.write(conn):
        changes = diff(conn, plan)
        if not changes:
            return None, []
        summary = summarise(changes)
        cur = conn.execute(
            "INSERT INTO plan_revision (plan_id, applied_at, user, source_path, sha256, plan_json,"
            " summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (plan.id, utc_stamp(now), user, _where(source.path), source.sha256,
             json.dumps(plan_to_dict(plan), ensure_ascii=False, sort_keys=True), summary),
        )  # fmt: skip
        rev = cur.lastrowid
        assert rev is not None
        for kind, oid, parent, data in flatten(plan):
            conn.execute(
                "INSERT INTO plan_object (id, kind, parent, data_json, added_rev, updated_rev)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id, kind) DO UPDATE SET"
                " parent = excluded.parent, data_json = excluded.data_json,"
                " updated_rev = CASE WHEN plan_object.data_json IS excluded.data_json"
                "   AND plan_object.archived_rev IS NULL THEN plan_object.updated_rev"
                "   ELSE excluded.updated_rev END,"
                " archived_rev = NULL",
                (oid, kind, parent, json.dumps(data, ensure_ascii=False, sort_keys=True), rev, rev),
            )
        for c in changes:
            if c.change == "archived":
                conn.execute(
                    "UPDATE plan_object SET archived_rev = ? WHERE id = ? AND kind = ?",
                    (rev, c.object_id, c.kind),
                )
            conn.execute(
                "INSERT INTO plan_change (rev, kind, object_id, change, field, old, new)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rev, c.kind, c.object_id, c.change, c.field,
                 None if c.old is None else json.dumps(c.old, ensure_ascii=False),
                 None if c.new is None else json.dumps(c.new, ensure_ascii=False)),
            )  # fmt: skip

        fts.rebuild_plan_index(conn)
        db.checkpoint("plan-apply")  # everything written, not yet committed
        return rev, changes


def _where(path: str) -> str:
    """The plan file's absolute path: a revision remembers which file it came from, wherever the
    command that applied it was run."""
    import os

    return os.path.abspath(path)


def would(changes: list[Change]) -> str:
    """What applying a diff would do, in words: "add 1, change 2, remove 1" (objects)."""
    objects: dict[str, set[tuple[str, str]]] = {"add": set(), "change": set(), "remove": set()}
    verbs = {"added": "add", "restored": "add", "updated": "change", "archived": "remove"}
    for c in changes:
        objects[verbs[c.change]].add((c.kind, c.object_id))
    said = [f"{verb} {len(found)}" for verb, found in objects.items() if found]
    return ", ".join(said) if said else "change nothing"


def revision_of(conn: sqlite3.Connection, sha256: str) -> Revision | None:
    """The newest revision applied from a file with these bytes, if any."""
    row = conn.execute(
        "SELECT rev, plan_id, applied_at, user, source_path, sha256, summary FROM plan_revision"
        " WHERE sha256 = ? ORDER BY rev DESC LIMIT 1",
        (sha256,),
    ).fetchone()
    return Revision(*row) if row else None


def current_titles(path: Path, kinds: Sequence[str]) -> list[tuple[str, str]] | None:
    """The current plan's ids of ``kinds`` with their titles, in plan order, read from the database
    file at ``path`` without creating, migrating or locking it (for shell completion); None when
    there is no such file."""
    if not path.is_file():
        return None
    marks = ",".join("?" * len(kinds))
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=0.2)
    try:
        rows = conn.execute(
            "SELECT id, coalesce(json_extract(data_json, '$.title'), json_extract(data_json, '$.name'), '')"
            f" FROM plan_object WHERE archived_rev IS NULL AND kind IN ({marks}) ORDER BY rowid",
            tuple(kinds),
        ).fetchall()
    finally:
        conn.close()
    return [(str(i), str(t)) for i, t in rows]


def latest_revision(conn: sqlite3.Connection, known_at: str | None = None) -> Revision | None:
    """The newest revision (applied by ``known_at``, a UTC stamp, when given)."""
    sql = "SELECT rev, plan_id, applied_at, user, source_path, sha256, summary FROM plan_revision"
    params: tuple[Any, ...] = ()
    if known_at is not None:
        sql += " WHERE applied_at <= ?"
        params = (known_at,)
    row = conn.execute(sql + " ORDER BY rev DESC LIMIT 1", params).fetchone()
    return Revision(*row) if row else None


_PLANS: dict[tuple[int, int, str], Plan] = {}  # (connection, revision, sha256) -> Plan


def load_plan(conn: sqlite3.Connection, rev: int | None = None) -> Plan:
    """The plan as applied in revision ``rev`` (default: the latest); parsed once per process."""
    if rev is None:
        head = conn.execute("SELECT rev, sha256 FROM plan_revision ORDER BY rev DESC LIMIT 1").fetchone()
    else:
        head = conn.execute("SELECT rev, sha256 FROM plan_revision WHERE rev = ?", (rev,)).fetchone()
    if head is None:
        raise PlantrackError("the database holds no plan yet", hint="run 'plantrack init'")
    key = (id(conn), head[0], head[1])
    cached = _PLANS.get(key)
    if cached is None:
        row = conn.execute("SELECT plan_json FROM plan_revision WHERE rev = ?", (head[0],)).fetchone()
        try:
            cached = plan_from_dict(json.loads(row[0]))
        except (ValueError, TypeError, KeyError) as e:  # the stored plan was damaged on disk
            raise DatabaseDamaged(
                f"the database is damaged: plan revision {head[0]} cannot be read ({str(e)[:80]})"
            ) from e
        _PLANS.clear()  # one plan at a time is all a command needs
        _PLANS[key] = cached
    return cached


def plan_timezone(conn: sqlite3.Connection) -> str:
    """The current plan's time zone, without loading the whole plan."""
    row = conn.execute(
        "SELECT json_extract(data_json, '$.timezone') FROM plan_object WHERE kind = 'plan' AND archived_rev IS NULL"
    ).fetchone()
    return str(row[0]) if row and row[0] else "Asia/Shanghai"


def slips(conn: sqlite3.Connection, object_id: str) -> list[tuple[int, str, str, str]]:
    """Due-date moves of an object: (rev, applied_at, old due, new due)."""
    rows = conn.execute(
        "SELECT c.rev, r.applied_at, c.old, c.new FROM plan_change c"
        " JOIN plan_revision r ON r.rev = c.rev"
        " WHERE c.object_id = ? AND c.change = 'updated' AND c.field = 'due' ORDER BY c.rev",
        (object_id,),
    ).fetchall()
    return [(r, at, json.loads(o), json.loads(n)) for r, at, o, n in rows]


def plan_json(conn: sqlite3.Connection, rev: int) -> str:
    """The plan as applied in revision ``rev``, as stored (JSON)."""
    row = conn.execute("SELECT plan_json FROM plan_revision WHERE rev = ?", (rev,)).fetchone()
    return str(row[0])


def object_ids(conn: sqlite3.Connection) -> set[str]:
    """Ids of every plan object ever applied, archived ones included."""
    return {r[0] for r in conn.execute("SELECT id FROM plan_object")}


def objects_by_id(conn: sqlite3.Connection) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every plan object ever applied (archived ones too): id -> (kind, its data); a live object
    wins over an archived one of the same id."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for oid, kind, data in conn.execute(
        "SELECT id, kind, data_json FROM plan_object ORDER BY archived_rev IS NULL, id"
    ):
        out[oid] = (kind, json.loads(data))
    return out


def first_applied_at(conn: sqlite3.Connection) -> str | None:
    return conn.execute("SELECT min(applied_at) FROM plan_revision").fetchone()[0]  # type: ignore[no-any-return]


def due_date_slips(
    conn: sqlite3.Connection, lo: str, hi: str
) -> list[tuple[int, str, str, str, str, str, str]]:
    """Due dates moved by revisions applied in [lo, hi]: (rev, applied_at, user, kind, id, old, new)."""
    rows = conn.execute(
        "SELECT c.rev, r.applied_at, r.user, c.kind, c.object_id, c.old, c.new FROM plan_change c"
        " JOIN plan_revision r ON r.rev = c.rev WHERE c.change = 'updated' AND c.field = 'due'"
        " AND r.applied_at >= ? AND r.applied_at <= ? ORDER BY c.rev, c.rowid",
        (lo, hi),
    ).fetchall()
    return [
        (rv, at, user, kind, oid, json.loads(old), json.loads(new))
        for rv, at, user, kind, oid, old, new in rows
    ]


def current_objective_plan(conn: sqlite3.Connection, objective_id: str) -> Plan | None:
    """A Plan holding just one objective of the current plan (read from the plan_object table)."""
    plan_row = conn.execute(
        "SELECT data_json FROM plan_object WHERE kind = 'plan' AND archived_rev IS NULL"
    ).fetchone()
    obj_row = conn.execute(
        "SELECT data_json FROM plan_object WHERE kind = 'objective' AND id = ? AND archived_rev IS NULL",
        (objective_id,),
    ).fetchone()
    if plan_row is None or obj_row is None:
        return None
    d = json.loads(plan_row[0])
    o = json.loads(obj_row[0])
    children = conn.execute(
        "SELECT kind, data_json FROM plan_object WHERE parent = ? AND archived_rev IS NULL"
        " AND kind IN ('milestone', 'indicator') ORDER BY rowid",
        (objective_id,),
    ).fetchall()
    o["milestones"] = [json.loads(c) for k, c in children if k == "milestone"]
    o["indicators"] = [json.loads(c) for k, c in children if k == "indicator"]
    d["objectives"] = [o]
    return plan_from_dict(d)


def owning_objectives(conn: sqlite3.Connection, targets: set[str]) -> list[str]:
    """The current objectives that ``targets`` (objective, milestone or indicator ids) belong to."""
    if not targets:
        return []
    found: set[str] = set()
    names = sorted(targets)
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for kind, oid, parent in conn.execute(
            f"SELECT kind, id, parent FROM plan_object WHERE id IN ({marks}) AND archived_rev IS NULL"
            " AND kind IN ('objective', 'milestone', 'indicator')",
            chunk,
        ):
            found.add(oid if kind == "objective" else parent)
    return sorted(found)
