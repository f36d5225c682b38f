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


def _wait_for_write_phase(db: Path, proc: subprocess.Popen[str], timeout: float = 60) -> bool:
    """True once the process has started writing (the WAL grows), False if it finished first."""
    wal = Path(f"{db}-wal")
    start = time.time()
    base = wal.stat().st_size if wal.exists() else 0
    while time.time() - start < timeout:
        if proc.poll() is not None:
            return False
        if wal.exists() and wal.stat().st_size > base + 4 * 1024 * 1024:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("moment", ["validating", "writing"])
def test_killing_a_csv_import_leaves_all_or_nothing(tmp_path: Path, plan_file: Path, moment: str) -> None:
    db = tmp_path / "k.db"
    env = _env(db, plan_file)
    assert _plantrack("init", env=env).returncode == 0
    assert _plantrack("log", "obj-a", "committed before", env=env).returncode == 0
    rows = 150_000
    csv_path = tmp_path / "notes.csv"
    with csv_path.open("w", encoding="utf-8") as f:
        f.write("id,text,on\n")
        for n in range(rows):
            f.write(f"obj-{'ab'[n % 2]},bulk note {n} 通關 samples,2026-0{1 + n % 9}-15\n")
    proc = subprocess.Popen([sys.executable, "-m", "plantrack", "log", "--csv", str(csv_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    if moment == "validating":
        time.sleep(0.4)
        killed = proc.poll() is None
    else:
        killed = _wait_for_write_phase(db, proc)
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    conn = sqlite3.connect(db)
    n = conn.execute("SELECT count(*) FROM entry").fetchone()[0]
    conn.close()
    assert n in (1, 1 + rows), n
    if killed:
        assert n == 1  # the load had not committed: none of it is there
    doctor = _plantrack("db", "doctor", env=env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    again = _plantrack("log", "--csv", str(csv_path), env=env)
    assert again.returncode == 0, again.stderr


def test_killing_plan_apply_leaves_all_or_nothing(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    import synth  # type: ignore[import-not-found]

    plan = tmp_path / "big.toml"
    synth.plan(plan, 1500)
    db = tmp_path / "p.db"
    env = _env(db, plan)
    proc = subprocess.Popen([sys.executable, "-m", "plantrack", "plan", "apply", str(plan)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(1.2)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    conn = sqlite3.connect(db)
    revisions = conn.execute("SELECT count(*) FROM plan_revision").fetchone()[0]
    objects = conn.execute("SELECT count(*) FROM plan_object").fetchone()[0]
    conn.close()
    assert (revisions, objects) in ((0, 0), (1, objects)) and (revisions == 0) == (objects == 0)
    assert _plantrack("db", "doctor", env=env).returncode == 0
    status = _plantrack("status", "--json", env=env)
    assert status.returncode == 0 and status.stdout.count('"id": "o') >= 1500
    assert SMALL_PLAN
