"""Honest figures for a qualitative plan: trends, assessments, forecasts with a basis, headlines."""

from __future__ import annotations

import math
import shutil
import textwrap
from datetime import date, timedelta
from itertools import count
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plantrack.core import progress
from plantrack.core.progress import IndicatorFacts, Rag, Trend
from plantrack.models import Direction, Entry, Indicator, Kind, Level
from plantrack.plan import planfile

from . import test_progress as progress_tests
from .conftest import SMALL_PLAN, trust_each_other

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = date(2026, 11, 24)
_ids = count(1)


# --- helpers ---------------------------------------------------------------------------------


def plan_of(body: str, head: str = "") -> planfile.Plan:
    return progress_tests.plan_of(body, head)  # type: ignore[no-any-return]


m = progress_tests.m


def a(target: str, level: str, on: str, retracted: bool = False) -> Entry:
    return Entry(next(_ids), "u", Kind.ASSESSMENT, target, date.fromisoformat(on), "t", "me", "s",
                 text="why", level=Level(level), retracted=retracted)  # fmt: skip


def done(target: str, on: str) -> Entry:
    from plantrack.models import State

    return Entry(
        next(_ids), "u", Kind.MILESTONE, target, date.fromisoformat(on), "t", "me", "s", state=State.DONE
    )


def status(plan: planfile.Plan, entries: list[Entry], as_of: date = AS_OF) -> progress.Status:
    return progress.compute(plan, progress.facts_from_entries(plan, entries, as_of), as_of)


def indicator(baseline: float, direction: str = "increase", **kw: object) -> Indicator:
    return Indicator(
        id="i", objective="o", name="I", baseline=baseline, baseline_date=date(2024, 1, 1),
        direction=Direction(direction), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def latest(value: float, on: date) -> IndicatorFacts:
    return IndicatorFacts(value=value, value_on=on)


MONITORED = """
[[objective]]
id = "o"
title = "O"
  [[objective.indicator]]
  id = "i"
  name = "I"
  baseline = 100
  baseline_date = 2024-01-01
"""

TARGETED = """
[[objective]]
id = "t"
title = "T"
  [[objective.indicator]]
  id = "ti"
  name = "TI"
  baseline = 0
  baseline_date = 2024-01-01
  target = 100
  target_date = 2030-12-31
"""


# --- trend (Open SDG's growth rate) ----------------------------------------------------------


def test_trend_is_the_compound_annual_growth_rate_from_the_baseline() -> None:
    t = progress.trend(indicator(100), latest(121, date(2026, 1, 1)))
    days = (date(2026, 1, 1) - date(2024, 1, 1)).days
    assert t.rate == pytest.approx((121 / 100) ** (365.25 / days) - 1)
    assert t.status == Trend.STRONG
    assert (t.base_value, t.latest_value, t.latest_on) == (100, 121, date(2026, 1, 1))


def test_trend_needs_a_measurement_after_the_baseline_date() -> None:
    assert progress.trend(indicator(5), IndicatorFacts()).status == Trend.INSUFFICIENT
    on_baseline = latest(9, date(2024, 1, 1))
    assert progress.trend(indicator(5), on_baseline).status == Trend.INSUFFICIENT


def test_zero_and_negative_values_use_epsilon() -> None:
    up = progress.trend(indicator(0), latest(5, date(2025, 1, 1)))
    assert up.rate == pytest.approx((5 / 0.001) ** (365.25 / 366) - 1) and up.status == Trend.STRONG
    flat = progress.trend(indicator(0), latest(0, date(2025, 1, 1)))
    assert flat.rate == pytest.approx(0.0) and flat.status == Trend.LIMITED
    below = progress.trend(indicator(0), latest(-3, date(2025, 1, 1)))
    assert below.rate == pytest.approx(0.0)  # both floored at epsilon


def test_threshold_edges_are_inclusive() -> None:
    ind, facts = indicator(100), latest(103, date(2025, 6, 30))
    r = progress.trend(ind, facts).rate
    assert r is not None
    assert progress.trend(ind, facts, strong=r, moderate=r / 2).status == Trend.STRONG
    assert progress.trend(ind, facts, strong=r * 1.000001, moderate=r).status == Trend.MODERATE
    assert progress.trend(ind, facts, strong=r * 2, moderate=r * 1.000001).status == Trend.LIMITED


@given(
    st.floats(0.01, 1e6), st.floats(0.01, 1e6), st.integers(1, 5000),
    st.floats(0, 0.2), st.floats(0, 0.2),
)  # fmt: skip
def test_increase_and_decrease_are_mirror_images(
    base: float, value: float, span: int, t1: float, t2: float
) -> None:
    strong, moderate = max(t1, t2), min(t1, t2)
    on = date(2024, 1, 1) + timedelta(days=span)
    up = progress.trend(indicator(base), latest(value, on), strong, moderate)
    down = progress.trend(indicator(base, "decrease"), latest(value, on), strong, moderate)
    assert up.rate == down.rate
    assert up.rate is not None

    def classify(s: float) -> Trend:
        if s >= strong:
            return Trend.STRONG
        if s >= moderate:
            return Trend.MODERATE
        return Trend.LIMITED if s >= 0 else Trend.WORSENING

    assert up.status == classify(up.rate)
    assert down.status == classify(-up.rate)
    if up.rate > 0:
        assert down.status == Trend.WORSENING or up.rate == 0


@pytest.mark.parametrize(
    ("trends", "expected"),
    [
        ([Trend.STRONG, Trend.MODERATE], Trend.MODERATE),  # 2.5 rounds half down
        ([Trend.STRONG, Trend.LIMITED], Trend.MODERATE),
        ([Trend.WORSENING, Trend.LIMITED], Trend.WORSENING),  # 0.5 rounds half down
        ([Trend.STRONG, Trend.STRONG, Trend.LIMITED], Trend.MODERATE),  # 2.33
        ([Trend.STRONG, Trend.INSUFFICIENT], Trend.STRONG),  # only those that have one
        ([Trend.INSUFFICIENT], Trend.INSUFFICIENT),
        ([], Trend.INSUFFICIENT),
    ],
)
def test_an_objective_trend_is_the_mean_score_rounded_half_down(trends: list[Trend], expected: Trend) -> None:
    assert progress.combined_trend((t, 1.0) for t in trends) == expected


def test_the_plan_trend_thresholds_come_from_the_plan() -> None:
    plain = status(plan_of(MONITORED), [m("i", 110, "2025-01-01")]).objective("o")
    assert plain is not None and plain.trend == Trend.STRONG  # +10 % a year with the defaults
    text = textwrap.dedent(
        """\
        [plan]
        id = "p"
        title = "P"
        adopted = 2024-01-01
        horizon = 2030-12-31
        [plan.trend]
        strong = 0.5
        moderate = 0.2
        """
    ) + textwrap.dedent(MONITORED)
    custom = planfile.load(planfile.PlanSource("t.toml", text, ""))
    assert (custom.trend_strong, custom.trend_moderate) == (0.5, 0.2)
    r = status(custom, [m("i", 110, "2025-01-01")]).objective("o")
    assert r is not None and r.trend == Trend.LIMITED


# --- forecasts with a basis ------------------------------------------------------------------


def forecast_of(body: str, entries: list[Entry], as_of: date = AS_OF) -> progress.IndicatorResult:
    s = status(plan_of(body), entries, as_of)
    o = s.objectives[0]
    return o.indicators[0]


def test_no_forecast_from_two_points() -> None:
    r = forecast_of(MONITORED, [m("i", 120, "2025-06-30")])
    assert r.forecast is None and r.no_forecast is not None and "3 points" in r.no_forecast


def test_no_forecast_from_points_spanning_less_than_180_days() -> None:
    r = forecast_of(MONITORED, [m("i", 101, "2024-03-01"), m("i", 102, "2024-06-28")])  # 179 days
    assert r.forecast is None and r.no_forecast is not None and "180 days" in r.no_forecast
    r = forecast_of(MONITORED, [m("i", 101, "2024-03-01"), m("i", 102, "2024-06-29")])  # 180 days
    assert r.forecast is not None


def test_no_forecast_once_the_target_is_reached_but_the_day_it_was() -> None:
    r = forecast_of(
        TARGETED,
        [m("ti", 40, "2024-06-01"), m("ti", 100, "2025-03-01"), m("ti", 120, "2025-09-01")],
    )
    assert r.forecast is None and r.reached_on == date(2025, 3, 1)


def test_the_interval_is_students_t_on_the_residuals() -> None:
    points = [
        (date(2024, 1, 1), 100.0),
        (date(2024, 9, 1), 130.0),
        (date(2025, 6, 1), 150.0),
        (date(2026, 1, 1), 190.0),
    ]
    r = forecast_of(MONITORED, [m("i", v, d.isoformat()) for d, v in points[1:]])
    fc = r.forecast
    assert fc is not None and fc.points == 4
    # An independent reading of the textbook formula.
    xs = [(d - date(2000, 1, 1)).days for d, _ in points]
    ys = [v for _, v in points]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a0 = my - b * mx
    sse = sum((y - (a0 + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    x0 = (date(2030, 12, 31) - date(2000, 1, 1)).days
    half = 1.8856 * math.sqrt(sse / (n - 2)) * math.sqrt(1 + 1 / n + (x0 - mx) ** 2 / sxx)
    assert fc.value_at_target == pytest.approx(a0 + b * x0)
    assert (fc.low, fc.high) == (pytest.approx(a0 + b * x0 - half), pytest.approx(a0 + b * x0 + half))


def test_a_series_never_negative_is_never_forecast_below_zero() -> None:
    falling = MONITORED.replace("baseline = 100", "baseline = 25") + '  direction = "decrease"\n'
    r = forecast_of(falling, [m("i", 20, "2024-09-01"), m("i", 15, "2025-06-01")])
    assert r.forecast is not None
    assert r.forecast.value_at_target == 0 and r.forecast.low == 0
    assert r.forecast.high is not None and r.forecast.high >= 0


def test_forecasts_are_clamped_to_the_range() -> None:
    share = MONITORED.replace("baseline = 100", "baseline = 60") + "  range = [0, 100]\n"
    r = forecast_of(share, [m("i", 80, "2024-09-01"), m("i", 95, "2025-06-01")])
    assert r.forecast is not None and r.forecast.value_at_target == 100 and r.forecast.high == 100


def test_decimals_default_to_whole_numbers_for_whole_series() -> None:
    assert forecast_of(MONITORED, [m("i", 120, "2025-06-30")]).decimals == 0
    assert forecast_of(MONITORED, [m("i", 120.5, "2025-06-30")]).decimals == 2
    assert forecast_of(MONITORED + "  decimals = 1\n", [m("i", 120, "2025-06-30")]).decimals == 1


def test_an_impossible_forecast_is_never_printed(small) -> None:
    """The tax-rate case: a falling rate's line must not project a negative percentage."""
    small("measure", "ind-b", "60", "--on", "2024-12-31")
    small("measure", "ind-b", "20", "--on", "2025-06-30")
    r = small("show", "ind-b", "--json")
    assert r.exit_code == 0
    fc = r.json()["forecast"]
    assert fc is not None and fc["value"] >= 0 and fc["low"] >= 0
    assert isinstance(fc["value"], int)  # whole series, whole figures
    line = next(x for x in small("show", "ind-b").stdout.splitlines() if x.startswith("forecast"))
    assert "0 by 2030-12-31 (80 % interval 0–" in line, line


# --- the combined status -----------------------------------------------------------------------


MIXED = (
    MONITORED
    + """
[[objective]]
id = "ms"
title = "With milestones"
  [[objective.milestone]]
  id = "m1"
  title = "M1"
  due = 2025-01-01
  [[objective.milestone]]
  id = "m2"
  title = "M2"
  due = 2029-01-01

[[objective]]
id = "bare"
title = "Words only"
"""
)


def test_without_progress_a_fresh_assessment_gives_the_rag() -> None:
    s = status(plan_of(MIXED), [a("o", "amber-red", "2026-10-01"), a("bare", "amber-green", "2026-10-01")])
    assert s.objective("o").rag == Rag.ASSESSED_RED  # type: ignore[union-attr]
    assert s.objective("bare").rag == Rag.ASSESSED_GREEN  # type: ignore[union-attr]
    assert s.measured == 1 and len(s.objectives) == 3  # only "ms" has progress


def test_a_stale_assessment_leaves_monitored_or_no_data() -> None:
    plan = plan_of(MIXED)
    old = [a("o", "red", "2026-07-01"), a("bare", "red", "2026-07-01")]  # 146 days before AS_OF
    s = status(plan, old)
    assert s.objective("o").rag == Rag.MONITORED  # type: ignore[union-attr]
    assert s.objective("bare").rag == Rag.NO_DATA  # type: ignore[union-attr]
    c = s.objective("o").confidence  # type: ignore[union-attr]
    assert c is not None and c.stale and c.level == Level.RED
    fresh = status(plan, old, as_of=date(2026, 10, 29))  # 120 days: still fresh
    assert fresh.objective("bare").rag == Rag.ASSESSED_RED  # type: ignore[union-attr]


def test_the_latest_live_assessment_dated_by_as_of_counts() -> None:
    plan = plan_of(MIXED)
    entries = [a("bare", "green", "2026-09-01"), a("bare", "red", "2026-10-01", retracted=True),
               a("bare", "amber", "2026-12-01")]  # fmt: skip
    assert status(plan, entries).objective("bare").rag == Rag.ASSESSED_GREEN  # type: ignore[union-attr]
    later = status(plan, entries, as_of=date(2026, 12, 31))
    assert later.objective("bare").rag == Rag.ASSESSED_AMBER  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("level", "disagree"),
    [("green", False), ("amber-green", False), ("amber", True), ("amber-red", True), ("red", True)],
)
def test_disagreement_is_two_or_more_steps(level: str, disagree: bool) -> None:
    # "ms": m1 done on time, m2 not yet due: progress 0.5, expected 0.5 -> green (step 0).
    s = status(plan_of(MIXED), [done("m1", "2024-12-01"), a("ms", level, "2026-11-01")])
    r = s.objective("ms")
    assert r is not None and r.rag == Rag.GREEN and r.disagreement is disagree


def test_a_stale_assessment_never_disagrees() -> None:
    s = status(plan_of(MIXED), [done("m1", "2024-12-01"), a("ms", "red", "2026-01-01")])
    r = s.objective("ms")
    assert r is not None and r.rag == Rag.GREEN and not r.disagreement


def test_groups_count_objectives_by_status_and_show_a_trend_without_progress() -> None:
    head = '[[sector]]\nid = "s"\nname = "S"\n'
    body = MIXED.replace('title = "O"', 'title = "O"\nsector = "s"')
    s = status(plan_of(body, head), [m("i", 150, "2025-06-01")])
    [sector] = s.groups["sector"]
    assert sector.progress is None and sector.rag == Rag.MONITORED
    assert sector.trend == Trend.STRONG and sector.counts == {"monitored": 1} and sector.measured == 0
    assert s.counts == {"red": 1, "monitored": 1, "no-data": 1}


# --- the plan keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  range = [100, 0]\n", "low bound below its high bound"),
        ("  range = [0]\n", "range must be two numbers"),
        ("  range = [200, 300]\n", "baseline 100 lies outside range"),
        ("  decimals = 9\n", "decimals must be a whole number from 0 to 6"),
        ("  decimals = 1.5\n", "decimals must be a whole number"),
        ("  committed_by = 3\n", "committed_by must be a string"),
    ],
)
def test_bad_indicator_keys_are_reported(extra: str, message: str) -> None:
    plan, problems = planfile.parse(
        planfile.PlanSource(
            "t.toml",
            '[plan]\nid = "p"\ntitle = "P"\nadopted = 2024-01-01\nhorizon = 2030-12-31\n' + MONITORED + extra,
            "",
        )
    )
    assert plan is None and any(message in p for p in problems), problems


@pytest.mark.parametrize(
    ("head", "message"),
    [
        ("assessment_days = 0\n", "assessment_days must be a whole number of days"),
        ("[plan.trend]\nstrong = 0.001\nmoderate = 0.01\n", "moderate must not be greater than strong"),
        ("[plan.trend]\nstrong = 0.01\nweak = 0.001\n", "unknown key 'weak'"),
    ],
)
def test_bad_plan_keys_are_reported(head: str, message: str) -> None:
    text = '[plan]\nid = "p"\ntitle = "P"\nadopted = 2024-01-01\nhorizon = 2030-12-31\n' + head + MONITORED
    plan, problems = planfile.parse(planfile.PlanSource("t.toml", text, ""))
    assert plan is None and any(message in p for p in problems), problems


def test_committed_by_is_inherited_from_the_parent() -> None:
    text = (
        textwrap.dedent(
            """\
        [plan]
        id = "p"
        title = "P"
        adopted = 2024-01-01
        horizon = 2030-12-31
        committed_by = "State Council"
        assessment_days = 90
        """
        )
        + MONITORED.replace('title = "O"', 'title = "O"\ncommitted_by = "HKSAR"')
        + MIXED.split(MONITORED)[1]
    )
    plan = planfile.load(planfile.PlanSource("t.toml", text, ""))
    by = {o.id: o.committed_by for o in plan.objectives}
    assert by == {"o": "HKSAR", "ms": "State Council", "bare": "State Council"}
    assert plan.objectives[0].indicators[0].committed_by == "HKSAR"
    assert plan.assessment_days == 90


# --- the CLI -----------------------------------------------------------------------------------


def test_assess_records_a_judgement_that_status_shows(small) -> None:
    r = small("assess", "obj-b", "amber-red", "--note", "Data rules still in draft", "--on", "2026-10-15",
              "--url", "https://example.org/minutes", "--json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    e = r.json()
    assert (e["kind"], e["level"], e["target"], e["text"]) == (
        "assessment",
        "amber-red",
        "obj-b",
        "Data rules still in draft",
    )
    b = next(o for o in small("status", "--json").json()["objectives"] if o["id"] == "obj-b")
    assert b["rag"] == "assessed-red"
    assert b["confidence"] == {"level": "amber-red", "on": "2026-10-15", "entry": e["id"], "stale": False}
    shown = small("show", "obj-b").stdout
    assert "amber-red" in shown and "Data rules still in draft" in shown
    assert small("status").exit_code == 0 and "assessed-red" in small("status").stdout


def test_an_assessment_is_a_ledger_entry_like_any_other(small) -> None:
    small("assess", "obj-b", "red", "--note", "Cross-boundary 数据 rules stalled", "--on", "2026-10-15")
    found = small("search", "stalled", "--json").json()
    assert [e["kind"] for e in found["entries"]] == ["assessment"]
    assert small("search", "数据", "--json").json()["entries"][0]["level"] == "red"
    assert "assessment" in small("history", "obj-b").stdout
    assert small("db", "doctor").exit_code == 0
    # Retracted, it no longer counts.
    entry = small("evidence", "obj-b", "--json").json()[0]["id"]
    assert small("retract", str(entry), "--reason", "wrong objective").exit_code == 0
    b = next(o for o in small("status", "--json").json()["objectives"] if o["id"] == "obj-b")
    assert b["rag"] == "monitored" and b["confidence"] is None


def test_known_at_ignores_a_later_assessment(cli, plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    monkeypatch.setenv("PLANTRACK_NOW", "2026-11-20T04:00:00Z")
    small = cli
    small("assess", "obj-b", "green", "--note", "on track", "--on", "2026-11-19")
    monkeypatch.setenv("PLANTRACK_NOW", "2026-11-24T04:00:00Z")
    small("assess", "obj-b", "red", "--note", "slipped", "--on", "2026-11-23")
    then = small("status", "--json", "--known-at", "2026-11-21T12:00").json()
    now = small("status", "--json").json()
    level = lambda s: next(o for o in s["objectives"] if o["id"] == "obj-b")["confidence"]["level"]  # noqa: E731
    assert (level(then), level(now)) == ("green", "red")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("assess", "obj-b", "purple", "--note", "x"), "not a confidence level"),
        (("assess", "obj-b", "amber"), "needs its rationale"),
        (("assess", "obj-b", "amber", "--note", "  "), "needs its rationale"),
        (("assess", "obj-zz", "amber", "--note", "x"), "unknown objective"),
        (("assess", "ind-b", "amber", "--note", "x"), "not an objective"),
        (("assess", "obj-b", "amber", "--note", "x", "--on", "someday"), "date"),
        (("assess", "obj-b"), "missing LEVEL"),
    ],
)
def test_bad_assessments_exit_2_with_one_line(small, args: tuple[str, ...], message: str) -> None:
    r = small(*args)
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert small("evidence", "--json").json() == []


def test_assess_csv_is_all_or_nothing(small, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,level,on,note\nobj-a,green,2026-10-01,fine\nobj-b,purple,2026-10-01,hm\nobj-b,red,2026-10-01,\n",
                   encoding="utf-8")  # fmt: skip
    r = small("assess", "--csv", bad)
    assert r.exit_code == 2 and "2 problems" in r.stderr
    assert small("evidence", "--json").json() == []
    good = tmp_path / "good.csv"
    good.write_text("id,level,on,note,url\nobj-a,green,2026-10-01,fine,\nobj-b,Amber Red,2026-10-02,stalled,https://example.org\n",
                    encoding="utf-8")  # fmt: skip
    assert small("assess", "--csv", good).exit_code == 0
    got = {e["target"]: e["level"] for e in small("evidence", "--json").json()}
    assert got == {"obj-a": "green", "obj-b": "amber-red"}
    assert small("db", "doctor").exit_code == 0


def test_check_fails_on_judgement_too(small) -> None:
    small("assess", "obj-b", "red", "--note", "stalled", "--on", "2026-11-01")
    assert small("check", "--fail-on", "assessed-red").exit_code == 1
    assert small("check", "--fail-on", "disagreement").exit_code == 0
    # obj-a is red on its numbers; a fresh green judgement disagrees with it.
    small("assess", "obj-a", "green", "--note", "labs are opening", "--on", "2026-11-01")
    r = small("check", "--fail-on", "disagreement")
    assert r.exit_code == 1 and "obj-a" in r.stdout
    assert small("check", "--fail-on", "stale").exit_code == 0
    assert small("check", "--fail-on", "stale", "--as-of", "2027-06-30").exit_code == 1
    bad = small("check", "--fail-on", "grey")
    assert bad.exit_code == 2 and "disagreement" in bad.stderr


def test_assessments_travel_in_bundles(
    cli, plan_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    sz, hk = tmp_path / "sz.db", tmp_path / "hk.db"
    assert (
        cli("--db", sz, "assess", "obj-b", "amber", "--note", "feasible", "--on", "2026-11-01").exit_code == 0
    )
    assert cli("--db", hk, "init").exit_code == 0
    trust_each_other(cli, sz, hk)
    assert cli("--db", sz, "export", "--out", tmp_path / "b.zip").exit_code == 0
    assert cli("--db", hk, "import", tmp_path / "b.zip").exit_code == 0
    [e] = cli("--db", hk, "evidence", "--json").json()
    assert (e["kind"], e["level"]) == ("assessment", "amber")
    assert cli("--db", hk, "db", "doctor").exit_code == 0


def test_an_older_database_upgrades_and_takes_assessments(cli, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema-v1.db", db)
    before = cli("--db", db, "evidence", "--json").json()
    r = cli("--db", db, "assess", "obj-b", "amber-green", "--note", "probable", "--on", "2026-10-01")
    assert r.exit_code == 0, r.stderr
    after = cli("--db", db, "evidence", "--json").json()
    assert [e["hash"] for e in after[1:]] == [e["hash"] for e in before] or len(after) == len(before) + 1
    assert {e["uid"] for e in before} <= {e["uid"] for e in after}
    assert cli("--db", db, "db", "doctor").exit_code == 0
    assert SMALL_PLAN


def test_the_headline_says_what_it_rests_on(small) -> None:
    small("measure", "ind-a", "4", "--on", "2025-06-30")
    out = small("status").stdout
    assert "from 1 of 2 objectives" in out
    zh = small("status", "--lang", "zh").stdout
    assert "基于 2 项目标中的 1 项" in zh


def test_a_group_is_done_only_when_every_member_is() -> None:
    head = '[[theme]]\nid = "t"\nname = "T"\n'
    body = MIXED.replace('title = "With milestones"', 'title = "With milestones"\ntheme = "t"').replace(
        'title = "Words only"', 'title = "Words only"\ntheme = "t"'
    )
    entries = [done("m1", "2024-12-01"), done("m2", "2025-01-01")]
    [theme] = status(plan_of(body, head), entries).groups["theme"]
    assert theme.progress == 1 and theme.measured == 1 and theme.objectives == 2
    assert theme.rag == Rag.GREEN and theme.counts == {"no-data": 1, "done": 1}


def test_committed_by_is_shown_beside_the_title(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "p.toml"
    text = SMALL_PLAN.replace(
        'timezone = "Asia/Shanghai"', 'timezone = "Asia/Shanghai"\ncommitted_by = "State Council"'
    )
    plan.write_text(
        text.replace('title = "Objective B"', 'title = "Objective B"\ncommitted_by = "HKSAR"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan))
    monkeypatch.setenv("COLUMNS", "200")
    out = cli("status").stdout
    assert "[HKSAR] Objective B" in out and "[State Council]" not in out  # the issuer's is the default
    assert "committed by HKSAR" in cli("show", "obj-b").stdout
    assert "committed by HKSAR" in cli("show", "ind-b").stdout  # inherited from its objective
    objs = {o["id"]: o["committed_by"] for o in cli("status", "--json").json()["objectives"]}
    assert objs == {"obj-a": "State Council", "obj-b": "HKSAR"}


def test_an_overflowing_rate_is_strong_and_valid_json(small) -> None:
    small("measure", "ind-a", "5", "--on", "2024-01-02")  # a day after a baseline of 0
    r = small("show", "ind-a", "--json")
    assert r.exit_code == 0 and "Infinity" not in r.stdout
    assert r.json()["trend_detail"]["status"] == "strong" and r.json()["trend_detail"]["annual_rate"] is None
    assert "more than ±1,000 %" in small("show", "ind-a").stdout


def test_once_reached_there_is_no_forecast_even_if_the_value_falls_back() -> None:
    r = forecast_of(
        TARGETED, [m("ti", 110, "2024-06-01"), m("ti", 50, "2024-12-01"), m("ti", 60, "2025-06-01")]
    )
    assert r.forecast is None and r.reached_on == date(2024, 6, 1)


def test_plan_figures_that_are_not_whole_keep_their_places() -> None:
    body = TARGETED.replace("target = 100", "target = 92.5")
    assert forecast_of(body, [m("ti", 10, "2025-06-30")]).decimals == 2


def test_values_too_large_for_a_line_give_no_forecast_and_valid_json(small) -> None:
    for value, on in (("1e160", "2024-12-31"), ("2e160", "2025-06-30")):
        assert small("measure", "ind-b", value, "--on", on).exit_code == 0
    r = small("show", "ind-b", "--json")
    assert r.exit_code == 0 and "NaN" not in r.stdout and "Infinity" not in r.stdout
    assert r.json()["forecast"] is None and "too large" in r.json()["no_forecast"]


def test_a_crossing_in_the_past_is_not_a_date_to_come() -> None:
    # The line through 0, 30 and 60 (a year apart) crosses 100 in 2027; as of 2028 it has not been
    # measured there, so the crossing is reported as past, not as when the target "will be" reached.
    entries = [m("ti", 30, "2025-01-01"), m("ti", 60, "2026-01-01")]
    r = forecast_of(TARGETED, entries, as_of=date(2028, 6, 30))
    assert r.forecast is not None and r.forecast.reach_date is None
    assert r.forecast.line_crossed is not None and r.forecast.line_crossed < date(2028, 6, 30)
    ahead = forecast_of(TARGETED, entries, as_of=date(2026, 6, 30)).forecast
    assert ahead is not None and ahead.reach_date is not None and ahead.reach_date > date(2026, 6, 30)


def test_results_made_without_init_have_every_field() -> None:
    from dataclasses import fields

    r = forecast_of(MONITORED, [m("i", 120, "2024-09-01"), m("i", 150, "2025-06-01")])
    assert r.forecast is not None
    for obj in (r, r.forecast):
        assert set(vars(obj)) == {f.name for f in fields(obj)}  # type: ignore[arg-type]
