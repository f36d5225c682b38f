"""status, show, upcoming and check through the CLI; the SQL facts against the reference."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plantrack import models
from plantrack.core import progress
from plantrack.models import Kind, Level, State
from plantrack.plan import planfile
from plantrack.store import db, ledger, revisions

from .conftest import SMALL_PLAN


def test_status_json_has_spec_shape(small) -> None:
    small("measure", "ind-a", "7", "--on", "2026-09-30")
    small("milestone", "done", "ms-a1", "--on", "2025-06-30")
    r = small("status", "--json")
    assert r.exit_code == 0
    s = r.json()
    assert s["as_of"] == "2026-11-24" and s["known_at"] is None
    assert set(s["plan"]) >= {"id", "progress", "expected", "rag"}
    a = next(o for o in s["objectives"] if o["id"] == "obj-a")
    assert set(a) >= {
        "id",
        "title",
        "sector",
        "theme",
        "park",
        "progress",
        "expected",
        "rag",
        "milestones",
        "indicators",
        "evidence",
    }
    assert a["milestones"] == {"done": 1, "total": 3, "overdue": 1, "cancelled": 0}
    [ind] = a["indicators"]
    assert set(ind) >= {"id", "value", "target", "progress", "expected", "forecast_value"}
    assert ind["value"] == 7 and ind["target"] == 20 and ind["progress"] == 0.35
    assert a["evidence"] == {"count": 2, "last": "2026-09-30"}
    # progress = mean of indicator 0.35 and milestones 1, 0, 0
    assert a["progress"] == round((0.35 + 1) / 4, 4)
    b = next(o for o in s["objectives"] if o["id"] == "obj-b")
    assert b["progress"] is None and b["rag"] == "monitored"
    assert b["indicators"][0]["target"] is None and b["indicators"][0]["progress"] is None
    assert b["trend"] == "insufficient-data" and b["indicators"][0]["trend"] == "insufficient-data"
    assert b["confidence"] is None and b["disagreement"] is False
    assert s["plan"]["progress"] == a["progress"]
    # The headline says what it rests on: one of the two objectives has progress.
    assert (s["plan"]["measured"], s["plan"]["objectives"]) == (1, 2)
    assert [g["id"] for g in s["groups"]["sector"]] == ["life"]
    assert {g["id"] for g in s["groups"]["park"]} == {"shenzhen", "hong-kong"}


def test_as_of_moves_the_figures(small) -> None:
    small("measure", "ind-a", "4", "--on", "2025-01-31")
    small("measure", "ind-a", "10", "--on", "2026-01-31")
    early = small("status", "--json", "--as-of", "2025-06-30").json()
    late = small("status", "--json", "--as-of", "2026-Q1").json()
    ind = lambda s: next(o for o in s["objectives"] if o["id"] == "obj-a")["indicators"][0]  # noqa: E731
    assert early["as_of"] == "2025-06-30" and ind(early)["value"] == 4
    assert late["as_of"] == "2026-03-31" and ind(late)["value"] == 10


def test_known_at_regenerates_what_was_known(cli, plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = cli
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    monkeypatch.setenv("PLANTRACK_NOW", "2026-10-01T02:00:00Z")
    small("measure", "ind-a", "8", "--on", "2026-09-30")
    monkeypatch.setenv("PLANTRACK_NOW", "2026-10-05T02:00:00Z")
    small("retract", "1", "--reason", "double count")
    small("measure", "ind-a", "6", "--on", "2026-09-30")
    monkeypatch.setenv("PLANTRACK_NOW", "2026-11-24T04:00:00Z")
    ind = lambda s: next(o for o in s["objectives"] if o["id"] == "obj-a")["indicators"][0]["value"]  # noqa: E731
    assert ind(small("status", "--json").json()) == 6
    then = small("status", "--json", "--known-at", "2026-10-02T12:00").json()
    assert then["known_at"] == "2026-10-02T04:00:00.000000Z"
    assert ind(then) == 8
    before = small("status", "--known-at", "2020-01-01T00:00")
    assert before.exit_code == 2 and "nothing was known" in before.stderr


def test_filters(small) -> None:
    assert [o["id"] for o in small("status", "--json", "--sector", "life").json()["objectives"]] == ["obj-a"]
    assert [o["id"] for o in small("status", "--json", "--theme", "data").json()["objectives"]] == ["obj-b"]
    assert {o["id"] for o in small("status", "--json", "--park", "hong-kong").json()["objectives"]} == {
        "obj-b"
    }
    assert {o["id"] for o in small("status", "--json", "--park", "shenzhen").json()["objectives"]} == {
        "obj-a",
        "obj-b",
    }
    assert [o["id"] for o in small("status", "--json", "--rag", "monitored").json()["objectives"]] == [
        "obj-b"
    ]
    assert small("status", "--json", "--rag", "no-data").json()["objectives"] == []
    bad = small("status", "--sector", "lif")
    assert bad.exit_code == 2 and "did you mean 'life'" in bad.stderr
    assert small("status", "--rag", "purple").exit_code == 2
    assert small("status", "--park", "macau").exit_code == 2
    assert small("status", "--lang", "fr").exit_code == 2


def test_dashboard_text_in_both_languages(small) -> None:
    r = small("status")
    assert r.exit_code == 0
    assert "Test plan" in r.stdout and "Time elapsed" in r.stdout and "obj-a" in r.stdout
    assert "\x1b[" not in r.stdout  # no colour when not a terminal
    zh = small("status", "--lang", "zh")
    assert "测试规划" in zh.stdout and "时间进度" in zh.stdout


def test_dashboard_shows_the_worst_30_and_counts_the_rest(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "".join(
        f'\n[[objective]]\nid = "o{n:02d}"\ntitle = "Objective {n}"\n  [[objective.milestone]]\n  id = "m{n:02d}"\n  title = "M"\n  due = 2025-01-01\n'
        for n in range(35)
    )
    plan = tmp_path / "big.toml"
    plan.write_text(
        '[plan]\nid = "big"\ntitle = "Big"\nadopted = 2024-01-01\nhorizon = 2030-12-31\n' + body,
        encoding="utf-8",
    )
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan))
    r = cli("status")
    assert r.exit_code == 0
    assert "5 more objectives" in r.stdout
    assert sum(1 for line in r.stdout.splitlines() if line.startswith("red ")) == 30
    assert sum(1 for line in cli("status", "--all").stdout.splitlines() if line.startswith("red ")) == 35
    assert len(cli("status", "--json").json()["objectives"]) == 35


def test_show_objective_indicator_and_milestone(small) -> None:
    small("measure", "ind-a", "5", "--on", "2025-06-30")
    small("measure", "ind-a", "9", "--on", "2026-06-30", "--note", "[b]nine[/b]")
    small("milestone", "start", "ms-a2", "--on", "2026-01-01")
    o = small("show", "obj-a")
    assert o.exit_code == 0 and "ms-a2" in o.stdout and "ind-a" in o.stdout and "[b]nine[/b]" in o.stdout
    oj = small("show", "obj-a", "--json").json()
    assert (
        oj["id"] == "obj-a" and len(oj["entries"]) == 3 and oj["milestone_list"][1]["state"] == "in-progress"
    )
    i = small("show", "ind-a")
    assert i.exit_code == 0 and "forecast" in i.stdout and "●" in i.stdout
    ij = small("show", "ind-a", "--json").json()
    assert [x["value"] for x in ij["measurements"]] == [5, 9]
    assert ij["forecast"]["value"] is not None and ij["required_per_year"] is not None
    mj = small("show", "ms-a2", "--json").json()
    assert mj["state"] == "in-progress" and mj["overdue"] is True
    assert small("show", "ms-a2").exit_code == 0
    assert small("show", "nope").exit_code == 2


def test_show_lists_slips(small, plan_file: Path) -> None:
    plan_file.write_text(SMALL_PLAN.replace("due = 2026-06-30", "due = 2026-12-31"), encoding="utf-8")
    small("plan", "apply", plan_file)
    mj = small("show", "ms-a2", "--json").json()
    assert mj["slips"][0]["old"] == "2026-06-30" and mj["slips"][0]["new"] == "2026-12-31"
    assert "slipped from 2026-06-30" in small("show", "obj-a").stdout


def test_upcoming_lists_due_and_overdue_milestones_and_reviews(small) -> None:
    r = small("upcoming", "--json")
    assert r.exit_code == 0
    u = r.json()
    assert [x["id"] for x in u["milestones"]] == ["ms-a1", "ms-a2"]  # both overdue; ms-a3 is next June
    assert u["reviews"] == ["2027-01-31"]  # every third month-end counted from adoption (January)
    wide = small("upcoming", "--within", "1 year", "--json").json()
    assert [x["id"] for x in wide["milestones"]] == ["ms-a1", "ms-a2", "ms-a3"]
    assert wide["reviews"] == ["2027-01-31", "2027-04-30", "2027-07-31", "2027-10-31"]
    small("milestone", "done", "ms-a1", "--on", "2025-06-01")
    assert "ms-a1" not in small("upcoming").stdout
    assert small("upcoming", "--within", "forever").exit_code == 2


def test_check_exits_1_at_the_given_levels(small) -> None:
    red = small("check")
    assert red.exit_code == 1 and "obj-a" in red.stdout
    small("milestone", "done", "ms-a1", "--on", "2025-06-01")
    small("milestone", "done", "ms-a2", "--on", "2026-06-01", "--url", "https://example.org")
    small("measure", "ind-a", "15", "--on", "2026-11-01")
    ok = small("check", "--fail-on", "red,amber")
    assert ok.exit_code == 0, ok.stdout
    assert small("check", "--fail-on", "monitored").exit_code == 1
    assert small("check", "--as-of", "2024-06-01", "--fail-on", "red").exit_code == 0
    assert small("check", "--fail-on", "scarlet").exit_code == 2


# --- the SQL path agrees with the reference arithmetic ------------------------------------

PLAN = planfile.load(planfile.PlanSource("t.toml", SMALL_PLAN, ""))
DAYS = st.integers(0, 1500).map(lambda n: date(2024, 1, 1) + timedelta(days=n))
OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("m"),
            st.sampled_from(["ind-a", "ind-b"]),
            DAYS,
            st.floats(-100, 100).map(lambda x: round(x, 2)),
        ),
        st.tuples(
            st.just("s"), st.sampled_from(["ms-a1", "ms-a2", "ms-a3"]), DAYS, st.sampled_from(list(State))
        ),
        st.tuples(
            st.just("n"), st.sampled_from(["obj-a", "obj-b", "ind-a", "test-plan"]), DAYS, st.just(None)
        ),
        st.tuples(st.just("r"), st.integers(0, 30), DAYS, st.just(None)),
        st.tuples(st.just("a"), st.sampled_from(["obj-a", "obj-b"]), DAYS, st.sampled_from(list(Level))),
    ),
    max_size=25,
)


def apply_ops(conn: Any, ops: list[Any], written: list[models.Entry], t0: datetime) -> None:
    """Write generated operations one entry at a time, operation n at minute n after ``t0``
    (retractions pick a victim among what was written)."""
    for n, (op, target, on, extra) in enumerate(ops):
        now = t0 + timedelta(minutes=n)
        if op == "m":
            draft = models.Draft(Kind.MEASUREMENT, target, on, value=extra)
        elif op == "s":
            draft = models.Draft(Kind.MILESTONE, target, on, state=extra)
        elif op == "n":
            draft = models.Draft(Kind.NOTE, target, on, text="note")
        elif op == "a":
            draft = models.Draft(Kind.ASSESSMENT, target, on, text="why", level=extra)
        else:
            live = [e for e in written if e.kind != Kind.RETRACTION]
            if not live:
                continue
            victim = live[target % len(live)]
            draft = models.Draft(Kind.RETRACTION, victim.target, on, text="r", retracts=victim.uid)
        with db.write(conn):
            written += ledger.append(conn, [draft], "t", now)


@settings(max_examples=80)
@given(OPS, DAYS, st.integers(0, 26))
def test_sql_facts_agree_with_the_reference(ops, as_of: date, known_after: int) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        conn = db.connect(Path(d) / "p.db")
        revisions.apply(
            conn, PLAN, planfile.PlanSource("t", SMALL_PLAN, "x"), "t", datetime(2024, 1, 1, tzinfo=UTC)
        )
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        written: list[models.Entry] = []
        apply_ops(conn, ops, written, t0)
        known = ledger.utc_stamp(t0 + timedelta(minutes=known_after, seconds=30))
        for stamp, via_entries in ((None, False), (None, True), (known, False)):
            if via_entries:  # the path every stale target and every known-at question takes
                sql = ledger._facts_from_entries(conn, PLAN, as_of, stamp, None)
            else:  # the summary table kept by triggers (for stamp None)
                sql = ledger.facts(conn, PLAN, as_of, stamp)
            ref = progress.facts_from_entries(PLAN, ledger.entries(conn, known_at=stamp), as_of)
            assert sql.milestones == ref.milestones
            assert sql.evidence == ref.evidence
            assert sql.assessments == ref.assessments
            assert sql.indicators.keys() == ref.indicators.keys()
            for k, a in sql.indicators.items():
                b = ref.indicators[k]
                assert (a.value, a.value_on, a.value_entry) == (b.value, b.value_on, b.value_entry)
                assert (a.first_on, a.min_value, a.fractional, a.reached_on) == (
                    b.first_on, b.min_value, b.fractional, b.reached_on
                )  # fmt: skip
                assert a.sums.n == b.sums.n
                for field in ("sx", "sy", "sxx", "sxy", "syy"):
                    assert getattr(a.sums, field) == pytest.approx(getattr(b.sums, field), rel=1e-9, abs=1e-6)
        conn.close()
