"""Concurrency and crash safety: writers wait for each other; a killed command loses nothing
that was committed and leaves all or none of its own writes.

Nothing here depends on how fast the machine is: every wait is for an event the test observes
(a file, a checkpoint the command announces, a command's exit), bounded only by a generous
deadline that fails with a message, never a fixed sleep followed by an assumption."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import reached, wait_for

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
DEADLINE = 600  # seconds: a bound for a hung command on a crawling machine, not a guess at speed

posix_signals = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def _env(db: Path, plan: Path) -> dict[str, str]:
    env = dict(os.environ, PLANTRACK_DB=str(db), PLANTRACK_PLAN=str(plan), NO_COLOR="1")
    env.pop("PLANTRACK_NOW", None)
    for name in ("PLANTRACK_TEST_HOLD", "PLANTRACK_TEST_MARKS"):
        env.pop(name, None)
    return env


def _plantrack(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plantrack", *args], env=env, capture_output=True, text=True, timeout=DEADLINE
    )


def _ok(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    r = _plantrack(*args, env=env)
    assert r.returncode == 0, f"plantrack {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return r


def _ro(db: Path) -> sqlite3.Connection:
    """A read-only connection: it never creates the file (a plain connect would make an empty one)."""
    assert db.exists(), f"{db} does not exist"
    return sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)


def _count(db: Path, sql: str, *params: object) -> int:
    conn = _ro(db)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


# --- Six writers and a reader ---------------------------------------------------------------

WRITES_PER_WRITER = 8  # a count, not a deadline: the assertions are exact for any machine
WRITERS = 6

WRITER = """\
import subprocess, sys
w, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    r = subprocess.run([sys.executable, '-m', 'plantrack', '--user', f'w{w}', 'log', 'obj-a', f'writer {w} note {i}'],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(r.stderr, file=sys.stderr)
        sys.exit(1)
"""

# Reads until the test says the writers are done, then once more; each read's count of obj-a's
# evidence is reported. A file says it has read once (before any writer starts).
READER = """\
import json, os, subprocess, sys
ready, stop = sys.argv[1], sys.argv[2]
counts = []
while True:
    last = os.path.exists(stop)  # looked at before the read, so the last read follows every write
    r = subprocess.run([sys.executable, '-m', 'plantrack', 'status', '--all', '--json'],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(r.stderr, file=sys.stderr)
        sys.exit(1)
    objective = next(o for o in json.loads(r.stdout)['objectives'] if o['id'] == 'obj-a')
    counts.append(objective['evidence']['count'])
    if len(counts) == 1:
        open(ready, 'w').close()
    if last:
        break
print(json.dumps(counts))
"""


def test_six_writers_and_a_reader_lose_nothing_and_double_nothing(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "c.db"
    env = _env(db, plan_file)
    _ok("init", env=env)
    ready, stop = tmp_path / "reader-ready", tmp_path / "writers-done"
    procs: list[subprocess.Popen[str]] = []

    def start(code: str, *args: str) -> subprocess.Popen[str]:
        p = subprocess.Popen([sys.executable, "-c", code, *args], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        procs.append(p)
        return p

    try:
        reader = start(READER, str(ready), str(stop))
        # The writers start once the reader has read the empty ledger, and the reader reads again
        # after the last writer is done: it reads before, (most likely) during and after the writes.
        wait_for("the reader's first read", ready.exists, [reader])
        writers = [start(WRITER, str(w), str(WRITES_PER_WRITER)) for w in range(WRITERS)]
        results = [w.communicate(timeout=DEADLINE) + (w.returncode,) for w in writers]
        stop.touch()
        out, err = reader.communicate(timeout=DEADLINE)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    assert all(code == 0 for _o, _e, code in results), [e for _o, e, _c in results]
    assert reader.returncode == 0, err
    counts = json.loads(out)
    total = WRITERS * WRITES_PER_WRITER
    # Whatever the interleaving: the first read saw nothing, the last saw every entry exactly
    # once, and no read in between saw entries disappear or more entries than were written.
    assert len(counts) >= 2 and counts[0] == 0 and counts[-1] == total, counts
    assert counts == sorted(counts) and all(0 <= c <= total for c in counts), counts
    conn = _ro(db)
    try:
        rows = conn.execute("SELECT user, text FROM entry ORDER BY id").fetchall()
        uids = conn.execute("SELECT count(DISTINCT uid) FROM entry").fetchone()[0]
    finally:
        conn.close()
    expected = [(f"w{w}", f"writer {w} note {i}") for w in range(WRITERS) for i in range(WRITES_PER_WRITER)]
    assert sorted(rows) == sorted(expected)  # nothing lost, nothing doubled, each under its writer
    assert uids == total
    # Each writer's own notes are in the order it wrote them.
    for w in range(WRITERS):
        mine = [t for u, t in rows if u == f"w{w}"]
        assert mine == [f"writer {w} note {i}" for i in range(WRITES_PER_WRITER)]
    _ok("db", "doctor", env=env)


# --- Killed commands ------------------------------------------------------------------------


def _kill_at(point: str, args: list[str], env: dict[str, str], work: Path) -> None:
    """Run plantrack until it reaches the named checkpoint, then SIGKILL it there.

    With PLANTRACK_TEST_HOLD the command announces the point (a line in the marks file) and
    waits there, so the kill lands at that point however fast or slow the machine is; a
    command that exits first fails the test. Output goes to files, so a chatty command can
    never block on a full pipe before it gets there.
    """
    marks = work / "marks"
    held = dict(env, PLANTRACK_TEST_HOLD=point, PLANTRACK_TEST_MARKS=str(marks))
    with (work / "out").open("w") as out, (work / "err").open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "plantrack", *args], env=held, stdout=out, stderr=err)
    try:
        if proc.poll() is None:
            wait_for(f"plantrack {' '.join(args)} reaching {point!r}", reached(marks, point), [proc])
        if proc.returncode is not None:
            pytest.fail(
                f"plantrack {' '.join(args)} ended (exit {proc.returncode}) before reaching {point!r}:\n"
                + (work / "err").read_text(encoding="utf-8")
            )
        assert proc.poll() is None, "the command must still be holding at the point when it is killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=DEADLINE)
        assert proc.returncode == -signal.SIGKILL, proc.returncode
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("id,text,on\n")
        for n in range(rows):
            f.write(f"obj-{'ab'[n % 2]},bulk note {n} 通關 samples,2026-0{1 + n % 9}-15\n")


@posix_signals
@pytest.mark.parametrize("point", ["bulk-validating", "bulk-writing"])
def test_killing_a_csv_import_leaves_all_or_nothing(tmp_path: Path, plan_file: Path, point: str) -> None:
    db = tmp_path / "k.db"
    env = _env(db, plan_file)
    _ok("init", env=env)
    _ok("log", "obj-a", "committed before", env=env)
    rows = 120_000
    csv_path = tmp_path / "notes.csv"
    _csv(csv_path, rows)
    # Killed with 1,000 rows checked (nothing written yet), or with 50,000 rows written in the
    # load's open transaction: nothing of the load is there, and what was committed before is.
    _kill_at(point, ["log", "--csv", str(csv_path)], env, tmp_path)
    assert _count(db, "SELECT count(*) FROM entry") == 1
    assert _count(db, "SELECT count(*) FROM entry WHERE text = 'committed before'") == 1
    doctor = _plantrack("db", "doctor", env=env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    # The same load, not killed: all of it, once.
    _ok("log", "--csv", str(csv_path), env=env)
    assert _count(db, "SELECT count(*) FROM entry") == 1 + rows
    assert _count(db, "SELECT count(DISTINCT text) FROM entry WHERE text LIKE 'bulk note %'") == rows
    _ok("db", "doctor", env=env)


def _synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("plantrack_bench_synth", BENCH / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plan_objects(plan: Path) -> int:
    """How many objects the plan file holds (plan, sectors, themes, objectives and theirs)."""
    data = tomllib.loads(plan.read_text(encoding="utf-8"))
    objectives = data.get("objective", [])
    return (
        1
        + len(data.get("sector", []))
        + len(data.get("theme", []))
        + sum(1 + len(o.get("milestone", [])) + len(o.get("indicator", [])) for o in objectives)
    )


@posix_signals
def test_killing_plan_apply_leaves_all_or_nothing(tmp_path: Path) -> None:
    plan = tmp_path / "big.toml"
    _synth().plan(plan, 1500)
    objects = _plan_objects(plan)
    db = tmp_path / "p.db"
    env = _env(db, plan)
    # Killed with every object of the plan written but not committed: none of it is there.
    _kill_at("plan-apply", ["plan", "apply", str(plan)], env, tmp_path)
    assert db.exists()  # the database was made (its own transaction) before the plan's
    assert _count(db, "SELECT count(*) FROM plan_revision") == 0
    assert _count(db, "SELECT count(*) FROM plan_object") == 0
    assert _count(db, "SELECT count(*) FROM plan_change") == 0
    conn = _ro(db)
    try:
        assert [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
    finally:
        conn.close()
    # Not killed, the same apply keeps all of it. (It runs before the doctor: on a database
    # without a plan, any command, the doctor too, first applies PLANTRACK_PLAN.)
    applied = json.loads(_ok("plan", "apply", str(plan), "--json", env=env).stdout)
    assert applied["revision"] == 1
    assert _count(db, "SELECT count(*) FROM plan_revision") == 1
    assert _count(db, "SELECT count(*) FROM plan_object") == objects
    assert _count(db, "SELECT count(*) FROM plan_change") == objects  # each one added, once
    assert _count(db, "SELECT count(*) FROM plan_object WHERE kind = 'objective'") == 1500
    status = _ok("status", "--all", "--json", env=env)
    assert len(json.loads(status.stdout)["objectives"]) == 1500
    _ok("db", "doctor", env=env)
