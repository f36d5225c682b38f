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
from plantrack.plan import planfile
from plantrack.render import shapes
from plantrack.service import readings
from plantrack.store import cache, db, revisions

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
