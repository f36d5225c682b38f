"""Reading and validating objectives.toml: the real plan passes, every problem names its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from plantrack.models import Direction, Park
from plantrack.plan import planfile

from .conftest import SMALL_PLAN

ROOT = Path(__file__).resolve().parents[1]


def source(text: str, name: str = "objectives.toml") -> planfile.PlanSource:
    return planfile.PlanSource(name, text, "0" * 64)


def problems_of(text: str) -> list[str]:
    plan, problems = planfile.parse(source(text))
    assert plan is None
    return problems


def line_of(text: str, needle: str) -> int:
    for n, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_the_real_hetao_plan_is_valid_and_complete() -> None:
    plan = planfile.load(planfile.read_source(ROOT / "objectives.toml"))
    assert plan.id == "hetao-shenzhen-park"
    assert plan.horizon == date(2035, 12, 31)
    assert {s.id for s in plan.sectors} == {"life-sciences", "information-sciences", "materials-sciences"}
    assert {"people", "funds", "data", "goods"} <= {t.id for t in plan.themes}
    assert {o.park for o in plan.objectives} == {Park.SHENZHEN, Park.HONG_KONG, Park.BOTH}
    assert all(o.title_zh for o in plan.objectives)
    assert sum(len(o.milestones) for o in plan.objectives) >= 10


def test_every_indicator_target_in_the_real_plan_has_a_source_comment() -> None:
    text = (ROOT / "objectives.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().startswith(("target =", "baseline =")) and "= 0" not in line:
            assert "source" in line or "Art." in line, line


def test_the_packaged_plan_is_the_repository_file() -> None:
    assert planfile.embedded_plan_path().read_bytes() == (ROOT / "objectives.toml").read_bytes()


def test_small_plan_defaults() -> None:
    plan = planfile.load(source(SMALL_PLAN))
    b = plan.objectives[1]
    assert b.start == date(2024, 1, 1) and b.due == date(2030, 12, 31)
    assert b.park == Park.BOTH
    assert b.indicators[0].target is None and b.indicators[0].direction == Direction.INCREASE
    a = plan.objectives[0]
    assert a.milestones[0].weight == 1.0
    assert plan.rag_amber == 0.05 and plan.rag_red == 0.15


def test_unknown_key_is_reported_with_its_line_and_a_suggestion() -> None:
    text = SMALL_PLAN.replace('  unit = "labs"', '  unti = "labs"')
    [p] = problems_of(text)
    assert p.startswith(f"objectives.toml:{line_of(text, 'unti')}:")
    assert "unknown key 'unti'" in p and "did you mean 'unit'" in p


def test_every_problem_is_reported_at_once() -> None:
    text = (
        SMALL_PLAN.replace('sector = "life"', 'sector = "lfe"')
        .replace('id = "ms-a2"', 'id = "ms-a1"')
        .replace("target = 20", "target = 0")
        .replace("due = 2027-06-30", "due = 2029-06-30")
        .replace('  verify = "url"', '  verify = "email"')
    )
    problems = problems_of(text)
    joined = "\n".join(problems)
    assert "sector 'lfe' is not a declared sector" in joined
    assert "duplicate id 'ms-a1'" in joined
    assert "target equals baseline" in joined
    assert "after its objective's due date" not in joined  # a warning: a real slip must load
    assert "verify must be one of url, attachment, any" in joined
    assert len(problems) == 4
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == sorted(lines)
    sector_line = line_of(text, 'sector = "lfe"')
    assert f"objectives.toml:{sector_line}:" in joined


def test_trajectory_out_of_date_order_is_an_error() -> None:
    text = SMALL_PLAN.replace(
        "  target_date = 2028-12-31",
        "  target_date = 2028-12-31\n  trajectory = [\n    { date = 2027-12-31, value = 10 },\n"
        "    { date = 2026-12-31, value = 5 },\n  ]",
    )
    [p] = problems_of(text)
    assert "out of date order" in p
    assert p.startswith(f"objectives.toml:{line_of(text, 'trajectory')}:")


def test_types_are_checked() -> None:
    text = SMALL_PLAN.replace("adopted = 2024-01-01", 'adopted = "2024-01-01"').replace(
        "baseline = 100", 'baseline = "a hundred"'
    )
    problems = problems_of(text)
    assert any("adopted must be a date" in p and "without quotes" in p for p in problems)
    assert any("baseline must be a number" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('id = "test-plan"', 'id = "Test Plan"'), "is not valid"),
        (('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'), "unknown time zone"),
        (('review = "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1"', 'review = "FREQ=SOMETIMES"'), "not a valid RRULE"),
        (("baseline = 0", "baseline = nan"), "finite"),
        (('park = "shenzhen"', 'park = "macau"'), "park must be one of"),
        (("horizon = 2030-12-31", "horizon = 2020-12-31"), "horizon must be after adopted"),
        (("target = 20", "target = -5"), "below baseline"),
        (('[[theme]]\nid = "data"', '[[theme]]\nid = "life"\nname = "x"\n[[theme]]\nid = "life"'), "duplicate theme id"),
        (('title = "Objective B"', "weight = 0\ntitle = \"Objective B\""), "weight must be greater than 0"),
        (("[plan]", "[plan]\ncolour = 1"), "unknown key 'colour'"),
    ],
)  # fmt: skip
def test_each_kind_of_problem(change: tuple[str, str], expected: str) -> None:
    text = SMALL_PLAN.replace(*change, 1)
    assert text != SMALL_PLAN
    problems = problems_of(text)
    assert any(expected in p for p in problems), problems


def test_broken_toml_names_its_line() -> None:
    text = SMALL_PLAN.replace('title = "Objective A"', 'title = "Objective A')
    [p] = problems_of(text)
    assert p.startswith(f"objectives.toml:{line_of(text, 'Objective A')}:")
    assert "not valid TOML" in p


def test_line_index_follows_nested_tables() -> None:
    idx = planfile.line_index(SMALL_PLAN)
    assert (
        SMALL_PLAN.splitlines()[idx[("objective", 0, "milestone", 1, "verify")] - 1].strip()
        == 'verify = "url"'
    )
    assert (
        SMALL_PLAN.splitlines()[idx[("objective", 1, "indicator", 0)] - 1].strip()
        == "[[objective.indicator]]"
    )


def test_the_stored_form_round_trips_every_field() -> None:
    from dataclasses import fields

    from plantrack.models import plan_from_dict, plan_to_dict

    plan = planfile.load(planfile.read_source(ROOT / "objectives.toml"))
    again = plan_from_dict(plan_to_dict(plan))
    assert again == plan
    for o in again.objectives:
        for obj in (o, *o.milestones, *o.indicators):
            assert set(vars(obj)) == {f.name for f in fields(obj)}
