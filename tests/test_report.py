"""Reports in every format, the stocktake of a scripted history, escaping, determinism, calendar."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import SMALL_PLAN

SNAPSHOT = Path(__file__).parent / "snapshots" / "report.md"
HOSTILE = (
    "<script>alert('x')</script> [bold red]boom[/] \x1b[31mred =HYPERLINK(\"http://evil\") | `tick` *star*"
)


def _strip_generated(text: str) -> str:
    return re.sub(r"(?m)^.*Generated at .*$", "GENERATED", text)


@pytest.fixture
def history(cli, plan_file: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A scripted history across 2026-Q2 and 2026-Q3, recorded at known instants."""
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))

    def at(instant: str) -> None:
        monkeypatch.setenv("PLANTRACK_NOW", instant)

    at("2026-04-01T01:00:00Z")
    cli("init")
    cli("--user", "wong", "measure", "ind-a", "6", "--on", "2026-05-31", "--url", "https://gov.example/may")
    cli(
        "--user",
        "wong",
        "milestone",
        "done",
        "ms-a1",
        "--on",
        "2026-06-15",
        "--url",
        "https://gov.example/lab",
    )
    at("2026-07-02T01:00:00Z")
    cli(
        "--user",
        "chan",
        "measure",
        "ind-a",
        "9",
        "--on",
        "2026-08-31",
        "--note",
        HOSTILE,
        "--url",
        "javascript://%0aalert(1)",
    )
    cli("--user", "chan", "log", "obj-b", HOSTILE, "--on", "2026-09-01")
    cli("--user", "chan", "measure", "ind-b", "140", "--on", "2026-09-10")
    at("2026-08-01T01:00:00Z")
    plan_file.write_text(SMALL_PLAN.replace("due = 2026-06-30", "due = 2026-12-31"), encoding="utf-8")
    cli("--user", "lee", "plan", "apply", plan_file)
    at("2026-09-20T01:00:00Z")
    cli("--user", "lee", "retract", "1", "--reason", "May figure double counted")
    at("2026-11-24T04:00:00Z")
    return cli


def test_default_period_is_the_last_complete_quarter(history) -> None:
    r = history("report", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rep = r.json()["report"]
    assert rep["period"] == {"label": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert r.json()["as_of"] == "2026-09-30"


@pytest.mark.parametrize(
    ("period", "label", "start", "end"),
    [
        ("2026-09", "2026-09", "2026-09-01", "2026-09-30"),
        ("2026-Q3", "2026-Q3", "2026-07-01", "2026-09-30"),
        ("2026-H2", "2026-H2", "2026-07-01", "2026-12-31"),
        ("2026", "2026", "2026-01-01", "2026-12-31"),
        ("FY2026/27", "FY2026/27", "2026-04-01", "2027-03-31"),
    ],
)
def test_periods(history, period: str, label: str, start: str, end: str) -> None:
    rep = history("report", "--format", "json", "--period", period).json()["report"]["period"]
    assert rep == {"label": label, "start": start, "end": end}


def test_the_stocktake_of_a_scripted_history(history) -> None:
    data = history("report", "--format", "json", "--period", "2026-Q3").json()
    st = data["stocktake"]
    assert st["counts"]["measurements"] == 2 and st["counts"]["notes"] == 1
    assert [e["value"] for e in st["measurements"]] == [9, 140]
    assert st["counts"]["milestones_completed"] == 0
    assert st["slips"] == [{"kind": "milestone", "id": "ms-a2", "old": "2026-06-30", "new": "2026-12-31", "revision": 2,
                            "applied_at": "2026-08-01T01:00:00.000000Z", "user": "lee"}]  # fmt: skip
    [retraction] = st["retractions"]
    assert retraction["withdrew"] == 1 and retraction["entry"]["text"] == "May figure double counted"
    a = next(o for o in data["objectives"] if o["id"] == "obj-a")
    assert a["trend"] == "up" and a["sources"] == [2, 3]  # the live value (#3) and the milestone state (#2)
    q2 = history("report", "--format", "json", "--period", "2026-Q2").json()["stocktake"]
    assert [e["target"] for e in q2["milestones_completed"]] == ["ms-a1"]
    # The Q2 measurement was retracted later, in Q3: it still counts in a report known at the end of Q2.
    sent = history(
        "report", "--format", "json", "--period", "2026-Q2", "--known-at", "2026-06-30T23:00"
    ).json()
    assert [e["value"] for e in sent["stocktake"]["measurements"]] == [6]
    assert sent["known_at"] == "2026-06-30T15:00:00.000000Z"
    now = history("report", "--format", "json", "--period", "2026-Q2").json()
    assert now["stocktake"]["measurements"][0]["retracted"] is True


def test_rag_changes_and_overdue_and_upcoming(history) -> None:
    st = history("report", "--format", "json", "--period", "2026-Q3").json()["stocktake"]
    assert [(x["id"], x["from"], x["to"]) for x in st["rag_changes"]] == [("obj-a", "amber", "green")]
    assert [m["id"] for m in st["upcoming"]] == []
    assert [m["id"] for m in st["overdue"]] == []
    q4 = history("report", "--format", "json", "--period", "2026-Q4", "--as-of", "2026-11-24").json()[
        "stocktake"
    ]
    assert [m["id"] for m in q4["upcoming"]] == ["ms-a2"]


def test_markdown_snapshot(history) -> None:
    md = _strip_generated(history("report", "--period", "2026-Q3").stdout)
    if not SNAPSHOT.exists():  # pragma: no cover - written once, then compared
        SNAPSHOT.write_text(md, encoding="utf-8")
    assert md == SNAPSHOT.read_text(encoding="utf-8")


def test_reports_are_byte_for_byte_reproducible(
    history, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert (
        history("report", "--format", "md,html,json,csv", "--period", "2026-Q3", "--out", f"{a}/").exit_code
        == 0
    )
    monkeypatch.setenv("PLANTRACK_NOW", "2026-12-01T09:00:00Z")
    assert (
        history("report", "--format", "md,html,json,csv", "--period", "2026-Q3", "--out", f"{b}/").exit_code
        == 0
    )
    names = sorted(p.name for p in a.iterdir())
    assert names == [
        "test-plan-2026-Q3.csv",
        "test-plan-2026-Q3.html",
        "test-plan-2026-Q3.json",
        "test-plan-2026-Q3.md",
    ]
    for name in names:
        x, y = (a / name).read_text(encoding="utf-8"), (b / name).read_text(encoding="utf-8")
        if name.endswith(".json"):
            xj, yj = json.loads(x), json.loads(y)
            assert xj["report"].pop("generated_at") != yj["report"].pop("generated_at")
            assert xj == yj
        else:
            assert _strip_generated(x) == _strip_generated(y)
            assert len([1 for line in x.splitlines() if "Generated at" in line]) <= 1


def test_footer_states_as_of_known_at_and_revision(history) -> None:
    md = history("report", "--period", "2026-Q3", "--known-at", "2026-10-01T00:00").stdout
    assert "As of 2026-09-30 · known at 2026-09-30T16:00:00.000000Z · plan revision 2" in md


def test_hostile_text_is_escaped_in_every_format(history, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert (
        history("report", "--format", "md,html,json,csv", "--period", "2026-Q3", "--out", f"{out}/").exit_code
        == 0
    )
    html = (out / "test-plan-2026-Q3.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "javascript:" not in html.split("<body>")[1].split("href=")[-1] or 'href="javascript' not in html
    assert 'href="javascript' not in html
    assert "\x1b" not in html
    md = (out / "test-plan-2026-Q3.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "\\[bold red\\]" in md and "\\`tick\\`" in md and "\\|" in md
    assert "](<javascript" not in md
    rows = list(csv.reader(io.StringIO((out / "test-plan-2026-Q3.csv").read_text(encoding="utf-8"))))
    assert all(not c.startswith(("=", "+", "-", "@")) for row in rows for c in row)
    data = json.loads((out / "test-plan-2026-Q3.json").read_text(encoding="utf-8"))
    assert data["stocktake"]["notes"][0]["text"] == HOSTILE


def test_formula_titles_are_neutralised_in_csv(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "evil.toml"
    plan.write_text(
        SMALL_PLAN.replace('title = "Objective A"', 'title = "=1+1"').replace(
            'title = "Objective B"', 'title = "@SUM(A1)"'
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan))
    r = cli("report", "--format", "csv", "--period", "2026-Q3")
    rows = {row[0]: row for row in csv.reader(io.StringIO(r.stdout))}
    assert rows["obj-a"][1] == "'=1+1" and rows["obj-b"][1] == "'@SUM(A1)"


def test_html_is_self_contained_with_a_chart_per_indicator(history) -> None:
    html = history("report", "--format", "html", "--period", "2026-Q3").stdout
    assert html.count("<svg") == 2  # ind-a and ind-b
    assert 'class="planned"' in html and 'class="actual"' in html and 'class="forecast"' in html
    assert "@media print" in html and "size: A4" in html
    assert not re.search(
        r"""(src|href)=["']?(https?:)?//(?!gov\.example)""",
        html.split("<footer>")[0].split("</style>")[1].replace('href="https://gov.example', ""),
    )
    assert "<link" not in html and "<script" not in html


def test_out_and_format_errors(history, tmp_path: Path) -> None:
    assert history("report", "--format", "md,html").exit_code == 2
    assert history("report", "--format", "pdf").exit_code == 2
    assert history("report", "--period", "someday").exit_code == 2
    f = tmp_path / "one.md"
    assert history("report", "--out", f).exit_code == 0 and f.read_text(encoding="utf-8").startswith(
        "# Test plan"
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = history("report", "--out", blocker / "sub" / "r.md")
    assert r.exit_code == 2 and "cannot write" in r.stderr


def test_calendar_round_trips_through_icalendar(history, tmp_path: Path) -> None:
    from icalendar import Calendar

    history("milestone", "cancel", "ms-a3", "--on", "2026-10-01")
    out = tmp_path / "plan.ics"
    r = history("calendar", "--out", out)
    assert r.exit_code == 0
    cal = Calendar.from_ical(out.read_bytes())
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        "ms-a1@test-plan.plantrack",
        "ms-a2@test-plan.plantrack",
        "review@test-plan.plantrack",
    }
    assert events["ms-a2@test-plan.plantrack"].decoded("dtstart").isoformat() == "2026-12-31"
    review = events["review@test-plan.plantrack"]
    assert (
        "FREQ=MONTHLY" in review["rrule"].to_ical().decode()
        and "UNTIL=20301231" in review["rrule"].to_ical().decode()
    )
    again = tmp_path / "again.ics"
    history("calendar", "--out", again)
    assert out.read_bytes() == again.read_bytes()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_the_html_report_renders_in_chromium(history, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert history("report", "--format", "html", "--period", "2026-Q3", "--out", out).exit_code == 0
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    shot = tmp_path / "shot.png"
    subprocess.run(["chromium", *flags, "--window-size=1200,1800", f"--screenshot={shot}", out.as_uri()],
                   capture_output=True, timeout=120)  # fmt: skip
    assert shot.exists() and shot.stat().st_size > 20_000  # a rendered page, not a blank one
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run(
        ["chromium", *flags, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    assert "<svg" in dom and "Test plan" in dom
    assert "<script>" not in dom  # the hostile note stayed text
