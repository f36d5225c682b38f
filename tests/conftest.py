"""Shared fixtures: every test gets its own temporary database, plan folder and clock."""

from __future__ import annotations

import json
import subprocess
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plantrack.cli.app import app

NOW = "2026-11-24T04:00:00Z"  # 12:00 in Asia/Shanghai

SMALL_PLAN = textwrap.dedent(
    """\
    [plan]
    id = "test-plan"
    title = "Test plan"
    title_zh = "测试规划"
    adopted = 2024-01-01
    horizon = 2030-12-31
    timezone = "Asia/Shanghai"
    review = "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1"

    [[sector]]
    id = "life"
    name = "Life sciences"

    [[theme]]
    id = "data"
    name = "Data"

    [[objective]]
    id = "obj-a"
    title = "Objective A"
    sector = "life"
    park = "shenzhen"
    due = 2028-12-31

      [[objective.milestone]]
      id = "ms-a1"
      title = "First lab"
      due = 2025-06-30

      [[objective.milestone]]
      id = "ms-a2"
      title = "Regulation published"
      due = 2026-06-30
      verify = "url"

      [[objective.milestone]]
      id = "ms-a3"
      title = "Signed agreement"
      due = 2027-06-30
      verify = "attachment"

      [[objective.indicator]]
      id = "ind-a"
      name = "Joint labs"
      unit = "labs"
      baseline = 0
      baseline_date = 2024-01-01
      target = 20
      target_date = 2028-12-31

    [[objective]]
    id = "obj-b"
    title = "Objective B"
    theme = "data"
    park = "both"

      [[objective.indicator]]
      id = "ind-b"
      name = "Transactions"
      baseline = 100
      baseline_date = 2024-06-30
    """
)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp database and working folder; a fixed clock; never the user's own data."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANTRACK_DB", str(tmp_path / "plantrack.db"))
    # platformdirs' user data dir (the demo database, the default database) inside the temp dir too.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # ... and status's cache (the user cache dir) as well.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("PLANTRACK_NO_CACHE", raising=False)
    monkeypatch.setenv("PLANTRACK_USER", "tester")
    monkeypatch.setenv("PLANTRACK_NOW", NOW)
    monkeypatch.delenv("PLANTRACK_PLAN", raising=False)
    monkeypatch.delenv("PLANTRACK_LANG", raising=False)
    # The language follows the locale when no --lang or PLANTRACK_LANG is given: tests read English
    # unless they ask, whatever the machine's locale.
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def cli() -> Callable[..., Result]:
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        r = runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
        assert "Traceback" not in r.stderr, r.stderr
        return Result(r.exit_code, r.stdout, r.stderr)

    return run


@pytest.fixture
def small(
    cli: Callable[..., Result], plan_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """The CLI with the small test plan applied."""
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    r = cli("init")
    assert r.exit_code == 0, r.stderr
    return cli


def trust_each_other(cli: Callable[..., Result], *dbs: Path) -> None:
    """Sites that have exchanged public key files and trust each other, as people do it."""
    for db in dbs:
        r = cli("--db", db, "site", "show", "--out", f"{db}.pub")
        assert r.exit_code == 0, r.stderr
    for db in dbs:
        for other in dbs:
            if other != db:
                r = cli("--db", db, "site", "trust", f"{other}.pub", "--name", other.stem)
                assert r.exit_code == 0, r.stderr


# Property tests: no per-example deadline (CI machines are shared and slow at times).
from hypothesis import settings  # noqa: E402

settings.register_profile("plantrack", deadline=None, max_examples=100)
settings.load_profile("plantrack")


# --- waiting for another process -------------------------------------------------------------

WAIT_BOUND = 600  # seconds: a bound for a hung command on a crawling machine, not a guess at speed


def wait_for(event: str, done: Callable[[], bool], procs: list[subprocess.Popen[Any]]) -> None:
    """Wait until ``done()`` observes the event; fail if a process in ``procs`` ends first.

    Tests never sleep for a guessed time: they check an observable condition (a line in a marks
    file, a row count) every few milliseconds, bounded only against a hung machine.
    """
    deadline = time.monotonic() + WAIT_BOUND
    while not done():
        for p in procs:
            if p.poll() is not None:
                out, err = p.communicate()
                pytest.fail(
                    f"{event}: a process ended (exit {p.returncode}) first:\n{out or ''}\n{err or ''}"
                )
        if time.monotonic() > deadline:
            pytest.fail(f"{event}: not seen within {WAIT_BOUND} s")
        time.sleep(0.01)


def reached(marks: Path, point: str) -> Callable[[], bool]:
    """True once a command held with PLANTRACK_TEST_HOLD has written ``point`` to its marks file."""
    return lambda: marks.exists() and point in marks.read_text(encoding="utf-8").split()
