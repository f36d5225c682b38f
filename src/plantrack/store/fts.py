"""The full-text index: the SQL functions its triggers call, pausing it for bulk loads, the plan's titles.

What is indexed is folded to one script (core.text.index_form), so either script finds both.
"""

from __future__ import annotations

import json
import sqlite3

from plantrack.core.text import index_form
from plantrack.store.migrations import recount_sql

_LIVE = [True]  # bulk loads switch the per-row trigger off and index once at the end


def entry_body(text: str | None, tags: str | None, attachment_name: str | None) -> str:
    parts = [text or ""]
    if tags and tags != "[]":
        try:
            parts += [str(t) for t in json.loads(tags)]
        except ValueError:
            pass
    if attachment_name:
        parts.append(attachment_name)
    return index_form(" ".join(parts))


def plan_text(object_id: str, data: dict[str, object]) -> str:
    """The words of a plan object that search looks at: its id, titles, names and description."""
    words = [object_id] + [
        str(data[k]) for k in ("title", "title_zh", "name", "name_zh", "description") if data.get(k)
    ]
    return " ".join(words)


def plan_body(object_id: str, data_json: str) -> str:
    """What the plan index holds for one object (its words, folded and segmented)."""
    return index_form(plan_text(object_id, json.loads(data_json)))


def _fts_live() -> int:
    return 1 if _LIVE[0] else 0


def register(conn: sqlite3.Connection) -> None:
    """The SQL functions the FTS triggers call; every plantrack connection has them."""
    conn.create_function("plantrack_fts_body", 3, entry_body, deterministic=True)
    conn.create_function("plantrack_plan_body", 2, plan_body, deterministic=True)
    conn.create_function("plantrack_fts_live", 0, _fts_live)


class paused_index:  # noqa: N801 - used as a context manager, reads like a statement
    """Switch the per-row FTS trigger off for a bulk load; index the new rows at the end."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.after = 0

    def __enter__(self) -> paused_index:
        self.after = self.conn.execute("SELECT coalesce(max(id), 0) FROM entry").fetchone()[0]
        _LIVE[0] = False
        return self

    def __exit__(self, *exc: object) -> None:
        _LIVE[0] = True

    def catch_up(self) -> None:
        """Index the rows written while paused and recount their targets' summaries.

        Call inside the load's transaction.
        """
        self.conn.execute(
            "INSERT INTO entry_fts (rowid, body) SELECT id, plantrack_fts_body(text, tags, attachment_name)"
            " FROM entry WHERE id > ?",
            (self.after,),
        )
        self.conn.execute("DROP TABLE IF EXISTS temp.plantrack_touched")
        self.conn.execute(
            "CREATE TEMP TABLE plantrack_touched AS SELECT DISTINCT target FROM entry WHERE id > ?",
            (self.after,),
        )
        self.conn.execute(recount_sql("SELECT target FROM temp.plantrack_touched"))
        self.conn.execute("DROP TABLE temp.plantrack_touched")


def rebuild_plan_index(conn: sqlite3.Connection) -> None:
    """The plan's titles and names (all objects, archived ones too), re-indexed after an apply."""
    conn.execute("DELETE FROM plan_fts")
    rows = conn.execute("SELECT id, kind, data_json FROM plan_object").fetchall()
    out = [(oid, kind, plan_body(oid, data_json)) for oid, kind, data_json in rows]
    conn.executemany("INSERT INTO plan_fts (object_id, kind, body) VALUES (?, ?, ?)", out)
