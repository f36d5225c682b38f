"""The command line as a whole: help on every command, the error boundary, versions."""

from __future__ import annotations

import subprocess
import sys

import typer.main

from plantrack import __version__
from plantrack.cli.app import app


def _commands(group, prefix=()):  # type: ignore[no-untyped-def]
    for name, cmd in getattr(group, "commands", {}).items():
        yield prefix + (name,), cmd
        yield from _commands(cmd, prefix + (name,))


def test_every_command_has_help(cli) -> None:
    root = typer.main.get_command(app)
    seen = 0
    for path, cmd in _commands(root):
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help"
        r = cli(*path, "--help")
        assert r.exit_code == 0, path
        assert "Usage" in r.stdout
        seen += 1
    assert seen >= 12


def test_version(cli) -> None:
    r = cli("--version")
    assert r.exit_code == 0 and __version__ in r.stdout


def test_unknown_command_is_a_usage_error(cli) -> None:
    r = cli("frobnicate")
    assert r.exit_code == 2


def test_the_installed_script_shows_no_traceback_on_bad_input(tmp_path) -> None:
    env_db = tmp_path / "x.db"
    r = subprocess.run(
        [sys.executable, "-m", "plantrack", "--db", str(env_db), "measure", "nope", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.splitlines()[-1].startswith("plantrack: error: unknown indicator 'nope'")


def test_debug_shows_the_traceback(tmp_path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "plantrack",
            "--debug",
            "--db",
            str(tmp_path / "x.db"),
            "measure",
            "nope",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert "Traceback" in r.stderr
