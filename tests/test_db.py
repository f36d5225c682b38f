"""The database: schema, pragmas, migrations, refusal of foreign files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from plantrack.errors import NotAPlantrackDatabase
from plantrack.store import db, migrations

EXPECTED_TABLES = {
    "meta": ["key", "value"],
    "plan_revision": ["rev", "plan_id", "applied_at", "user", "source_path", "sha256", "plan_json", "summary"],
    "plan_object": ["id", "kind", "parent", "data_json", "added_rev", "updated_rev", "archived_rev"],
    "plan_change": ["rev", "kind", "object_id", "change", "field", "old", "new"],
    "entry": ["id", "uid", "kind", "target", "on_date", "recorded_at", "user", "site", "text", "value",
              "state", "url", "attachment_name", "attachment_sha256", "attachment_size",
              "attachment_type", "tags", "retracts", "hash", "received_at", "level"],
    "_sqlite_migrations": ["id", "migration_set", "name", "applied_at"],
    "target_stats": ["target", "entries", "last_on", "max_on", "m_n", "m_sx", "m_sy", "m_sxx", "m_sxy",
                     "v_on", "v_id", "v_value", "s_on", "s_id", "s_state", "m_syy", "m_first", "m_min",
                     "m_frac", "m_max"],
    "site_key": ["key_id", "site", "name", "public_key", "fingerprint", "own", "added_at", "added_by",
                 "revoked_at", "revoked_by", "revoke_reason"],
    "partner_head": ["site", "position", "head", "key_id", "received_at"],
    "entry_signer": ["entry_id", "signed_by"],
}  # fmt: skip


def test_a_blank_database_gets_the_whole_schema(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "new.db")
    tables = {
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        if r[0] != "sqlite_sequence" and not r[0].startswith(("entry_fts", "plan_fts"))
    }
    assert tables == set(EXPECTED_TABLES)
    virtual = {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
    }
    assert virtual == {"entry_fts", "plan_fts"}
    for table, columns in EXPECTED_TABLES.items():
        assert [r[1] for r in conn.execute(f"PRAGMA table_info({table})")] == columns
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert triggers == {
        "entry_append_only_update",
        "entry_append_only_delete",
        "entry_fts_insert",
        "entry_stats_insert",
        "entry_stats_retract",
        "entry_signer_append_only_update",
        "entry_signer_append_only_delete",
    }
    indexes = {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
    }
    assert {
        "entry_target_on",
        "entry_retracts",
        "plan_change_object",
        "entry_measurement",
        "entry_milestone",
        "entry_assessment",
    } <= indexes
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == [name for name, _ in migrations.MIGRATIONS]


def test_migrations_run_once(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db.connect(path).close()
    conn = db.connect(path)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(migrations.MIGRATIONS)
    assert migrations.pending_names(conn) == []


def test_entries_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "x.db")
    conn.execute(
        "INSERT INTO entry (uid, kind, target, on_date, recorded_at, user, site, hash)"
        " VALUES ('u', 'note', 't', '2026-01-01', 'now', 'me', 's', 'h')"
    )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE entry SET text = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM entry")


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path, cli) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my precious notes\n")
    r = cli("--db", path, "status")
    assert r.exit_code == 2
    assert "not a plantrack database" in r.stderr
    assert path.read_bytes() == b"my precious notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_another_applications_sqlite_file_is_refused_and_untouched(tmp_path: Path, cli) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE customers (name TEXT)")
    other.commit()
    other.close()
    before = path.read_bytes()
    r = cli("--db", path, "measure", "researchers", "1")
    assert r.exit_code == 2
    assert "not a plantrack database" in r.stderr
    assert path.read_bytes() == before
    assert not (tmp_path / "other.db-wal").exists()
    with pytest.raises(NotAPlantrackDatabase):
        db.connect(path)


def test_an_empty_file_becomes_a_new_database(tmp_path: Path, cli) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    r = cli("--db", path, "status")
    assert r.exit_code == 0, r.stderr


def test_an_unwritable_location_is_a_clear_error(tmp_path: Path, cli) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = cli("--db", blocker / "sub" / "x.db", "status")
    assert r.exit_code == 2
    assert "does not exist" in r.stderr  # --db names a folder that is not there: never created


def test_db_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert db.resolve_path(str(tmp_path / "a.db")) == tmp_path / "a.db"
    monkeypatch.setenv("PLANTRACK_DB", str(tmp_path / "b.db"))
    assert db.resolve_path(None) == tmp_path / "b.db"
    monkeypatch.delenv("PLANTRACK_DB")
    assert db.resolve_path(None).name == "plantrack.db"
    assert "plantrack" in str(db.resolve_path(None).parent)
