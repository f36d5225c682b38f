"""SPEC's progress arithmetic as pure functions of the plan, ledger facts and the as-of date."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, TypeVar

from plantrack.core.lang import Message
from plantrack.models import (
    LEVEL_STEP,
    Direction,
    Indicator,
    Level,
    Milestone,
    Objective,
    Park,
    Plan,
    State,
    build,
)

_R = TypeVar("_R", bound="Ranked")

if TYPE_CHECKING:
    from plantrack.models import Entry

EPOCH = date(2000, 1, 1)  # x-axis origin for regressions (days)
EPS = 1e-9


EPSILON = 0.001  # the trend formula's floor for zero and negative values (Open SDG)
FORECAST_MIN_POINTS = 3  # the baseline counts
FORECAST_MIN_DAYS = 180


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NOT_STARTED = "not-started"
    NO_DATA = "no-data"
    DONE = "done"
    ASSESSED_RED = "assessed-red"
    ASSESSED_AMBER = "assessed-amber"
    ASSESSED_GREEN = "assessed-green"
    MONITORED = "monitored"


# Worst first: what a director must look at comes first; a judgement ranks just after the same
# colour computed from progress, and monitored objectives after every judged one.
RAG_ORDER = {
    Rag.RED: 0, Rag.ASSESSED_RED: 1, Rag.AMBER: 2, Rag.ASSESSED_AMBER: 3, Rag.GREEN: 4,
    Rag.ASSESSED_GREEN: 5, Rag.NOT_STARTED: 6, Rag.MONITORED: 7, Rag.NO_DATA: 8, Rag.DONE: 9,
}  # fmt: skip
# The RAG an assessment gives an objective without progress (green and amber-green are green, ...).
ASSESSED = {
    Level.GREEN: Rag.ASSESSED_GREEN, Level.AMBER_GREEN: Rag.ASSESSED_GREEN, Level.AMBER: Rag.ASSESSED_AMBER,
    Level.AMBER_RED: Rag.ASSESSED_RED, Level.RED: Rag.ASSESSED_RED,
}  # fmt: skip
# Progress RAG on the five-level scale, to compare it with an assessment (SPEC names these
# three; done and not-started are not compared).
RAG_STEP = {Rag.GREEN: 0, Rag.AMBER: 2, Rag.RED: 4}


class Trend(StrEnum):
    STRONG = "strong"
    MODERATE = "moderate"
    LIMITED = "limited"
    WORSENING = "worsening"
    INSUFFICIENT = "insufficient-data"


TREND_SCORE = {Trend.STRONG: 3, Trend.MODERATE: 2, Trend.LIMITED: 1, Trend.WORSENING: 0}
SCORE_TREND = {score: trend for trend, score in TREND_SCORE.items()}
# Worst first, for ordering monitored objectives.
TREND_ORDER = {
    Trend.WORSENING: 0,
    Trend.LIMITED: 1,
    Trend.MODERATE: 2,
    Trend.STRONG: 3,
    Trend.INSUFFICIENT: 4,
}


# --- facts read from the ledger (as of a date, as known at an instant) -----------------------


@dataclass(frozen=True)
class Sums:
    """Running sums for a least-squares line through (x = days since EPOCH, y = value)."""

    n: int = 0
    sx: float = 0.0
    sy: float = 0.0
    sxx: float = 0.0
    sxy: float = 0.0
    syy: float = 0.0

    def add(self, x: float, y: float) -> Sums:
        return Sums(
            self.n + 1, self.sx + x, self.sy + y, self.sxx + x * x, self.sxy + x * y, self.syy + y * y
        )


@dataclass(frozen=True)
class IndicatorFacts:
    value: float | None = None  # latest non-retracted measurement dated on or before as-of
    value_on: date | None = None
    value_entry: int | None = None
    sums: Sums = field(default_factory=Sums)  # over those measurements
    first_on: date | None = None  # the earliest of them
    min_value: float | None = None  # the smallest of them
    fractional: int = 0  # how many of them are not whole numbers
    reached_on: date | None = None  # the first of them at or beyond the target, if any is
    max_value: float | None = None  # the largest of them


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
class AssessmentFacts:
    """The latest non-retracted assessment of an objective dated on or before as-of."""

    level: Level
    on: date
    entry: int


@dataclass(frozen=True)
class Facts:
    indicators: dict[str, IndicatorFacts] = field(default_factory=dict)
    milestones: dict[str, MilestoneFacts] = field(default_factory=dict)
    evidence: dict[str, EvidenceFacts] = field(default_factory=dict)  # by objective id
    assessments: dict[str, AssessmentFacts] = field(default_factory=dict)  # by objective id


def days(d: date) -> float:
    return float((d - EPOCH).days)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    value_at_target: float | None  # projected value at the target date (or the horizon), in range
    at: date
    reach_date: date | None  # when the line reaches the target; None: not with the present trend
    slope_per_year: float
    low: float | None = None  # the 80 % prediction interval at ``at``, in range
    high: float | None = None
    points: int = 0  # how many points the line rests on (the baseline counts)
    span_days: int = 0
    # The fitted line and its residuals, to draw the line and its band at any date.
    intercept: float = 0.0  # value at EPOCH
    mean_x: float = 0.0
    sxx: float = 1.0  # centred sum of squares of x
    resid_sd: float = 0.0
    t: float = 0.0
    bounds: tuple[float, float] = (-math.inf, math.inf)
    line_crossed: date | None = None  # the line crossed the target in the past, unmeasured

    def at_date(self, d: date) -> tuple[float, float, float]:
        """The line's value and its 80 % prediction interval at ``d``, within the bounds."""
        x = days(d)
        v = self.intercept + self.slope_per_year / 365.25 * x
        half = (
            self.t
            * self.resid_sd
            * math.sqrt(1 + 1 / max(self.points, 1) + (x - self.mean_x) ** 2 / self.sxx)
        )
        lo, hi = self.bounds
        return (min(max(v, lo), hi), min(max(v - half, lo), hi), min(max(v + half, lo), hi))


@dataclass(frozen=True)
class TrendResult:
    """Direction and pace of change since the baseline (Open SDG's growth-rate method)."""

    status: Trend
    rate: float | None = None  # compound annual growth rate r (None: insufficient data)
    base_on: date | None = None
    base_value: float | None = None
    latest_on: date | None = None
    latest_value: float | None = None


INSUFFICIENT = TrendResult(Trend.INSUFFICIENT)


@dataclass(frozen=True)
class Confidence:
    level: Level
    on: date
    entry: int
    stale: bool
    age_days: int


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
    trend: TrendResult = INSUFFICIENT
    decimals: int = 2  # how this indicator's figures are shown
    reached_on: date | None = None  # the target is reached (no forecast then)
    no_forecast: str | None = None  # why there is no forecast, in words


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
    trend: Trend = Trend.INSUFFICIENT
    confidence: Confidence | None = None
    disagreement: bool = False
    progress_rag: Rag = Rag.NO_DATA  # the RAG from progress alone (no-data without progress)

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


class Placed(Protocol):
    """Where an objective sits and how much it counts: all the roll-ups need of it."""

    @property
    def id(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def sector(self) -> str | None: ...
    @property
    def theme(self) -> str | None: ...
    @property
    def park(self) -> Park: ...


class Ranked(Protocol):
    """What the roll-ups, counts and worst-first order read of an objective's result."""

    @property
    def objective(self) -> Placed: ...
    @property
    def progress(self) -> float | None: ...
    @property
    def expected(self) -> float | None: ...
    @property
    def rag(self) -> Rag: ...
    @property
    def trend(self) -> Trend: ...
    @property
    def disagreement(self) -> bool: ...
    @property
    def overdue(self) -> int: ...
    @property
    def gap(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    weight: float
    sector: str | None
    theme: str | None
    park: Park


@dataclass(frozen=True, slots=True)
class Brief:
    """An objective's result cut down to what the roll-ups read: small to keep between runs."""

    objective: Place
    progress: float | None
    expected: float | None
    rag: Rag
    trend: Trend
    disagreement: bool
    overdue: int

    @property
    def gap(self) -> float:
        if self.progress is None or self.expected is None:
            return 0.0
        return self.expected - self.progress


def brief_of(r: ObjectiveResult) -> Brief:
    o = r.objective
    return Brief(Place(o.id, o.weight, o.sector, o.theme, o.park), r.progress, r.expected, r.rag, r.trend,
                 r.disagreement, r.overdue)  # fmt: skip


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
    measured: int = 0  # how many objectives the progress figure rests on
    counts: dict[str, int] = field(default_factory=dict)  # objectives by RAG
    trend: Trend = Trend.INSUFFICIENT


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
    measured: int = 0  # how many objectives the headline rests on
    counts: dict[str, int] = field(default_factory=dict)  # objectives by RAG
    trend: Trend = Trend.INSUFFICIENT
    total: int = 0  # objectives in the plan (``objectives`` may list only the worst of them)

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


# Student's t at 0.90 (the upper bound of a two-sided 80 % interval), by degrees of freedom;
# between the listed ones it is interpolated in 1/df, beyond them it tends to the normal's 1.2816.
T90 = {
    1: 3.0777, 2: 1.8856, 3: 1.6377, 4: 1.5332, 5: 1.4759, 6: 1.4398, 7: 1.4149, 8: 1.3968,
    9: 1.3830, 10: 1.3722, 11: 1.3634, 12: 1.3562, 13: 1.3502, 14: 1.3450, 15: 1.3406,
    16: 1.3368, 17: 1.3334, 18: 1.3304, 19: 1.3277, 20: 1.3253, 21: 1.3232, 22: 1.3212,
    23: 1.3195, 24: 1.3178, 25: 1.3163, 26: 1.3150, 27: 1.3137, 28: 1.3125, 29: 1.3114,
    30: 1.3104, 40: 1.3031, 60: 1.2958, 120: 1.2886,
}  # fmt: skip
Z90 = 1.2816


def t90(df: int) -> float:
    """Student's t quantile at 0.90 for ``df`` degrees of freedom (df >= 1)."""
    if df in T90:
        return T90[df]
    listed = sorted(T90)
    lo = max(d for d in listed if d < df)
    hi = min((d for d in listed if d > df), default=None)
    hi_t = T90[hi] if hi is not None else Z90
    hi_inv = 1 / hi if hi is not None else 0.0
    w = (1 / lo - 1 / df) / (1 / lo - hi_inv)
    return T90[lo] + (hi_t - T90[lo]) * w


def decimals_of(ind: Indicator, facts: IndicatorFacts) -> int:
    """The plan's ``decimals``, else 0 when every value so far is whole, else 2."""
    if ind.decimals is not None:
        return ind.decimals
    planned = (
        [ind.baseline] + ([ind.target] if ind.target is not None else []) + [p.value for p in ind.trajectory]
    )
    return 0 if all(float(v).is_integer() for v in planned) and facts.fractional == 0 else 2


def bounds_of(ind: Indicator, facts: IndicatorFacts) -> tuple[float, float]:
    """Where a forecast may lie: the plan's ``range``; never below 0 for a series never negative."""
    low, high = ind.range if ind.range is not None else (-math.inf, math.inf)
    lowest = ind.baseline if facts.min_value is None else min(ind.baseline, facts.min_value)
    if lowest >= 0:
        low = max(low, 0.0)
    return low, high


def reached(ind: Indicator, value: float) -> bool:
    if ind.target is None:
        return False
    return value <= ind.target if ind.direction == Direction.DECREASE else value >= ind.target


def forecast(ind: Indicator, facts: IndicatorFacts, horizon: date,
             as_of: date | None = None) -> tuple[Forecast | None, str | None]:  # fmt: skip
    """Least-squares line through the baseline and the measurements, or why there is none.

    Only with at least 3 points (the baseline counts) spanning at least 180 days; the projection
    and its 80 % prediction interval (Student's t on the fit's residuals) are clamped to the
    indicator's bounds.
    """
    s = facts.sums.add(days(ind.baseline_date), ind.baseline)
    first = ind.baseline_date if facts.first_on is None else min(ind.baseline_date, facts.first_on)
    last = ind.baseline_date if facts.value_on is None else max(ind.baseline_date, facts.value_on)
    span = (last - first).days
    if s.n < FORECAST_MIN_POINTS:
        return None, Message("forecast.points", need=FORECAST_MIN_POINTS, have=s.n)
    if span < FORECAST_MIN_DAYS:
        return None, Message("forecast.span", need=FORECAST_MIN_DAYS, have=span)
    n = s.n
    sxx = s.sxx - s.sx * s.sx / n  # centred sums
    sxy = s.sxy - s.sx * s.sy / n
    syy = s.syy - s.sy * s.sy / n
    if sxx < EPS:
        return None, Message("forecast.no_time")
    if not all(math.isfinite(v) for v in (s.sy, s.syy, s.sxy, sxy, syy)):
        return None, Message("forecast.too_large")
    slope = sxy / sxx
    mean_x = s.sx / n
    intercept = s.sy / n - slope * mean_x
    at = ind.target_date or horizon
    x0 = days(at)
    projected = intercept + slope * x0
    sse = max(0.0, syy - slope * sxy)
    if not all(math.isfinite(v) for v in (slope * 365.25, intercept, projected, sse)):
        return None, Message("forecast.too_large")
    resid_sd = math.sqrt(sse / (n - 2))
    t = t90(n - 2)
    half = t * resid_sd * math.sqrt(1 + 1 / n + (x0 - mean_x) ** 2 / sxx)
    low_b, high_b = bounds_of(ind, facts)

    def inside(v: float) -> float | None:
        if not math.isfinite(v):
            return None
        return min(max(v, low_b), high_b)

    reach: date | None = None
    crossed: date | None = None
    if ind.target is not None:
        rising = ind.target > ind.baseline
        if (rising and slope > EPS) or (not rising and slope < -EPS):
            x = (ind.target - intercept) / slope
            try:
                reach = EPOCH + timedelta(days=math.ceil(x - EPS))
            except (OverflowError, ValueError):
                reach = None
            # A crossing on or before today (or before the latest measurement, which has not
            # reached the target, else there would be no forecast) is not a date to come: it is
            # reported as such, never as when the target "will be" reached.
            latest = max(as_of or EPOCH, facts.value_on or EPOCH)
            if reach is not None and reach <= latest:
                crossed, reach = reach, None
    return (
        build(  # every field given: thousands are made per command on a large plan
            Forecast,
            value_at_target=inside(projected),
            at=at,
            reach_date=reach,
            slope_per_year=slope * 365.25,
            low=inside(projected - half),
            high=inside(projected + half),
            points=n,
            span_days=span,
            intercept=intercept,
            mean_x=mean_x,
            sxx=sxx,
            resid_sd=resid_sd,
            t=t,
            bounds=(low_b, high_b),
            line_crossed=crossed,
        ),
        None,
    )


def trend(
    ind: Indicator, facts: IndicatorFacts, strong: float = 0.015, moderate: float = 0.005
) -> TrendResult:
    """Open SDG's growth-rate trend from the baseline to the latest measurement after it."""
    if facts.value is None or facts.value_on is None or facts.value_on <= ind.baseline_date:
        return INSUFFICIENT
    span = max(1, (facts.value_on - ind.baseline_date).days)
    ratio = max(facts.value, EPSILON) / max(ind.baseline, EPSILON)
    try:
        rate = math.exp(math.log(ratio) * 365.25 / span) - 1
    except OverflowError:
        rate = math.inf
    signed = -rate if ind.direction == Direction.DECREASE else rate
    if signed >= strong:
        status = Trend.STRONG
    elif signed >= moderate:
        status = Trend.MODERATE
    elif signed >= 0:
        status = Trend.LIMITED
    else:
        status = Trend.WORSENING
    return TrendResult(status, rate, ind.baseline_date, ind.baseline, facts.value_on, facts.value)


def combined_trend(pairs: Iterable[tuple[Trend, float]]) -> Trend:
    """The weighted mean score of those that have a trend, mapped back rounding half down."""
    mean = weighted_mean((TREND_SCORE[t], w) for t, w in pairs if t != Trend.INSUFFICIENT)
    if mean is None:
        return Trend.INSUFFICIENT
    return SCORE_TREND[max(0, min(3, math.ceil(mean - 0.5 - EPS)))]


def indicator_result(ind: Indicator, facts: IndicatorFacts, as_of: date, horizon: date,
                     plan: Plan | None = None) -> IndicatorResult:  # fmt: skip
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
    # Once any measurement has reached the target there is no forecast: it was reached on that day.
    reached_on = facts.reached_on if ind.target is not None else None
    fc: Forecast | None = None
    why: str | None = None
    if reached_on is not None:
        why = Message("forecast.reached", day=reached_on.isoformat())
    else:
        fc, why = forecast(ind, facts, horizon, as_of)
    observed = fc.slope_per_year if fc is not None else None
    strong, moderate = (plan.trend_strong, plan.trend_moderate) if plan is not None else (0.015, 0.005)
    return build(  # every field given: thousands are made per command on a large plan
        IndicatorResult,
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
        trend=trend(ind, facts, strong, moderate),
        decimals=decimals_of(ind, facts),
        reached_on=reached_on,
        no_forecast=why,
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


def confidence_of(plan: Plan, facts: AssessmentFacts | None, as_of: date) -> Confidence | None:
    if facts is None:
        return None
    age = (as_of - facts.on).days
    return Confidence(facts.level, facts.on, facts.entry, age > plan.assessment_days, age)


def objective_result(plan: Plan, o: Objective, facts: Facts, as_of: date) -> ObjectiveResult:
    inds = tuple(
        indicator_result(i, facts.indicators.get(i.id, IndicatorFacts()), as_of, plan.horizon, plan)
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
        measured_rag = Rag.NO_DATA
    elif progress >= 1 - EPS:
        measured_rag = Rag.DONE
    elif as_of < o.start:
        measured_rag = Rag.NOT_STARTED
    else:
        measured_rag = rag_of(progress, expected, plan.rag_amber, plan.rag_red)
        if as_of > o.due:
            measured_rag = Rag.RED
        elif measured_rag == Rag.GREEN and overdue:
            measured_rag = Rag.AMBER
    confidence = confidence_of(plan, facts.assessments.get(o.id), as_of)
    fresh = confidence is not None and not confidence.stale
    rag = measured_rag
    disagreement = False
    if measured_rag == Rag.NO_DATA:
        if fresh:
            assert confidence is not None
            rag = ASSESSED[confidence.level]
        elif inds:
            rag = Rag.MONITORED
    elif fresh and measured_rag in RAG_STEP:
        assert confidence is not None
        disagreement = abs(RAG_STEP[measured_rag] - LEVEL_STEP[confidence.level]) >= 2
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
        milestone_facts={m.id: known[m.id] for m in o.milestones if m.id in known},
        as_of=as_of,
        trend=combined_trend((r.trend.status, r.indicator.weight) for r in inds),
        confidence=confidence,
        disagreement=disagreement,
        progress_rag=measured_rag,
    )


def rollup(plan: Plan, results: Sequence[Ranked]) -> tuple[float | None, float | None, Rag]:
    """Weighted means over objectives that have data; no-data objectives are left out."""
    with_data = [r for r in results if r.progress is not None and r.expected is not None]
    progress = weighted_mean((r.progress, r.objective.weight) for r in with_data)  # type: ignore[misc]
    expected = weighted_mean((r.expected, r.objective.weight) for r in with_data)  # type: ignore[misc]
    return progress, expected, rag_of(progress, expected, plan.rag_amber, plan.rag_red)


def in_park(o: Placed, park: str) -> bool:
    """``--park shenzhen`` (or hong-kong) also selects objectives whose park is both."""
    return o.park.value == park or (o.park == Park.BOTH and park in (Park.SHENZHEN, Park.HONG_KONG))


def counts_of(results: Iterable[Ranked]) -> dict[str, int]:
    """Objectives by RAG, worst first, only the levels present."""
    counts: dict[str, int] = {}
    for r in sorted(results, key=lambda r: RAG_ORDER[r.rag]):
        counts[r.rag.value] = counts.get(r.rag.value, 0) + 1
    return counts


def group_rag(plan: Plan, members: Sequence[Ranked], progress: float | None,
              expected: float | None) -> Rag:  # fmt: skip
    """From progress where any member has it; else the worst fresh judgement; else monitored.

    A group is done only when every member is: one whose measured objectives are all done while
    others cannot be measured is green, not done.
    """
    if progress is not None and expected is not None:
        rag = rag_of(progress, expected, plan.rag_amber, plan.rag_red)
        if rag == Rag.DONE and any(r.rag != Rag.DONE for r in members):
            return Rag.GREEN
        return rag
    judged = [r.rag for r in members if r.rag in (Rag.ASSESSED_RED, Rag.ASSESSED_AMBER, Rag.ASSESSED_GREEN)]
    if judged:
        return min(judged, key=RAG_ORDER.__getitem__)
    if any(r.rag == Rag.MONITORED for r in members):
        return Rag.MONITORED
    return Rag.NO_DATA


def group_result(plan: Plan, kind: str, gid: str, name: str, name_zh: str | None,
                 members: Sequence[Ranked]) -> GroupResult:  # fmt: skip
    p, e, _rag = rollup(plan, members)
    return GroupResult(
        kind, gid, name, name_zh, p, e, group_rag(plan, members, p, e), len(members),
        measured=sum(1 for r in members if r.progress is not None),
        counts=counts_of(members),
        trend=combined_trend((r.trend, r.objective.weight) for r in members),
    )  # fmt: skip


def groups(plan: Plan, results: Sequence[Ranked]) -> dict[str, tuple[GroupResult, ...]]:
    out: dict[str, tuple[GroupResult, ...]] = {}
    for kind, declared in (("sector", plan.sectors), ("theme", plan.themes)):
        rows = []
        for g in declared:
            members = [r for r in results if getattr(r.objective, kind) == g.id]
            rows.append(group_result(plan, kind, g.id, g.name, g.name_zh, members))
        out[kind] = tuple(rows)
    parks = []
    names = {"shenzhen": ("Shenzhen Park", "深圳园区"), "hong-kong": ("Hong Kong Park", "香港园区")}
    for park in (Park.SHENZHEN, Park.HONG_KONG):
        members = [r for r in results if in_park(r.objective, park)]
        parks.append(group_result(plan, "park", park.value, *names[park.value], members))
    out["park"] = tuple(parks)
    return out


def elapsed(plan: Plan, as_of: date) -> float:
    span = (plan.horizon - plan.adopted).days
    return clamp((as_of - plan.adopted).days / span) if span > 0 else 1.0


def worst_first(results: Iterable[_R]) -> list[_R]:
    return sorted(
        results,
        key=lambda r: (RAG_ORDER[r.rag], not r.disagreement, TREND_ORDER[r.trend] if r.rag == Rag.MONITORED else 0,
                       -r.gap, -r.overdue, r.objective.id),
    )  # fmt: skip


def compute(plan: Plan, facts: Facts, as_of: date, known_at: str | None = None) -> Status:
    """Everything the dashboard and reports show, as of a date."""
    results = [objective_result(plan, o, facts, as_of) for o in plan.objectives]
    return assemble(plan, results, worst_first(results), as_of, known_at)


def assemble(plan: Plan, results: Sequence[Ranked], shown: Sequence[ObjectiveResult], as_of: date,
             known_at: str | None = None) -> Status:  # fmt: skip
    """The plan's status from every objective's result (full, or briefs; in plan order): roll-ups,
    groups and counts; ``shown`` are the full results the status lists, worst first."""
    p, e, _rag = rollup(plan, results)
    return Status(
        plan=plan,
        as_of=as_of,
        known_at=known_at,
        progress=p,
        expected=e,
        rag=group_rag(plan, results, p, e),
        elapsed=elapsed(plan, as_of),
        objectives=tuple(shown),
        groups=groups(plan, results),
        measured=sum(1 for r in results if r.progress is not None),
        counts=counts_of(results),
        trend=combined_trend((r.trend, r.objective.weight) for r in results),
        total=len(results),
    )


# --- facts from a plain list of entries (tests, and the reference for the SQL path) ----------


def facts_from_entries(plan: Plan, entries: Iterable[Entry], as_of: date) -> Facts:
    """Build facts from ledger entries already filtered to what was known (retractions flagged).

    The reference implementation of what ``ledger.facts`` computes in SQL.
    """
    owner = plan.owners()
    indicator_of = {i.id: i for o in plan.objectives for i in o.indicators}
    inds: dict[str, IndicatorFacts] = {}
    series: dict[str, list[tuple[date, float]]] = {}
    mss: dict[str, MilestoneFacts] = {}
    ev: dict[str, EvidenceFacts] = {}
    judged: dict[str, AssessmentFacts] = {}
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
                first_on=e.on if f.first_on is None else min(f.first_on, e.on),
                min_value=e.value if f.min_value is None else min(f.min_value, e.value),
                max_value=e.value if f.max_value is None else max(f.max_value, e.value),
                fractional=f.fractional + (0 if float(e.value).is_integer() else 1),
            )
            series.setdefault(e.target, []).append((e.on, e.value))
        elif e.kind == "milestone" and e.state is not None:
            mss[e.target] = MilestoneFacts(State(e.state), e.on, e.id)
        elif (
            e.kind == "assessment"
            and e.level is not None
            and e.target in owner
            and owner[e.target] == e.target
        ):
            judged[e.target] = AssessmentFacts(Level(e.level), e.on, e.id)
    for target, f in inds.items():
        ind = indicator_of.get(target)
        if ind is not None:
            hits = [d for d, v in series[target] if reached(ind, v)]
            if hits:
                inds[target] = replace(f, reached_on=min(hits))
    return Facts(inds, mss, ev, judged)
