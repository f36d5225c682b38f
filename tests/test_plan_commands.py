"""plan check / apply / diff through the CLI: revisions, archiving, slips, idempotence."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .conftest import SMALL_PLAN


def test_check_passes_on_a_valid_plan(cli, plan_file: Path) -> None:
    r = cli("plan", "check", plan_file)
    assert r.exit_code == 0
    assert "is valid: 2 objectives, 3 milestones, 2 indicators" in r.stderr


def test_check_lists_every_problem_and_exits_2(cli, plan_file: Path) -> None:
    plan_file.write_text(
        SMALL_PLAN.replace('unit = "labs"', 'unti = "labs"').replace('theme = "data"', 'theme = "dat"'),
        encoding="utf-8",
    )
    r = cli("plan", "check", plan_file)
    assert r.exit_code == 2
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{plan_file}:") for line in lines)
    assert "2 problems" in r.stderr


def test_check_of_a_missing_file_is_a_clear_error(cli, tmp_path: Path) -> None:
    r = cli("plan", "check", tmp_path / "nope.toml")
    assert r.exit_code == 2
    assert "does not exist" in r.stderr


def test_apply_is_idempotent_and_records_a_revision(cli, plan_file: Path) -> None:
    first = cli("plan", "apply", plan_file)
    assert first.exit_code == 0
    assert first.stdout.strip() == "1"
    again = cli("plan", "apply", plan_file)
    assert again.exit_code == 0
    assert again.stdout.strip() == ""
    assert "up to date" in again.stderr
    conn = sqlite3.connect(Path.cwd() / "plantrack.db")
    rev = conn.execute("SELECT rev, user, sha256, source_path FROM plan_revision").fetchall()
    assert len(rev) == 1 and rev[0][1] == "tester" and len(rev[0][2]) == 64


def test_dry_run_writes_nothing(cli, plan_file: Path) -> None:
    r = cli("plan", "apply", plan_file, "--dry-run", "--json")
    assert r.exit_code == 0
    out = r.json()
    assert out["revision"] is None and out["dry_run"] is True
    assert {
        "kind": "objective",
        "id": "obj-a",
        "change": "added",
        "field": None,
        "old": None,
        "new": None,
    } in out["changes"]
    r2 = cli("plan", "diff", plan_file, "--json")
    assert any(c["id"] == "obj-a" and c["change"] == "added" for c in r2.json())


def test_removed_objects_are_archived_with_their_history(small, plan_file: Path) -> None:
    assert small("measure", "ind-b", "120", "--on", "2025-06-30").exit_code == 0
    cut = SMALL_PLAN[: SMALL_PLAN.index('[[objective]]\nid = "obj-b"')]
    plan_file.write_text(cut, encoding="utf-8")
    diff = small("plan", "diff", plan_file, "--json").json()
    assert {(c["id"], c["change"]) for c in diff} == {("obj-b", "archived"), ("ind-b", "archived")}
    r = small("plan", "apply", plan_file)
    assert r.exit_code == 0 and r.stdout.strip() == "2"
    # The history stays and can be listed; new entries are refused with a hint.
    ev = small("evidence", "ind-b", "--json")
    assert ev.exit_code == 0 and ev.json()[0]["value"] == 120
    refused = small("measure", "ind-b", "130")
    assert refused.exit_code == 2 and "archived" in refused.stderr
    # Restoring brings it back.
    plan_file.write_text(SMALL_PLAN, encoding="utf-8")
    r = small("plan", "apply", plan_file, "--json")
    assert {(c["id"], c["change"]) for c in r.json()["changes"]} == {
        ("obj-b", "restored"),
        ("ind-b", "restored"),
    }
    assert small("measure", "ind-b", "130").exit_code == 0


def test_a_moved_due_date_is_kept_as_a_slip(small, plan_file: Path) -> None:
    plan_file.write_text(SMALL_PLAN.replace("due = 2025-06-30", "due = 2025-12-31"), encoding="utf-8")
    r = small("plan", "apply", plan_file, "--json")
    assert r.exit_code == 0
    [change] = r.json()["changes"]
    assert change == {"kind": "milestone", "id": "ms-a1", "change": "updated", "field": "due",
                      "old": "2025-06-30", "new": "2025-12-31"}  # fmt: skip
    from plantrack.store import db, revisions

    conn = db.connect(Path.cwd() / "plantrack.db")
    [(rev, _at, old, new)] = revisions.slips(conn, "ms-a1")
    assert (rev, old, new) == (2, "2025-06-30", "2025-12-31")


def test_an_invalid_plan_is_never_applied(small, plan_file: Path) -> None:
    plan_file.write_text(SMALL_PLAN.replace("target = 20", "target = 0"), encoding="utf-8")
    r = small("plan", "apply", plan_file)
    assert r.exit_code == 2
    assert "target equals baseline" in r.stderr
    conn = sqlite3.connect(Path.cwd() / "plantrack.db")
    assert conn.execute("SELECT count(*) FROM plan_revision").fetchone()[0] == 1


def test_another_plan_is_refused_for_the_same_database(small, plan_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(SMALL_PLAN.replace('id = "test-plan"', 'id = "other-plan"'), encoding="utf-8")
    r = small("plan", "apply", other)
    assert r.exit_code == 2
    assert "holds plan 'test-plan'" in r.stderr


def test_status_warns_when_the_plan_file_has_unapplied_changes(small, plan_file: Path) -> None:
    plan_file.write_text(SMALL_PLAN.replace("Objective A", "Objective A (renamed)"), encoding="utf-8")
    r = small("status")
    assert r.exit_code == 0
    assert "plan apply" in r.stderr


def test_first_use_applies_the_embedded_hetao_plan(cli) -> None:
    r = cli("status", "--json")
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["plan"]["id"] == "hetao-shenzhen-park"
    assert len(data["objectives"]) >= 10
    assert "created" in r.stderr


def test_local_objectives_toml_is_the_default_plan(cli, tmp_path: Path) -> None:
    (tmp_path / "objectives.toml").write_text(SMALL_PLAN, encoding="utf-8")
    r = cli("status", "--json")
    assert r.exit_code == 0
    assert r.json()["plan"]["id"] == "test-plan"
    assert json.loads(cli("evidence", "--json").stdout) == []
