"""The scheduled report as one neutral object: status, stocktake of the period, citations.

Every renderer (Markdown, HTML, JSON, CSV) takes a :class:`Report` and nothing else, so the
formats cannot disagree about a figure.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from plantrack import ledger, progress, snapshot
from plantrack.dates import Period, utc_stamp, zone
from plantrack.models import State

UPCOMING_DAYS = 90
CHANGE_EPS = 0.0005


@dataclass(frozen=True)
class ObjectiveRow:
    result: progress.ObjectiveResult
    previous: progress.ObjectiveResult | None
    change: str  # progress since the previous period: up | down | flat | new | none
    sources: tuple[ledger.Entry, ...]  # the entries behind the figures
    assessment: ledger.Entry | None = None  # the entry behind the confidence: its rationale
    indicator_sources: dict[str, ledger.Entry] = field(default_factory=dict)  # indicator -> its value's entry

    @property
    def rag_changed(self) -> bool:
        return self.previous is not None and self.previous.rag != self.result.rag


@dataclass(frozen=True)
class Slip:
    revision: int
    applied_at: str
    user: str
    kind: str
    object_id: str
    old: str
    new: str


@dataclass(frozen=True)
class Stocktake:
    # Lists hold the latest LIST_CAP entries of each kind dated in the period; counts are exact.
    counts: dict[str, int]
    measurements: tuple[ledger.Entry, ...]
    completed: tuple[ledger.Entry, ...]  # milestones marked done in the period
    notes: tuple[ledger.Entry, ...]
    assessments: tuple[ledger.Entry, ...]  # judgements of delivery confidence dated in the period
    rag_changes: tuple[ObjectiveRow, ...]
    slips: tuple[Slip, ...]
    retractions: tuple[tuple[ledger.Entry, ledger.Entry | None], ...]  # (retraction, what it withdrew)
    overdue: tuple[tuple[progress.ObjectiveResult, progress.MilestoneResult], ...]
    upcoming: tuple[tuple[progress.ObjectiveResult, progress.MilestoneResult], ...]


@dataclass(frozen=True)
class Report:
    plan_title: str
    plan_title_zh: str | None
    period: Period
    as_of: date
    known_at: str | None
    revision: int
    revision_sha: str
    generated_at: str
    status: progress.Status
    previous: progress.Status
    rows: tuple[ObjectiveRow, ...]
    stocktake: Stocktake
    series: dict[str, tuple[tuple[date, float], ...]] = field(
        default_factory=dict
    )  # indicator -> measurements
    entries_by_id: dict[int, ledger.Entry] = field(default_factory=dict)

    @property
    def plan_id(self) -> str:
        return self.status.plan.id


def _instant_bounds(period: Period, tz: str) -> tuple[str, str]:
    z = zone(tz)
    start = datetime.combine(period.start, time.min).replace(tzinfo=z)
    end = datetime.combine(period.end, time.max).replace(tzinfo=z)
    return utc_stamp(start), utc_stamp(end)


def change_of(now: float | None, before: float | None) -> str:
    if now is None:
        return "none"
    if before is None:
        return "new"
    if now > before + CHANGE_EPS:
        return "up"
    if now < before - CHANGE_EPS:
        return "down"
    return "flat"


def build(conn: sqlite3.Connection, period: Period, as_of: date | None, known_at: datetime | None,
          now: datetime) -> Report:  # fmt: skip
    """Everything the report shows, computed once."""
    plan, rev = snapshot.plan_known_at(conn, known_at)
    stamp = utc_stamp(known_at) if known_at is not None else None
    day = as_of if as_of is not None else period.end
    current, current_facts = snapshot.status_and_facts(conn, day, known_at)
    before_day = min(period.start - timedelta(days=1), day)
    previous = snapshot.status(conn, before_day, known_at)

    family: dict[str, str] = {}
    for o in plan.objectives:
        family[o.id] = o.id
        for m in o.milestones:
            family[m.id] = o.id
        for i in o.indicators:
            family[i.id] = o.id

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
    ) = _period_lists(conn, period.start, until, stamp)
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
        by_indicator: dict[str, ledger.Entry] = {}
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
        Slip(rv, at, user, kind, oid, old, new) for rv, at, user, kind, oid, old, new in _slips(conn, lo, hi)
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

    series: dict[str, list[tuple[date, float]]] = {}
    for tid, on_date, value in conn.execute(
        "SELECT e.target, e.on_date, e.value FROM entry e WHERE e.kind = 'measurement' AND e.on_date <= ?"
        + (f" AND {ledger.KNOWN_E} <= ?" if stamp else "")
        + " AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid"
        + (f" AND {ledger.KNOWN_R} <= ?" if stamp else "")
        + ") ORDER BY e.target, e.on_date, e.id",
        (day.isoformat(), stamp, stamp) if stamp else (day.isoformat(),),
    ):
        series.setdefault(tid, []).append((date.fromisoformat(on_date), value))

    by_id = dict(cited)
    by_id.update((e.id, e) for e in (*measurements, *notes, *completed, *assessments))
    by_id.update((e.id, e) for e in retraction_entries)
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
    )


def _period_lists(conn: sqlite3.Connection, start: date, end: date, stamp: str | None) -> tuple[
    tuple[int, list[ledger.Entry]], tuple[int, list[ledger.Entry]], tuple[int, list[ledger.Entry]], int,
    tuple[int, list[ledger.Entry]], tuple[int, list[ledger.Entry]],
]:  # fmt: skip
    """One pass over the period's entries: exact counts by kind and the latest LIST_CAP of each."""
    from plantrack.render.reportbits import LIST_CAP

    sql = (
        "SELECT e.id, e.kind, e.state, EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid"
        + (f" AND {ledger.KNOWN_R} <= ?" if stamp else "")
        + ") FROM entry e WHERE e.on_date >= ? AND e.on_date <= ?"
        + (f" AND {ledger.KNOWN_E} <= ?" if stamp else "")
        + " ORDER BY e.on_date, e.id"
    )
    params: list[str] = [start.isoformat(), end.isoformat()]
    if stamp:
        params = [stamp, *params, stamp]
    ids: dict[str, list[int]] = {
        "measurement": [],
        "note": [],
        "done": [],
        "retraction": [],
        "assessment": [],
    }
    states = 0
    for entry_id, kind, state, retracted in conn.execute(sql, params):
        if kind == "milestone":
            states += 1
            if state == "done" and not retracted:
                ids["done"].append(entry_id)
        else:
            ids.setdefault(kind, []).append(entry_id)

    def part(key: str) -> tuple[int, list[ledger.Entry]]:
        found = ids[key]
        return len(found), ledger.entries_by_id(conn, found[-LIST_CAP:], known_at=stamp)

    return part("measurement"), part("note"), part("done"), states, part("assessment"), part("retraction")


def _slips(conn: sqlite3.Connection, lo: str, hi: str) -> list[tuple[int, str, str, str, str, str, str]]:
    import json

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


def default_period(today: date) -> Period:
    from plantrack.dates import last_complete_quarter

    return last_complete_quarter(today)
