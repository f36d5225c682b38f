"""Read the database as of a date and as known at an instant, and run the progress engine."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime

from plantrack import ledger, plansync, progress
from plantrack.dates import utc_stamp
from plantrack.errors import PlantrackError
from plantrack.models import Plan


def plan_known_at(conn: sqlite3.Connection, known_at: datetime | None) -> tuple[Plan, plansync.Revision]:
    """The plan as it stood at ``known_at`` (default: the latest revision)."""
    stamp = utc_stamp(known_at) if known_at is not None else None
    rev = plansync.latest_revision(conn, stamp)
    if rev is None:
        first = plansync.latest_revision(conn)
        if first is None:
            raise PlantrackError("the database holds no plan yet", hint="run 'plantrack init'")
        first_at = conn.execute("SELECT min(applied_at) FROM plan_revision").fetchone()[0]
        raise PlantrackError(
            f"nothing was known at {stamp}: the plan was first applied at {first_at}",
            hint="give a later --known-at",
        )
    return plansync.load_plan(conn, rev.rev), rev


def status(conn: sqlite3.Connection, as_of: date, known_at: datetime | None = None) -> progress.Status:
    return status_and_facts(conn, as_of, known_at)[0]


def status_and_facts(conn: sqlite3.Connection, as_of: date, known_at: datetime | None = None,
                     ) -> tuple[progress.Status, progress.Facts]:  # fmt: skip
    plan, _rev = plan_known_at(conn, known_at)
    stamp = utc_stamp(known_at) if known_at is not None else None
    facts = ledger.facts(conn, plan, as_of, stamp)
    return progress.compute(plan, facts, as_of, stamp), facts


def one_objective(conn: sqlite3.Connection, objective_id: str, as_of: date,
                  known_at: datetime | None = None) -> progress.ObjectiveResult | None:  # fmt: skip
    """One objective's figures, reading only that objective and its own entries."""
    if known_at is None:
        plan = _current_objective_plan(conn, objective_id)
    else:
        plan, _rev = plan_known_at(conn, known_at)
        plan = replace(plan, objectives=tuple(o for o in plan.objectives if o.id == objective_id))
    if plan is None or not plan.objectives:
        return None
    objective = plan.objectives[0]
    family = [objective.id] + [m.id for m in objective.milestones] + [i.id for i in objective.indicators]
    stamp = utc_stamp(known_at) if known_at is not None else None
    facts = ledger._facts_from_entries(conn, plan, as_of, stamp, family)
    counts = ledger._evidence_counts(conn, as_of.isoformat(), stamp, family)
    if counts:
        last = max(date.fromisoformat(c[2]) for c in counts)
        facts = progress.Facts(
            facts.indicators,
            facts.milestones,
            {objective.id: progress.EvidenceFacts(sum(c[1] for c in counts), last)},
            facts.assessments,
        )
    return progress.objective_result(plan, objective, facts, as_of)


def _current_objective_plan(conn: sqlite3.Connection, objective_id: str) -> Plan | None:
    """A Plan holding just one objective of the current plan (from the plan_object table)."""
    import json

    from plantrack.models import plan_from_dict

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
        "SELECT kind, data_json FROM plan_object WHERE parent = ? AND archived_rev IS NULL AND kind IN ('milestone', 'indicator')"
        " ORDER BY rowid",
        (objective_id,),
    ).fetchall()
    o["milestones"] = [json.loads(c) for k, c in children if k == "milestone"]
    o["indicators"] = [json.loads(c) for k, c in children if k == "indicator"]
    d["objectives"] = [o]
    return plan_from_dict(d)
