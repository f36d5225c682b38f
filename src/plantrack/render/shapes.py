"""Plain data (for JSON) from the progress engine's results, in SPEC's shapes."""

from __future__ import annotations

import math
from typing import Any

from plantrack.core.progress import (
    Confidence,
    GroupResult,
    IndicatorResult,
    MilestoneResult,
    ObjectiveResult,
    Status,
    TrendResult,
)


def r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def num(x: float | None) -> float | int | None:
    if x is None:
        return None
    if float(x).is_integer() and abs(x) < 2**53:
        return int(x)
    return round(x, 6)


def day(d: Any) -> str | None:
    return None if d is None else d.isoformat()


def shown(x: float | None, decimals: int) -> float | int | None:
    """A figure rounded as the indicator shows it (its ``decimals``)."""
    if x is None:
        return None
    return num(round(x, decimals))


def trend(t: TrendResult) -> dict[str, Any]:
    return {
        "status": t.status.value,
        # An overflowing rate (a value after a zero baseline within days) is strong, but not a number.
        "annual_rate": None if t.rate is None or not math.isfinite(t.rate) else round(t.rate, 6),
        "from": None if t.base_on is None else {"on": day(t.base_on), "value": num(t.base_value)},
        "to": None if t.latest_on is None else {"on": day(t.latest_on), "value": num(t.latest_value)},
    }


def confidence(c: Confidence | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"level": c.level.value, "on": day(c.on), "entry": c.entry, "stale": c.stale}


def indicator(r: IndicatorResult, full: bool = False) -> dict[str, Any]:
    i = r.indicator
    fc = r.forecast
    out: dict[str, Any] = {
        "id": i.id,
        "value": num(r.value),
        "target": num(i.target),
        "progress": r4(r.progress),
        "expected": r4(r.expected),
        "forecast_value": shown(fc.value_at_target, r.decimals) if fc else None,
        "trend": r.trend.status.value,
    }
    if full:
        out |= {
            "name": i.name,
            "name_zh": i.name_zh,
            "unit": i.unit,
            "baseline": num(i.baseline),
            "baseline_date": day(i.baseline_date),
            "target_date": day(i.target_date),
            "direction": i.direction.value,
            "trajectory": [{"date": day(p.date), "value": num(p.value)} for p in i.trajectory],
            "value_on": day(r.value_on),
            "measured": r.measured,
            "expected_value": num(r.expected_value),
            "forecast": None
            if fc is None
            else {
                "at": day(fc.at),
                "value": shown(fc.value_at_target, r.decimals),
                "low": shown(fc.low, r.decimals),
                "high": shown(fc.high, r.decimals),
                "interval": 0.8,
                "points": fc.points,
                "span_days": fc.span_days,
                "reach_date": day(fc.reach_date),
                "line_crossed": day(fc.line_crossed),
                "reachable": fc.reach_date is not None,
                "slope_per_year": num(fc.slope_per_year),
            },
            "no_forecast": r.no_forecast,
            "reached_on": day(r.reached_on),
            "decimals": r.decimals,
            "range": list(i.range) if i.range else None,
            "trend_detail": trend(r.trend),
            "committed_by": i.committed_by,
            "required_per_year": num(r.required_per_year),
            "observed_per_year": num(r.observed_per_year),
            "weight": i.weight,
            "objective": i.objective,
        }
    return out


def milestone(r: MilestoneResult) -> dict[str, Any]:
    m = r.milestone
    return {
        "id": m.id,
        "title": m.title,
        "title_zh": m.title_zh,
        "due": day(m.due),
        "state": r.state.value,
        "since": day(r.since),
        "overdue": r.overdue,
        "verify": m.verify.value if m.verify else None,
        "weight": m.weight,
        "objective": m.objective,
        "committed_by": m.committed_by,
    }


def objective(r: ObjectiveResult, full: bool = False) -> dict[str, Any]:
    o = r.objective
    out: dict[str, Any] = {
        "id": o.id,
        "title": o.title,
        "title_zh": o.title_zh,
        "sector": o.sector,
        "theme": o.theme,
        "park": o.park.value,
        "progress": r4(r.progress),
        "expected": r4(r.expected),
        "rag": r.rag.value,
        "milestones": {
            "done": r.done,
            "total": r.total,
            "overdue": r.overdue,
            "cancelled": r.cancelled,
        },
        "indicators": [indicator(i, full) for i in r.indicators],
        "evidence": {"count": r.evidence.count, "last": day(r.evidence.last)},
        "trend": r.trend.value,
        "confidence": confidence(r.confidence),
        "disagreement": r.disagreement,
        "committed_by": r.objective.committed_by,
    }
    if full:
        out |= {
            "start": day(o.start),
            "due": day(o.due),
            "owner": o.owner,
            "weight": o.weight,
            "description": o.description,
            "source": o.source,
            "milestone_list": [milestone(m) for m in r.milestones],
        }
    return out


def group(g: GroupResult) -> dict[str, Any]:
    return {
        "id": g.id,
        "name": g.name,
        "progress": r4(g.progress),
        "expected": r4(g.expected),
        "rag": g.rag.value,
        "objectives": g.objectives,
        "measured": g.measured,
        "by_rag": g.counts,
        "trend": g.trend.value,
    }


def status(s: Status, objectives: list[ObjectiveResult] | None = None) -> dict[str, Any]:
    return {
        "as_of": day(s.as_of),
        "known_at": s.known_at,
        "plan": {
            "id": s.plan.id,
            "title": s.plan.title,
            "progress": r4(s.progress),
            "expected": r4(s.expected),
            "rag": s.rag.value,
            "elapsed": r4(s.elapsed),
            "measured": s.measured,
            "objectives": s.total,
            "by_rag": s.counts,
            "trend": s.trend.value,
            "committed_by": s.plan.committed_by,
        },
        "objectives": [objective(o) for o in (objectives if objectives is not None else s.objectives)],
        "groups": {kind: [group(g) for g in rows] for kind, rows in s.groups.items()},
    }
