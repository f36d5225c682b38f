"""SPEC's arithmetic on hand-computed cases, and its properties."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plantrack.core import progress
from plantrack.core.progress import Rag
from plantrack.models import Entry, Kind, State
from plantrack.plan import planfile

AS_OF = date(2026, 11, 24)
_ids = count(1)


def plan_of(body: str, head: str = "") -> object:
    text = (
        textwrap.dedent(
            """\
        [plan]
        id = "p"
        title = "P"
        adopted = 2024-01-01
        horizon = 2030-12-31
        """
        )
        + textwrap.dedent(head)
        + textwrap.dedent(body)
    )
    return planfile.load(planfile.PlanSource("t.toml", text, ""))


def m(target: str, value: float, on: str, retracted: bool = False) -> Entry:
    return Entry(
        next(_ids),
        "u",
        Kind.MEASUREMENT,
        target,
        date.fromisoformat(on),
        "t",
        "me",
        "s",
        value=value,
        retracted=retracted,
    )


def ms(target: str, state: str, on: str, retracted: bool = False) -> Entry:
    return Entry(
        next(_ids),
        "u",
        Kind.MILESTONE,
        target,
        date.fromisoformat(on),
        "t",
        "me",
        "s",
        state=State(state),
        retracted=retracted,
    )


def status(plan, entries, as_of: date = AS_OF) -> progress.Status:  # type: ignore[no-untyped-def]
    return progress.compute(plan, progress.facts_from_entries(plan, entries, as_of), as_of)


INCREASING = """
[[objective]]
id = "o"
title = "O"
  [[objective.indicator]]
  id = "i"
  name = "I"
  baseline = 0
  baseline_date = 2024-01-01
  target = 20
  target_date = 2028-12-31
"""


def test_increasing_indicator_value_progress_and_expected() -> None:
    plan = plan_of(INCREASING)
    s = status(plan, [m("i", 7, "2026-09-30"), m("i", 9, "2026-12-31")])  # the second is after as-of
    r = s.objective("o")
    assert r is not None
    [i] = r.indicators
    assert i.value == 7 and i.value_on == date(2026, 9, 30)
    assert i.progress == pytest.approx(0.35)
    share = (AS_OF - date(2024, 1, 1)).days / (date(2028, 12, 31) - date(2024, 1, 1)).days
    assert i.expected_value == pytest.approx(20 * share)
    assert i.expected == pytest.approx(share)
    assert r.progress == pytest.approx(0.35) and r.expected == pytest.approx(share)
    gap = share - 0.35
    assert r.rag == (Rag.GREEN if gap <= 0.05 else Rag.AMBER if gap <= 0.15 else Rag.RED)


def test_value_is_the_baseline_before_any_measurement() -> None:
    r = status(plan_of(INCREASING), []).objective("o")
    assert r is not None and r.indicators[0].value == 0 and r.progress == 0


def test_decreasing_indicator_and_clamping() -> None:
    plan = plan_of(
        INCREASING.replace("baseline = 0", "baseline = 20").replace(
            "target = 20", 'target = 5\n  direction = "decrease"'
        )
    )
    assert status(plan, [m("i", 11, "2026-01-01")]).objective("o").indicators[0].progress == pytest.approx(
        0.6
    )  # type: ignore[union-attr]
    assert status(plan, [m("i", 3, "2026-01-01")]).objective("o").indicators[0].progress == 1.0  # type: ignore[union-attr]
    assert status(plan, [m("i", 25, "2026-01-01")]).objective("o").indicators[0].progress == 0.0  # type: ignore[union-attr]


def test_expected_follows_the_trajectory_piecewise() -> None:
    plan = plan_of(
        INCREASING.replace("target = 20", "target = 12").replace(
            "target_date = 2028-12-31",
            "target_date = 2026-01-01\n  trajectory = [{ date = 2025-01-01, value = 10 }]",
        )
    )
    ind = plan.objectives[0].indicators[0]  # type: ignore[attr-defined]
    assert progress.expected_value(ind, date(2023, 6, 1)) == 0
    assert progress.expected_value(ind, date(2024, 7, 2)) == pytest.approx(10 * 183 / 366)
    assert progress.expected_value(ind, date(2025, 1, 1)) == 10
    assert progress.expected_value(ind, date(2025, 7, 2)) == pytest.approx(10 + 2 * 182 / 365)
    assert progress.expected_value(ind, date(2027, 1, 1)) == 12


def test_weights_and_milestones_combine() -> None:
    plan = plan_of(
        INCREASING.replace("  target_date = 2028-12-31", "  target_date = 2028-12-31\n  weight = 3")
        + """
  [[objective.milestone]]
  id = "mm"
  title = "M"
  due = 2026-06-30
"""
    )
    s = status(plan, [m("i", 10, "2026-01-01"), ms("mm", "done", "2026-05-01")])
    r = s.objective("o")
    assert r is not None
    assert r.progress == pytest.approx((3 * 0.5 + 1 * 1) / 4)
    share = (AS_OF - date(2024, 1, 1)).days / (date(2028, 12, 31) - date(2024, 1, 1)).days
    assert r.expected == pytest.approx((3 * share + 1) / 4)
    assert (r.done, r.total, r.overdue) == (1, 1, 0)


MILESTONES = """
[[objective]]
id = "o"
title = "O"
due = 2028-12-31
  [[objective.milestone]]
  id = "a"
  title = "A"
  due = 2025-06-30
  [[objective.milestone]]
  id = "b"
  title = "B"
  due = 2027-06-30
"""


def test_a_cancelled_milestone_does_not_count() -> None:
    plan = plan_of(MILESTONES)
    r = status(plan, [ms("a", "done", "2025-06-01"), ms("b", "cancelled", "2026-01-01")]).objective("o")
    assert r is not None and r.progress == 1.0 and r.rag == Rag.DONE
    assert (r.done, r.total) == (1, 1)


def test_milestone_state_is_the_last_change_dated_on_or_before_as_of() -> None:
    plan = plan_of(MILESTONES)
    entries = [ms("a", "in-progress", "2025-01-01"), ms("a", "done", "2025-08-01")]
    early = status(plan, entries, date(2025, 7, 31)).objective("o")
    late = status(plan, entries, date(2025, 8, 1)).objective("o")
    assert early is not None and late is not None
    assert early.milestones[0].state == State.IN_PROGRESS and early.milestones[0].overdue
    assert late.milestones[0].state == State.DONE and not late.milestones[0].overdue
    # expected progress of a milestone is 0 before its due date and 1 from it
    assert early.expected == pytest.approx(0.5) and early.progress == 0
    assert late.progress == pytest.approx(0.5) and late.expected == pytest.approx(0.5)


def test_an_overdue_milestone_turns_green_to_amber() -> None:
    plan = plan_of(
        INCREASING.replace("  target_date = 2028-12-31", "  target_date = 2028-12-31\n  weight = 100")
        + """
  [[objective.milestone]]
  id = "late"
  title = "Late"
  due = 2026-06-30
  weight = 0.1
"""
    )
    r = status(plan, [m("i", 19, "2026-10-01")]).objective("o")
    assert r is not None
    assert r.gap < 0.05  # green by the numbers
    assert r.overdue == 1 and r.rag == Rag.AMBER


def test_not_started_before_start_and_red_past_due() -> None:
    plan = plan_of(
        MILESTONES.replace("due = 2028-12-31", "start = 2027-01-01\ndue = 2028-12-31").replace(
            "2025-06-30", "2027-06-30"
        )
    )
    r = status(plan, []).objective("o")
    assert r is not None and r.rag == Rag.NOT_STARTED
    past = plan_of(
        MILESTONES.replace("due = 2028-12-31", "due = 2026-06-30").replace(
            "due = 2027-06-30", "due = 2026-06-30"
        )
    )
    r = status(past, [ms("a", "done", "2025-06-01")]).objective("o")
    assert r is not None and r.progress == pytest.approx(0.5) and r.rag == Rag.RED


def test_a_retracted_measurement_no_longer_counts() -> None:
    plan = plan_of(INCREASING)
    s = status(plan, [m("i", 5, "2026-01-01"), m("i", 12, "2026-06-01", retracted=True)])
    assert s.objective("o").indicators[0].value == 5  # type: ignore[union-attr]


def test_monitored_objectives_are_left_out_of_roll_ups() -> None:
    plan = plan_of(
        INCREASING
        + """
[[objective]]
id = "empty"
title = "Nothing to measure"
  [[objective.indicator]]
  id = "monitored"
  name = "M"
  baseline = 3
"""
    )
    s = status(plan, [m("i", 10, "2026-01-01"), m("monitored", 99, "2026-01-01")])
    empty = s.objective("empty")
    assert empty is not None and empty.progress is None and empty.rag == Rag.MONITORED
    assert empty.indicators[0].progress is None and empty.indicators[0].value == 99
    assert s.progress == pytest.approx(0.5)
    assert (s.measured, len(s.objectives)) == (1, 2)


def test_forecast_by_least_squares() -> None:
    plan = plan_of(INCREASING)
    # baseline (2024-01-01, 0), 5 on day 183 and 10 on day 366: 10 per 366 days (a leap year),
    # three points on one line, so the prediction interval has no width.
    s = status(plan, [m("i", 5, "2024-07-02"), m("i", 10, "2025-01-01")])
    i = s.objective("o").indicators[0]  # type: ignore[union-attr]
    assert i.forecast is not None
    assert i.forecast.low == pytest.approx(i.forecast.value_at_target)
    assert i.forecast.high == pytest.approx(i.forecast.value_at_target)
    per_day = 10 / 366
    assert i.forecast.value_at_target == pytest.approx(per_day * (date(2028, 12, 31) - date(2024, 1, 1)).days)
    # The line reaches 20 on day 732 (2026-01-02): before AS_OF, unmeasured, so a past crossing.
    assert i.forecast.reach_date is None
    assert i.forecast.line_crossed == date(2024, 1, 1) + timedelta(days=732)
    earlier = status(plan, [m("i", 5, "2024-07-02"), m("i", 10, "2025-01-01")], date(2025, 6, 30))
    ahead = earlier.objective("o").indicators[0].forecast  # type: ignore[union-attr]
    assert ahead is not None and ahead.reach_date == date(2024, 1, 1) + timedelta(days=732)
    assert i.observed_per_year == pytest.approx(per_day * 365.25)
    assert i.required_per_year == pytest.approx((20 - 10) / (date(2028, 12, 31) - AS_OF).days * 365.25)


def test_a_falling_trend_never_reaches_a_higher_target() -> None:
    plan = plan_of(INCREASING.replace("baseline = 0", "baseline = 5"))
    entries = [m("i", 3, "2024-07-01"), m("i", 2, "2025-01-01")]
    i = status(plan, entries).objective("o").indicators[0]  # type: ignore[union-attr]
    assert i.forecast is not None and i.forecast.reach_date is None


def test_groups_roll_up_their_objectives() -> None:
    head = """
[[sector]]
id = "s"
name = "S"
"""
    plan = plan_of(
        INCREASING.replace('title = "O"', 'title = "O"\nsector = "s"\npark = "both"')
        + MILESTONES.replace('id = "o"', 'id = "o2"')
        .replace('title = "O"', 'title = "O2"\nsector = "s"\npark = "hong-kong"')
        .replace('id = "a"', 'id = "a2"')
        .replace('id = "b"', 'id = "b2"'),
        head,
    )
    s = status(plan, [m("i", 10, "2026-01-01"), ms("a2", "done", "2025-01-01")])
    [sector] = s.groups["sector"]
    assert sector.progress == pytest.approx((0.5 + 0.5) / 2)
    parks = {g.id: g for g in s.groups["park"]}
    assert parks["shenzhen"].objectives == 1  # o (both)
    assert parks["hong-kong"].objectives == 2  # o (both) and o2


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_progress_is_always_within_0_and_1(value: float, baseline: float, target: float) -> None:
    assert 0.0 <= progress.progress_of(value, baseline, target) <= 1.0


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(0.001, 1e6), st.floats(0, 1e6))
def test_progress_is_monotone_in_the_value_for_increasing_indicators(
    a: float, baseline: float, span: float, step: float
) -> None:
    target = baseline + span
    assert progress.progress_of(a, baseline, target) <= progress.progress_of(a + step, baseline, target)


@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 100)),
        min_size=1,
        max_size=12,
    )
)
def test_roll_ups_lie_between_their_parts(parts: list[tuple[float, float, float]]) -> None:
    p = progress.weighted_mean((a, w) for a, _e, w in parts)
    e = progress.weighted_mean((b, w) for _a, b, w in parts)
    assert p is not None and e is not None
    assert min(a for a, _, _ in parts) - 1e-9 <= p <= max(a for a, _, _ in parts) + 1e-9
    assert min(b for _, b, _ in parts) - 1e-9 <= e <= max(b for _, b, _ in parts) + 1e-9


@given(
    st.lists(st.tuples(st.floats(-50, 150), st.floats(0.1, 10)), min_size=1, max_size=8), st.integers(0, 3000)
)
def test_plan_and_group_figures_lie_between_their_objectives(
    values: list[tuple[float, float]], offset: int
) -> None:
    head = '\n[[sector]]\nid = "s"\nname = "S"\n'
    body = "".join(
        f'\n[[objective]]\nid = "o{n}"\ntitle = "O"\nsector = "s"\nweight = {w}\n  [[objective.indicator]]\n  id = "i{n}"\n'
        f'  name = "I"\n  baseline = 0\n  baseline_date = 2024-01-01\n  target = 100\n  target_date = 2029-12-31\n'
        for n, (_v, w) in enumerate(values)
    )
    plan = plan_of(body, head)
    as_of = date(2023, 1, 1) + timedelta(days=offset)
    s = status(plan, [m(f"i{n}", v, "2024-06-01") for n, (v, _w) in enumerate(values)], as_of)
    ps = [o.progress for o in s.objectives if o.progress is not None]
    es = [o.expected for o in s.objectives if o.expected is not None]
    assert s.progress is not None and s.expected is not None
    assert min(ps) - 1e-9 <= s.progress <= max(ps) + 1e-9
    assert min(es) - 1e-9 <= s.expected <= max(es) + 1e-9
    [sector] = s.groups["sector"]
    assert sector.progress == pytest.approx(s.progress)
    assert all(0 <= o.progress <= 1 for o in s.objectives if o.progress is not None)


@given(
    st.lists(st.tuples(st.sampled_from(list(State)), st.integers(0, 2000)), min_size=1, max_size=6),
    st.integers(0, 2500),
)
def test_milestone_counts_agree_with_the_milestone_results(
    states: list[tuple[State, int]], offset: int
) -> None:
    body = '\n[[objective]]\nid = "o"\ntitle = "O"\n' + "".join(
        f'  [[objective.milestone]]\n  id = "m{n}"\n  title = "M"\n  due = {date(2024, 6, 1) + timedelta(days=d)}\n'
        for n, (_s, d) in enumerate(states)
    )
    plan = plan_of(body.replace("due = 2029", "due = 2029"))
    as_of = date(2024, 1, 1) + timedelta(days=offset)
    entries = [ms(f"m{n}", s.value, "2024-01-01") for n, (s, _d) in enumerate(states)]
    r = status(plan, entries, as_of).objective("o")
    assert r is not None
    results = r.milestones
    assert r.done == sum(m.state == State.DONE for m in results)
    assert r.total == sum(m.counts for m in results)
    assert r.overdue == sum(m.overdue for m in results)
    assert r.cancelled == sum(not m.counts for m in results)
    counted = [m for m in results if m.counts]
    if counted and all(m.counts for m in results) and not r.indicators:
        assert r.progress == pytest.approx(sum(m.progress for m in counted) / len(counted))
