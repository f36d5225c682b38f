"""The fast entry path for `status` behaves exactly like the Typer application."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plantrack.entry import fast_status_args


def test_fast_path_takes_only_what_it_understands() -> None:
    assert fast_status_args(["status"]) == ({}, {})
    assert fast_status_args(["--db", "x.db", "status", "--json", "--as-of", "2026-Q3"]) == (
        {"db_option": "x.db"},
        {"json": True, "as_of": "2026-Q3"},
    )
    for argv in (["status", "--help"], ["show", "x"], ["status", "--json", "--json"], ["status", "--as-of"],
                 ["status", "--as-of=2026"], ["--debug", "status"], ["status", "extra"], []):  # fmt: skip
        assert fast_status_args(argv) is None, argv


def _run(args: list[str], env: dict[str, str], fast: bool) -> subprocess.CompletedProcess[str]:
    code = (
        "from plantrack.entry import main; main()" if fast else "from plantrack.cli.app import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--json"],
        ["status", "--all", "--lang", "zh"],
        ["status", "--json", "--as-of", "2025-06-30", "--park", "hong-kong"],
        ["status", "--sector", "nope"],
        ["status", "--as-of", "someday"],
        ["status", "--known-at", "2020-01-01T00:00"],
    ],
)
def test_fast_and_typer_paths_agree(args: list[str], tmp_path: Path) -> None:
    env = dict(
        os.environ, PLANTRACK_DB=str(tmp_path / "p.db"), PLANTRACK_NOW="2026-11-24T04:00:00Z", NO_COLOR="1"
    )
    env.pop("PLANTRACK_PLAN", None)
    _run(["status"], env, fast=False)  # create the database first, so both runs see the same one
    a = _run(args, env, fast=True)
    b = _run(args, env, fast=False)
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert "Traceback" not in a.stderr
