"""Locate, open and guard the SQLite database: pragmas, WAL, busy timeout, migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plantrack import migrations
from plantrack.errors import NotAPlantrackDatabase, PlantrackError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
APP_NAME = "plantrack"


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "plantrack.db"


def resolve_path(explicit: str | None) -> Path:
    """``--db``, else ``PLANTRACK_DB``, else the platform's user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("PLANTRACK_DB")
    if env:
        return Path(env).expanduser()
    return default_path()


def attachment_dir(db_path: Path) -> Path:
    """The content-addressed attachment store that lives beside the database."""
    return db_path.with_name(db_path.name + "-attachments")


def _refuse(path: Path, why: str) -> NotAPlantrackDatabase:
    return NotAPlantrackDatabase(
        f"{str(path)!r} is not a plantrack database ({why}); it was left untouched",
        hint="give another path with --db or PLANTRACK_DB",
    )


def _inspect(path: Path) -> bool:
    """True when ``path`` is a new (missing or empty) database; refuse foreign files."""
    if not path.exists():
        return True
    if path.is_dir():
        raise PlantrackError(f"database path {str(path)!r} is a directory", hint="name a file")
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise PlantrackError(f"cannot read database {str(path)!r}: {e.strerror}") from e
    if not head:
        return True
    if head != SQLITE_HEADER:
        raise _refuse(path, "not an SQLite file")
    # Read-only look, so that nothing (not even a journal mode) changes in a foreign file.
    try:
        uri = path.resolve().as_uri() + "?mode=ro"
        probe = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            names = {r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not names:
                return True
            if "meta" not in names:
                raise _refuse(path, "it holds other tables")
            row = probe.execute("SELECT value FROM meta WHERE key='application'").fetchone()
        finally:
            probe.close()
    except sqlite3.DatabaseError as e:
        raise _refuse(path, str(e)) from e
    if not row or row[0] != APP_NAME:
        raise _refuse(path, "its meta table is not plantrack's")
    return False


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a plantrack database with every migration applied."""
    new = _inspect(path)
    if new:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PlantrackError(
                f"cannot create the folder for database {str(path)!r}: {e.strerror}",
                hint="choose a writable place with --db or PLANTRACK_DB",
            ) from e
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        from plantrack import search

        search.register(conn)
    except sqlite3.DatabaseError as e:
        raise PlantrackError(
            f"cannot open database {str(path)!r}: {e}",
            hint="check that the folder is writable, or choose another path with --db",
        ) from e
    if migrations.pending_names(conn):
        # A migration may rebuild a table (SQLite's twelve-step procedure), which needs foreign
        # keys off; the pragma cannot change inside a transaction, so it is set around it.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with write(conn):
                applied = migrations.apply_pending(conn)
                if "m002_fts" in applied:
                    from plantrack import search

                    search.rebuild_plan_index(conn)
                if applied and not _meta(conn, "application"):
                    conn.execute("INSERT INTO meta VALUES ('application', ?)", (APP_NAME,))
                    import uuid

                    conn.execute("INSERT INTO meta VALUES ('site', ?)", (uuid.uuid4().hex[:12],))
                    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
        except sqlite3.DatabaseError as e:
            conn.close()
            raise PlantrackError(f"cannot set up database {str(path)!r}: {e}") from e
        conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def site(conn: sqlite3.Connection) -> str:
    return _meta(conn, "site") or "local"


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction; waits for other writers (BEGIN IMMEDIATE + busy timeout)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def checkpoint(name: str) -> None:
    """A named point in a long write, for the crash tests: with PLANTRACK_TEST_HOLD=name the
    command says it has reached it (a line in the file PLANTRACK_TEST_MARKS) and waits there
    to be killed, so that a test kills it at that point, never after a guessed delay.

    Without PLANTRACK_TEST_HOLD (every real use) this returns at once.
    """
    hold = os.environ.get("PLANTRACK_TEST_HOLD")
    if hold != name:
        return
    marks = os.environ.get("PLANTRACK_TEST_MARKS")
    if marks:
        with open(marks, "a", encoding="utf-8") as f:
            f.write(name + "\n")
            f.flush()
            os.fsync(f.fileno())
    import time

    while True:  # until the test's SIGKILL
        time.sleep(3600)
