"""Ctrl-C, a closed pipe and a busy database: one line (or silence for the pipe) and a known exit code.

Each test waits for the command to reach a named point (a line in a marks file), then acts:
no test guesses how long anything takes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import reached, wait_for

DEADLINE = 300  # seconds: only a hung command gets anywhere near this


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PLANTRACK_DB=str(tmp_path / "p.db"), NO_COLOR="1")
    env.pop("PLANTRACK_TEST_HOLD", None)
    return env | extra


def _plantrack(*args: str) -> list[str]:
    return [sys.executable, "-m", "plantrack", *args]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    r = subprocess.run(_plantrack("init"), env=_env(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return tmp_path / "p.db"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_status_says_interrupted_and_exits_130(tmp_path: Path, database: Path) -> None:
    marks = tmp_path / "marks"
    env = _env(tmp_path, PLANTRACK_TEST_HOLD="status-computed", PLANTRACK_TEST_MARKS=str(marks))
    proc = subprocess.Popen(
        _plantrack("status"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_for("status reaching its figures", reached(marks, "status-computed"), [proc])
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 130
    assert err.splitlines() == ["plantrack: error: interrupted; nothing partial was written"]
    assert out == ""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_a_reader_that_closes_the_pipe_ends_status_quietly(tmp_path: Path, database: Path) -> None:
    marks, release = tmp_path / "marks", tmp_path / "release"
    env = _env(tmp_path, PLANTRACK_TEST_HOLD="status-computed", PLANTRACK_TEST_MARKS=str(marks),
               PLANTRACK_TEST_RELEASE=str(release), COLUMNS="120")  # fmt: skip
    proc = subprocess.Popen(_plantrack("status", "--all"), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    wait_for("status reaching its figures", reached(marks, "status-computed"), [proc])
    assert proc.stdout is not None
    proc.stdout.close()  # like `| head -1` exiting before the dashboard is written
    release.touch()
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait(timeout=DEADLINE)
    assert proc.returncode == 0
    assert err == ""


def test_a_writer_facing_a_held_lock_gives_one_line_and_exit_2(tmp_path: Path, database: Path) -> None:
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock throughout
    try:
        env = _env(tmp_path, PLANTRACK_BUSY_TIMEOUT="0.2")
        r = subprocess.run(
            _plantrack("log", "world-class-research-hub-2035", "written while locked"),
            env=env,
            capture_output=True,
            text=True,
        )
        reader = subprocess.run(_plantrack("status", "--json"), env=env, capture_output=True, text=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "plantrack: error: the database stayed busy for 0.2 s; another plantrack is writing; try again"
    ]
    # Readers never wait for a writer (WAL): the dashboard still answers.
    assert reader.returncode == 0, reader.stderr
    count = sqlite3.connect(database).execute("SELECT count(*) FROM entry").fetchone()[0]
    assert count == 0
