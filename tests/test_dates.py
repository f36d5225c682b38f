"""The date grammar: ISO, periods, quarters, halves, fiscal years, Chinese, relative, day-first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plantrack.core import dates
from plantrack.errors import BadDate

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-30", date(2026, 9, 30)),
        ("2026-09", date(2026, 9, 30)),
        ("2026-02", date(2026, 2, 28)),
        ("2024-02", date(2024, 2, 29)),
        ("2026", date(2026, 12, 31)),
        ("2026-Q3", date(2026, 9, 30)),
        ("Q3 2026", date(2026, 9, 30)),
        ("2026q1", date(2026, 3, 31)),
        ("2026-H1", date(2026, 6, 30)),
        ("H2 2026", date(2026, 12, 31)),
        ("FY2025/26", date(2026, 3, 31)),
        ("fy2025-2026", date(2026, 3, 31)),
        ("2026年9月30日", date(2026, 9, 30)),
        ("2026年9月", date(2026, 9, 30)),
        ("2026年", date(2026, 12, 31)),
        ("2026年第三季度", date(2026, 9, 30)),
        ("2026年上半年", date(2026, 6, 30)),
        ("03/04/2026", date(2026, 4, 3)),
        ("3.4.2026", date(2026, 4, 3)),
        ("2026/04/03", date(2026, 4, 3)),
        ("30 Sep 2026", date(2026, 9, 30)),
        ("September 30, 2026", date(2026, 9, 30)),
        ("today", TODAY),
        ("yesterday", TODAY - timedelta(days=1)),
        ("3 days ago", TODAY - timedelta(days=3)),
        ("in 2 weeks", TODAY + timedelta(weeks=2)),
        ("a month ago", date(2026, 10, 24)),
        ("last friday", date(2026, 11, 20)),
        ("next friday", date(2026, 11, 27)),
        ("last tuesday", date(2026, 11, 17)),
        ("next quarter", date(2027, 3, 31)),
        ("last quarter", date(2026, 9, 30)),
        ("this month", date(2026, 11, 30)),
        ("  2026-09-30  ", date(2026, 9, 30)),
    ],
)
def test_accepted_forms_give_the_expected_date(text: str, expected: date) -> None:
    assert dates.parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("FY2026/27", date(2026, 4, 1), date(2027, 3, 31)),
        ("2026-09", date(2026, 9, 1), date(2026, 9, 30)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-09-30", date(2026, 9, 30), date(2026, 9, 30)),
        ("Sep 2026", date(2026, 9, 1), date(2026, 9, 30)),
    ],
)
def test_periods_span_their_whole_range(text: str, start: date, end: date) -> None:
    p = dates.parse_period(text, TODAY)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize(
    "text",
    ["", "soon", "next blursday", "2026-13-01", "2026-02-30", "31/02/2026", "FY2025/27",
     "Q5 2026", "3 dayz ago", "monday", "September", "12:30", "1e9", "2026-09-30; DROP TABLE",
     "<script>", "[red]x[/red]", "x" * 200],
)  # fmt: skip
def test_junk_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(BadDate) as e:
        dates.parse_date(text, TODAY)
    assert "2026-Q3" in (e.value.hint or "") or "year" in str(e.value)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_iso_dates_round_trip(d: date) -> None:
    assert dates.parse_date(d.isoformat(), TODAY) == d


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_slash_dates_are_day_first(d: date) -> None:
    assert dates.parse_date(f"{d.day:02d}/{d.month:02d}/{d.year}", TODAY) == d
    assert dates.parse_date(f"{d.day}/{d.month}/{d.year}", TODAY) == d


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_chinese_dates_round_trip(d: date) -> None:
    assert dates.parse_date(f"{d.year}年{d.month}月{d.day}日", TODAY) == d


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_date_lies_in_its_quarter_and_half(d: date) -> None:
    q = (d.month - 1) // 3 + 1
    quarter = dates.parse_period(f"{d.year}-Q{q}", TODAY)
    assert d in quarter
    assert (quarter.end - quarter.start).days in (89, 90, 91)
    h = 1 if d.month <= 6 else 2
    assert d in dates.parse_period(f"H{h} {d.year}", TODAY)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_date_lies_in_exactly_one_hong_kong_fiscal_year(d: date) -> None:
    start = d.year if d.month >= 4 else d.year - 1
    fy = dates.parse_period(f"FY{start}/{(start + 1) % 100:02d}", TODAY)
    assert d in fy
    assert fy.start == date(start, 4, 1) and fy.end == date(start + 1, 3, 31)
    assert d not in dates.parse_period(f"FY{start + 1}/{(start + 2) % 100:02d}", TODAY)


@given(st.text(alphabet=st.characters(categories=["L", "P", "Zs"]), min_size=1, max_size=30))
def test_text_without_digits_is_never_a_silent_date(text: str) -> None:
    words = {"today", "yesterday", "tomorrow", "now", "今天", "今日", "昨天", "昨日", "明天", "明日"}
    normal = " ".join(text.strip().casefold().split())
    if normal in words or normal.startswith(("last ", "next ", "this ", "in a", "a ", "an ", "one ")):
        return
    with pytest.raises(BadDate):
        dates.parse_date(text, TODAY)


@given(st.integers(min_value=0, max_value=5000), st.sampled_from(["days", "weeks", "months"]))
def test_ago_and_in_are_symmetric(n: int, unit: str) -> None:
    back = dates.parse_date(f"{n} {unit} ago", TODAY)
    ahead = dates.parse_date(f"in {n} {unit}", TODAY)
    assert back <= TODAY <= ahead
    if unit != "months":
        assert (TODAY - back) == (ahead - TODAY)


def test_previous_period_steps_back_one_of_the_same_kind() -> None:
    assert dates.parse_period("2026-Q1", TODAY).previous().label == "2025-Q4"
    assert dates.parse_period("2026-H1", TODAY).previous().label == "2025-H2"
    assert dates.parse_period("2026-01", TODAY).previous().label == "2025-12"
    assert dates.parse_period("FY2026/27", TODAY).previous().label == "FY2025/26"
    assert dates.last_complete_quarter(TODAY).label == "2026-Q3"


def test_today_is_taken_in_the_plan_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANTRACK_NOW", "2026-11-24T18:30:00Z")
    assert dates.today("Asia/Shanghai") == date(2026, 11, 25)
    assert dates.today("Europe/London") == date(2026, 11, 24)


def test_known_at_without_offset_is_in_the_plan_time_zone() -> None:
    t = dates.parse_instant("2026-10-02T18:00", "Asia/Shanghai")
    assert dates.utc_stamp(t) == "2026-10-02T10:00:00.000000Z"
    end_of_day = dates.parse_instant("2026-10-02", "Asia/Shanghai")
    assert dates.utc_stamp(end_of_day).startswith("2026-10-02T15:59:59")
    with pytest.raises(BadDate):
        dates.parse_instant("not a time", "Asia/Shanghai")


@pytest.mark.parametrize(("text", "days"), [("90 days", 90), ("2 weeks", 14), ("10d", 10)])
def test_spans(text: str, days: int) -> None:
    assert TODAY + dates.parse_span(text) == TODAY + timedelta(days=days)


def test_month_spans_and_bad_spans() -> None:
    assert TODAY + dates.parse_span("3 months") == date(2027, 2, 24)
    with pytest.raises(BadDate):
        dates.parse_span("forever")
