"""The benchmark scripts still run (on a tiny scale; the real runs are not part of CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.skipif(not BENCH.is_dir(), reason="benchmarks/ is not beside the tests")
def test_bulk_benchmark_runs_small() -> None:
    r = subprocess.run(
        [sys.executable, str(BENCH / "bulk.py"), "--objectives", "12", "--measurements", "300", "--notes", "600"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "measure --csv (300 rows)" in r.stdout and "database size" in r.stdout


@pytest.mark.skipif(not BENCH.is_dir(), reason="benchmarks/ is not beside the tests")
def test_startup_benchmark_runs_small() -> None:
    r = subprocess.run(
        [sys.executable, str(BENCH / "startup.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "plantrack status" in r.stdout


@pytest.mark.skipif(not BENCH.is_dir(), reason="benchmarks/ is not beside the tests")
def test_scale_benchmark_runs_small() -> None:
    r = subprocess.run(
        [sys.executable, str(BENCH / "scale.py"), "--objectives", "15", "--measurements", "400", "--notes", "1500", "--runs", "1"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    for name in (
        "status --json",
        "show an objective",
        "search 通關",
        "report --format html",
        "database size",
    ):
        assert name in r.stdout
