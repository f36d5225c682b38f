"""Small things users hit: spans typed without quotes, attachments copied to a folder, a --db in a
missing folder, entries that need --force, messages that name the right id, milestone actions
that say what to do, the plan file that follows the user, the pager and shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from plantrack.cli.options import join_date_phrases
from plantrack.core import dates
from plantrack.models import Draft, Kind
from plantrack.render import terminal
from plantrack.store import db, ledger

from .conftest import NOW, SMALL_PLAN

# --- dates and spans typed without quotes ----------------------------------------------------


def test_upcoming_takes_a_span_typed_without_quotes(small) -> None:
    r = small("upcoming", "--within", "6", "months", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["until"] == "2027-05-24"


def test_on_takes_a_relative_date_typed_without_quotes_after_or_before_the_arguments(small) -> None:
    r = small("log", "obj-a", "Lab opened", "--on", "3", "days", "ago", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["on"] == "2026-11-21" and r.json()["text"] == "Lab opened"
    r = small("measure", "--on", "2", "weeks", "ago", "ind-a", "5", "--json")
    assert r.exit_code == 0, r.stderr
    assert (r.json()["on"], r.json()["value"]) == ("2026-11-10", 5)
    r = small("milestone", "start", "ms-a2", "--on", "last", "friday", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["on"] == "2026-11-20"


def test_an_argument_after_a_one_word_date_stays_an_argument(small) -> None:
    r = small("measure", "ind-a", "--on", "2025", "7", "--json")
    assert r.exit_code == 0, r.stderr
    assert (r.json()["on"], r.json()["value"]) == ("2025-12-31", 7)


def test_an_extra_argument_error_says_how_to_quote(small) -> None:
    r = small("log", "obj-a", "Lab", "opened")
    assert r.exit_code == 2
    assert 'Quote a value that has spaces: "two words", --on "3 days ago"' in r.stderr


def test_only_closed_date_phrases_are_joined() -> None:
    assert join_date_phrases(["--within", "6", "months"]) == ["--within", "6 months"]
    assert join_date_phrases(["--on=3", "days", "ago", "x"]) == ["--on=3 days ago", "x"]
    assert join_date_phrases(["--as-of", "Q3", "2026"]) == ["--as-of", "Q3 2026"]
    assert join_date_phrases(["--on", "30", "Sep", "2026", "5"]) == ["--on", "30 Sep 2026", "5"]
    assert join_date_phrases(["--on", "2026-01-05", "7"]) == ["--on", "2026-01-05", "7"]
    assert join_date_phrases(["--on", "today", "days"]) == ["--on", "today", "days"]
    assert join_date_phrases(["--note", "3", "days", "ago"]) == ["--note", "3", "days", "ago"]
    assert join_date_phrases(["--", "--on", "3", "days", "ago"]) == ["--", "--on", "3", "days", "ago"]
    assert dates.phrase_length(["in", "2", "weeks", "x"]) == 3


# --- attachment --out ------------------------------------------------------------------------


@pytest.fixture
def attached(small, tmp_path: Path) -> str:
    evidence = tmp_path / "agreement.pdf"
    evidence.write_bytes(b"%PDF signed")
    r = small("log", "obj-a", "Agreement signed", "--attach", evidence, "--json")
    assert r.exit_code == 0, r.stderr
    return str(r.json()["id"])


def test_attachment_out_to_a_folder_path_creates_it_and_keeps_the_stored_name(
    small, attached, tmp_path
) -> None:
    r = small("attachment", attached, "--out", "copies/")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "copies").is_dir()
    assert (tmp_path / "copies" / "agreement.pdf").read_bytes() == b"%PDF signed"


def test_attachment_out_to_an_existing_folder_puts_the_file_inside(small, attached, tmp_path) -> None:
    (tmp_path / "inbox").mkdir()
    r = small("attachment", attached, "--out", "inbox")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "inbox" / "agreement.pdf").read_bytes() == b"%PDF signed"


def test_attachment_out_to_a_file_written_as_a_folder_is_refused(small, attached, tmp_path) -> None:
    (tmp_path / "notes").write_text("mine")
    r = small("attachment", attached, "--out", "notes/")
    assert r.exit_code == 2
    assert "is a file, not a folder" in r.stderr
    assert (tmp_path / "notes").read_text() == "mine"


# --- --db in a folder that does not exist ----------------------------------------------------


def test_db_in_a_missing_folder_is_an_error_not_a_new_database(cli, tmp_path: Path) -> None:
    r = cli("--db", tmp_path / "typo" / "plan.db", "status")
    assert r.exit_code == 2
    assert len(r.stderr.splitlines()) == 1
    assert "does not exist" in r.stderr and "create it, or choose another --db" in r.stderr
    assert not (tmp_path / "typo").exists()


def test_plantrack_db_in_a_missing_folder_is_an_error_too(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PLANTRACK_DB", str(tmp_path / "typo" / "plan.db"))
    r = cli("status")
    assert r.exit_code == 2
    assert "PLANTRACK_DB" in r.stderr and not (tmp_path / "typo").exists()


def test_the_default_database_is_created_with_its_folder(cli, tmp_path: Path, monkeypatch, plan_file) -> None:
    monkeypatch.delenv("PLANTRACK_DB")
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    r = cli("status", "--json")
    assert r.exit_code == 0, r.stderr
    assert db.default_path().is_file() and tmp_path in db.default_path().parents


# --- entries that need --force ---------------------------------------------------------------


def test_a_measurement_dated_after_today_needs_force(small) -> None:
    r = small("measure", "ind-a", "5", "--on", "2026-12-01")
    assert r.exit_code == 2
    assert "2026-12-01 is after today (2026-11-24)" in r.stderr and "--force" in r.stderr
    assert small("evidence", "--json").json() == []
    r = small("measure", "ind-a", "5", "--on", "2026-12-01", "--force", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["on"] == "2026-12-01"


def test_a_measurement_before_its_baseline_date_needs_force(small) -> None:
    r = small("measure", "ind-b", "90", "--on", "2024-03-31")
    assert r.exit_code == 2
    assert "before the indicator's baseline date (2024-06-30)" in r.stderr and "--force" in r.stderr
    assert small("measure", "ind-b", "90", "--on", "2024-03-31", "--force").exit_code == 0


def test_notes_and_milestone_changes_dated_after_today_need_force(small) -> None:
    r = small("log", "obj-a", "Opening planned", "--on", "in", "2", "weeks")
    assert r.exit_code == 2 and "after today" in r.stderr
    r = small("milestone", "start", "ms-a1", "--on", "2027-01-01")
    assert r.exit_code == 2 and "after today" in r.stderr
    assert small("evidence", "--json").json() == []
    assert small("milestone", "start", "ms-a1", "--on", "2027-01-01", "--force").exit_code == 0


def test_recording_the_exact_same_entry_twice_needs_force(small) -> None:
    first = small("measure", "ind-a", "5", "--on", "2026-01-01", "--note", "count", "--json").json()
    again = small("measure", "ind-a", "5", "--on", "2026-01-01", "--note", "count")
    assert again.exit_code == 2
    assert (
        f"entry {first['id']} already records the same measurement of 'ind-a' on 2026-01-01" in again.stderr
    )
    assert small("measure", "ind-a", "6", "--on", "2026-01-01", "--note", "count").exit_code == 0
    assert small("measure", "ind-a", "5", "--on", "2026-01-01", "--note", "count", "--force").exit_code == 0
    assert small("log", "obj-a", "Visit", "--on", "2026-02-01").exit_code == 0
    assert small("log", "obj-a", "Visit", "--on", "2026-02-01").exit_code == 2


def test_a_retracted_entry_may_be_recorded_again_without_force(small) -> None:
    first = small("measure", "ind-a", "5", "--on", "2026-01-01", "--json").json()
    assert small("retract", str(first["id"]), "--reason", "wrong source").exit_code == 0
    assert small("measure", "ind-a", "5", "--on", "2026-01-01").exit_code == 0


def test_the_library_asks_for_force_not_only_the_command_line(small, tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "plantrack.db")
    now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
    with pytest.raises(ledger.NeedsForce, match="after today"):
        ledger.record(conn, Draft(Kind.MEASUREMENT, "ind-a", date(2027, 1, 1), value=1), "t", now)
    e = ledger.record(conn, Draft(Kind.MEASUREMENT, "ind-a", date(2027, 1, 1), value=1), "t", now, force=True)
    assert e.on == date(2027, 1, 1)
    conn.close()


def _csv(path: Path, *rows: str) -> Path:
    path.write_text("id,value,on\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_csv_load_refuses_rows_that_need_force_naming_them(small, tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "m.csv",
        "ind-a,3,2026-01-31",
        "ind-a,4,2026-12-31",
        "ind-b,90,2024-01-31",
        "ind-a,3,2026-01-31",
    )
    r = small("measure", "--csv", f)
    assert r.exit_code == 2
    assert "row 3, column 'on': 2026-12-31 is after today (2026-11-24)" in r.stdout + r.stderr
    assert "row 4, column 'on': 2024-01-31 is before the indicator's baseline date" in r.stdout + r.stderr
    assert "row 5: the same as row 2" in r.stdout + r.stderr
    assert small("evidence", "--json").json() == []
    r = small("measure", "--csv", f, "--force", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["rows"] == 4


def test_loading_the_same_csv_twice_is_refused_the_second_time(small, tmp_path: Path) -> None:
    f = _csv(tmp_path / "m.csv", "ind-a,3,2026-01-31", "ind-a,4,2026-02-28")
    assert small("measure", "--csv", f).exit_code == 0
    r = small("measure", "--csv", f)
    assert r.exit_code == 2
    assert "row 2: the same as entry 1" in r.stdout + r.stderr
    assert len(small("evidence", "--json").json()) == 2


# --- messages that name the right id ---------------------------------------------------------


def test_an_id_in_the_wrong_case_is_suggested_as_it_is_spelled(small) -> None:
    r = small("measure", "IND-A", "5")
    assert r.exit_code == 2
    assert "unknown indicator 'IND-A'" in r.stderr and "did you mean 'ind-a'?" in r.stderr
    assert ledger.closest("ls-joint-LABS", ["ls-joint-lab", "ls-joint-labs"]) == "ls-joint-labs"
    assert ledger.closest("Obj-B", ["obj-a", "obj-b"]) == "obj-b"
    assert ledger.closest("zzz", ["obj-a"]) is None


def test_messages_use_an_before_a_vowel(small, tmp_path: Path) -> None:
    r = small("assess", "ms-a1", "green", "--note", "fine")
    assert r.exit_code == 2 and "'ms-a1' is a milestone, not an objective" in r.stderr
    r = small("measure", "--csv", _csv(tmp_path / "m.csv", "obj-a,3,2026-01-31"))
    assert r.exit_code == 2
    assert "'obj-a' is not an indicator of the plan" in r.stdout + r.stderr


# --- milestone actions -----------------------------------------------------------------------


def test_starting_a_done_milestone_says_to_reopen_it(small) -> None:
    assert small("milestone", "done", "ms-a1", "--on", "2025-06-01").exit_code == 0
    r = small("milestone", "start", "ms-a1")
    assert r.exit_code == 2
    assert "plantrack milestone reopen ms-a1" in r.stderr
    assert small("milestone", "reopen", "ms-a1").exit_code == 0


def test_cancelling_a_milestone_needs_a_reason(small, tmp_path: Path) -> None:
    r = small("milestone", "cancel", "ms-a1")
    assert r.exit_code == 2 and "needs a reason" in r.stderr and "--reason" in r.stderr
    r = small("milestone", "cancel", "ms-a1", "--reason", "merged into ms-a2", "--json")
    assert r.exit_code == 0, r.stderr
    assert (r.json()["state"], r.json()["text"]) == ("cancelled", "merged into ms-a2")
    f = tmp_path / "ms.csv"
    f.write_text("id,state,on,note\nms-a2,cancelled,2026-01-01,\n", encoding="utf-8")
    r = small("milestone", "--csv", f)
    assert r.exit_code == 2 and "a cancelled milestone needs the reason here" in r.stdout + r.stderr


# --- the plan file follows the user ----------------------------------------------------------


def _applied_elsewhere(cli, tmp_path: Path) -> Path:
    """objectives.toml here, applied as revision 1; a newer plan from another folder as revision 2."""
    (tmp_path / "objectives.toml").write_text(SMALL_PLAN, encoding="utf-8")
    assert cli("init").exit_code == 0
    newer = tmp_path / "office" / "objectives.toml"
    newer.parent.mkdir()
    newer.write_text(SMALL_PLAN.replace('title = "First lab"', 'title = "First joint lab"'), encoding="utf-8")
    r = cli("plan", "apply", newer)
    assert r.exit_code == 0 and r.stdout.strip() == "2", r.stderr
    return newer


def test_an_older_plan_file_here_is_not_offered_over_a_newer_revision(cli, tmp_path: Path) -> None:
    newer = _applied_elsewhere(cli, tmp_path)
    r = cli("status")
    assert r.exit_code == 0, r.stderr
    assert "objectives.toml (modified " in r.stderr
    assert f"is the plan of revision 1, older than revision 2 applied from {newer}" in r.stderr
    assert "plantrack plan apply" not in r.stderr


def test_a_plan_file_modified_before_the_revision_is_called_older(cli, tmp_path: Path) -> None:
    _applied_elsewhere(cli, tmp_path)
    here = tmp_path / "objectives.toml"
    here.write_text(SMALL_PLAN.replace('title = "Objective B"', 'title = "Old B"'), encoding="utf-8")
    os.utime(here, (datetime(2026, 1, 1, tzinfo=UTC).timestamp(),) * 2)
    r = cli("status")
    assert "objectives.toml (modified 2026-01-01 08:00) is older than revision 2" in r.stderr
    assert "plantrack plan apply" not in r.stderr


def test_a_plan_file_edited_after_the_revision_says_what_applying_it_would_change(
    cli, tmp_path: Path
) -> None:
    _applied_elsewhere(cli, tmp_path)
    here = tmp_path / "objectives.toml"
    here.write_text(
        SMALL_PLAN.replace('title = "Objective B"', 'title = "Objective B, renamed"'), encoding="utf-8"
    )
    os.utime(here, (datetime(2026, 11, 24, 5, tzinfo=UTC).timestamp(),) * 2)  # after the revision (NOW)
    r = cli("status")
    assert "differs from revision 2 applied from" in r.stderr
    assert "it would change 2" in r.stderr  # obj-b's title, and ms-a1's title back again
    assert "'plantrack plan diff' shows how" in r.stderr


def test_a_milestone_due_after_its_objective_is_a_warning_and_the_plan_loads(cli, tmp_path: Path) -> None:
    slipped = tmp_path / "slipped.toml"
    slipped.write_text(SMALL_PLAN.replace("due = 2027-06-30", "due = 2029-06-30"), encoding="utf-8")
    r = cli("plan", "check", slipped)
    assert r.exit_code == 0, r.stdout + r.stderr
    shown = " ".join(r.stdout.split())  # as wrapped to the width of the terminal
    assert "warning: milestone 'ms-a3': due 2029-06-30 is after its objective's due date 2028-12-31" in shown
    assert "1 warning" in r.stderr
    r = cli("plan", "apply", slipped)
    assert r.exit_code == 0 and "warning:" in r.stderr


# --- the pager -------------------------------------------------------------------------------


def test_the_pager_is_chosen_as_git_chooses_it() -> None:
    assert terminal.pager_command({}, terminal=True) == "less -FRX"
    assert terminal.pager_command({"PAGER": "most"}, terminal=True) == "most"
    assert terminal.pager_command({"PAGER": "most", "PLANTRACK_PAGER": "less -R"}, terminal=True) == "less -R"
    assert terminal.pager_command({"PAGER": "cat"}, terminal=True) is None
    assert terminal.pager_command({"PLANTRACK_PAGER": ""}, terminal=True) is None
    assert terminal.pager_command({}, terminal=False) is None
    assert terminal.pager_command({}, terminal=True, wanted=False) is None


def test_output_that_is_not_a_terminal_is_never_paged(small, monkeypatch) -> None:
    monkeypatch.setenv("PLANTRACK_PAGER", "false")  # a pager that would swallow everything
    assert small("log", "obj-a", "Visit", "--on", "2026-02-01").exit_code == 0
    r = small("evidence")
    assert r.exit_code == 0 and "Visit" in r.stdout


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run plantrack with stdout on a pseudo-terminal; what the terminal shows."""
    import pty

    main, sub = pty.openpty()
    p = subprocess.Popen(
        [sys.executable, "-m", "plantrack", *args], stdout=sub, stderr=subprocess.DEVNULL, env=env
    )
    os.close(sub)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=120)
    os.close(main)
    return out.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_long_lists_go_through_the_pager_on_a_terminal(small) -> None:
    assert small("log", "obj-a", "Visit", "--on", "2026-02-01").exit_code == 0
    env = dict(os.environ, PLANTRACK_PAGER="sed 's/^/paged: /'")
    shown = _on_a_terminal(["evidence"], env)
    assert "paged: " in shown and "Visit" in shown
    assert "paged: " not in _on_a_terminal(["evidence", "--no-pager"], env)
    assert "paged: " not in _on_a_terminal(["evidence", "--json"], env)


# --- shell completion ------------------------------------------------------------------------


def _complete(line: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    words = line.split(" ")
    env = dict(os.environ if env is None else env, _PLANTRACK_COMPLETE="complete_bash",
               COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "plantrack"], env=env, capture_output=True, text=True, timeout=60
    )


def test_ids_complete_from_the_plan(small) -> None:
    r = _complete("plantrack milestone start ms-a")
    assert r.returncode == 0 and r.stdout.split() == ["ms-a1", "ms-a2", "ms-a3"]
    assert _complete("plantrack measure ind").stdout.split() == ["ind-a", "ind-b"]
    assert _complete("plantrack assess obj").stdout.split() == ["obj-a", "obj-b"]
    assert _complete("plantrack show ").stdout.split()[:2] == ["obj-a", "ms-a1"]
    assert _complete("plantrack log test").stdout.split() == ["test-plan"]


def test_completion_reads_the_plan_file_when_there_is_no_database(plan_file: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PLANTRACK_PLAN=str(plan_file), PLANTRACK_DB=str(tmp_path / "none.db"))
    assert _complete("plantrack measure ind", env).stdout.split() == ["ind-a", "ind-b"]
    assert not (tmp_path / "none.db").exists()


def test_completion_never_prints_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[plan\nid = ", encoding="utf-8")
    env = dict(os.environ, PLANTRACK_PLAN=str(broken), PLANTRACK_DB=str(tmp_path / "none.db"))
    r = _complete("plantrack show x", env)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, "", "")
