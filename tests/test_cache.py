"""What status keeps between runs never changes a figure: cached equals freshly computed."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings

from plantrack import models
from plantrack.core import progress
from plantrack.models import Kind
from plantrack.plan import planfile
from plantrack.render import shapes
from plantrack.service import readings
from plantrack.store import cache, db, ledger, revisions

from .conftest import SMALL_PLAN
from .test_status import DAYS, OPS, PLAN, apply_ops


def _shape(s: progress.Status) -> dict[str, Any]:
    return shapes.status(s, s.objectives)


def _fresh(conn: Any, day: date) -> dict[str, Any]:
    return _shape(readings.status_and_facts(conn, day)[0])


@settings(max_examples=60, deadline=None)
@given(OPS, OPS, DAYS)
def test_cached_status_equals_a_fresh_one_after_any_writes(first, then, day: date) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        os.environ["XDG_CACHE_HOME"] = str(Path(d) / "cache")
        conn = db.connect(Path(d) / "p.db")
        revisions.apply(
            conn, PLAN, planfile.PlanSource("t", SMALL_PLAN, "x"), "t", datetime(2024, 1, 1, tzinfo=UTC)
        )
        written: list[models.Entry] = []
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        apply_ops(conn, first, written, t0)
        assert _shape(readings.status(conn, day)) == _fresh(conn, day)  # computed, and kept
        assert _shape(readings.status(conn, day)) == _fresh(conn, day)  # read back as kept
        apply_ops(conn, then, written, t0 + timedelta(hours=1))
        assert _shape(readings.status(conn, day)) == _fresh(conn, day)  # only what changed recomputed
        top, more, _rev = readings.dashboard(conn, day, 1)
        full = readings.status(conn, day)
        assert [r.objective.id for r in top.objectives] == [r.objective.id for r in full.objectives[:1]]
        assert more == len(full.objectives) - 1
        assert (top.progress, top.expected, top.rag, top.counts, top.groups) == (
            full.progress, full.expected, full.rag, full.counts, full.groups
        )  # fmt: skip
        conn.close()


def test_the_cache_follows_plan_applies_and_new_days(small, cli, plan_file: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    small("measure", "ind-a", "7", "--on", "2026-09-30")
    before = small("status", "--json").json()
    text = plan_file.read_text(encoding="utf-8")
    assert "target = 20\n" in text
    plan_file.write_text(text.replace("target = 20\n", "target = 10\n", 1), encoding="utf-8")
    assert cli("plan", "apply").exit_code == 0
    after = small("status", "--json").json()
    assert after != before
    monkeypatch.setenv("PLANTRACK_NO_CACHE", "1")
    assert small("status", "--json").json() == after
    monkeypatch.setenv("PLANTRACK_NOW", "2027-03-01T04:00:00Z")
    tomorrow_fresh = small("status", "--json").json()
    monkeypatch.delenv("PLANTRACK_NO_CACHE")
    assert small("status", "--json").json() == tomorrow_fresh
    assert before["as_of"] != tomorrow_fresh["as_of"]


def test_a_damaged_or_missing_cache_only_costs_time(small, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    small("measure", "ind-a", "7", "--on", "2026-09-30")
    text = small("status").stdout
    folders = list((Path.cwd() / "xdg-cache").rglob("cache.sqlite"))
    assert len(folders) == 1  # the cache lives in the user's cache folder, one per database
    folders[0].write_bytes(b"this is not a database" * 100)
    assert small("status").stdout == text
    for f in folders[0].parent.iterdir():
        f.unlink()
    folders[0].parent.rmdir()
    assert small("status").stdout == text
    monkeypatch.setenv("PLANTRACK_NO_CACHE", "1")
    assert small("status").stdout == text


def test_a_restored_older_database_is_not_read_from_the_cache(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small("measure", "ind-a", "5", "--on", "2026-06-30")
    assert small("db", "backup", str(tmp_path / "b.db")).exit_code == 0
    small("measure", "ind-a", "9", "--on", "2026-09-30")
    newer = small("status", "--json").json()
    assert small("db", "restore", str(tmp_path / "b.db")).exit_code == 0
    restored = small("status", "--json").json()
    assert restored != newer
    conn = db.connect(Path.cwd() / "plantrack.db")
    assert restored == _fresh(conn, date(2026, 11, 24))
    assert cache.head(conn)[0] > 0
    conn.close()


def _small_db(d: str) -> Any:
    os.environ["XDG_CACHE_HOME"] = str(Path(d) / "cache")
    conn = db.connect(Path(d) / "p.db")
    revisions.apply(
        conn, PLAN, planfile.PlanSource("t", SMALL_PLAN, "x"), "t", datetime(2024, 1, 1, tzinfo=UTC)
    )
    return conn


T = datetime(2026, 1, 1, tzinfo=UTC)


def test_another_days_figures_kept_meanwhile_are_never_mixed_in(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        conn = _small_db(d)
        ledger.record(conn, models.Draft(Kind.MEASUREMENT, "ind-b", date(2025, 1, 1), value=150), "t", T)
        # Dated after T (its "today"): recorded with force, as `measure --force` would.
        ledger.record(
            conn, models.Draft(Kind.MEASUREMENT, "ind-b", date(2026, 6, 1), value=300), "t", T, force=True
        )
        today, back_then = date(2026, 11, 24), date(2025, 2, 1)
        readings.status(conn, today)
        ledger.record(conn, models.Draft(Kind.MEASUREMENT, "ind-a", date(2026, 1, 1), value=5), "t", T)
        other = db.connect(Path(d) / "p.db")
        real = revisions.owning_objectives

        def another_process_runs_meanwhile(c: Any, targets: set[str]) -> list[str]:
            monkeypatch.setattr(revisions, "owning_objectives", real)
            readings.status(other, back_then)  # `status --as-of 2025-02-01` in between
            return real(c, targets)

        monkeypatch.setattr(revisions, "owning_objectives", another_process_runs_meanwhile)
        readings.status(conn, today)
        assert _shape(readings.status(conn, today)) == _fresh(conn, today)
        other.close()
        conn.close()


def test_a_retraction_naming_another_target_still_recomputes_what_it_withdraws() -> None:
    with tempfile.TemporaryDirectory() as d:
        conn = _small_db(d)
        e = ledger.record(conn, models.Draft(Kind.MEASUREMENT, "ind-a", date(2025, 1, 1), value=15), "t", T)
        day = date(2026, 11, 24)
        readings.status(conn, day)
        with db.write(conn):  # as a hand-made bundle could bring it in
            ledger.append(
                conn, [models.Draft(Kind.RETRACTION, "test-plan", day, text="x", retracts=e.uid)], "t", T
            )
        assert _shape(readings.status(conn, day)) == _fresh(conn, day)
        conn.close()


def test_children_keep_the_plans_order_after_a_revision_inserts_some_before_others() -> None:
    head = '[plan]\nid = "p"\ntitle = "P"\nadopted = 2024-01-01\nhorizon = 2030-12-31\ntimezone = "UTC"\n\n[[objective]]\nid = "o"\ntitle = "O"\ndue = 2028-12-31\n'
    ms = {
        k: f'\n  [[objective.milestone]]\n  id = "{k}"\n  title = "{k}"\n  due = 2025-0{n}-01\n'
        for n, k in enumerate(["m0", "m1", "m2"], 1)
    }
    ind = {
        k: f'\n  [[objective.indicator]]\n  id = "{k}"\n  name = "{k}"\n  baseline = 0\n  baseline_date = 2024-01-01\n  target = 10\n  target_date = 2027-01-01\n'
        for k in ["i0", "i1"]
    }
    with tempfile.TemporaryDirectory() as d:
        os.environ["XDG_CACHE_HOME"] = str(Path(d) / "cache")
        conn = db.connect(Path(d) / "p.db")
        for n, text in enumerate(
            (head + ms["m1"] + ms["m2"] + ind["i1"], head + "".join(ms.values()) + "".join(ind.values()))
        ):
            plan = planfile.load(planfile.PlanSource("t.toml", text, str(n)))
            revisions.apply(conn, plan, planfile.PlanSource("t", text, str(n)), "t", T)
        day = date(2026, 1, 1)
        readings.status(conn, day)
        ledger.record(conn, models.Draft(Kind.MEASUREMENT, "i1", date(2025, 1, 1), value=3), "t", T)
        s = readings.status(conn, day)
        assert [i.indicator.id for i in s.objectives[0].indicators] == ["i0", "i1"]
        assert _shape(s) == _fresh(conn, day)
        conn.close()


def test_figures_kept_by_other_code_are_not_used(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        conn = _small_db(d)
        ledger.record(conn, models.Draft(Kind.MEASUREMENT, "ind-a", date(2026, 1, 1), value=5), "t", T)
        day = date(2026, 11, 24)
        monkeypatch.setattr(cache, "_STAMP", ["an older plantrack"])
        c = cache.Cache(cache.folder(conn))
        k = cache.key(1, revisions.latest_revision(conn).sha256, day.isoformat())  # type: ignore[union-attr]
        c.put({"briefs": (k, ("not", "what", "this", "code", "keeps"))})
        c.close()
        monkeypatch.setattr(cache, "_STAMP", [])
        assert _shape(readings.status(conn, day)) == _fresh(conn, day)
        conn.close()


def test_the_short_dashboard_counts_every_objective(small) -> None:  # type: ignore[no-untyped-def]
    small("measure", "ind-a", "7", "--on", "2026-09-30")
    conn = db.connect(Path.cwd() / "plantrack.db")
    top, more, _rev = readings.dashboard(conn, date(2026, 11, 24), 1)
    assert len(top.objectives) == 1 and top.total == len(PLAN.objectives) == more + 1
    assert _shape(top)["plan"]["objectives"] == len(PLAN.objectives)
    conn.close()
