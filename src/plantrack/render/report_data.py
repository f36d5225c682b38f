"""The report as JSON and as CSV (objectives, one row each, spreadsheet-safe)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from plantrack import __version__
from plantrack.render import data
from plantrack.render.reportbits import TREND_WORD
from plantrack.report import Report


def as_data(r: Report) -> dict[str, Any]:
    st = r.stocktake
    body = data.status(r.status)
    trends = {row.result.objective.id: row for row in r.rows}
    for o in body["objectives"]:
        row = trends[o["id"]]
        o["trend"] = row.trend
        o["previous"] = {
            "progress": data.r4(row.previous.progress) if row.previous else None,
            "rag": row.previous.rag.value if row.previous else None,
        }
        o["sources"] = [e.id for e in row.sources]
    body.update(
        {
            "report": {
                "period": {
                    "label": r.period.label,
                    "start": r.period.start.isoformat(),
                    "end": r.period.end.isoformat(),
                },
                "previous_as_of": r.previous.as_of.isoformat(),
                "plan_revision": r.revision,
                "plan_sha256": r.revision_sha,
                "generated_at": r.generated_at,
                "generator": f"plantrack {__version__}",
            },
            "stocktake": {
                "listed": "the latest 200 of each kind; counts are exact",
                "counts": {
                    "entries": st.counts["entries"],
                    "milestones_completed": st.counts["completed"],
                    "measurements": st.counts["measurements"],
                    "notes": st.counts["notes"],
                    "rag_changes": len(st.rag_changes),
                    "slips": len(st.slips),
                    "retractions": st.counts["retractions"],
                    "overdue": len(st.overdue),
                    "upcoming": len(st.upcoming),
                },
                "milestones_completed": [e.to_json() for e in st.completed],
                "measurements": [e.to_json() for e in st.measurements],
                "notes": [e.to_json() for e in st.notes],
                "rag_changes": [
                    {
                        "id": x.result.objective.id,
                        "from": x.previous.rag.value if x.previous else None,
                        "to": x.result.rag.value,
                        "sources": [e.id for e in x.sources],
                    }
                    for x in st.rag_changes
                ],
                "slips": [
                    {
                        "kind": x.kind,
                        "id": x.object_id,
                        "old": x.old,
                        "new": x.new,
                        "revision": x.revision,
                        "applied_at": x.applied_at,
                        "user": x.user,
                    }  # fmt: skip
                    for x in st.slips
                ],
                "retractions": [
                    {"entry": e.to_json(), "withdrew": old.id if old else None} for e, old in st.retractions
                ],
                "overdue": [
                    {
                        "id": m.milestone.id,
                        "objective": o.objective.id,
                        "due": m.milestone.due.isoformat(),
                        "state": m.state.value,
                    }
                    for o, m in st.overdue
                ],  # fmt: skip
                "upcoming": [
                    {
                        "id": m.milestone.id,
                        "objective": o.objective.id,
                        "due": m.milestone.due.isoformat(),
                        "state": m.state.value,
                    }
                    for o, m in st.upcoming
                ],  # fmt: skip
            },
        }
    )
    return body


def render_json(r: Report) -> str:
    return json.dumps(as_data(r), ensure_ascii=False, indent=2) + "\n"


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A text cell that a spreadsheet will not run as a formula (numbers stay numbers)."""
    if isinstance(value, str):
        value = " ".join(value.split("\n"))
        if value.startswith(_FORMULA):
            return "'" + value
    return value


def render_csv(r: Report) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([
        "objective", "title", "title_zh", "sector", "theme", "park", "rag", "progress", "expected",
        "trend", "previous_rag", "milestones_done", "milestones_total", "milestones_overdue",
        "evidence_count", "last_evidence", "sources", "as_of", "period", "plan_revision",
    ])  # fmt: skip
    for row in r.rows:
        o = row.result
        w.writerow(
            [
                cell(v)
                for v in (
                    o.objective.id,
                    o.objective.title,
                    o.objective.title_zh or "",
                    o.objective.sector or "",
                    o.objective.theme or "",
                    o.objective.park.value,
                    o.rag.value,
                    "" if o.progress is None else round(o.progress, 4),
                    "" if o.expected is None else round(o.expected, 4),
                    TREND_WORD[row.trend],
                    row.previous.rag.value if row.previous else "",
                    o.done,
                    o.total,
                    o.overdue,
                    o.evidence.count,
                    o.evidence.last.isoformat() if o.evidence.last else "",
                    " ".join(f"#{e.id}" for e in row.sources),
                    r.as_of.isoformat(),
                    r.period.label,
                    r.revision,
                )
            ]  # fmt: skip
        )
    return out.getvalue()
