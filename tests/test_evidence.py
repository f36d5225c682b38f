"""Evidence you can trust: attachments, search (Chinese too), history, bulk CSV, the real examples."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from plantrack.core import text

from .conftest import SMALL_PLAN


def count_entries() -> int:
    return sqlite3.connect(Path.cwd() / "plantrack.db").execute("SELECT count(*) FROM entry").fetchone()[0]


# --- attachments -----------------------------------------------------------------------------


def test_attachment_round_trip_after_the_original_is_deleted(small, tmp_path: Path) -> None:
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF minutes of the joint meeting")
    digest = hashlib.sha256(doc.read_bytes()).hexdigest()
    e = small("log", "obj-a", "joint meeting", "--attach", doc, "--json").json()
    assert e["attachment"] == {"name": "minutes.pdf", "sha256": digest, "size": 33, "type": "application/pdf"}
    doc.unlink()
    r = small("attachment", str(e["id"]))
    assert r.exit_code == 0
    stored = Path(r.stdout.strip())
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == digest
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0  # read-only (root may write anyway)
    assert stored.stat().st_mode & 0o222 == 0
    out = tmp_path / "out"
    out.mkdir()
    r = small("attachment", str(e["id"]), "--out", out)
    assert r.exit_code == 0
    assert hashlib.sha256((out / "minutes.pdf").read_bytes()).hexdigest() == digest
    shown = small("evidence", "obj-a")
    assert "minutes.pdf" in shown.stdout and digest[:12] in shown.stdout
    assert small("evidence", "open", str(e["id"])).stdout.strip() == str(stored)
    assert small("evidence", "--path", str(e["id"])).stdout.strip() == str(stored)


def test_a_changed_stored_attachment_is_refused(small, tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("original", encoding="utf-8")
    e = small("log", "obj-a", "x", "--attach", doc, "--json").json()
    stored = Path(small("attachment", str(e["id"])).stdout.strip())
    stored.chmod(0o644)
    stored.write_text("tampered", encoding="utf-8")
    r = small("attachment", str(e["id"]))
    assert r.exit_code == 2 and "has changed" in r.stderr
    assert small("attachment", "999").exit_code == 2
    no_file = small("log", "obj-a", "plain", "--json").json()
    assert small("attachment", str(no_file["id"])).exit_code == 2


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def notes(small):  # type: ignore[no-untyped-def]
    small("log", "obj-a", "新皇岗口岸实行「合作查驗、一次放行」通關模式", "--on", "2026-01-27")
    small("log", "obj-b", "科研样本经一号通道携带通关", "--on", "2026-02-01")
    small(
        "log",
        "ind-a",
        "Joint laboratory opened with HKU; labs now seven",
        "--on",
        "2026-03-01",
        "--tag",
        "press",
    )
    small("measure", "ind-a", "7", "--on", "2026-03-01", "--note", "Seven joint LABORATORIES counted")
    return small


def test_search_finds_two_character_chinese_words(notes) -> None:
    r = notes("search", "通關", "--json")
    assert r.exit_code == 0
    hits = r.json()["entries"]
    assert [h["target"] for h in hits] == ["obj-b", "obj-a"]  # 通关 (obj-b) is the same word
    assert "通關" in hits[1]["snippet"]
    assert [h["target"] for h in notes("search", "样本", "--json").json()["entries"]] == ["obj-b"]
    assert [h["target"] for h in notes("search", "一次放行", "--json").json()["entries"]] == ["obj-a"]
    # A single character falls back to a substring match.
    assert {h["target"] for h in notes("search", "通", "--json").json()["entries"]} == {"obj-a", "obj-b"}


def test_search_english_words_case_and_prefix(notes) -> None:
    hits = notes("search", "laboratory", "--json").json()["entries"]
    assert {h["target"] for h in hits} == {"ind-a"}
    assert len(notes("search", "LABORAT*", "--json").json()["entries"]) == 2
    assert len(notes("search", "joint seven", "--json").json()["entries"]) == 2
    assert notes("search", "press", "--json").json()["entries"][0]["tags"] == ["press"]


def test_search_covers_the_plan_titles(notes) -> None:
    r = notes("search", "Objective", "--json").json()
    assert {p["id"] for p in r["plan"]} == {"obj-a", "obj-b"}
    assert {p["id"] for p in notes("search", "测试规划", "--json").json()["plan"]} == {"test-plan"}


def test_search_text_output_shows_target_date_user_and_snippet(notes) -> None:
    r = notes("search", "通關")
    assert r.exit_code == 0
    assert "obj-a" in r.stdout and "2026-01-27" in r.stdout and "tester" in r.stdout and "通關" in r.stdout


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "AND", "labs OR", "NEAR(", "a:b", "(((", "*", "col:x AND -y", "'; DROP TABLE entry; --"],
)
def test_broken_fts_syntax_is_searched_as_plain_words_or_refused(notes, query: str) -> None:
    r = notes("search", query)
    assert r.exit_code in (0, 2)
    assert "Traceback" not in r.stderr
    if r.exit_code == 2:
        assert "nothing to search for" in r.stderr
    assert count_entries() == 4


def test_search_flags_retracted_entries_and_filters_by_id(notes) -> None:
    notes("retract", "1", "--reason", "wrong port")
    hit = notes("search", "一次放行", "--json").json()["entries"][0]
    assert hit["id"] == 1 and hit["retracted"] is True
    assert notes("search", "通", "--id", "obj-b", "--json").json()["entries"][0]["target"] == "obj-b"


def test_query_building_never_passes_syntax_through() -> None:
    q = text.parse_query('通關 "joint lab" OR x* 样')
    assert q.match == '"通关" AND "joint lab" AND "x" *'  # folded to one script, as the index is
    assert q.substrings == ("样",)
    assert text.segment("口岸通關") == " 口岸 岸通 通關 "


# --- history ---------------------------------------------------------------------------------


def test_history_merges_revisions_entries_and_retractions_in_time_order(
    cli, plan_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    monkeypatch.setenv("PLANTRACK_NOW", "2026-01-01T00:00:00Z")
    cli("init")
    monkeypatch.setenv("PLANTRACK_NOW", "2026-02-01T00:00:00Z")
    cli("--user", "wong", "measure", "ind-a", "5", "--on", "2026-01-31")
    monkeypatch.setenv("PLANTRACK_NOW", "2026-03-01T00:00:00Z")
    plan_file.write_text(
        SMALL_PLAN.replace("due = 2025-06-30", "due = 2025-12-31").replace("Objective A", "Objective Alpha"),
        encoding="utf-8",
    )
    cli("--user", "chan", "plan", "apply", plan_file)
    monkeypatch.setenv("PLANTRACK_NOW", "2026-04-01T00:00:00Z")
    cli("--user", "lee", "retract", "1", "--reason", "double counted")
    events = cli("history", "--json").json()
    assert [e["at"][:10] for e in events] == sorted(e["at"][:10] for e in events)
    kinds = [(e["source"], e["kind"]) for e in events]
    assert kinds == [
        ("plan", "added"),
        ("entry", "measurement"),
        ("plan", "renamed"),
        ("plan", "slip"),
        ("entry", "retraction"),
    ]
    measurement = events[1]
    assert (
        measurement["user"] == "wong"
        and measurement["retracted"] is True
        and measurement["reason"] == "double counted"
    )
    slip = events[3]
    assert (
        slip["target"] == "ms-a1" and "2025-06-30 → 2025-12-31" in slip["summary"] and slip["user"] == "chan"
    )
    text = cli("history")
    assert text.exit_code == 0 and "retracted: double counted" in text.stdout
    only = cli("history", "ms-a1", "--json").json()
    assert [e["kind"] for e in only] == ["added", "slip"]
    assert [e["kind"] for e in cli("history", "--since", "2026-03", "--json").json()] == [
        "renamed",
        "slip",
        "retraction",
    ]
    assert [e["kind"] for e in cli("history", "--since", "2026-03-02", "--json").json()] == ["retraction"]


# --- bulk CSV --------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_measure_csv_loads_every_row(small, tmp_path: Path) -> None:
    f = write(
        tmp_path / "m.csv",
        'id,value,on,note,url\nind-a,1,2025-01-31,first,\nind-a,2,2025-Q2,,https://x.org/a\nind-b,"1,500",FY2025/26,,\n',
    )
    r = small("measure", "--csv", f)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == "1-3"
    entries = small("evidence", "--json").json()
    assert {(e["target"], e["value"], e["on"]) for e in entries} == {
        ("ind-a", 1, "2025-01-31"),
        ("ind-a", 2, "2025-06-30"),
        ("ind-b", 1500, "2026-03-31"),
    }
    assert all(e["user"] == "tester" for e in entries)


def test_a_bad_row_records_nothing_and_is_named(small, tmp_path: Path) -> None:
    f = write(
        tmp_path / "m.csv",
        "id,value,on\nind-a,1,2025-01-31\nind-a,lots,2025-02-28\nind-x,3,2025-03-31\nind-a,4,someday\n",
    )
    r = small("measure", "--csv", f)
    assert r.exit_code == 2
    assert "3 problems; nothing was recorded" in r.stderr
    assert "row 3, column 'value': 'lots' is not a number" in r.stderr
    assert "row 4, column 'id': 'ind-x' is not an indicator of the plan" in r.stderr
    assert "row 5, column 'on'" in r.stderr
    assert count_entries() == 0


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("measure", "id,value\nind-a,1\n", "missing column on"),
        ("measure", "id,value,on,colour\nind-a,1,2025,red\n", "unknown column colour"),
        ("measure", "", "is empty"),
        ("measure", "id,value,on\n", "no rows to load"),
        ("log", "id,text,on\nobj-a,,2025-01-01\n", "row 2, column 'text'"),
        ("log", "id,text,on,tag\nobj-a,hi,2025-01-01,bad tag!\n", "row 2, column 'tag'"),
        ("milestone", "id,state,on\nms-a1,finished,2025-01-01\n", "is not a state"),
        ("milestone", "id,state,on\nms-a2,done,2026-06-01\n", "needs a url"),
        ("milestone", "id,state,on,url\nms-a3,done,2026-06-01,https://x.org\n", "needs an attached file"),
        ("milestone", "id,state,on\nind-a,done,2026-06-01\n", "is not a milestone"),
    ],
)
def test_csv_problems_are_clear(small, tmp_path: Path, kind: str, text: str, expected: str) -> None:
    f = write(tmp_path / "x.csv", text)
    r = small(kind, "--csv", f)
    assert r.exit_code == 2
    assert expected in r.stderr
    assert count_entries() == 0


def test_log_and_milestone_csv(small, tmp_path: Path) -> None:
    notes = write(
        tmp_path / "n.csv",
        "id,text,on,url,tag\nobj-a,口岸通關安排,2025-01-01,,press\ntest-plan,review held,2025-03-31,,internal review\n",
    )
    assert small("log", "--csv", notes).exit_code == 0
    states = write(
        tmp_path / "s.csv",
        "id,state,on,note,url\nms-a1,in-progress,2025-01-01,,\nms-a1,done,2025-06-01,opened,\nms-a2,done,2026-06-01,,https://gov.example/x\n",
    )
    r = small("milestone", "--csv", states, "--json")
    assert r.exit_code == 0 and r.json()["rows"] == 3
    assert small("show", "ms-a1", "--json").json()["state"] == "done"
    assert [h["target"] for h in small("search", "通關", "--json").json()["entries"]] == ["obj-a"]
    tags = {tuple(e["tags"]) for e in small("evidence", "--json").json() if e["kind"] == "note"}
    assert ("internal", "review") in tags


def test_bulk_entries_continue_the_hash_chain(small, tmp_path: Path) -> None:
    from plantrack.store import db, ledger

    small("log", "obj-a", "before")
    f = write(tmp_path / "n.csv", "id,text,on\nobj-a,one,2025-01-01\nobj-b,two,2025-01-02\n")
    small("log", "--csv", f)
    small("log", "obj-a", "after")
    conn = db.connect(Path.cwd() / "plantrack.db")
    prev = ledger.GENESIS
    for e in sorted(ledger.entries(conn), key=lambda e: e.id):
        assert e.hash == ledger.entry_hash(prev, ledger.hashed_content(e))
        prev = e.hash


def test_csv_and_single_forms_do_not_mix(small, tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "id,value,on\nind-a,1,2025-01-31\n")
    assert small("measure", "ind-a", "--csv", f).exit_code == 2
    assert small("measure").exit_code == 2
    assert small("log", "obj-a").exit_code == 2
    assert small("milestone", "done", "ms-a1", "--csv", f).exit_code in (2,)
    assert count_entries() == 0


# --- the real Hetao evidence -------------------------------------------------------------------


def test_the_examples_load_cleanly_into_the_demo(cli, tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.db"
    r = cli("--demo", "--db", demo_db, "status", "--json")
    assert r.exit_code == 0, r.stderr
    s = {o["id"]: o for o in r.json()["objectives"]}
    # No 2025 goal is "done" on ceremonial or preparatory evidence (plan-audit): the coordination
    # goal rests on a judgement, the customs, people-flow and port goals on outcomes, half met.
    assert s["coordination-mechanism"]["rag"] == "assessed-amber"
    for oid in ("customs-supervision", "researcher-mobility", "huanggang-port"):
        assert s[oid]["rag"] == "red" and s[oid]["progress"] == 0.5, oid
        assert s[oid]["milestones"] == {"done": 1, "total": 2, "overdue": 1, "cancelled": 0}, oid
    assert s["tax-environment"]["rag"] == "green" and s["tax-environment"]["progress"] < 1
    assert s["hk-park-phase-1"]["milestones"] == {"done": 2, "total": 3, "overdue": 0, "cancelled": 0}
    assert s["hk-park-phase-1"]["rag"] == "green" and s["hk-park-phase-1"]["committed_by"] == "HKSAR"
    assert s["park-regulations"]["rag"] == "done"
    entries = cli("--demo", "--db", demo_db, "evidence", "--json").json()
    assert len(entries) == 11 + 15 + 33 + 9
    # Every fact cites its source; the judgements cite the entries they rest on and say whose they are.
    assert all(e["url"] for e in entries if e["kind"] != "assessment")
    assert all("demo analyst" in e["text"] for e in entries if e["kind"] == "assessment")
    # The user's own database was not touched.
    assert not (Path.cwd() / "plantrack.db").exists()


def test_check_on_the_examples_agrees_with_the_evidence(cli, tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.db"
    r = cli("--demo", "--db", demo_db, "check", "--fail-on", "red", "--json")
    assert r.exit_code == 1
    assert sorted(o["id"] for o in r.json()["objectives"]) == [
        "customs-supervision", "huanggang-port", "researcher-mobility"
    ]  # fmt: skip
    before_the_goal_date = cli(
        "--demo", "--db", demo_db, "check", "--fail-on", "red", "--as-of", "2025-12-30"
    )
    assert before_the_goal_date.exit_code == 0
    assert (
        cli("--demo", "--db", demo_db, "search", "通關", "--json").json()["entries"][0]["target"]
        == "huanggang-port"
    )


def test_the_demo_never_replaces_a_real_database(small) -> None:
    small("log", "obj-a", "precious")
    r = small("--demo", "--db", str(Path.cwd() / "plantrack.db"), "status")
    assert r.exit_code == 2 and "not a plantrack demo database" in r.stderr
    # PLANTRACK_DB names the user's own database: --demo does not use it.
    r = small("--demo", "status", "--json")
    assert r.exit_code == 0
    assert small("evidence", "--json").json()[0]["text"] == "precious"


def test_bulk_loads_keep_the_summary_table_exact(small, tmp_path: Path) -> None:
    from datetime import date

    from plantrack.store import db, ledger, revisions

    f = write(
        tmp_path / "m.csv",
        "id,value,on\nind-a,1,2025-01-31\nind-a,4,2025-03-31\nind-b,7,2025-02-28\nind-a,2,2025-02-28\n",
    )
    small("measure", "--csv", f)
    small("log", "--csv", write(tmp_path / "n.csv", "id,text,on\nobj-a,a,2025-01-01\nms-a1,b,2025-04-01\n"))
    small("retract", "2", "--reason", "wrong")
    conn = db.connect(Path.cwd() / "plantrack.db")
    plan = revisions.load_plan(conn)
    for day in (date(2025, 3, 1), date(2026, 1, 1)):
        assert ledger.facts(conn, plan, day) == ledger._facts_from_entries(conn, plan, day, None, None)
    assert ledger.facts(conn, plan, date(2026, 1, 1)).indicators["ind-a"].value == 2
