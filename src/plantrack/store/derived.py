"""What the doctor recomputes from the entries: the per-target summary and the search index.

Both are derived from the ledger (triggers keep them as entries are written); a difference means
someone changed them by hand, or a write went wrong. Nothing is rewritten here: the doctor
reports, and says how to repair.
"""

from __future__ import annotations

import math
import sqlite3

from plantrack.store.migrations import recount_sql

_REAL = {"m_sx", "m_sy", "m_sxx", "m_sxy", "v_value", "m_syy", "m_first", "m_min", "m_frac", "m_max"}


def summary_differences(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """Targets whose stored summary (target_stats) differs from one computed afresh."""
    sql = recount_sql()
    select = sql[sql.index("SELECT t.target") :]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(target_stats)")]
    stored = {r[0]: r for r in conn.execute(f"SELECT {', '.join(columns)} FROM target_stats")}
    insert_cols = sql[sql.index("(") + 1 : sql.index(")")].replace("\n", " ")
    order = [c.strip() for c in insert_cols.split(",")]
    fresh = {}
    for row in conn.execute(select):
        values = dict(zip(order, row, strict=True))
        fresh[values["target"]] = tuple(values.get(c) for c in columns)
    out: list[str] = []
    for target in sorted(set(stored) | set(fresh)):
        a, b = stored.get(target), fresh.get(target)
        if a is None:
            out.append(f"summary of {target!r} is missing")
        elif b is None:
            if a[columns.index("entries")]:  # a row left for a target with no live entries
                out.append(f"summary of {target!r} counts entries that are not there")
        else:
            for name, x, y in zip(columns, a, b, strict=True):
                if not _same(name, x, y):
                    out.append(f"summary of {target!r}: {name} is {x!r}, the entries give {y!r}")
                    break
        if len(out) >= limit:
            break
    return out


def _same(name: str, x: object, y: object) -> bool:
    if name in _REAL and isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-6)
    return x == y


def index_differences(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """Entries whose words in the search index differ from their text indexed afresh."""
    conn.execute("DROP TABLE IF EXISTS temp.doctor_fts")
    conn.execute("DROP TABLE IF EXISTS temp.doctor_vocab_fresh")
    conn.execute("DROP TABLE IF EXISTS temp.doctor_vocab_stored")
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE temp.doctor_fts USING fts5(body, content = '', columnsize = 0,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        conn.execute(
            "INSERT INTO temp.doctor_fts (rowid, body)"
            " SELECT id, plantrack_fts_body(text, tags, attachment_name) FROM main.entry"
        )
        conn.execute(
            "CREATE VIRTUAL TABLE temp.doctor_vocab_fresh USING fts5vocab(temp, doctor_fts, instance)"
        )
        conn.execute(
            "CREATE VIRTUAL TABLE temp.doctor_vocab_stored USING fts5vocab(main, entry_fts, instance)"
        )
        rows = conn.execute(
            "SELECT doc FROM (SELECT term, doc, offset FROM temp.doctor_vocab_stored"
            " EXCEPT SELECT term, doc, offset FROM temp.doctor_vocab_fresh)"
            " UNION SELECT doc FROM (SELECT term, doc, offset FROM temp.doctor_vocab_fresh"
            " EXCEPT SELECT term, doc, offset FROM temp.doctor_vocab_stored)"
            " ORDER BY doc LIMIT ?",
            (limit,),
        ).fetchall()
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.doctor_vocab_fresh")
        conn.execute("DROP TABLE IF EXISTS temp.doctor_vocab_stored")
        conn.execute("DROP TABLE IF EXISTS temp.doctor_fts")
    return [f"search index: entry {r[0]} is indexed under other words than its text" for r in rows]
