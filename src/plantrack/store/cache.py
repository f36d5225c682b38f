"""What `status` keeps between runs: the parsed plan and every objective's figures.

Kept in a small SQLite file of its own in the user's cache folder (one folder per database)
and checked against a key on every read: the code's version, the plan revision and its sha256,
the as-of date and the head of the hash chain (the newest entry's id and hash). Any write,
retraction, import, plan apply, restore or new day changes the key, so a stale value is never
used; a damaged or foreign file is recomputed. Nothing here is ever the only copy of anything:
deleting the folder, or PLANTRACK_NO_CACHE=1, only costs time.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from plantrack import __version__

FORMAT = 3  # bump when a cached value's shape changes without a version change
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kv (name TEXT PRIMARY KEY, key TEXT NOT NULL, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS result (key TEXT NOT NULL, id TEXT NOT NULL, value BLOB NOT NULL,"
    " PRIMARY KEY (key, id)) WITHOUT ROWID;"
)


def switched_off() -> bool:
    return os.environ.get("PLANTRACK_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on", "y")


def folder(conn: sqlite3.Connection) -> Path | None:
    """This database's cache folder, or None (in-memory database, or caching switched off)."""
    if switched_off():
        return None
    row = conn.execute("PRAGMA database_list").fetchone()
    if row is None or not row[2]:
        return None
    import hashlib

    from platformdirs import user_cache_dir

    name = hashlib.sha256(str(Path(row[2]).resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(user_cache_dir("plantrack", appauthor=False)) / name


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The newest entry's id and hash: they change with every entry written or imported."""
    row = conn.execute("SELECT id, hash FROM entry ORDER BY id DESC LIMIT 1").fetchone()
    return (0, "") if row is None else (int(row[0]), str(row[1]))


def still_chained(conn: sqlite3.Connection, entry_id: int, entry_hash: str) -> bool:
    """True if entry ``entry_id`` is still there with this hash (nothing up to it was replaced)."""
    if entry_id == 0:
        return True
    row = conn.execute("SELECT hash FROM entry WHERE id = ?", (entry_id,)).fetchone()
    return row is not None and row[0] == entry_hash


def targets_after(conn: sqlite3.Connection, entry_id: int) -> set[str]:
    """Targets of the entries written after ``entry_id``, and of the entries their retractions
    withdraw (a retraction names its entry's target when written here; a bundle may not)."""
    sql = (
        "SELECT target FROM entry WHERE id > ?"
        " UNION SELECT e.target FROM entry e JOIN entry r ON r.retracts = e.uid WHERE r.id > ?"
    )
    return {r[0] for r in conn.execute(sql, (entry_id, entry_id))}


_STAMP: list[str] = []


def code_stamp() -> str:
    """What identifies this code: the version and every module file's size and time, so that
    editing or upgrading plantrack never serves figures an older arithmetic computed."""
    if not _STAMP:
        import hashlib

        here = Path(__file__).resolve().parents[1]
        h = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
        for path in sorted(here.rglob("*.py")):
            st = path.stat()
            h.update(f"{path.relative_to(here)}:{st.st_size}:{st.st_mtime_ns};".encode())
        _STAMP.append(h.hexdigest()[:16])
    return _STAMP[0]


def key(*parts: object) -> str:
    return repr((code_stamp(), *parts))


class Cache:
    """The cache file of one database; every method swallows the cache's own failures."""

    def __init__(self, where: Path | None) -> None:
        self.conn: sqlite3.Connection | None = None
        if where is None:
            return
        path = where / "cache.sqlite"
        for attempt in (1, 2):
            conn = None
            try:
                where.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, timeout=5, isolation_level=None)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = OFF")  # a cache lost in a crash is recomputed
                conn.executescript(_SCHEMA)
                self.conn = conn
                return
            except sqlite3.DatabaseError as e:
                if conn is not None:
                    conn.close()
                if attempt == 2 or "locked" in str(e) or "busy" in str(e):
                    return
                for damaged in (
                    path,
                    Path(f"{path}-wal"),
                    Path(f"{path}-shm"),
                ):  # not a database: start afresh
                    try:
                        damaged.unlink(missing_ok=True)
                    except OSError:
                        return
            except OSError:
                if conn is not None:
                    conn.close()
                return

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def get(self, name: str, k: str) -> Any | None:
        """The value kept under ``name`` with exactly this key, or None."""
        if self.conn is None:
            return None
        try:
            row = self.conn.execute("SELECT value FROM kv WHERE name = ? AND key = ?", (name, k)).fetchone()
            return None if row is None else pickle.loads(row[0])
        except Exception:  # damaged, or written by another version: recompute
            return None

    def results(self, k: str, ids: Sequence[str]) -> dict[str, Any] | None:
        """Results kept under key ``k``, by objective id; None unless every one asked for is there."""
        if self.conn is None:
            return None
        try:
            out: dict[str, Any] = {}
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT id, value FROM result WHERE key = ? AND id IN ({marks})"
                for oid, blob in self.conn.execute(sql, [k, *chunk]):
                    out[oid] = pickle.loads(blob)
        except Exception:
            return None
        return out if len(out) == len(set(ids)) else None

    def put(self, values: dict[str, tuple[str, Any]], results: Iterable[tuple[str, Any]] = (),
            results_key: str = "", replace_all: bool = False) -> None:  # fmt: skip
        """Keep named values (name -> (key, value)) and objective results under ``results_key``,
        all in one transaction; ``replace_all`` first drops every kept result."""
        if self.conn is None:
            return
        dump = pickle.dumps
        try:
            rows = [(results_key, oid, dump(r, protocol=pickle.HIGHEST_PROTOCOL)) for oid, r in results]
            named = [(n, k, dump(v, protocol=pickle.HIGHEST_PROTOCOL)) for n, (k, v) in values.items()]
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if replace_all:
                    self.conn.execute("DELETE FROM result")
                self.conn.executemany("INSERT OR REPLACE INTO result VALUES (?, ?, ?)", rows)
                self.conn.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", named)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, pickle.PicklingError, RecursionError, OSError):
            pass  # costs only time: the next run computes again
