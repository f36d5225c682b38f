"""What the published portal shows, as values: the report as of a day, each objective's public
evidence, and (in the report) the ledger head it was built from. Nothing tagged internal is carried."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from plantrack.core.dates import quarter_of, utc_stamp, zone
from plantrack.models import Entry, Kind
from plantrack.report import Portal
from plantrack.service import reports
from plantrack.store import anchor, ledger, revisions

EVIDENCE_CAP = 200  # newest public entries shown on an objective's page


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
    return Portal(report, evidence, frozenset(withheld), completed)
