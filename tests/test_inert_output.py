"""User text cannot reorder or hide what a reader sees: C1 controls and bidirectional controls
are shown as escapes in Markdown and calendars, and written as \\u escapes in JSON (which still
reads back as the same text), as they already are on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# "Approved" shown reversed by U+202E, a C1 control (NEL), and an invisible right-to-left mark.
TRICK = "budget \u202edevorppa\u202c not\u0085really\u200f"
RAW = ("\u202e", "\u202c", "\u0085", "\u200f")


@pytest.fixture
def noted(small):  # type: ignore[no-untyped-def]
    assert small("log", "obj-a", TRICK, "--on", "2026-09-01").exit_code == 0
    return small


def test_json_escapes_them_and_reads_back_the_same(noted) -> None:
    r = noted("evidence", "--json")
    assert r.exit_code == 0
    assert not any(ch in r.stdout for ch in RAW)
    assert "\\u202e" in r.stdout
    assert json.loads(r.stdout)[0]["text"] == TRICK
    report = noted("report", "--period", "2026-Q3", "--format", "json")
    assert not any(ch in report.stdout for ch in RAW)
    listed = json.loads(report.stdout)["stocktake"]["notes"]
    assert [n["text"] for n in listed] == [TRICK]


def test_markdown_shows_them_as_escapes(noted) -> None:
    md = noted("report", "--period", "2026-Q3", "--format", "md").stdout
    assert not any(ch in md for ch in RAW)
    assert (
        "budget \\u202edevorppa\\u202c not" in md and "really\\u200f" in md
    )  # NEL: a line break, made a space


def test_the_terminal_shows_them_as_escapes(noted) -> None:
    out = noted("evidence").stdout
    assert not any(ch in out for ch in RAW) and "\\u202e" in out


def test_a_calendar_shows_them_as_escapes(small, plan_file: Path, tmp_path: Path) -> None:
    plan_file.write_text(
        plan_file.read_text(encoding="utf-8").replace(
            'title = "First lab"', 'title = "First \u202elab\u200f"'
        ),
        encoding="utf-8",
    )
    assert small("plan", "apply", plan_file).exit_code == 0
    out = tmp_path / "c.ics"
    assert small("calendar", "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8").replace("\n ", "")  # lines unfolded
    assert not any(ch in text for ch in RAW)
    assert "First \\\\u202elab\\\\u200f" in text  # the calendar escapes the backslash itself


def test_html_isolates_user_text_so_an_override_cannot_leak(noted) -> None:
    html = noted("report", "--period", "2026-Q3", "--format", "html").stdout
    assert "devorppa" in html
    assert not any(ch in html for ch in RAW)
