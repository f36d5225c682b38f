"""Bulk-load benchmark: measurements and notes through the CLI's own CSV commands, then search.

    python benchmarks/bulk.py [--objectives 2000] [--measurements 200000] [--notes 1000000]

Goals on the reference 2-core machine: 200,000 measurements within 8 s; 1,000,000 notes within
45 s with the search index built; a search of a common word stays quick afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synth  # noqa: E402
from startup import plantrack_command  # noqa: E402


def run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr}")
    return elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--objectives", type=int, default=2000)
    p.add_argument("--measurements", type=int, default=200_000)
    p.add_argument("--notes", type=int, default=1_000_000)
    args = p.parse_args()
    pt = plantrack_command()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        env = dict(
            os.environ,
            PLANTRACK_DB=str(d / "bench.db"),
            PLANTRACK_PLAN=str(d / "plan.toml"),
            PLANTRACK_USER="bench",
        )
        indicators = synth.plan(d / "plan.toml", args.objectives)
        synth.measurements(d / "m.csv", indicators, args.measurements)
        synth.notes(d / "n.csv", args.objectives, args.notes)
        rows = [("init", run(pt + ["init"], env))]
        rows.append(
            (
                f"measure --csv ({args.measurements:,} rows)",
                run(pt + ["measure", "--csv", str(d / "m.csv")], env),
            )
        )
        rows.append(
            (f"log --csv ({args.notes:,} rows, indexed)", run(pt + ["log", "--csv", str(d / "n.csv")], env))
        )
        rows.append(("search 通關 (newest 50)", run(pt + ["search", "通關"], env)))
        rows.append(("search platform (newest 50)", run(pt + ["search", "platform"], env)))
        size = sum(f.stat().st_size for f in d.glob("bench.db*"))
    print(f"{'step':44} {'seconds':>8}")
    for name, secs in rows:
        print(f"{name:44} {secs:8.2f}")
    print(f"{'database size (MiB)':44} {size / 2**20:8.1f}")


if __name__ == "__main__":
    main()
