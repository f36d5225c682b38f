"""Plain data (for JSON) from the progress engine's results, in SPEC's shapes."""

from __future__ import annotations

from typing import Any

from plantrack.progress import GroupResult, IndicatorResult, MilestoneResult, ObjectiveResult, Status


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


def indicator(r: IndicatorResult, full: bool = False) -> dict[str, Any]:
    i = r.indicator
    out: dict[str, Any] = {
        "id": i.id,
        "value": num(r.value),
        "target": num(i.target),
        "progress": r4(r.progress),
        "expected": r4(r.expected),
        "forecast_value": num(r.forecast.value_at_target)
        if r.forecast and r.forecast.value_at_target is not None
        else None,
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
            if r.forecast is None
            else {
                "at": day(r.forecast.at),
                "value": num(r.forecast.value_at_target),
                "reach_date": day(r.forecast.reach_date),
                "reachable": r.forecast.reach_date is not None,
                "slope_per_year": num(r.forecast.slope_per_year),
            },
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
        },
        "objectives": [objective(o) for o in (objectives if objectives is not None else s.objectives)],
        "groups": {kind: [group(g) for g in rows] for kind, rows in s.groups.items()},
    }
