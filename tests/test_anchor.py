"""An anchored ledger: `db head`, heads in reports and backups, `db doctor --head`, and the
doctor recomputing the summary and the search index from the entries."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from plantrack.store import db as store_db
from plantrack.store import ledger


@pytest.fixture
def site(small, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Five entries recorded a few hours or days apart."""
    for n, (args, at) in enumerate(
        [
            (("measure", "ind-a", "3", "--on", "2026-09-01"), "2026-11-25T01:00:00Z"),
            (("log", "obj-a", "lab opened", "--on", "2026-09-03"), "2026-11-25T02:00:00Z"),
            (("log", "obj-b", "lease signed", "--on", "2026-09-04"), "2026-11-26T03:00:00Z"),
            (("measure", "ind-a", "5", "--on", "2026-09-20"), "2026-11-27T04:00:00Z"),
            (("log", "obj-a", "second lab", "--on", "2026-09-25"), "2026-11-28T05:00:00Z"),
        ]
    ):
        monkeypatch.setenv("PLANTRACK_NOW", at)
        r = small(*args)
        assert r.exit_code == 0, (n, r.stderr)
    monkeypatch.setenv("PLANTRACK_NOW", "2026-12-01T00:00:00Z")
    return small


def db_path() -> Path:
    import os

    return Path(os.environ["PLANTRACK_DB"])


def rechain_after_editing(path: Path, entry_id: int, text: str) -> None:
    """What someone with the file can do: edit an entry, recompute every hash after it."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER entry_append_only_update")
    conn.execute("UPDATE entry SET text = ? WHERE id = ?", (text, entry_id))
    conn.commit()
    conn.close()
    c = store_db.connect(path)
    prev = ledger.GENESIS
    for e in ledger.entries_by_id(c, ledger.all_ids(c)):
        h = ledger.entry_hash(prev, ledger.hashed_content(e))
        c.execute("UPDATE entry SET hash = ? WHERE id = ?", (h, e.id))
        prev = h
    c.close()


def test_db_head_is_the_hash_of_the_last_entry(site) -> None:
    r = site("db", "head")
    assert r.exit_code == 0
    conn = sqlite3.connect(db_path())
    last = conn.execute("SELECT hash FROM entry ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert r.stdout.strip() == last
    assert site("db", "head", "--json").json() == {"head": last, "entries": 5}


def test_an_empty_ledger_has_no_head(small) -> None:
    r = small("db", "head", "--json")
    assert r.exit_code == 0 and r.json() == {"head": None, "entries": 0}
    r = small("db", "head")
    assert r.exit_code == 0 and r.stdout == "" and "no entries" in r.stderr


def test_doctor_passes_through_a_head_printed_before(site) -> None:
    head = site("db", "head").stdout.strip()
    assert site("log", "obj-b", "a later note").exit_code == 0
    r = site("db", "doctor", "--head", head[:32])
    assert r.exit_code == 0, r.stdout
    assert "passes through it (entry 5; 1 entries since)" in r.stdout


def test_doctor_catches_a_rewritten_and_rechained_ledger(site) -> None:
    head = site("db", "head").stdout.strip()
    rechain_after_editing(db_path(), 2, "no lab was opened")
    # ... and, knowing plantrack, mends the search index too, so that nothing else shows it.
    c = store_db.connect(db_path())
    c.execute(
        "INSERT INTO entry_fts (entry_fts, rowid, body) VALUES ('delete', 2, plantrack_fts_body('lab opened', '[]', NULL))"
    )
    c.execute(
        "INSERT INTO entry_fts (rowid, body) VALUES (2, plantrack_fts_body('no lab was opened', '[]', NULL))"
    )
    c.close()
    plain = site("db", "doctor")
    assert plain.exit_code == 0  # the chain itself is consistent again: only the anchor tells
    r = site("db", "doctor", "--head", head)
    assert r.exit_code == 1
    assert "no longer passes through the head" in r.stdout


def test_doctor_catches_a_removed_tail(site) -> None:
    head = site("db", "head").stdout.strip()
    conn = sqlite3.connect(db_path())
    conn.execute("DROP TRIGGER entry_append_only_delete")
    conn.execute("DELETE FROM entry WHERE id > 3")
    conn.commit()
    conn.close()
    r = site("db", "doctor", "--head", head, "--json")
    assert r.exit_code == 1
    assert any("no longer passes through the head" in p for p in r.json()["problems"])


@pytest.mark.parametrize("bad", ["abc", "xyz" * 10, "0" * 65, ""])
def test_a_malformed_head_is_bad_input(site, bad: str) -> None:
    r = site("db", "doctor", "--head", bad)
    assert r.exit_code == 2 and "not a ledger head" in r.stderr


def test_every_report_format_records_the_head_it_was_made_from(site, tmp_path: Path) -> None:
    head = site("db", "head").stdout.strip()
    assert site("report", "--period", "2026-Q3", "--format", "json").json()["report"]["ledger"] == {
        "head": head,
        "entries": 5,
    }
    md = site("report", "--period", "2026-Q3", "--format", "md").stdout
    assert f"plantrack db doctor --head {head}" in md
    html = site("report", "--period", "2026-Q3", "--format", "html").stdout
    assert head in html
    rows = list(
        csv.DictReader(
            io.StringIO(site("report", "--period", "2026-Q3", "--format", "csv").stdout.lstrip("\ufeff"))
        )
    )
    assert rows and {r["ledger_head"] for r in rows} == {head}
    out = tmp_path / "r.xlsx"
    assert site("report", "--period", "2026-Q3", "--format", "xlsx", "--out", out).exit_code == 0
    import openpyxl

    values = [c.value for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows() for c in row]
    assert head in values


def test_a_report_known_at_an_earlier_instant_records_the_head_of_then(site) -> None:
    conn = sqlite3.connect(db_path())
    third = conn.execute("SELECT hash FROM entry WHERE id = 3").fetchone()[0]
    res = site("report", "--period", "2026-Q3", "--format", "json", "--known-at", "2026-11-26T12:00Z")
    assert res.exit_code == 0, res.stderr
    r = res.json()
    assert r["report"]["ledger"] == {"head": third, "entries": 3}


def test_a_backup_records_its_head(site, tmp_path: Path) -> None:
    head = site("db", "head").stdout.strip()
    r = site("db", "backup", tmp_path / "b.db", "--json")
    assert r.exit_code == 0 and r.json()["head"] == head and r.json()["entries"] == 5
    r = site("db", "backup", tmp_path / "c.db")
    assert head in r.stderr
    assert site("--db", tmp_path / "b.db", "db", "doctor", "--head", head).exit_code == 0


def test_doctor_recomputes_the_summary_and_the_search_index(site) -> None:
    assert site("db", "doctor").exit_code == 0
    conn = sqlite3.connect(db_path())
    conn.execute("UPDATE target_stats SET v_value = 99 WHERE target = 'ind-a'")
    conn.execute("INSERT INTO entry_fts (rowid, body) VALUES (2, 'forged words')")
    conn.commit()
    conn.close()
    r = site("db", "doctor", "--json")
    assert r.exit_code == 1
    problems = "\n".join(r.json()["problems"])
    assert "summary of 'ind-a': v_value is 99" in problems
    assert "entry 2 is indexed under other words" in problems


def test_restore_says_which_head_it_installed(site, tmp_path: Path) -> None:
    head = site("db", "head").stdout.strip()
    assert site("db", "backup", tmp_path / "b.db").exit_code == 0
    assert site("log", "obj-b", "written after the backup").exit_code == 0
    assert site("db", "head").stdout.strip() != head
    r = site("db", "restore", tmp_path / "b.db")
    assert r.exit_code == 0, r.stderr
    assert f"ledger head {head} (5 entries)" in r.stderr
    assert site("db", "head").stdout.strip() == head


def test_the_library_gives_the_head_up_to_an_entry(site) -> None:
    from plantrack.store import anchor

    conn = store_db.connect(db_path())
    hashes = [h for (h,) in conn.execute("SELECT hash FROM entry ORDER BY id")]
    assert anchor.head(conn) == anchor.Head(hashes[-1], 5, 5)
    assert anchor.head(conn, 2) == anchor.Head(hashes[1], 2, 2)
    assert anchor.head(conn, known_at="2026-11-26T12:00:00Z") == anchor.Head(hashes[2], 3, 3)
    assert anchor.head(conn, 0) is None


def test_a_report_counts_exactly_the_entries_up_to_its_head_while_others_write(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry committed by someone else while the report is being built is neither counted
    nor taken as the report's head: the report reads one snapshot."""
    from datetime import UTC, date, datetime

    from plantrack.service import reports

    real = reports.ledger.measurement_series
    written: list[int] = []

    def meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not written:
            other = store_db.connect(db_path())
            draft = ledger.note_draft(other, "obj-b", "written meanwhile", date(2026, 9, 10), None, None)
            written.append(ledger.record(other, draft, "other", datetime(2026, 12, 1, tzinfo=UTC)).id)
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(reports.ledger, "measurement_series", meanwhile)
    r = site("report", "--period", "2026-Q3", "--format", "json").json()
    assert written == [6]
    assert r["report"]["ledger"]["entries"] == 5
    assert r["stocktake"]["counts"]["notes"] == 3
    assert site("db", "head", "--json").json()["entries"] == 6
