"""The fast entry path for `status` behaves exactly like the Typer application."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from plantrack.cli import params
from plantrack.cli.app import app


def test_fast_path_takes_only_what_it_understands() -> None:
    assert params.parse(["status"], {}) == ({}, {})
    assert params.parse(["--db", "x.db", "status", "--json", "--as-of", "2026-Q3"], {}) == (
        {"db": "x.db"},
        {"json": True, "as_of": "2026-Q3"},
    )
    for argv in (["status", "--help"], ["show", "x"], ["status", "--json", "--json"], ["status", "--as-of"],
                 ["status", "--as-of=2026"], ["status", "extra"], [], ["--version", "status"]):  # fmt: skip
        assert params.parse(argv, {}) is None, argv


def test_fast_path_reads_the_environment_as_click_does() -> None:
    assert params.parse(["status"], {"PLANTRACK_DEMO": "y"}) == ({"demo": True}, {})
    assert params.parse(["status"], {"PLANTRACK_DEMO": "Off"}) == ({"demo": False}, {})
    assert params.parse(["status"], {"PLANTRACK_DEMO": ""}) == ({}, {})
    assert params.parse(["status"], {"PLANTRACK_DEMO": "maybe"}) is None  # Typer explains the error
    # PLANTRACK_LANG is read by core.lang.resolve (for every command), not as an option's envvar.
    assert params.parse(["status"], {"PLANTRACK_LANG": "zh", "PLANTRACK_PLAN": "p.toml"}) == (
        {"plan": "p.toml"},
        {},
    )
    assert params.parse(["--lang", "zh-HK", "status", "--lang", "en"], {}) == (
        {"lang": "zh-HK"},
        {"lang": "en"},
    )


def _declared(click_params: list, skip: set[str]) -> list[tuple[str, tuple[str, ...], str | None, bool]]:
    return sorted(
        (p.name, tuple(p.opts), p.envvar, bool(getattr(p, "is_flag", False)))
        for p in click_params
        if p.name not in skip
    )


def test_the_typer_commands_are_built_from_the_same_declarations() -> None:
    group = typer.main.get_command(app)
    status = group.commands["status"]  # type: ignore[attr-defined]
    expected_status = sorted((p.name, (p.flag,), p.envvar, p.switch) for p in params.STATUS)
    assert _declared(status.params, set()) == expected_status
    expected_global = sorted((p.name, (p.flag,), p.envvar, p.switch) for p in params.GLOBAL)
    # Typer's own completion options (--install-completion, --show-completion) are Typer's path only.
    typer_only = {"version", "help", "install_completion", "show_completion"}
    assert _declared(group.params, typer_only) == expected_global


def _run(args: list[str], env: dict[str, str], fast: bool) -> subprocess.CompletedProcess[str]:
    code = (
        "from plantrack.cli.main import main; main()"
        if fast
        else "from plantrack.cli.app import main; main()"
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
        ["--demo", "status", "--rag", "red"],
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


def test_demo_named_in_the_environment_is_read_on_both_paths(tmp_path: Path) -> None:
    import json

    env = dict(os.environ, PLANTRACK_DB=str(tmp_path / "mine.db"), PLANTRACK_NOW="2026-11-24T04:00:00Z")
    env.update(PLANTRACK_DEMO="y", XDG_DATA_HOME=str(tmp_path / "xdg"), NO_COLOR="1")
    env.pop("PLANTRACK_PLAN", None)
    a = _run(["status", "--json"], env, fast=True)
    b = _run(["status", "--json"], env, fast=False)
    assert (a.returncode, a.stdout) == (0, b.stdout)
    assert json.loads(a.stdout)["plan"]["measured"] > 0  # the demo's evidence, not an empty database
    assert not (tmp_path / "mine.db").exists()  # the user's own database is left alone
