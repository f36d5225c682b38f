"""Named, append-only schema migrations, applied once when a database is opened.

Migrations are registered with sqlite-utils' ``Migrations`` (its ``_sqlite_migrations`` table
records what ran). Never edit or reorder a migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from plantrack.store import clauses

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

# Trigger text shared by m003 and m006 (m006 rebuilt the triggers with more columns).
_STATS_VALUES_V1 = """\
    VALUES (
        new.target, 1, new.on_date, new.on_date,
        new.kind = 'measurement',
        CASE WHEN new.kind = 'measurement' THEN julianday(new.on_date) - 2451544.5 ELSE 0 END,
        CASE WHEN new.kind = 'measurement' THEN new.value ELSE 0 END,
        CASE WHEN new.kind = 'measurement' THEN (julianday(new.on_date) - 2451544.5) * (julianday(new.on_date) - 2451544.5) ELSE 0 END,
        CASE WHEN new.kind = 'measurement' THEN (julianday(new.on_date) - 2451544.5) * new.value ELSE 0 END,
        CASE WHEN new.kind = 'measurement' THEN new.on_date END,
        CASE WHEN new.kind = 'measurement' THEN new.id END,
        CASE WHEN new.kind = 'measurement' THEN new.value END,
        CASE WHEN new.kind = 'milestone' THEN new.on_date END,
        CASE WHEN new.kind = 'milestone' THEN new.id END,"""
_STATS_UPSERT_V1 = """\
    )
    ON CONFLICT (target) DO UPDATE SET
        entries = target_stats.entries + 1,
        last_on = max(coalesce(target_stats.last_on, ''), excluded.last_on),
        max_on = max(coalesce(target_stats.max_on, ''), excluded.max_on),
        m_n = target_stats.m_n + excluded.m_n,
        m_sx = target_stats.m_sx + excluded.m_sx,
        m_sy = target_stats.m_sy + excluded.m_sy,
        m_sxx = target_stats.m_sxx + excluded.m_sxx,
        m_sxy = target_stats.m_sxy + excluded.m_sxy,"""
_STATS_LATEST_V1 = """\
        v_on = CASE WHEN excluded.v_on IS NOT NULL AND (target_stats.v_on IS NULL OR excluded.v_on > target_stats.v_on OR (excluded.v_on = target_stats.v_on AND excluded.v_id > target_stats.v_id)) THEN excluded.v_on ELSE target_stats.v_on END,
        v_id = CASE WHEN excluded.v_on IS NOT NULL AND (target_stats.v_on IS NULL OR excluded.v_on > target_stats.v_on OR (excluded.v_on = target_stats.v_on AND excluded.v_id > target_stats.v_id)) THEN excluded.v_id ELSE target_stats.v_id END,
        v_value = CASE WHEN excluded.v_on IS NOT NULL AND (target_stats.v_on IS NULL OR excluded.v_on > target_stats.v_on OR (excluded.v_on = target_stats.v_on AND excluded.v_id > target_stats.v_id)) THEN excluded.v_value ELSE target_stats.v_value END,
        s_on = CASE WHEN excluded.s_on IS NOT NULL AND (target_stats.s_on IS NULL OR excluded.s_on > target_stats.s_on OR (excluded.s_on = target_stats.s_on AND excluded.s_id > target_stats.s_id)) THEN excluded.s_on ELSE target_stats.s_on END,
        s_id = CASE WHEN excluded.s_on IS NOT NULL AND (target_stats.s_on IS NULL OR excluded.s_on > target_stats.s_on OR (excluded.s_on = target_stats.s_on AND excluded.s_id > target_stats.s_id)) THEN excluded.s_id ELSE target_stats.s_id END,
        s_state = CASE WHEN excluded.s_on IS NOT NULL AND (target_stats.s_on IS NULL OR excluded.s_on > target_stats.s_on OR (excluded.s_on = target_stats.s_on AND excluded.s_id > target_stats.s_id)) THEN excluded.s_state ELSE target_stats.s_state END;
END;
"""

M003_TARGET_STATS = f"""
-- What each target's entries add up to, kept by triggers, so that status reads one small row
-- per objective, milestone and indicator instead of every entry. Valid for "everything
-- recorded" and any as-of date on or after max_on; other questions use the entries themselves.
CREATE TABLE target_stats (
    target TEXT PRIMARY KEY,
    entries INTEGER NOT NULL,          -- live entries (not retracted, not retractions)
    last_on TEXT,                      -- the latest on_date among them
    max_on TEXT,                       -- the latest on_date of any entry ever (retracted too)
    m_n INTEGER NOT NULL,              -- live measurements: count and least-squares sums of
    m_sx REAL NOT NULL,                --   x = days since 2000-01-01, y = value
    m_sy REAL NOT NULL,
    m_sxx REAL NOT NULL,
    m_sxy REAL NOT NULL,
    v_on TEXT, v_id INTEGER, v_value REAL,       -- the latest live measurement
    s_on TEXT, s_id INTEGER, s_state TEXT        -- the latest live milestone state change
) WITHOUT ROWID;

CREATE TRIGGER entry_stats_insert AFTER INSERT ON entry
WHEN new.kind != 'retraction' AND plantrack_fts_live()
BEGIN
    INSERT INTO target_stats (target, entries, last_on, max_on, m_n, m_sx, m_sy, m_sxx, m_sxy,
                              v_on, v_id, v_value, s_on, s_id, s_state)
{_STATS_VALUES_V1}
        CASE WHEN new.kind = 'milestone' THEN new.state END
{_STATS_UPSERT_V1}
{_STATS_LATEST_V1}
-- A retraction can take away the latest value or state: recount that one target.
CREATE TRIGGER entry_stats_retract AFTER INSERT ON entry
WHEN new.kind = 'retraction' AND plantrack_fts_live()
BEGIN
    DELETE FROM target_stats WHERE target = (SELECT target FROM entry WHERE uid = new.retracts);
    INSERT INTO target_stats (target, entries, last_on, max_on, m_n, m_sx, m_sy, m_sxx, m_sxy,
        v_on, v_id, v_value, s_on, s_id, s_state)
    SELECT (SELECT target FROM entry WHERE uid = new.retracts),
        (SELECT count(*) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind != 'retraction' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)),
        (SELECT max(e.on_date) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind != 'retraction' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)),
        (SELECT max(e.on_date) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind != 'retraction'),
        (SELECT count(*) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)),
        (SELECT coalesce(sum((julianday(e.on_date) - 2451544.5)), 0) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)),
        (SELECT coalesce(sum(e.value), 0) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)),
        (SELECT coalesce(sum((julianday(e.on_date) - 2451544.5) * (julianday(e.on_date) - 2451544.5)), 0) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)),
        (SELECT coalesce(sum((julianday(e.on_date) - 2451544.5) * e.value), 0) FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)),
        (SELECT e.on_date FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) ORDER BY e.on_date DESC, e.id DESC LIMIT 1),
        (SELECT e.id FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) ORDER BY e.on_date DESC, e.id DESC LIMIT 1),
        (SELECT e.value FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) ORDER BY e.on_date DESC, e.id DESC LIMIT 1),
        (SELECT e.on_date FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'milestone' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) ORDER BY e.on_date DESC, e.id DESC LIMIT 1),
        (SELECT e.id FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'milestone' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) ORDER BY e.on_date DESC, e.id DESC LIMIT 1),
        (SELECT e.state FROM entry e WHERE e.target = (SELECT target FROM entry WHERE uid = new.retracts) AND e.kind = 'milestone' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) ORDER BY e.on_date DESC, e.id DESC LIMIT 1);
END;
"""

# Recount every target from its entries (after bulk loads, and to fill the table at first).
RECOUNT_ALL = """
INSERT OR REPLACE INTO target_stats (target, entries, last_on, max_on, m_n, m_sx, m_sy, m_sxx, m_sxy,
                                     v_on, v_id, v_value, s_on, s_id, s_state)
SELECT t.target, s.entries, s.last_on, s.max_on, s.m_n, s.m_sx, s.m_sy, s.m_sxx, s.m_sxy,
    v.on_date, v.id, v.value, m.on_date, m.id, m.state
FROM (SELECT DISTINCT target FROM entry WHERE kind != 'retraction' {where}) AS t
JOIN (
    SELECT e.target,
        sum(e.kind != 'retraction' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)) AS entries,
        max(CASE WHEN e.kind != 'retraction' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) THEN e.on_date END) AS last_on,
        max(CASE WHEN e.kind != 'retraction' THEN e.on_date END) AS max_on,
        sum(e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)) AS m_n,
        total(CASE WHEN e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) THEN julianday(e.on_date) - 2451544.5 END) AS m_sx,
        total(CASE WHEN e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) THEN e.value END) AS m_sy,
        total(CASE WHEN e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) THEN (julianday(e.on_date) - 2451544.5) * (julianday(e.on_date) - 2451544.5) END) AS m_sxx,
        total(CASE WHEN e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) THEN (julianday(e.on_date) - 2451544.5) * e.value END) AS m_sxy
    FROM entry e {ewhere} GROUP BY e.target
) AS s ON s.target = t.target
LEFT JOIN (
    SELECT target, on_date, id, value FROM (
        SELECT e.target, e.on_date, e.id, e.value,
            row_number() OVER (PARTITION BY e.target ORDER BY e.on_date DESC, e.id DESC) AS rn
        FROM entry e WHERE e.kind = 'measurement' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) {and_ewhere}
    ) WHERE rn = 1
) AS v ON v.target = t.target
LEFT JOIN (
    SELECT target, on_date, id, state FROM (
        SELECT e.target, e.on_date, e.id, e.state,
            row_number() OVER (PARTITION BY e.target ORDER BY e.on_date DESC, e.id DESC) AS rn
        FROM entry e WHERE e.kind = 'milestone' AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid) {and_ewhere}
    ) WHERE rn = 1
) AS m ON m.target = t.target
"""

M003_FILL = RECOUNT_ALL.format(where="", ewhere="", and_ewhere="")


def recount_sql(targets_sql: str | None = None) -> str:
    """The current recount, limited to the targets a subquery names (None: every target)."""
    if targets_sql is None:
        return RECOUNT_ALL_V2.format(where="", ewhere="", and_ewhere="")
    return RECOUNT_ALL_V2.format(
        where=f"AND target IN ({targets_sql})",
        ewhere=f"WHERE e.target IN ({targets_sql})",
        and_ewhere=f"AND e.target IN ({targets_sql})",
    )


M004_MEASUREMENT_INDEX = """
-- Measurements and milestone states by target and date: the as-of and known-at questions
-- (latest value or state, least-squares sums) read these indexes instead of the entry rows.
CREATE INDEX entry_measurement ON entry(target, on_date, id, value, recorded_at, uid) WHERE kind = 'measurement';
CREATE INDEX entry_milestone ON entry(target, on_date, id, state, recorded_at, uid) WHERE kind = 'milestone';
"""

M005_RECEIVED_AT = """
-- When this database learned of an entry. Entries imported from another site keep the
-- instant they were recorded there (recorded_at) and get the instant they arrived here;
-- "known at T" counts what had arrived by T, so a report regenerated here matches the one
-- sent from here. NULL means "when it was recorded" (every entry written locally).
ALTER TABLE entry ADD COLUMN received_at TEXT;
"""


# The live-entry predicate and the x of the least-squares sums, for the statements below.
_LIVE_E = clauses.LIVE  # the same text m003 spells out
_X = "(julianday(e.on_date) - 2451544.5)"
_OF = "e.target = (SELECT target FROM entry WHERE uid = new.retracts)"


def _m006() -> str:
    """Assessments (a new entry kind with a level) and the sums an honest forecast needs.

    SQLite cannot widen a CHECK constraint in place, so the entry table is rebuilt (SQLite's
    documented twelve-step procedure; the connection turns foreign keys off around migrations):
    rows, ids, hashes and the AUTOINCREMENT counter are copied as they are, and the indexes and
    triggers are made again. target_stats gains the sum of squared values (for the prediction
    interval), the first measurement date (the span), the smallest and largest values (a series
    never negative is never forecast below 0; whether a target was ever reached) and the count
    of values that are not whole (decimals).
    """
    meas = f"e.kind = 'measurement' AND {_LIVE_E}"
    recount_cols = (
        "target, entries, last_on, max_on, m_n, m_sx, m_sy, m_sxx, m_sxy, v_on, v_id, v_value,"
        " s_on, s_id, s_state, m_syy, m_first, m_min, m_frac, m_max"
    )
    latest = "ORDER BY e.on_date DESC, e.id DESC LIMIT 1"
    return f"""
CREATE TABLE entry_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('note', 'measurement', 'milestone', 'retraction', 'assessment')),
    target TEXT NOT NULL,
    on_date TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
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
    tags TEXT NOT NULL DEFAULT '[]',
    retracts TEXT REFERENCES entry(uid),
    hash TEXT NOT NULL,
    received_at TEXT,
    level TEXT CHECK (level IS NULL OR level IN ('green', 'amber-green', 'amber', 'amber-red', 'red')),
    CHECK ((kind = 'assessment') = (level IS NOT NULL))
);
INSERT INTO entry_new (id, uid, kind, target, on_date, recorded_at, user, site, text, value, state, url,
    attachment_name, attachment_sha256, attachment_size, attachment_type, tags, retracts, hash, received_at)
SELECT id, uid, kind, target, on_date, recorded_at, user, site, text, value, state, url,
    attachment_name, attachment_sha256, attachment_size, attachment_type, tags, retracts, hash, received_at
FROM entry ORDER BY id;
UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ('entry', 'entry_new'))
WHERE name = 'entry_new';
DROP TABLE entry;
ALTER TABLE entry_new RENAME TO entry;
CREATE INDEX entry_target_on ON entry(target, on_date, id);
CREATE INDEX entry_retracts ON entry(retracts) WHERE retracts IS NOT NULL;
CREATE INDEX entry_measurement ON entry(target, on_date, id, value, recorded_at, uid) WHERE kind = 'measurement';
CREATE INDEX entry_milestone ON entry(target, on_date, id, state, recorded_at, uid) WHERE kind = 'milestone';
CREATE INDEX entry_assessment ON entry(target, on_date, id, level, recorded_at, uid) WHERE kind = 'assessment';

CREATE TRIGGER entry_append_only_update BEFORE UPDATE ON entry
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: retract and record anew');
END;
CREATE TRIGGER entry_append_only_delete BEFORE DELETE ON entry
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: retract and record anew');
END;
CREATE TRIGGER entry_fts_insert AFTER INSERT ON entry WHEN plantrack_fts_live()
BEGIN
    INSERT INTO entry_fts (rowid, body)
    VALUES (new.id, plantrack_fts_body(new.text, new.tags, new.attachment_name));
END;

ALTER TABLE target_stats ADD COLUMN m_syy REAL NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN m_first TEXT;
ALTER TABLE target_stats ADD COLUMN m_min REAL;
ALTER TABLE target_stats ADD COLUMN m_frac INTEGER NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN m_max REAL;

CREATE TRIGGER entry_stats_insert AFTER INSERT ON entry
WHEN new.kind != 'retraction' AND plantrack_fts_live()
BEGIN
    INSERT INTO target_stats ({recount_cols})
{_STATS_VALUES_V1}
        CASE WHEN new.kind = 'milestone' THEN new.state END,
        CASE WHEN new.kind = 'measurement' THEN new.value * new.value ELSE 0 END,
        CASE WHEN new.kind = 'measurement' THEN new.on_date END,
        CASE WHEN new.kind = 'measurement' THEN new.value END,
        new.kind = 'measurement' AND new.value != round(new.value),
        CASE WHEN new.kind = 'measurement' THEN new.value END
{_STATS_UPSERT_V1}
        m_syy = target_stats.m_syy + excluded.m_syy,
        m_first = CASE WHEN excluded.m_first IS NOT NULL AND (target_stats.m_first IS NULL OR excluded.m_first < target_stats.m_first) THEN excluded.m_first ELSE target_stats.m_first END,
        m_min = CASE WHEN excluded.m_min IS NOT NULL AND (target_stats.m_min IS NULL OR excluded.m_min < target_stats.m_min) THEN excluded.m_min ELSE target_stats.m_min END,
        m_frac = target_stats.m_frac + excluded.m_frac,
        m_max = CASE WHEN excluded.m_max IS NOT NULL AND (target_stats.m_max IS NULL OR excluded.m_max > target_stats.m_max) THEN excluded.m_max ELSE target_stats.m_max END,
{_STATS_LATEST_V1}
CREATE TRIGGER entry_stats_retract AFTER INSERT ON entry
WHEN new.kind = 'retraction' AND plantrack_fts_live()
BEGIN
    DELETE FROM target_stats WHERE target = (SELECT target FROM entry WHERE uid = new.retracts);
    INSERT INTO target_stats ({recount_cols})
    SELECT (SELECT target FROM entry WHERE uid = new.retracts),
        (SELECT count(*) FROM entry e WHERE {_OF} AND e.kind != 'retraction' AND {_LIVE_E}),
        (SELECT max(e.on_date) FROM entry e WHERE {_OF} AND e.kind != 'retraction' AND {_LIVE_E}),
        (SELECT max(e.on_date) FROM entry e WHERE {_OF} AND e.kind != 'retraction'),
        (SELECT count(*) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT total({_X}) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT total(e.value) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT total({_X} * {_X}) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT total({_X} * e.value) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT e.on_date FROM entry e WHERE {_OF} AND {meas} {latest}),
        (SELECT e.id FROM entry e WHERE {_OF} AND {meas} {latest}),
        (SELECT e.value FROM entry e WHERE {_OF} AND {meas} {latest}),
        (SELECT e.on_date FROM entry e WHERE {_OF} AND e.kind = 'milestone' AND {_LIVE_E} {latest}),
        (SELECT e.id FROM entry e WHERE {_OF} AND e.kind = 'milestone' AND {_LIVE_E} {latest}),
        (SELECT e.state FROM entry e WHERE {_OF} AND e.kind = 'milestone' AND {_LIVE_E} {latest}),
        (SELECT total(e.value * e.value) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT min(e.on_date) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT min(e.value) FROM entry e WHERE {_OF} AND {meas}),
        (SELECT count(*) FROM entry e WHERE {_OF} AND {meas} AND e.value != round(e.value)),
        (SELECT max(e.value) FROM entry e WHERE {_OF} AND {meas});
END;
"""


# Recount every target from its entries, with m006's columns (after bulk loads, and to fill them).
RECOUNT_ALL_V2 = f"""
INSERT OR REPLACE INTO target_stats (target, entries, last_on, max_on, m_n, m_sx, m_sy, m_sxx, m_sxy,
                                     v_on, v_id, v_value, s_on, s_id, s_state, m_syy, m_first, m_min, m_frac, m_max)
SELECT t.target, s.entries, s.last_on, s.max_on, s.m_n, s.m_sx, s.m_sy, s.m_sxx, s.m_sxy,
    v.on_date, v.id, v.value, m.on_date, m.id, m.state, s.m_syy, s.m_first, s.m_min, s.m_frac, s.m_max
FROM (SELECT DISTINCT target FROM entry WHERE kind != 'retraction' {{where}}) AS t
JOIN (
    SELECT e.target,
        sum(e.kind != 'retraction' AND {_LIVE_E}) AS entries,
        max(CASE WHEN e.kind != 'retraction' AND {_LIVE_E} THEN e.on_date END) AS last_on,
        max(CASE WHEN e.kind != 'retraction' THEN e.on_date END) AS max_on,
        sum(e.kind = 'measurement' AND {_LIVE_E}) AS m_n,
        total(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN {_X} END) AS m_sx,
        total(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN e.value END) AS m_sy,
        total(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN {_X} * {_X} END) AS m_sxx,
        total(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN {_X} * e.value END) AS m_sxy,
        total(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN e.value * e.value END) AS m_syy,
        min(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN e.on_date END) AS m_first,
        min(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN e.value END) AS m_min,
        sum(e.kind = 'measurement' AND {_LIVE_E} AND e.value != round(e.value)) AS m_frac,
        max(CASE WHEN e.kind = 'measurement' AND {_LIVE_E} THEN e.value END) AS m_max
    FROM entry e {{ewhere}} GROUP BY e.target
) AS s ON s.target = t.target
LEFT JOIN (
    SELECT target, on_date, id, value FROM (
        SELECT e.target, e.on_date, e.id, e.value,
            row_number() OVER (PARTITION BY e.target ORDER BY e.on_date DESC, e.id DESC) AS rn
        FROM entry e WHERE e.kind = 'measurement' AND {_LIVE_E} {{and_ewhere}}
    ) WHERE rn = 1
) AS v ON v.target = t.target
LEFT JOIN (
    SELECT target, on_date, id, state FROM (
        SELECT e.target, e.on_date, e.id, e.state,
            row_number() OVER (PARTITION BY e.target ORDER BY e.on_date DESC, e.id DESC) AS rn
        FROM entry e WHERE e.kind = 'milestone' AND {_LIVE_E} {{and_ewhere}}
    ) WHERE rn = 1
) AS m ON m.target = t.target
"""

M007_FOLD_SCRIPTS = """
-- Search folds Traditional and Simplified Chinese (and the glossary's regional terms) to one form:
-- every entry and plan title is indexed again through the folding functions (plantrack.store.fts).
INSERT INTO entry_fts (entry_fts) VALUES ('delete-all');
INSERT INTO entry_fts (rowid, body)
    SELECT id, plantrack_fts_body(text, tags, attachment_name) FROM entry;
DELETE FROM plan_fts;
INSERT INTO plan_fts (object_id, kind, body)
    SELECT id, kind, plantrack_plan_body(id, data_json) FROM plan_object;
"""

M008_SITES = """
-- Each site signs what it exports with an Ed25519 key; this is the site's trust list: its own
-- public key (own = 1) and the keys of the sites it accepts bundles from. A key is never
-- deleted: a revoked one stays, so that what it signed before can still be told apart.
CREATE TABLE site_key (
    key_id TEXT PRIMARY KEY,           -- the key's minisign id, 16 hex digits
    site TEXT NOT NULL,                -- the site id its entries carry
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,          -- base64 of the 32-byte Ed25519 public key
    fingerprint TEXT NOT NULL,         -- read out over the phone before trusting a key
    own INTEGER NOT NULL DEFAULT 0,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    revoke_reason TEXT
);
CREATE INDEX site_key_site ON site_key(site);

-- The last ledger head each partner site showed in a signed bundle: a later bundle whose chain
-- no longer passes through it (a rewritten or shortened history) is refused.
CREATE TABLE partner_head (
    site TEXT PRIMARY KEY,
    position INTEGER NOT NULL,         -- how many entries the partner's ledger held
    head TEXT NOT NULL,                -- the hash of its last entry
    key_id TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- Who vouched for an imported entry: the key id that signed its bundle, or 'unverified' when it
-- came without a trusted signature (import --allow-unsigned, or before bundles were signed).
-- Entries written here have no row. Append-only, as the entries are.
CREATE TABLE entry_signer (
    entry_id INTEGER PRIMARY KEY REFERENCES entry(id),
    signed_by TEXT NOT NULL
);
CREATE TRIGGER entry_signer_append_only_update BEFORE UPDATE ON entry_signer
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: retract and record anew');
END;
CREATE TRIGGER entry_signer_append_only_delete BEFORE DELETE ON entry_signer
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: retract and record anew');
END;
INSERT INTO entry_signer (entry_id, signed_by)
    SELECT id, 'unverified' FROM entry
    WHERE site <> coalesce((SELECT value FROM meta WHERE key = 'site'), site);
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("m001_core", M001_CORE),
    ("m002_fts", M002_FTS),
    ("m003_target_stats", M003_TARGET_STATS + M003_FILL + ";"),
    ("m004_measurement_index", M004_MEASUREMENT_INDEX),
    ("m005_received_at", M005_RECEIVED_AT),
    ("m006_assessments", _m006() + RECOUNT_ALL_V2.format(where="", ewhere="", and_ewhere="") + ";"),
    ("m007_fold_scripts", M007_FOLD_SCRIPTS),
    ("m008_sites", M008_SITES),
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
