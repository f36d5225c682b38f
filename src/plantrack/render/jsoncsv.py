"""The report as JSON and as CSV (objectives and their indicators, one row each, spreadsheet-safe)."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from typing import Any

from plantrack import __version__
from plantrack.render import json_text, shapes
from plantrack.render.labels import CHANGE_WORD
from plantrack.report import Report


def as_data(r: Report) -> dict[str, Any]:
    """``status --json``'s shape (trend, confidence, disagreement, what figures rest on), plus the
    period: each objective's change since the previous period, its sources, the rationale of its
    confidence and every indicator in full (trend detail, forecast with its interval)."""
    st = r.stocktake
    body = shapes.status(r.status)
    rows = {row.result.objective.id: row for row in r.rows}
    for o in body["objectives"]:
        row = rows[o["id"]]
        o["change"] = row.change  # progress since the previous period; "trend" is the growth rate
        o["previous"] = {
            "progress": shapes.r4(row.previous.progress) if row.previous else None,
            "rag": row.previous.rag.value if row.previous else None,
        }
        o["progress_rag"] = row.result.progress_rag.value
        o["sources"] = [e.id for e in row.sources]
        c, judged = row.result.confidence, row.assessment
        if o["confidence"] is not None and c is not None:
            o["confidence"] |= {
                "age_days": c.age_days,
                "rationale": judged.text if judged else None,
                "user": judged.user if judged else None,
            }
        o["indicators"] = [shapes.indicator(i, full=True) for i in row.result.indicators]
        for i in o["indicators"]:
            src = row.indicator_sources.get(i["id"])
            i["source"] = src.id if src else None
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
                "ledger": {"head": r.ledger_head, "entries": r.ledger_entries},
            },
            "stocktake": {
                "listed": "the latest 200 of each kind; counts are exact",
                "counts": {
                    "entries": st.counts["entries"],
                    "milestones_completed": st.counts["completed"],
                    "measurements": st.counts["measurements"],
                    "notes": st.counts["notes"],
                    "assessments": st.counts["assessments"],
                    "rag_changes": len(st.rag_changes),
                    "slips": len(st.slips),
                    "retractions": st.counts["retractions"],
                    "overdue": len(st.overdue),
                    "upcoming": len(st.upcoming),
                },
                "milestones_completed": [e.to_json() for e in st.completed],
                "measurements": [e.to_json() | {"unit": r.unit_of(e)} for e in st.measurements],
                "notes": [e.to_json() for e in st.notes],
                "assessments": [e.to_json() for e in st.assessments],
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
    return json_text(as_data(r)) + "\n"


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A text cell that a spreadsheet will not run as a formula (numbers stay numbers)."""
    if isinstance(value, str):
        value = " ".join(value.split("\n"))
        if value.startswith(_FORMULA):
            return "'" + value
    return value


COLUMNS = (
    "objective", "title", "title_zh", "sector", "theme", "park", "rag", "progress", "expected",
    "change", "previous_rag", "milestones_done", "milestones_total", "milestones_overdue",
    "evidence_count", "last_evidence", "sources", "as_of", "period", "plan_revision",
    # Added with trends and assessments; an indicator's row names it in "indicator".
    "committed_by", "trend", "confidence", "confidence_on", "confidence_stale", "rationale", "disagreement",
    "indicator", "unit", "value", "target", "target_date", "annual_rate", "forecast", "forecast_low",
    "forecast_high", "forecast_at", "reach_date", "no_forecast",
    # Added with signed sites: the ledger head the report was made from (db doctor --head checks it).
    "ledger_head",
)  # fmt: skip


def _csv_rows(r: Report) -> Iterator[dict[str, object]]:
    """Each objective, then each of its indicators (same objective id, "indicator" set)."""
    common = {"as_of": r.as_of.isoformat(), "period": r.period.label, "plan_revision": r.revision,
              "ledger_head": r.ledger_head or ""}  # fmt: skip
    for row in r.rows:
        o = row.result
        ob = o.objective
        where = {"sector": ob.sector or "", "theme": ob.theme or "", "park": ob.park.value}
        c = o.confidence
        yield {
            "objective": ob.id, "title": ob.title, "title_zh": ob.title_zh or "", **where,
            "rag": o.rag.value, "progress": _r4(o.progress), "expected": _r4(o.expected),
            "change": CHANGE_WORD[row.change], "previous_rag": row.previous.rag.value if row.previous else "",
            "milestones_done": o.done, "milestones_total": o.total, "milestones_overdue": o.overdue,
            "evidence_count": o.evidence.count,
            "last_evidence": o.evidence.last.isoformat() if o.evidence.last else "",
            "sources": " ".join(f"#{e.id}" for e in row.sources), **common,
            "committed_by": ob.committed_by or "",
            "trend": o.trend.value if ob.indicators else "",
            "confidence": c.level.value if c else "", "confidence_on": c.on.isoformat() if c else "",
            "confidence_stale": ("yes" if c.stale else "no") if c else "",
            "rationale": (row.assessment.text or "") if row.assessment else "",
            "disagreement": "yes" if o.disagreement else "no",
        }  # fmt: skip
        for ir in o.indicators:
            i = ir.indicator
            fc = ir.forecast
            src = row.indicator_sources.get(i.id)
            dp = ir.decimals
            yield {
                "objective": ob.id, "title": i.name, "title_zh": i.name_zh or "", **where,
                "progress": _r4(ir.progress), "expected": _r4(ir.expected),
                "sources": f"#{src.id}" if src else "", **common,
                "committed_by": i.committed_by or "", "trend": ir.trend.status.value,
                "indicator": i.id, "unit": i.unit, "value": _n(shapes.shown(ir.value, dp)),
                "target": _n(shapes.shown(i.target, dp)),
                "target_date": i.target_date.isoformat() if i.target_date else "",
                "annual_rate": _r4(ir.trend.rate),
                "forecast": _n(shapes.shown(fc.value_at_target, dp)) if fc else "",
                "forecast_low": _n(shapes.shown(fc.low, dp)) if fc else "",
                "forecast_high": _n(shapes.shown(fc.high, dp)) if fc else "",
                "forecast_at": fc.at.isoformat() if fc else "",
                "reach_date": fc.reach_date.isoformat() if fc and fc.reach_date else "",
                "no_forecast": (ir.no_forecast or "") if fc is None else "",
            }  # fmt: skip


def _r4(x: float | None) -> object:
    return "" if x is None or not math.isfinite(x) else round(x, 4)


def _n(x: object) -> object:
    return "" if x is None else x


BOM = "\ufeff"


def render_csv(r: Report) -> str:
    """Objectives and their indicators, one row each; a text cell never runs as a formula.

    It starts with a UTF-8 byte-order mark: without one, Excel reads a CSV file in the computer's
    legacy code page and shows Chinese as mojibake (our own CSV reader skips the mark)."""
    out = io.StringIO()
    out.write(BOM)
    import csv

    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for values in _csv_rows(r):
        w.writerow([cell(values.get(name, "")) for name in COLUMNS])
    return out.getvalue()
