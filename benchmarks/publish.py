"""Publish benchmark: `plantrack publish` on a large synthetic plan and on the embedded Hetao demo.

Builds a plan of N objectives (10 milestones and 2 indicators each), loads measurements and notes,
then times a first publish (every page written), a second one (nothing changed: nothing
rewritten) and one after a single new note.

    python benchmarks/publish.py [--objectives 2000] [--measurements 40000] [--notes 40000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synth  # noqa: E402


def plantrack() -> list[str]:
    script = Path(sys.executable).with_name("plantrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "plantrack"]


def run(env: dict[str, str], *args: str) -> float:
    t = time.perf_counter()
    p = subprocess.run([*plantrack(), *args], env=env, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"plantrack {' '.join(args)} failed: {p.stderr}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objectives", type=int, default=2000)
    ap.add_argument("--measurements", type=int, default=40_000)
    ap.add_argument("--notes", type=int, default=40_000)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plantrack-publish-"))
    try:
        env = dict(os.environ, PLANTRACK_DB=str(work / "p.db"), XDG_CACHE_HOME=str(work / "cache"),
                   PLANTRACK_PLAN=str(work / "plan.toml"), PLANTRACK_USER="bench")  # fmt: skip
        indicators = synth.plan(work / "plan.toml", a.objectives)
        synth.measurements(work / "m.csv", indicators, a.measurements)
        synth.notes(work / "n.csv", a.objectives, a.notes)
        run(env, "init")
        run(env, "measure", "--csv", str(work / "m.csv"))
        run(env, "log", "--csv", str(work / "n.csv"))
        rows = [
            (
                f"publish, {a.objectives} objectives, first build",
                run(env, "publish", "--out", str(work / "site")),
            ),
            ("publish again, nothing changed", run(env, "publish", "--out", str(work / "site"))),
        ]
        run(env, "log", "o1", "one more note")
        rows.append(("publish after one new note", run(env, "publish", "--out", str(work / "site"))))
        demo = dict(env, PLANTRACK_DB=str(work / "demo.db"))
        demo.pop("PLANTRACK_PLAN")
        run(demo, "--demo", "status")
        rows.append(("publish, the Hetao demo", run(demo, "--demo", "publish", "--out", str(work / "hetao"))))
        files = sum(1 for _ in (work / "site").rglob("*"))
        print(f"{a.objectives} objectives, {a.measurements} measurements, {a.notes} notes; {files} files")
        for name, sec in rows:
            print(f"{name:45} {sec:8.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
