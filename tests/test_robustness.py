"""Concurrency and crash safety: writers wait for each other; a killed command loses nothing
that was committed and leaves all or none of its own writes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import SMALL_PLAN

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _env(db: Path, plan: Path) -> dict[str, str]:
    env = dict(os.environ, PLANTRACK_DB=str(db), PLANTRACK_PLAN=str(plan), NO_COLOR="1")
    env.pop("PLANTRACK_NOW", None)
    return env


def _plantrack(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plantrack", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_six_writers_and_a_reader_lose_nothing_and_double_nothing(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "c.db"
    env = _env(db, plan_file)
    assert _plantrack("init", env=env).returncode == 0
    writer = (
        "import subprocess, sys\n"
        "w = sys.argv[1]\n"
        "for i in range(8):\n"
        "    r = subprocess.run([sys.executable, '-m', 'plantrack', '--user', f'w{w}', 'log', 'obj-a', f'writer {w} note {i}'],"
        " capture_output=True, text=True)\n"
        "    if r.returncode != 0:\n"
        "        print(r.stderr, file=sys.stderr); sys.exit(1)\n"
    )
    reader = (
        "import subprocess, sys, time\n"
        "end = time.time() + 60\n"
        "n = 0\n"
        "while time.time() < end:\n"
        "    r = subprocess.run([sys.executable, '-m', 'plantrack', 'status', '--json'], capture_output=True, text=True)\n"
        "    if r.returncode != 0:\n"
        "        print(r.stderr, file=sys.stderr); sys.exit(1)\n"
        "    n += 1\n"
        "    if open(sys.argv[1]).read() == 'stop': break\n"
        "print(n)\n"
    )
    stop = tmp_path / "stop"
    stop.write_text("")
    r_proc = subprocess.Popen(
        [sys.executable, "-c", reader, str(stop)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", writer, str(w)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(6)
    ]
    results = [w.communicate(timeout=300) + (w.returncode,) for w in writers]
    stop.write_text("stop")
    out, err = r_proc.communicate(timeout=120)
    assert all(code == 0 for _o, _e, code in results), [e for _o, e, _c in results]
    assert r_proc.returncode == 0, err
    assert int(out.strip()) >= 1
    conn = sqlite3.connect(db)
    texts = [r[0] for r in conn.execute("SELECT text FROM entry")]
    assert sorted(texts) == sorted(f"writer {w} note {i}" for w in range(6) for i in range(8))
    assert _plantrack("db", "doctor", env=env).returncode == 0


def _kill_at(point: str, args: list[str], env: dict[str, str], marks: Path) -> None:
    """Run plantrack until it reaches the named checkpoint, then SIGKILL it there.

    The command announces the point in ``marks`` and waits there, so the kill lands at that
    point however fast or slow the machine is; a command that exits first fails the test.
    """
    held = dict(env, PLANTRACK_TEST_HOLD=point, PLANTRACK_TEST_MARKS=str(marks))
    proc = subprocess.Popen([sys.executable, "-m", "plantrack", *args], env=held,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 600  # a bound for a hung machine, not a guess at speed
    while not (marks.exists() and point in marks.read_text(encoding="utf-8").split()):
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"plantrack {' '.join(args)} ended (exit {proc.returncode}) before {point!r}: {err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"plantrack {' '.join(args)} did not reach {point!r}")
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL


def _count(db: Path, sql: str) -> int:
    """Read a count without ever creating the file (read-only URI)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("point", ["bulk-validating", "bulk-writing"])
def test_killing_a_csv_import_leaves_all_or_nothing(tmp_path: Path, plan_file: Path, point: str) -> None:
    db = tmp_path / "k.db"
    env = _env(db, plan_file)
    assert _plantrack("init", env=env).returncode == 0
    assert _plantrack("log", "obj-a", "committed before", env=env).returncode == 0
    rows = 120_000
    csv_path = tmp_path / "notes.csv"
    with csv_path.open("w", encoding="utf-8") as f:
        f.write("id,text,on\n")
        for n in range(rows):
            f.write(f"obj-{'ab'[n % 2]},bulk note {n} 通關 samples,2026-0{1 + n % 9}-15\n")
    _kill_at(point, ["log", "--csv", str(csv_path)], env, tmp_path / "marks")
    # Killed with 1,000 rows checked, or with 50,000 rows written in the open transaction:
    # nothing of the load is there, and what was committed before is.
    assert _count(db, "SELECT count(*) FROM entry") == 1
    assert _count(db, "SELECT count(*) FROM entry WHERE text = 'committed before'") == 1
    doctor = _plantrack("db", "doctor", env=env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    again = _plantrack("log", "--csv", str(csv_path), env=env)
    assert again.returncode == 0, again.stderr
    assert _count(db, "SELECT count(*) FROM entry") == 1 + rows  # the same load, not killed: all of it
    assert _plantrack("db", "doctor", env=env).returncode == 0


def test_killing_plan_apply_leaves_all_or_nothing(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    import synth  # type: ignore[import-not-found]

    plan = tmp_path / "big.toml"
    synth.plan(plan, 1500)
    db = tmp_path / "p.db"
    env = _env(db, plan)
    # Killed with every object of the plan written but not committed: none of it is there.
    _kill_at("plan-apply", ["plan", "apply", str(plan)], env, tmp_path / "marks")
    assert db.exists()  # the database was made (its own transaction) before the plan's
    assert _count(db, "SELECT count(*) FROM plan_revision") == 0
    assert _count(db, "SELECT count(*) FROM plan_object") == 0
    assert _plantrack("db", "doctor", env=env).returncode == 0
    # Not killed, the same apply keeps all of it.
    applied = _plantrack("plan", "apply", str(plan), env=env)
    assert applied.returncode == 0, applied.stderr
    assert _count(db, "SELECT count(*) FROM plan_revision") == 1
    assert _count(db, "SELECT count(*) FROM plan_object WHERE kind = 'objective'") == 1500
    status = _plantrack("status", "--json", env=env)
    assert status.returncode == 0 and status.stdout.count('"id": "o') >= 1500
    assert SMALL_PLAN
