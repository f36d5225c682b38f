"""Read the database as of a date and as known at an instant, and run the progress engine."""

from __future__ import annotations

import sqlite3
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
