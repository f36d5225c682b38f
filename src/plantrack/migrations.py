"""Named, append-only schema migrations, applied once when a database is opened.

Migrations are registered with sqlite-utils' ``Migrations`` (its ``_sqlite_migrations`` table
records what ran). Never edit or reorder a migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "plantrack"
APPLICATION_ID = 0x504C544B  # "PLTK", written to the SQLite header by m001

M001_CORE = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per `plan apply` that changed something: who, when, which file, what changed.
CREATE TABLE plan_revision (
    rev INTEGER PRIMARY KEY,
    plan_id TEXT NOT NULL,
    applied_at TEXT NOT NULL,          -- UTC, ISO 8601
    user TEXT NOT NULL,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,              -- of the plan file's bytes
    plan_json TEXT NOT NULL,           -- the whole validated plan, as applied
    summary TEXT NOT NULL
);

-- Every object the plan has ever declared; removed ones are archived, never deleted.
CREATE TABLE plan_object (
    id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('plan', 'sector', 'theme', 'objective', 'milestone', 'indicator')),
    parent TEXT,
    data_json TEXT NOT NULL,
    added_rev INTEGER NOT NULL REFERENCES plan_revision(rev),
    updated_rev INTEGER NOT NULL REFERENCES plan_revision(rev),
    archived_rev INTEGER REFERENCES plan_revision(rev),
    PRIMARY KEY (id, kind)
);
CREATE INDEX plan_object_parent ON plan_object(parent);

-- What each revision changed, field by field (a moved due date is a slip).
CREATE TABLE plan_change (
    rev INTEGER NOT NULL REFERENCES plan_revision(rev),
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added', 'updated', 'archived', 'restored')),
    field TEXT,
    old TEXT,                          -- JSON
    new TEXT                           -- JSON
);
CREATE INDEX plan_change_object ON plan_change(object_id, rev);

-- The ledger: append-only. Corrections are retractions plus new entries.
CREATE TABLE entry (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('note', 'measurement', 'milestone', 'retraction')),
    target TEXT NOT NULL,
    on_date TEXT NOT NULL,             -- the date the entry refers to (plan time zone)
    recorded_at TEXT NOT NULL,         -- UTC instant it was written
    user TEXT NOT NULL,
    site TEXT NOT NULL,
    text TEXT,
    value REAL,
    state TEXT CHECK (state IS NULL OR state IN ('planned', 'in-progress', 'done', 'blocked', 'cancelled')),
    url TEXT,
    attachment_name TEXT,
    attachment_sha256 TEXT,
    attachment_size INTEGER,
    attachment_type TEXT,
    tags TEXT NOT NULL DEFAULT '[]',   -- JSON list
    retracts TEXT REFERENCES entry(uid),
    hash TEXT NOT NULL                 -- sha256(previous entry's hash + canonical content)
);
CREATE INDEX entry_target_on ON entry(target, on_date, id);
CREATE INDEX entry_retracts ON entry(retracts) WHERE retracts IS NOT NULL;

CREATE TRIGGER entry_append_only_update BEFORE UPDATE ON entry
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: retract and record anew');
END;
CREATE TRIGGER entry_append_only_delete BEFORE DELETE ON entry
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: retract and record anew');
END;
"""

M002_FTS = """
-- Full-text search: entry text, tags and attachment names; CJK runs indexed as bigrams
-- (see plantrack.search). The trigger calls functions every plantrack connection registers.
-- Contentless: the text lives in entry; the index only maps words to entry ids.
CREATE VIRTUAL TABLE entry_fts USING fts5(
    body, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER entry_fts_insert AFTER INSERT ON entry WHEN plantrack_fts_live()
BEGIN
    INSERT INTO entry_fts (rowid, body)
    VALUES (new.id, plantrack_fts_body(new.text, new.tags, new.attachment_name));
END;
INSERT INTO entry_fts (rowid, body)
    SELECT id, plantrack_fts_body(text, tags, attachment_name) FROM entry;

-- The plan's titles and names, rebuilt after every plan apply.
CREATE VIRTUAL TABLE plan_fts USING fts5(
    object_id UNINDEXED, kind UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2'
);
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("m001_core", M001_CORE),
    ("m002_fts", M002_FTS),
]


def statements(script: str) -> list[str]:
    """Split a script into statements (trigger bodies included) without executescript's COMMIT."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        if not buf and (not line.strip() or line.strip().startswith("--")):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def registry() -> object:
    """The sqlite-utils Migrations set holding every migration above, in order."""
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, script in MIGRATIONS:

        def apply(db: Database, script: str = script) -> None:
            for statement in statements(script):
                db.execute(statement)

        apply.__name__ = name
        migrations(name=name)(apply)
    return migrations


def pending_names(conn: sqlite3.Connection) -> list[str]:
    """Names of migrations not yet applied, read with the stdlib alone (the hot path)."""
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
        ).fetchall()
    except sqlite3.OperationalError:
        return [name for name, _ in MIGRATIONS]
    done = {r[0] for r in rows}
    return [name for name, _ in MIGRATIONS if name not in done]


def apply_pending(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations inside the caller's transaction; return their names."""
    from sqlite_utils import Database

    names = pending_names(conn)
    if not names:
        return []
    db = Database(conn)
    registry().apply(db)  # type: ignore[attr-defined]
    return names
