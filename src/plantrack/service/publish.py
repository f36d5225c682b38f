"""What the published portal shows, as values: the report as of a day, each objective's public
evidence, and (in the report) the ledger head it was built from. Nothing tagged internal is carried."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from plantrack.core.dates import quarter_of, utc_stamp, zone
from plantrack.models import Entry, Kind
from plantrack.report import Portal, QuarterChanges
from plantrack.service import reports
from plantrack.store import anchor, ledger, revisions

EVIDENCE_CAP = 200  # newest public entries shown on an objective's page
QUARTERS = 8  # quarters with a "what changed" page
LIST = 200  # entries of each kind listed on a quarter's page


def build(conn: sqlite3.Connection, as_of: date | None, known_at: datetime | None, now: datetime) -> Portal:
    """The portal's content as of ``as_of`` (default today), as known at ``known_at``."""
    with anchor.snapshot(conn):
        tz = revisions.plan_timezone(conn)
        today = (known_at or now).astimezone(zone(tz)).date()
        day = as_of or today
        report = reports.build(conn, quarter_of(day), day, known_at, now)
        stamp = utc_stamp(known_at) if known_at is not None else None
        evidence: dict[str, tuple[Entry, ...]] = {}
        withheld: set[str] = set()
        for row in report.rows:
            o = row.result.objective
            family = [o.id, *(m.id for m in o.milestones), *(i.id for i in o.indicators)]
            found = ledger.entries(conn, family, until=report.as_of, known_at=stamp, limit=EVIDENCE_CAP * 2)
            public = [e for e in found if e.kind != Kind.RETRACTION and not ledger.is_internal(e.tags)]
            evidence[o.id] = tuple(public[:EVIDENCE_CAP])
            for iid, src in row.indicator_sources.items():
                if ledger.is_internal(src.tags):
                    withheld.update((iid, o.id))
            if any(ledger.is_internal(e.tags) for e in row.sources) or (
                row.assessment is not None and ledger.is_internal(row.assessment.tags)
            ):
                withheld.add(o.id)
        completed = tuple(e for e in report.stocktake.completed if not ledger.is_internal(e.tags))
        slips = _slips(conn, stamp)
        quarters = _quarters(conn, report.as_of, stamp, slips)
    by_object: dict[str, list[tuple[str, str, str]]] = {}
    for on, oid, old, new in slips:
        by_object.setdefault(oid, []).append((on, old, new))
    return Portal(report, evidence, frozenset(withheld), completed,
                  {k: tuple(v) for k, v in by_object.items()}, quarters)  # fmt: skip


def _public(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """Newest first, nothing tagged internal."""
    return tuple(e for e in reversed(entries) if not ledger.is_internal(e.tags))


def _slips(conn: sqlite3.Connection, stamp: str | None) -> list[tuple[str, str, str, str]]:
    """Every due date a plan revision moved (as known at ``stamp``): (applied on, id, old, new)."""
    return [
        (at[:10], oid, str(old), str(new))
        for _rev, at, _user, _kind, oid, old, new in revisions.due_date_slips(conn, "", stamp or "9999")
    ]


def _quarters(conn: sqlite3.Connection, day: date, stamp: str | None,
              slips: list[tuple[str, str, str, str]]) -> tuple[QuarterChanges, ...]:  # fmt: skip
    """The last QUARTERS quarters up to ``day``, newest first, each with its public entries."""
    out = []
    q = quarter_of(day)
    for _ in range(QUARTERS):
        end = min(q.end, day)
        (_, measurements), (_, notes), (_, done), _states, _a, _r = ledger.period_entries(
            conn, q.start, end, stamp, LIST
        )
        moved = tuple(x for x in slips if q.start.isoformat() <= x[0] <= q.end.isoformat())
        out.append(
            QuarterChanges(q.label, q.start, end, _public(done), _public(measurements), _public(notes), moved)
        )
        q = quarter_of(q.start - timedelta(days=1))
    return tuple(out)
