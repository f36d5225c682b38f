"""The scale benchmark: a synthetic plan of 2,000 objectives, 200,000 measurements and 1,000,000
notes loaded through the CLI's own CSV commands, then the main commands timed (medians).

    python benchmarks/scale.py [--objectives 2000] [--measurements 200000] [--notes 1000000] [--runs 5]

Prints one table with the goals of the reference 2-core machine. Run it from a regular (not
editable) install. Small sizes (e.g. --objectives 20 --measurements 500 --notes 2000) make the
smoke test that CI runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synth  # noqa: E402
from startup import plantrack_command  # noqa: E402


class Bench:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.cmd = plantrack_command()
        self.rows: list[tuple[str, float, str, str]] = []

    def once(self, *args: str, env: dict[str, str] | None = None) -> float:
        start = time.perf_counter()
        r = subprocess.run(self.cmd + list(args), env=self.env | (env or {}), capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if r.returncode not in (0, 1):
            raise SystemExit(f"plantrack {' '.join(args)} failed: {r.stderr}")
        return elapsed

    def median(self, runs: int, *args: str, env: dict[str, str] | None = None) -> float:
        return statistics.median(self.once(*args, env=env) for _ in range(runs))

    def median_after(self, runs: int, before: tuple[str, ...], *args: str) -> float:
        """The median time of ``args`` run straight after ``before`` (which is not timed)."""
        times = []
        for _ in range(runs):
            self.once(*before)
            times.append(self.once(*args))
        return statistics.median(times)

    def row(self, name: str, seconds: float, goal: float | None = None, unit: str = "s") -> None:
        verdict = "" if goal is None else ("ok" if seconds <= goal else "MISSED")
        self.rows.append((name, seconds, f"≤ {goal:g}" if goal is not None else "", verdict))
        print(f"  {name}: {seconds:.3f} {unit} {verdict}", file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--objectives", type=int, default=2000)
    p.add_argument("--measurements", type=int, default=200_000)
    p.add_argument("--notes", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    first_notes = max(1, a.notes // 10)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        env = dict(os.environ, PLANTRACK_DB=str(d / "scale.db"), PLANTRACK_PLAN=str(d / "plan.toml"),
                   PLANTRACK_USER="bench", COLUMNS="120", XDG_CACHE_HOME=str(d / "cache"))  # fmt: skip
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up is measured as users get it, with bytecode
        env.pop("PLANTRACK_NO_CACHE", None)
        env.pop("PLANTRACK_NOW", None)
        print("generating data…", file=sys.stderr)
        indicators = synth.plan(d / "plan.toml", a.objectives)
        synth.measurements(d / "m.csv", indicators, a.measurements)
        synth.notes(d / "n1.csv", a.objectives, first_notes)
        synth.notes(d / "n2.csv", a.objectives, a.notes - first_notes, seed=14)
        synth.milestone_states(d / "s.csv", a.objectives)
        synth.assessments(d / "a.csv", a.objectives)
        b = Bench(env)
        b.row(f"init (plan of {a.objectives} objectives)", b.once("init"))
        log_empty = b.median(a.runs, "log", "o1", "one note")
        b.row("log, one note, empty database", log_empty)
        b.row(f"measure --csv ({a.measurements:,} rows)", b.once("measure", "--csv", str(d / "m.csv")), 6.0)
        b.row("milestone --csv (states)", b.once("milestone", "--csv", str(d / "s.csv")))
        b.row(
            f"assess --csv ({a.objectives // 2 + a.objectives % 2:,} judgements)",
            b.once("assess", "--csv", str(d / "a.csv")),
        )
        b.row(f"log --csv ({first_notes:,} notes)", b.once("log", "--csv", str(d / "n1.csv")))
        status_small = b.median(a.runs, "status")
        b.row(f"status at {first_notes:,} notes", status_small)
        b.row(f"log --csv ({a.notes - first_notes:,} more notes, indexed)", b.once("log", "--csv", str(d / "n2.csv")),
              35.0 if a.notes >= 1_000_000 else None)  # fmt: skip
        b.once("status")  # the first run after the load computes every objective and keeps them
        status_big = b.median(a.runs, "status")
        b.row(f"status (worst 30 shown), nothing changed, {a.notes:,} notes", status_big, 0.12)
        b.row("status right after a write (log, then status)", b.median_after(a.runs, ("log", "o3", "a note"), "status"),
              0.2)  # fmt: skip
        b.row(
            "status with the cache off (PLANTRACK_NO_CACHE=1)",
            b.median(a.runs, "status", env={"PLANTRACK_NO_CACHE": "1"}),
        )
        b.row(
            f"growth: status at {a.notes:,} / at {first_notes:,} notes",
            status_big / status_small,
            1.3,
            unit="x",
        )
        b.row("status --json (every objective)", b.median(a.runs, "status", "--json"), 0.35)
        b.row("show an objective", b.median(a.runs, "show", "o5"), 0.12)
        b.row("show an indicator", b.median(a.runs, "show", "o5-i0"), 0.12)
        b.row("check --fail-on assessed-red,disagreement",
              b.median(a.runs, "check", "--fail-on", "assessed-red,disagreement"))  # fmt: skip
        b.row("search 通關", b.median(a.runs, "search", "通關"), 0.12)
        b.row("search platform", b.median(a.runs, "search", "platform"), 0.12)
        b.row("report --format html (a quarter)", b.median(max(1, a.runs // 2), "report", "--format", "html", "--out",
                                                            str(d / "r.html")), 3.0)  # fmt: skip
        log_full = b.median(a.runs, "log", "o2", "one more note")
        b.row("log, one note, full database", log_full)
        b.row("log on full / log on empty", log_full / log_empty, 2.0, unit="x")
        size = sum(f.stat().st_size for f in d.glob("scale.db*") if f.is_file())
        b.rows.append(
            ("database size (MiB)", size / 2**20, "≤ 450", "ok" if size <= 450 * 2**20 else "MISSED")
        )
    print(f"\n{'measure':58} {'value':>9} {'goal':>7}  ")
    for name, value, goal, verdict in b.rows:
        print(f"{name:58} {value:9.3f} {goal:>7}  {verdict}")


if __name__ == "__main__":
    main()
