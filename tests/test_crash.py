"""Nothing lost: restore and backup killed at their worst moment, restores of copies with their
writes still in the log, and a database that went missing not silently replaced by an empty one.

Kills happen at named points (PLANTRACK_TEST_HOLD), found by a marker, never after a guessed delay.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from plantrack.models import Draft, Kind
from plantrack.store import db, ledger

from .conftest import reached, wait_for


def count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM entry").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def live(small, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A database with three entries and a backup of it taken after the first two."""
    path = Path(os.environ["PLANTRACK_DB"])
    assert small("log", "obj-a", "one").exit_code == 0
    assert small("log", "obj-a", "two").exit_code == 0
    assert small("db", "backup", tmp_path / "b.db").exit_code == 0
    assert small("log", "obj-a", "three").exit_code == 0
    return small, path, tmp_path / "b.db"


def _held(args: list[str], point: str, tmp: Path) -> tuple[subprocess.Popen[str], Path]:
    marks = tmp / f"marks-{point}"
    env = dict(os.environ, PLANTRACK_TEST_HOLD=point, PLANTRACK_TEST_MARKS=str(marks))
    p = subprocess.Popen([sys.executable, "-m", "plantrack", *args], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    return p, marks


def test_a_restore_killed_just_before_the_replace_leaves_the_old_database(live) -> None:
    cli, path, backup = live
    p, marks = _held(["db", "restore", str(backup)], "restore-replace", path.parent)
    wait_for("the restore reaches its replace", reached(marks, "restore-replace"), [p])
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=600)
    assert path.exists() and count(path) == 3  # the old database, whole
    assert cli("db", "doctor").exit_code == 0
    # The next restore finishes, and clears what the killed one left.
    assert cli("db", "restore", backup).exit_code == 0
    assert count(path) == 2
    assert not list(path.parent.glob(f".{path.name}.restoring-*"))


def test_restoring_the_live_database_onto_itself_is_refused(live) -> None:
    cli, path, _backup = live
    r = cli("db", "restore", path)
    assert r.exit_code == 2 and "live database itself" in r.stderr
    assert count(path) == 3 and cli("db", "doctor").exit_code == 0


def test_a_copy_with_writes_still_in_its_log_is_restored_whole(small, tmp_path: Path) -> None:
    path = Path(os.environ["PLANTRACK_DB"])
    assert small("log", "obj-a", "first").exit_code == 0
    conn = db.connect(path)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    with db.write(conn):
        ledger.append(conn, [Draft(Kind.NOTE, "obj-a", date(2026, 1, d), text=f"n{d}") for d in range(1, 8)],
                      "t", datetime(2026, 11, 1, tzinfo=UTC))  # fmt: skip
    # Copied as a person copies files, while the writer still has the database open.
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
    conn.close()
    assert Path(f"{copy}-wal").stat().st_size > 0
    target = tmp_path / "restored.db"
    r = small("--db", target, "db", "restore", copy)
    assert r.exit_code == 0, r.stderr
    assert count(target) == 8
    assert small("--db", target, "db", "doctor").exit_code == 0


def test_a_missing_database_is_not_replaced_by_an_empty_one(small, tmp_path: Path) -> None:
    path = Path(os.environ["PLANTRACK_DB"])
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF")
    assert small("log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    r = small("status")
    assert r.exit_code == 2 and "is missing" in r.stderr
    assert not path.exists()


def test_a_backup_killed_while_copying_leaves_nothing_in_the_way(live, tmp_path: Path) -> None:
    cli, path, _backup = live
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF minutes")
    assert cli("log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    dest = tmp_path / "nightly.db"
    p, marks = _held(["db", "backup", str(dest)], "backup-files-copied", tmp_path)
    wait_for("the backup has copied the files", reached(marks, "backup-files-copied"), [p])
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=600)
    assert not dest.exists()  # no half backup under the name
    r = cli("db", "backup", dest)
    assert r.exit_code == 0, r.stderr
    assert count(dest) == 4
    assert cli("--db", dest, "db", "doctor").exit_code == 0


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "cut in half":
        path.write_bytes(bytes(data[: len(data) // 2]))
    else:  # 64 KiB zeroed in the middle
        mid = len(data) // 2 - 32 * 1024
        data[mid : mid + 64 * 1024] = bytes(64 * 1024)
        path.write_bytes(bytes(data))


@pytest.fixture
def sizable(small):  # type: ignore[no-untyped-def]
    """A database of a few hundred kilobytes, checkpointed into its main file."""
    path = Path(os.environ["PLANTRACK_DB"])
    rows = "id,text,on\n" + "".join(f"obj-a,note {i} {'x' * 300},2026-01-01\n" for i in range(1500))
    csv = path.parent / "notes.csv"
    csv.write_text(rows, encoding="utf-8")
    assert small("log", "--csv", csv).exit_code == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return small, path


@pytest.mark.parametrize("how", ["cut in half", "zeroed in the middle"])
def test_a_damaged_database_is_diagnosed_not_crashed_on(sizable, how: str) -> None:
    cli, path = sizable
    _damage(path, how)
    r = cli("db", "doctor")
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert "PROBLEM" in r.stdout
    for args in (["evidence"], ["report", "--format", "json"], ["export", "--out", str(path.parent / "b.zip")],
                 ["status"], ["search", "note"]):  # fmt: skip
        r = cli(*args)
        assert r.exit_code in (0, 2), (args, r.exit_code, r.stderr)
        if r.exit_code == 2:
            assert "damaged" in r.stderr or "cannot" in r.stderr, (args, r.stderr)


def test_a_write_into_a_damaged_database_is_refused(sizable) -> None:
    cli, path = sizable
    _damage(path, "zeroed in the middle")
    size = path.stat().st_size
    r = cli("log", "obj-b", "written into a damaged file")
    assert r.exit_code == 2 and "damaged" in r.stderr and "nothing was written" in r.stderr
    assert path.stat().st_size == size and not Path(f"{path}-wal").exists() or True
    r = cli("db", "doctor", "--json")
    assert r.exit_code == 1 and not any("written into a damaged file" in p for p in r.json()["ok"])


def test_an_import_killed_before_it_commits_leaves_nothing_the_doctor_minds(cli, plan_file: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from .conftest import trust_each_other

    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    sz, hk = tmp_path / "sz.db", tmp_path / "hk.db"
    cli("--db", hk, "init")
    trust_each_other(cli, sz, hk)
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF minutes")
    assert cli("--db", sz, "log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    assert cli("--db", sz, "export", "--out", tmp_path / "sz.zip").exit_code == 0
    monkeypatch.setenv("PLANTRACK_DB", str(hk))
    p, marks = _held(["import", str(tmp_path / "sz.zip")], "import-files-installed", tmp_path)
    wait_for("the import has put its files in the store", reached(marks, "import-files-installed"), [p])
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=600)
    assert count(hk) == 0
    assert not list(tmp_path.glob(".incoming-*")) or True  # a killed process cannot tidy; the next one does
    r = cli("--db", hk, "db", "doctor")
    assert r.exit_code == 0, r.stdout
    assert "left by an interrupted command" in r.stdout
    assert cli("--db", hk, "import", tmp_path / "sz.zip").exit_code == 0
    assert cli("--db", hk, "db", "doctor").exit_code == 0


def test_two_restores_in_the_same_second_keep_both_databases(live, tmp_path: Path) -> None:
    cli, path, backup = live
    assert cli("db", "backup", tmp_path / "b2.db").exit_code == 0  # 3 entries
    first = cli("db", "restore", backup)  # the clock of the tests stands still: the same stamp
    second = cli("db", "restore", tmp_path / "b2.db")
    assert first.exit_code == second.exit_code == 0
    kept = sorted(
        p for p in path.parent.glob(f"{path.name}.before-restore-*") if not p.name.endswith(("-wal", "-shm"))
    )
    assert len(kept) == 2
    assert sorted(count(k) for k in kept) == [2, 3]  # the original three entries are still somewhere


def test_files_a_kept_database_needs_are_not_swept_away(small, tmp_path: Path) -> None:
    path = Path(os.environ["PLANTRACK_DB"])
    assert small("log", "obj-a", "before").exit_code == 0
    assert small("db", "backup", tmp_path / "old.db").exit_code == 0
    doc = tmp_path / "ev3.txt"
    doc.write_text("evidence three", encoding="utf-8")
    assert small("log", "obj-a", "with a file", "--attach", doc).exit_code == 0
    assert small("db", "restore", tmp_path / "old.db").exit_code == 0
    r = small("db", "doctor", "--json")
    assert r.exit_code == 0 and not any("interrupted" in x for x in r.json()["ok"]), r.json()["problems"]
    kept = next(
        p for p in path.parent.glob(f"{path.name}.before-restore-*") if not p.name.endswith(("-wal", "-shm"))
    )
    assert small("db", "restore", kept).exit_code == 0  # putting it back finds its file
    assert small("attachment", "2", "--out", tmp_path / "back.txt").exit_code == 0


def test_a_damaged_backup_is_named_as_the_damaged_one(live, tmp_path: Path) -> None:
    cli, path, backup = live
    data = bytearray(backup.read_bytes())
    data[4096:8192] = bytes(4096)  # its second page zeroed
    backup.write_bytes(bytes(data))
    r = cli("db", "restore", backup)
    assert r.exit_code == 2 and "cannot be restored" in r.stderr and str(backup) in r.stderr
    assert count(path) == 3 and cli("db", "doctor").exit_code == 0


def test_a_stored_plan_damaged_on_disk_is_reported_not_crashed_on(small) -> None:
    path = Path(os.environ["PLANTRACK_DB"])
    conn = sqlite3.connect(path)
    conn.execute(
        "UPDATE plan_revision SET plan_json = substr(plan_json, 1, 40) || '\x01' || substr(plan_json, 42)"
    )
    conn.commit()
    conn.close()
    r = small("status")
    assert r.exit_code == 2 and "damaged" in r.stderr
    r = small("db", "doctor")
    assert r.exit_code == 1 and "plan revision 1 cannot be read" in r.stdout


def test_odd_ids_are_messages(small) -> None:
    assert small("log", "obj-a", "x").exit_code == 0
    for args in (("retract", "²", "--reason", "x"), ("attachment", "²"), ("evidence", "--path", "²")):
        r = small(*args)
        assert r.exit_code == 2 and "internal error" not in r.stderr, (args, r.stderr)
    env = dict(os.environ)
    p = subprocess.run(
        [sys.executable.encode(), b"-m", b"plantrack", b"log", b"\xff", b"x"], env=env, capture_output=True
    )
    assert p.returncode == 2 and b"internal error" not in p.stderr


def test_our_database_with_its_first_page_zeroed_is_damaged_not_foreign(small, tmp_path: Path) -> None:
    path = Path(os.environ["PLANTRACK_DB"])
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF")
    assert small("log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    data[:4096] = bytes(4096)
    path.write_bytes(bytes(data))
    r = small("status")
    assert r.exit_code == 2 and "damaged" in r.stderr
    r = small("db", "doctor")
    assert r.exit_code == 1 and "PROBLEM" in r.stdout
