"""A full disk: every write says so in its own words, exit 2, and leaves no partial file behind.

The tests mount a small tmpfs, which needs root and a kernel that allows it; elsewhere they are
skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "small-disk"
    where.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root and mount(8)")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Fill the file system to the last block."""
    filler = folder / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".") or "incoming" in p.name)


@pytest.fixture
def loaded(small, tmp_path: Path):  # type: ignore[no-untyped-def]
    big = tmp_path / "scan.pdf"
    big.write_bytes(os.urandom(2 * 2**20))
    assert small("log", "obj-a", "a scan", "--attach", big).exit_code == 0
    return small


def test_backup_export_report_onto_a_full_disk_say_so_and_leave_nothing(loaded, small_disk: Path) -> None:
    _fill(small_disk)
    for args in (
        ("db", "backup", small_disk / "b.db"),
        ("export", "--out", small_disk / "b.zip"),
        ("report", "--period", "2026-Q3", "--out", small_disk / "r.md"),
        ("calendar", "--out", small_disk / "c.ics"),
    ):
        r = loaded(*args)
        assert r.exit_code == 2, (args, r.stdout, r.stderr)
        assert "internal error" not in r.stderr
        assert "space" in r.stderr.lower() or "full" in r.stderr.lower(), (args, r.stderr)
        assert _leftovers(small_disk) == [], (args, _leftovers(small_disk))
        assert not (small_disk / "b.db").exists() and not (small_disk / "b.zip").exists()


def test_a_write_into_a_database_on_a_full_disk_is_refused_and_loses_nothing(cli, plan_file: Path, small_disk: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    db = small_disk / "p.db"
    assert cli("--db", db, "log", "obj-a", "before the disk filled").exit_code == 0
    filler = _fill(small_disk)
    for i in range(3):
        r = cli("--db", db, "log", "obj-a", f"note {i} " + "x" * 200_000)
        assert r.exit_code == 2, r.stderr
        assert "full" in r.stderr and "internal error" not in r.stderr
    filler.unlink()
    assert cli("--db", db, "db", "doctor").exit_code == 0
    assert [e["text"] for e in cli("--db", db, "evidence", "--json").json()] == ["before the disk filled"]


def test_a_database_on_a_read_only_file_system_says_so(cli, plan_file: Path, small_disk: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    db = small_disk / "p.db"
    assert cli("--db", db, "log", "obj-a", "written before").exit_code == 0
    r = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot remount read-only here")
    r = cli("--db", db, "log", "obj-a", "written after")
    assert r.exit_code == 2 and "internal error" not in r.stderr
    assert "read-only" in r.stderr or "cannot be written" in r.stderr or "cannot open" in r.stderr, r.stderr
    assert "not a plantrack database" not in r.stderr


def test_an_import_onto_a_full_disk_says_so_and_leaves_no_incoming_files(cli, plan_file: Path, small_disk: Path,
                                                                         tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from .conftest import trust_each_other

    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    sz, hk = tmp_path / "sz.db", small_disk / "hk.db"
    assert cli("--db", hk, "init").exit_code == 0
    trust_each_other(cli, sz, hk)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(os.urandom(2 * 2**20))
    assert cli("--db", sz, "log", "obj-a", "a scan", "--attach", scan).exit_code == 0
    assert cli("--db", sz, "export", "--out", tmp_path / "sz.zip").exit_code == 0
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - 512 * 1024))  # room for the database, not for the scan
    r = cli("--db", hk, "import", tmp_path / "sz.zip")
    assert r.exit_code == 2 and "internal error" not in r.stderr, r.stderr
    assert "space" in r.stderr or "full" in r.stderr, r.stderr
    assert _leftovers(small_disk) == []
    filler.unlink()
    assert cli("--db", hk, "import", tmp_path / "sz.zip").exit_code == 0
    assert cli("--db", hk, "db", "doctor").exit_code == 0
