"""Start-up benchmark: `plantrack status` and `--help` against a plain sqlite3 + Rich script.

Runs the three commands interleaved (so that machine noise hits all alike), prints medians
and the ratios the project aims for: status <= 1.8x the plain script, --help <= 1.5x.

    python benchmarks/startup.py [--runs 25]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BASELINE = textwrap.dedent(
    """\
    import sqlite3, sys
    from rich.console import Console
    from rich.table import Table
    conn = sqlite3.connect(sys.argv[1])
    table = Table("id", "title", "progress")
    for row in conn.execute("SELECT id, title, progress FROM objectives LIMIT 15"):
        table.add_row(str(row[0]), row[1], f"{row[2]:.0%}")
    Console().print(table)
    """
)


def plantrack_command() -> list[str]:
    script = Path(sys.executable).with_name("plantrack")
    if script.exists():
        return [str(script)]
    found = shutil.which("plantrack")
    return [found] if found else [sys.executable, "-m", "plantrack"]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        env = dict(
            os.environ, PLANTRACK_DB=str(d / "plantrack.db"), COLUMNS="120", XDG_CACHE_HOME=str(d / "cache")
        )
        env.pop("PLANTRACK_PLAN", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # measured as users get it, with bytecode
        base_db = d / "base.db"
        import sqlite3

        conn = sqlite3.connect(base_db)
        conn.execute("CREATE TABLE objectives (id INTEGER PRIMARY KEY, title TEXT, progress REAL)")
        conn.executemany(
            "INSERT INTO objectives VALUES (?, ?, ?)", [(i, f"Objective {i}", i / 15) for i in range(15)]
        )
        conn.commit()
        conn.close()
        script = d / "baseline.py"
        script.write_text(BASELINE)
        pt = plantrack_command()
        cmds = {
            "plain sqlite3 + Rich script": [sys.executable, str(script), str(base_db)],
            "plantrack status": pt + ["status"],
            "plantrack --help": pt + ["--help"],
        }
        subprocess.run(pt + ["init"], env=env, check=True, capture_output=True)
        for cmd in cmds.values():  # warm the file cache
            timed(cmd, env)
        times: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                times[name].append(timed(cmd, env))
    medians = {k: statistics.median(v) for k, v in times.items()}
    base = medians["plain sqlite3 + Rich script"]
    goals = {"plantrack status": 1.8, "plantrack --help": 1.5}
    print(f"{'command':32} {'median ms':>10} {'ratio':>7} {'goal':>6}")
    for name, m in medians.items():
        ratio = m / base
        goal = goals.get(name)
        verdict = "" if goal is None else ("  ok" if ratio <= goal else "  MISSED")
        print(f"{name:32} {m * 1000:10.1f} {ratio:7.2f} {goal or '':>6}{verdict}")


if __name__ == "__main__":
    main()
