"""Exchange benchmark: a signed export and a checked import of a large bundle, time and memory.

Builds two sites of the embedded Hetao plan that trust each other, loads N notes (and a few
attachments of several megabytes) into the first, then times `export` and `import` on the
other and reports each command's peak memory (max RSS), so that streaming is measured, not
assumed.

    python benchmarks/exchange.py [--notes 100000] [--files 3] [--file-mb 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def plantrack() -> list[str]:
    script = Path(sys.executable).with_name("plantrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "plantrack"]


def run(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Seconds and the child's peak RSS in MiB (measured for this child alone)."""
    code = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "if p.returncode: sys.exit(p.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", code, *plantrack(), *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(f"plantrack {' '.join(args)} failed: {p.stderr}")
    return seconds, int(p.stdout.strip()) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=3)
    ap.add_argument("--file-mb", type=int, default=20)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plantrack-exchange-"))
    try:
        env = dict(os.environ, PLANTRACK_USER="bench", XDG_CACHE_HOME=str(work / "cache"))
        env.pop("PLANTRACK_DB", None)
        sz, hk = work / "sz.db", work / "hk.db"
        for db, name in ((sz, "Shenzhen"), (hk, "Hong Kong")):
            run(env, "--db", str(db), "site", "init", "--name", name)
            run(env, "--db", str(db), "site", "show", "--out", f"{db}.pub")
        run(env, "--db", str(hk), "site", "trust", f"{sz}.pub", "--name", "Shenzhen")
        rng = random.Random(7)
        targets = ["hk-park-phase-1", "huanggang-port", "researcher-mobility", "tax-environment"]
        with open(work / "notes.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "text", "on"])
            for i in range(a.notes):
                w.writerow([rng.choice(targets), f"note {i}: 通關 progress {rng.random():.6f}", "2025-06-30"])
        rows = []
        seconds, _ = run(env, "--db", str(sz), "log", "--csv", str(work / "notes.csv"))
        rows.append((f"log --csv ({a.notes:,} notes)", seconds, None))
        for n in range(a.files):
            scan = work / f"scan-{n}.pdf"
            with open(scan, "wb") as f:  # mostly blank, as scans are: compresses very well
                f.write(os.urandom(4096) + b"\0" * (a.file_mb * 2**20))
            run(env, "--db", str(sz), "log", "hk-park-phase-1", f"scan {n}", "--attach", str(scan))
        seconds, rss = run(env, "--db", str(sz), "export", "--out", str(work / "sz.zip"))
        rows.append(("export (signed)", seconds, rss))
        size = (work / "sz.zip").stat().st_size / 2**20
        seconds, rss = run(env, "--db", str(hk), "import", str(work / "sz.zip"))
        rows.append(("import (verified, checked, written)", seconds, rss))
        seconds, rss = run(env, "--db", str(hk), "import", str(work / "sz.zip"))
        rows.append(("import again (nothing new)", seconds, rss))
        print(f"{a.notes:,} notes, {a.files} files of {a.file_mb} MB; bundle {size:.1f} MiB on disk")
        print(f"{'measure':40} {'seconds':>9} {'peak MiB':>9}")
        for name, sec, mem in rows:
            print(f"{name:40} {sec:9.2f} {'' if mem is None else f'{mem:9.0f}':>9}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
