"""The evidence ledger through the CLI: writes, the evidence gate, retractions, the hash chain."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from plantrack.store import db, ledger

SPEC_FIELDS = {"id", "uid", "kind", "target", "on", "recorded_at", "user", "text", "value", "state",
               "url", "attachment", "tags", "retracted"}  # fmt: skip


def test_measure_prints_the_new_entry_id(small) -> None:
    r = small("measure", "ind-a", "7", "--on", "2026-09-30", "--note", "seven labs")
    assert r.exit_code == 0
    assert r.stdout.strip() == "1"
    r = small("measure", "ind-a", "8")
    assert r.stdout.strip() == "2"


def test_measure_json_is_the_entry_in_spec_shape(small) -> None:
    r = small("measure", "ind-a", "1,500", "--on", "2026-Q3", "--url", "https://example.org/a", "--json")
    assert r.exit_code == 0
    e = r.json()
    assert SPEC_FIELDS <= set(e)
    assert e["kind"] == "measurement" and e["target"] == "ind-a"
    assert e["value"] == 1500 and isinstance(e["value"], int)
    assert e["on"] == "2026-09-30"
    assert e["user"] == "tester"
    assert e["recorded_at"] == "2026-11-24T04:00:00.000000Z"
    assert e["state"] is None and e["retracted"] is False and e["tags"] == []
    assert len(e["uid"]) == 32


def test_on_defaults_to_today_in_the_plan_time_zone(small, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANTRACK_NOW", "2026-11-24T18:00:00Z")  # already the 25th in Shanghai
    assert small("log", "obj-a", "late note", "--json").json()["on"] == "2026-11-25"


def test_milestone_actions_set_their_states(small) -> None:
    assert (
        small("milestone", "start", "ms-a1", "--on", "2025-01-10", "--json").json()["state"] == "in-progress"
    )
    assert small("milestone", "block", "ms-a1", "--on", "2025-02-10", "--json").json()["state"] == "blocked"
    assert (
        small("milestone", "reopen", "ms-a1", "--on", "2025-03-10", "--json").json()["state"] == "in-progress"
    )
    assert small("milestone", "done", "ms-a1", "--on", "2025-04-10", "--json").json()["state"] == "done"
    e = small("milestone", "cancel", "ms-a1", "--on", "2025-05-10", "--note", "superseded", "--json").json()
    assert e["state"] == "cancelled" and e["kind"] == "milestone" and e["text"] == "superseded"


def test_reopening_an_open_milestone_is_refused(small) -> None:
    r = small("milestone", "reopen", "ms-a1")
    assert r.exit_code == 2
    assert "not closed" in r.stderr


def test_the_same_state_twice_is_refused(small) -> None:
    assert small("milestone", "done", "ms-a1", "--on", "2025-06-01").exit_code == 0
    r = small("milestone", "done", "ms-a1", "--on", "2025-07-01")
    assert r.exit_code == 2 and "already done" in r.stderr


def test_a_url_gated_milestone_needs_a_url(small) -> None:
    r = small("milestone", "done", "ms-a2")
    assert r.exit_code == 2
    assert "--url" in r.stderr
    assert small("evidence", "--json").json() == []
    ok = small("milestone", "done", "ms-a2", "--url", "https://gov.example/reg")
    assert ok.exit_code == 0


def test_an_attachment_gated_milestone_needs_a_file(small, tmp_path: Path) -> None:
    r = small("milestone", "done", "ms-a3", "--url", "https://example.org")
    assert r.exit_code == 2 and "--attach" in r.stderr
    doc = tmp_path / "agreement.pdf"
    doc.write_bytes(b"%PDF-1.4 signed")
    e = small("milestone", "done", "ms-a3", "--attach", doc, "--json").json()
    assert e["attachment"]["name"] == "agreement.pdf"
    assert e["attachment"]["sha256"] == hashlib.sha256(b"%PDF-1.4 signed").hexdigest()


def test_attachments_are_stored_once_and_survive_the_original(small, tmp_path: Path) -> None:
    doc = tmp_path / "report.txt"
    doc.write_text("evidence", encoding="utf-8")
    a = small("log", "obj-a", "first", "--attach", doc, "--json").json()["attachment"]
    b = small("log", "obj-b", "second", "--attach", doc, "--json").json()["attachment"]
    assert a["sha256"] == b["sha256"]
    doc.unlink()
    store = db.attachment_dir(Path.cwd() / "plantrack.db")
    stored = ledger.attachment_path(store, a["sha256"])
    assert stored.read_text(encoding="utf-8") == "evidence"
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1
    missing = small("log", "obj-a", "x", "--attach", tmp_path / "gone.txt")
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_a_refused_write_leaves_no_stray_attachment(small, tmp_path: Path) -> None:
    doc = tmp_path / "x.bin"
    doc.write_bytes(b"\x00\x01")
    r = small("measure", "ind-a", "nan-ish", "--attach", doc)
    assert r.exit_code == 2
    r = small("milestone", "reopen", "ms-a1", "--attach", doc)
    assert r.exit_code == 2
    store = db.attachment_dir(Path.cwd() / "plantrack.db")
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]


def test_log_accepts_the_plan_id_and_tags(small) -> None:
    e = small(
        "log", "test-plan", "quarterly review held", "--tag", "review", "--tag", "internal", "--json"
    ).json()
    assert e["target"] == "test-plan" and e["tags"] == ["review", "internal"]


def test_retract_keeps_the_entry_in_history(small) -> None:
    small("measure", "ind-a", "5", "--on", "2026-01-31")
    r = small("retract", "1", "--reason", "counted a lab twice", "--json")
    assert r.exit_code == 0
    retraction = r.json()
    assert retraction["kind"] == "retraction" and retraction["text"] == "counted a lab twice"
    entries = small("evidence", "--json").json()
    assert [e["id"] for e in entries] == [2, 1]
    assert entries[1]["retracted"] is True
    assert retraction["retracts"] == entries[1]["uid"]
    again = small("retract", "1", "--reason", "again")
    assert again.exit_code == 2 and "already retracted" in again.stderr
    self_ = small("retract", "2", "--reason", "oops")
    assert self_.exit_code == 2 and "itself a retraction" in self_.stderr
    assert small("retract", "99", "--reason", "x").exit_code == 2
    assert small("retract", "1", "--reason", "  ").exit_code == 2


def test_evidence_filters_by_target_family_and_dates(small) -> None:
    small("measure", "ind-a", "1", "--on", "2025-01-15")
    small("milestone", "done", "ms-a1", "--on", "2025-06-30")
    small("log", "obj-b", "about b", "--on", "2025-03-01")
    small("log", "obj-a", "about a", "--on", "2026-01-01")
    fam = small("evidence", "obj-a", "--json").json()
    assert [e["target"] for e in fam] == ["obj-a", "ms-a1", "ind-a"]
    assert [e["on"] for e in fam] == ["2026-01-01", "2025-06-30", "2025-01-15"]
    ranged = small("evidence", "--since", "2025-02", "--until", "2025-Q2", "--json").json()
    assert [e["target"] for e in ranged] == ["ms-a1", "obj-b"]
    assert len(small("evidence", "test-plan", "--json").json()) == 4
    assert small("evidence", "nope").exit_code == 2


def test_every_entry_extends_the_hash_chain(small) -> None:
    small("measure", "ind-a", "1")
    small("log", "obj-a", "note")
    small("retract", "1", "--reason", "wrong")
    conn = db.connect(Path.cwd() / "plantrack.db")
    items = ledger.entries(conn, newest_first=False)
    items.sort(key=lambda e: e.id)
    prev = ledger.GENESIS
    for e in items:
        assert e.hash == ledger.entry_hash(prev, ledger.hashed_content(e))
        prev = e.hash


def test_hostile_text_round_trips_literally(small) -> None:
    nasty = "[bold red]alarm[/] \x1b[2J <script>alert(1)</script> =SUM(A1) '; DROP TABLE entry; -- 通關 שלום"
    e = small("log", "obj-a", nasty, "--json").json()
    assert e["text"] == nasty
    shown = small("evidence", "obj-a")
    assert shown.exit_code == 0
    assert "[bold red]alarm[/]" in shown.stdout
    assert "\x1b" not in shown.stdout and "\\x1b[2J" in shown.stdout
    assert small("evidence", "--json").json()[0]["text"] == nasty


@pytest.mark.parametrize(
    "args",
    [
        ("measure", "ind-a", "seven"),
        ("measure", "ind-a", "inf"),
        ("measure", "ind-a", "NaN"),
        ("measure", "ind-x", "1"),
        ("measure", "ms-a1", "1"),
        ("measure", "ind-a", "1", "--on", "someday"),
        ("measure", "ind-a", "1", "--url", "not a url"),
        ("log", "obj-a", ""),
        ("log", "obj-a", "x", "--tag", "bad tag"),
        ("log", "nothing", "x"),
        ("milestone", "done", "ind-a"),
        ("milestone", "finish", "ms-a1"),
        ("retract", "abc!", "--reason", "x"),
        ("evidence", "--since", "yesterday-ish"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(small, args: tuple[str, ...]) -> None:
    r = small(*args)
    assert r.exit_code == 2
    assert r.stderr.strip()
    assert len(r.stderr.strip().splitlines()) <= 6
    conn = sqlite3.connect(Path.cwd() / "plantrack.db")
    assert conn.execute("SELECT count(*) FROM entry").fetchone()[0] == 0


def test_user_comes_from_the_option(small) -> None:
    e = small("--user", "wong", "log", "obj-a", "hello", "--json").json()
    assert e["user"] == "wong"
