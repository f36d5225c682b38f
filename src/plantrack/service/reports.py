"""The scheduled report as one neutral object: status, stocktake of the period, citations.

Every renderer (Markdown, HTML, JSON, CSV) takes a :class:`Report` and nothing else, so the
formats cannot disagree about a figure.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta

from plantrack import models
from plantrack.core.dates import Period, utc_stamp, zone
from plantrack.core.progress import Status
from plantrack.limits import LIST_CAP, UPCOMING_DAYS
from plantrack.models import State
from plantrack.report import ObjectiveRow, Report, Slip, Stocktake, as_of_for, change_of
from plantrack.service import readings
from plantrack.store import anchor, ledger, revisions


def _instant_bounds(period: Period, tz: str) -> tuple[str, str]:
    z = zone(tz)
    start = datetime.combine(period.start, time.min).replace(tzinfo=z)
    end = datetime.combine(period.end, time.max).replace(tzinfo=z)
    return utc_stamp(start), utc_stamp(end)


def build(conn: sqlite3.Connection, period: Period, as_of: date | None, known_at: datetime | None,
          now: datetime) -> Report:  # fmt: skip
    """Everything the report shows, computed once, from one snapshot of the database: the ledger
    head it records is the last entry it counts, whatever others write meanwhile."""
    with anchor.snapshot(conn):
        return _build(conn, period, as_of, known_at, now)


def _build(conn: sqlite3.Connection, period: Period, as_of: date | None, known_at: datetime | None,
           now: datetime) -> Report:  # fmt: skip
    plan, rev = readings.plan_known_at(conn, known_at)
    stamp = utc_stamp(known_at) if known_at is not None else None
    # "Today" of the report: the day it is known at when regenerated as sent, else the clock's.
    today = (known_at or now).astimezone(zone(plan.timezone)).date()
    day = as_of if as_of is not None else as_of_for(period, today)
    current, current_facts = readings.status_and_facts(conn, day, known_at)
    before_day = min(period.start - timedelta(days=1), day)
    previous = readings.status(conn, before_day, known_at)

    # What the report may list: the latest entries of each kind dated in the period.
    until = min(period.end, day)
    (
        (n_measurements, measurements),
        (n_notes, notes),
        (n_completed, completed),
        n_states,
        (n_assessments, assessments),
        (
            n_retractions,
            retraction_entries,
        ),
    ) = ledger.period_entries(conn, period.start, until, stamp, LIST_CAP)
    cited_ids: set[int] = set()
    facts = current_facts
    for f in facts.indicators.values():
        if f.value_entry is not None:
            cited_ids.add(f.value_entry)
    for mf in facts.milestones.values():
        if mf.entry is not None:
            cited_ids.add(mf.entry)
    for af in facts.assessments.values():
        cited_ids.add(af.entry)
    cited = {e.id: e for e in ledger.entries_by_id(conn, sorted(cited_ids))}

    prev_by_id = {r.objective.id: r for r in previous.objectives}
    rows = []
    for r in current.objectives:
        sources = []
        by_indicator: dict[str, models.Entry] = {}
        for ir in r.indicators:
            fi = facts.indicators.get(ir.indicator.id)
            if fi is not None and fi.value_entry in cited:
                by_indicator[ir.indicator.id] = cited[fi.value_entry]
                sources.append(cited[fi.value_entry])
        for mr in r.milestones:
            fm = facts.milestones.get(mr.milestone.id)
            if fm is not None and fm.entry in cited:
                sources.append(cited[fm.entry])
        judged = cited.get(r.confidence.entry) if r.confidence is not None else None
        if judged is not None:
            sources.append(judged)
        sources.sort(key=lambda e: e.id)
        prev = prev_by_id.get(r.objective.id)
        change = change_of(r.progress, prev.progress if prev else None)
        rows.append(ObjectiveRow(r, prev, change, tuple(sources), judged, by_indicator))

    uids = sorted({e.retracts for e in retraction_entries if e.retracts})
    withdrawn = {e.uid: e for e in ledger.entries_by_uid(conn, uids)}
    lo, hi = _instant_bounds(period, plan.timezone)
    if stamp is not None:
        hi = min(hi, stamp)
    slips = [
        Slip(rv, at, user, kind, oid, old, new)
        for rv, at, user, kind, oid, old, new in revisions.due_date_slips(conn, lo, hi)
    ]
    overdue = [(r, m) for r in current.objectives for m in r.milestones if m.overdue]
    horizon = day + timedelta(days=UPCOMING_DAYS)
    upcoming = [
        (r, m)
        for r in current.objectives
        for m in r.milestones
        if not m.overdue
        and m.state not in (State.DONE, State.CANCELLED)
        and day <= m.milestone.due <= horizon
    ]
    overdue.sort(key=lambda p: (p[1].milestone.due, p[1].milestone.id))
    upcoming.sort(key=lambda p: (p[1].milestone.due, p[1].milestone.id))
    stock = Stocktake(
        counts={
            "entries": n_measurements + n_notes + n_states + n_assessments,
            "measurements": n_measurements,
            "completed": n_completed,
            "notes": n_notes,
            "assessments": n_assessments,
            "retractions": n_retractions,
        },
        measurements=tuple(measurements),
        completed=tuple(completed),
        notes=tuple(notes),
        assessments=tuple(assessments),
        rag_changes=tuple(r for r in rows if r.rag_changed),
        slips=tuple(slips),
        retractions=tuple((e, withdrawn.get(e.retracts or "")) for e in retraction_entries),
        overdue=tuple(overdue),
        upcoming=tuple(upcoming),
    )

    series = ledger.measurement_series(conn, day, stamp)

    by_id = dict(cited)
    by_id.update((e.id, e) for e in (*measurements, *notes, *completed, *assessments))
    by_id.update((e.id, e) for e in retraction_entries)
    head = anchor.head(conn, known_at=stamp)
    return Report(
        plan_title=plan.title,
        plan_title_zh=plan.title_zh,
        period=period,
        as_of=day,
        known_at=stamp,
        revision=rev.rev,
        revision_sha=rev.sha256,
        generated_at=utc_stamp(now),
        status=current,
        previous=previous,
        rows=tuple(rows),
        stocktake=stock,
        series={k: tuple(v) for k, v in series.items()},
        entries_by_id=by_id,
        to_date=day < period.end,
        ledger_head=head.hash if head else None,
        ledger_entries=head.entries if head else 0,
    )


def calendar_inputs(conn: sqlite3.Connection, today: date) -> tuple[Status, datetime]:
    """What the calendar shows: today's status, and when its plan revision was applied (UTC)."""
    status = readings.status(conn, today)
    rev = revisions.latest_revision(conn)
    assert rev is not None  # a database with a status has an applied plan
    stamp = datetime.fromisoformat(rev.applied_at.replace("Z", "+00:00")).astimezone(UTC)
    return status, stamp.replace(microsecond=0)
