"""SPEC's progress arithmetic as pure functions of the plan, ledger facts and the as-of date."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from plantrack.models import Indicator, Milestone, Objective, Park, Plan, State, build

if TYPE_CHECKING:
    from plantrack.ledger import Entry

EPOCH = date(2000, 1, 1)  # x-axis origin for regressions (days)
EPS = 1e-9


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NOT_STARTED = "not-started"
    NO_DATA = "no-data"
    DONE = "done"


# Worst first: what a director must look at comes first.
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.NOT_STARTED: 3, Rag.NO_DATA: 4, Rag.DONE: 5}


# --- facts read from the ledger (as of a date, as known at an instant) -----------------------


@dataclass(frozen=True)
class Sums:
    """Running sums for a least-squares line through (x = days since EPOCH, y = value)."""

    n: int = 0
    sx: float = 0.0
    sy: float = 0.0
    sxx: float = 0.0
    sxy: float = 0.0

    def add(self, x: float, y: float) -> Sums:
        return Sums(self.n + 1, self.sx + x, self.sy + y, self.sxx + x * x, self.sxy + x * y)


@dataclass(frozen=True)
class IndicatorFacts:
    value: float | None = None  # latest non-retracted measurement dated on or before as-of
    value_on: date | None = None
    value_entry: int | None = None
    sums: Sums = field(default_factory=Sums)  # over those measurements


@dataclass(frozen=True)
class MilestoneFacts:
    state: State = State.PLANNED
    since: date | None = None
    entry: int | None = None


@dataclass(frozen=True)
class EvidenceFacts:
    count: int = 0
    last: date | None = None


@dataclass(frozen=True)
class Facts:
    indicators: dict[str, IndicatorFacts] = field(default_factory=dict)
    milestones: dict[str, MilestoneFacts] = field(default_factory=dict)
    evidence: dict[str, EvidenceFacts] = field(default_factory=dict)  # by objective id


def days(d: date) -> float:
    return float((d - EPOCH).days)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    value_at_target: float | None  # projected value at the target date (or the horizon)
    at: date
    reach_date: date | None  # when the line reaches the target; None: not with the present trend
    slope_per_year: float


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    value: float
    value_on: date | None
    measured: bool
    progress: float | None
    expected: float | None
    expected_value: float | None
    forecast: Forecast | None
    required_per_year: float | None
    observed_per_year: float | None


@dataclass(frozen=True)
class MilestoneResult:
    milestone: Milestone
    state: State
    since: date | None
    overdue: bool
    counts: bool  # False when cancelled
    progress: float
    expected: float


@dataclass(frozen=True)
class ObjectiveResult:
    objective: Objective
    progress: float | None
    expected: float | None
    rag: Rag
    indicators: tuple[IndicatorResult, ...]
    evidence: EvidenceFacts
    done: int  # milestones done
    total: int  # milestones that count (all but the cancelled)
    overdue: int
    cancelled: int
    milestone_facts: dict[str, MilestoneFacts] = field(repr=False, compare=False)
    as_of: date = field(repr=False, compare=False)

    @cached_property
    def milestones(self) -> tuple[MilestoneResult, ...]:
        """Each milestone's result, made when asked for (the dashboard needs only the counts)."""
        return tuple(
            milestone_result(m, self.milestone_facts.get(m.id, NO_STATE), self.as_of)
            for m in self.objective.milestones
        )

    @property
    def gap(self) -> float:
        if self.progress is None or self.expected is None:
            return 0.0
        return self.expected - self.progress


@dataclass(frozen=True)
class GroupResult:
    kind: str
    id: str
    name: str
    name_zh: str | None
    progress: float | None
    expected: float | None
    rag: Rag
    objectives: int


@dataclass(frozen=True)
class Status:
    plan: Plan
    as_of: date
    known_at: str | None
    progress: float | None
    expected: float | None
    rag: Rag
    elapsed: float
    objectives: tuple[ObjectiveResult, ...]
    groups: dict[str, tuple[GroupResult, ...]]

    def objective(self, oid: str) -> ObjectiveResult | None:
        for o in self.objectives:
            if o.objective.id == oid:
                return o
        return None


# --- the arithmetic --------------------------------------------------------------------------


def clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def progress_of(value: float, baseline: float, target: float) -> float:
    """(value - baseline) / (target - baseline), clamped to [0, 1]."""
    if target == baseline:
        return 1.0 if value == target else 0.0
    return clamp((value - baseline) / (target - baseline))


def expected_value(ind: Indicator, on: date) -> float | None:
    """The planned path through baseline, trajectory points and target, at ``on``."""
    if ind.target is None or ind.target_date is None:
        return None
    points = [(ind.baseline_date, ind.baseline)]
    points += [(p.date, p.value) for p in ind.trajectory]
    points.append((ind.target_date, ind.target))
    if on <= points[0][0]:
        return points[0][1]
    if on >= points[-1][0]:
        return points[-1][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if d0 <= on <= d1:
            span = (d1 - d0).days
            if span <= 0:
                return v1
            return v0 + (v1 - v0) * (on - d0).days / span
    return points[-1][1]  # unreachable with ordered points


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    total = 0.0
    weight = 0.0
    for value, w in pairs:
        total += value * w
        weight += w
    if weight <= 0:
        return None
    return total / weight


def forecast(ind: Indicator, facts: IndicatorFacts, horizon: date) -> Forecast | None:
    """Least-squares line through the baseline and the measurements."""
    s = facts.sums.add(days(ind.baseline_date), ind.baseline)
    denom = s.n * s.sxx - s.sx * s.sx
    if s.n < 2 or abs(denom) < EPS:
        return None
    slope = (s.n * s.sxy - s.sx * s.sy) / denom
    intercept = (s.sy - slope * s.sx) / s.n
    at = ind.target_date or horizon
    projected = intercept + slope * days(at)
    reach: date | None = None
    if ind.target is not None:
        rising = ind.target > ind.baseline
        if (rising and slope > EPS) or (not rising and slope < -EPS):
            x = (ind.target - intercept) / slope
            try:
                reach = EPOCH + timedelta(days=math.ceil(x - EPS))
            except OverflowError:
                reach = None
    return Forecast(
        value_at_target=projected if math.isfinite(projected) else None,
        at=at,
        reach_date=reach,
        slope_per_year=slope * 365.25,
    )


def indicator_result(ind: Indicator, facts: IndicatorFacts, as_of: date, horizon: date) -> IndicatorResult:
    value = facts.value if facts.value is not None else ind.baseline
    progress = expected = exp_value = None
    required = None
    if ind.target is not None:
        progress = progress_of(value, ind.baseline, ind.target)
        exp_value = expected_value(ind, as_of)
        assert exp_value is not None
        expected = progress_of(exp_value, ind.baseline, ind.target)
        if ind.target_date is not None and ind.target_date > as_of:
            required = (ind.target - value) / (ind.target_date - as_of).days * 365.25
    fc = forecast(ind, facts, horizon)
    observed = fc.slope_per_year if fc is not None else None
    return IndicatorResult(
        indicator=ind,
        value=value,
        value_on=facts.value_on,
        measured=facts.value is not None,
        progress=progress,
        expected=expected,
        expected_value=exp_value,
        forecast=fc,
        required_per_year=required,
        observed_per_year=observed,
    )


def milestone_result(m: Milestone, facts: MilestoneFacts, as_of: date) -> MilestoneResult:
    state = facts.state
    closed = state in (State.DONE, State.CANCELLED)
    return build(
        MilestoneResult,
        milestone=m,
        state=state,
        since=facts.since,
        overdue=m.due < as_of and not closed,
        counts=state != State.CANCELLED,
        progress=1.0 if state == State.DONE else 0.0,
        expected=1.0 if as_of >= m.due else 0.0,
    )


def rag_of(progress: float | None, expected: float | None, amber: float, red: float) -> Rag:
    """RAG from the gap alone (no overrides): for objectives before overrides, and groups."""
    if progress is None or expected is None:
        return Rag.NO_DATA
    if progress >= 1 - EPS:
        return Rag.DONE
    gap = expected - progress
    if gap <= amber + EPS:
        return Rag.GREEN
    if gap <= red + EPS:
        return Rag.AMBER
    return Rag.RED


NO_STATE = MilestoneFacts()


def objective_result(plan: Plan, o: Objective, facts: Facts, as_of: date) -> ObjectiveResult:
    inds = tuple(
        indicator_result(i, facts.indicators.get(i.id, IndicatorFacts()), as_of, plan.horizon)
        for i in o.indicators
    )
    parts: list[tuple[float, float, float]] = []  # (progress, expected, weight)
    parts += [
        (r.progress, r.expected, r.indicator.weight)
        for r in inds
        if r.progress is not None and r.expected is not None
    ]
    # Milestones inline (the same rules as milestone_result): large plans have tens of thousands.
    done = total = overdue = cancelled = 0
    known = facts.milestones
    for m in o.milestones:
        f = known.get(m.id)
        state = f.state if f is not None else State.PLANNED
        if state == State.CANCELLED:
            cancelled += 1
            continue
        total += 1
        if state == State.DONE:
            done += 1
        elif m.due < as_of:
            overdue += 1
        parts.append((1.0 if state == State.DONE else 0.0, 1.0 if as_of >= m.due else 0.0, m.weight))
    progress = weighted_mean((p, w) for p, _e, w in parts)
    expected = weighted_mean((e, w) for _p, e, w in parts)
    if progress is None or expected is None:
        rag = Rag.NO_DATA
    elif progress >= 1 - EPS:
        rag = Rag.DONE
    elif as_of < o.start:
        rag = Rag.NOT_STARTED
    else:
        rag = rag_of(progress, expected, plan.rag_amber, plan.rag_red)
        if as_of > o.due:
            rag = Rag.RED
        elif rag == Rag.GREEN and overdue:
            rag = Rag.AMBER
    return ObjectiveResult(
        objective=o,
        progress=progress,
        expected=expected,
        rag=rag,
        indicators=inds,
        evidence=facts.evidence.get(o.id, EvidenceFacts()),
        done=done,
        total=total,
        overdue=overdue,
        cancelled=cancelled,
        milestone_facts=known,
        as_of=as_of,
    )


def rollup(plan: Plan, results: Sequence[ObjectiveResult]) -> tuple[float | None, float | None, Rag]:
    """Weighted means over objectives that have data; no-data objectives are left out."""
    with_data = [r for r in results if r.progress is not None and r.expected is not None]
    progress = weighted_mean((r.progress, r.objective.weight) for r in with_data)  # type: ignore[misc]
    expected = weighted_mean((r.expected, r.objective.weight) for r in with_data)  # type: ignore[misc]
    return progress, expected, rag_of(progress, expected, plan.rag_amber, plan.rag_red)


def in_park(o: Objective, park: str) -> bool:
    """``--park shenzhen`` (or hong-kong) also selects objectives whose park is both."""
    return o.park.value == park or (o.park == Park.BOTH and park in (Park.SHENZHEN, Park.HONG_KONG))


def groups(plan: Plan, results: Sequence[ObjectiveResult]) -> dict[str, tuple[GroupResult, ...]]:
    out: dict[str, tuple[GroupResult, ...]] = {}
    for kind, declared in (("sector", plan.sectors), ("theme", plan.themes)):
        rows = []
        for g in declared:
            members = [r for r in results if getattr(r.objective, kind) == g.id]
            p, e, rag = rollup(plan, members)
            rows.append(GroupResult(kind, g.id, g.name, g.name_zh, p, e, rag, len(members)))
        out[kind] = tuple(rows)
    parks = []
    names = {"shenzhen": ("Shenzhen Park", "深圳园区"), "hong-kong": ("Hong Kong Park", "香港园区")}
    for park in (Park.SHENZHEN, Park.HONG_KONG):
        members = [r for r in results if in_park(r.objective, park)]
        p, e, rag = rollup(plan, members)
        parks.append(GroupResult("park", park.value, *names[park.value], p, e, rag, len(members)))
    out["park"] = tuple(parks)
    return out


def elapsed(plan: Plan, as_of: date) -> float:
    span = (plan.horizon - plan.adopted).days
    return clamp((as_of - plan.adopted).days / span) if span > 0 else 1.0


def worst_first(results: Iterable[ObjectiveResult]) -> list[ObjectiveResult]:
    return sorted(results, key=lambda r: (RAG_ORDER[r.rag], -r.gap, -r.overdue, r.objective.id))


def compute(plan: Plan, facts: Facts, as_of: date, known_at: str | None = None) -> Status:
    """Everything the dashboard and reports show, as of a date."""
    results = [objective_result(plan, o, facts, as_of) for o in plan.objectives]
    p, e, rag = rollup(plan, results)
    return Status(
        plan=plan,
        as_of=as_of,
        known_at=known_at,
        progress=p,
        expected=e,
        rag=rag,
        elapsed=elapsed(plan, as_of),
        objectives=tuple(worst_first(results)),
        groups=groups(plan, results),
    )


# --- facts from a plain list of entries (tests, and the reference for the SQL path) ----------


def facts_from_entries(plan: Plan, entries: Iterable[Entry], as_of: date) -> Facts:
    """Build facts from ledger entries already filtered to what was known (retractions flagged).

    The reference implementation of what ``ledger.facts`` computes in SQL.
    """
    owner: dict[str, str] = {}
    for o in plan.objectives:
        owner[o.id] = o.id
        for m in o.milestones:
            owner[m.id] = o.id
        for i in o.indicators:
            owner[i.id] = o.id
    inds: dict[str, IndicatorFacts] = {}
    mss: dict[str, MilestoneFacts] = {}
    ev: dict[str, EvidenceFacts] = {}
    for e in sorted(entries, key=lambda e: (e.on, e.id)):
        if e.retracted or e.on > as_of or e.kind == "retraction":
            continue
        obj = owner.get(e.target)
        if obj:
            cur = ev.get(obj, EvidenceFacts())
            ev[obj] = EvidenceFacts(cur.count + 1, e.on if cur.last is None or e.on > cur.last else cur.last)
        if e.kind == "measurement" and e.value is not None:
            f = inds.get(e.target, IndicatorFacts())
            inds[e.target] = IndicatorFacts(
                value=e.value,
                value_on=e.on,
                value_entry=e.id,
                sums=f.sums.add(days(e.on), e.value),
            )
        elif e.kind == "milestone" and e.state is not None:
            mss[e.target] = MilestoneFacts(State(e.state), e.on, e.id)
    return Facts(inds, mss, ev)
