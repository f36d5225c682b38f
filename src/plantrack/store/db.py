"""Locate, open and guard the SQLite database: pragmas, WAL, busy timeout, migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plantrack import files
from plantrack.errors import DatabaseDamaged, NotAPlantrackDatabase, PlantrackError
from plantrack.limits import BUSY_TIMEOUT_S
from plantrack.store import fts, migrations

SQLITE_HEADER = b"SQLite format 3\x00"


def busy_timeout_s() -> float:
    """How long to wait for another writer: PLANTRACK_BUSY_TIMEOUT seconds, else the default."""
    raw = os.environ.get("PLANTRACK_BUSY_TIMEOUT")
    try:
        value = float(raw) if raw else float(BUSY_TIMEOUT_S)
    except ValueError:
        value = float(BUSY_TIMEOUT_S)
    return value if 0 <= value <= 3600 else float(BUSY_TIMEOUT_S)


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


def disk_full(path: Path) -> bool:
    """Is the file system that holds ``path`` (about) full? SQLite reports a full disk as a disk
    I/O error when it cannot even make its shared-memory file."""
    import shutil

    try:
        return shutil.disk_usage(path.parent if path.parent.exists() else Path.cwd()).free < 64 * 1024
    except OSError:
        return False


def read_only(path: Path) -> bool:
    """Can nothing be written beside ``path`` (a read-only mount, a folder without write access)?"""
    folder = path.parent if path.parent.exists() else Path.cwd()
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):  # statvfs: not on Windows
        pass
    return not os.access(folder, os.W_OK)


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
        if _has_traces(path):  # plantrack's own folders beside it: this was our database
            raise DatabaseDamaged(f"the database {str(path)!r} is damaged: its first page is not SQLite's")
        raise _refuse(path, "not an SQLite file")
    # Read-only look, so that nothing (not even a journal mode) changes in a foreign file.
    try:
        uri = path.resolve().as_uri() + "?mode=ro"
        probe = sqlite3.connect(uri, uri=True, timeout=busy_timeout_s())
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
        low = str(e).lower()
        if not any(w in low for w in ("malformed", "not a database", "encrypted", "corrupt")):
            if disk_full(path):
                raise PlantrackError(
                    f"the disk that holds {str(path)!r} is full; nothing was written",
                    hint="free some space and run the command again",
                ) from e
            if read_only(path):
                raise PlantrackError(
                    f"{str(path)!r} is on a read-only file system, or its folder cannot be written; plantrack"
                    " keeps its write-ahead log beside the database and cannot work there",
                    hint="copy it somewhere writable, or give another --db",
                ) from e
            raise PlantrackError(
                f"cannot read database {str(path)!r}: {e}", hint="check its permissions"
            ) from e
        # It starts as an SQLite file does, so it is not foreign: it is damaged (cut short,
        # overwritten in the middle).
        raise DatabaseDamaged(f"the database {str(path)!r} is damaged: {e}") from e
    if not row or row[0] != APP_NAME:
        raise _refuse(path, "its meta table is not plantrack's")
    return False


def _has_traces(path: Path) -> bool:
    return any(
        p.is_dir() and any(p.iterdir()) for p in (attachment_dir(path), path.with_name(path.name + "-site"))
    )


def _refuse_lost(path: Path) -> None:
    """A missing database whose attachments or site key are still beside it was lost, not never
    made: starting an empty one there would hide the loss (and give the site a new identity)."""
    store = attachment_dir(path)
    site = path.with_name(path.name + "-site")
    kept = sorted(path.parent.glob(f"{path.name}.before-restore-*")) if path.parent.is_dir() else []
    traces = [p for p in (store, site) if p.is_dir() and any(p.iterdir())] + kept[-1:]
    if traces:
        raise PlantrackError(
            f"the database {str(path)!r} is missing, but {str(traces[0])!r} beside it shows it existed;"
            " nothing was created",
            hint="restore it (plantrack db restore BACKUP, or rename the .before-restore copy back),"
            " or move those files away to start a new, empty database",
        )


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a plantrack database with every migration applied."""
    new = _inspect(path)
    if new:
        _refuse_lost(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PlantrackError(
                f"cannot create the folder for database {str(path)!r}: {e.strerror}",
                hint="choose a writable place with --db or PLANTRACK_DB",
            ) from e
        try:
            # Private by default: made 0600 first, so its -wal and -shm are too (SQLite alone
            # would make all three 0644 less the umask). An existing file keeps its mode.
            files.create_private(path)
        except OSError:
            pass  # SQLite says, just below, why it cannot create the file
    try:
        conn = sqlite3.connect(
            str(path), timeout=busy_timeout_s(), isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s() * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

        fts.register(conn)
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
                    fts.rebuild_plan_index(conn)
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


def meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A value of the meta table, or None."""
    return _meta(conn, key)


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Add a meta value (inside the caller's write transaction)."""
    conn.execute("INSERT INTO meta VALUES (?, ?)", (key, value))


def read_meta_of(path: Path, key: str) -> str | None:
    """A meta value of the database file at ``path``, read-only; None if it is not a database with one."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return _meta(conn, key)
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def site(conn: sqlite3.Connection) -> str:
    return _meta(conn, "site") or "local"


QUICK_CHECK_MAX = 64 * 2**20  # bytes: a write first checks a database up to this size whole


def _check_before_writing(conn: sqlite3.Connection) -> None:
    """Refuse to write into a damaged file: SQLite's quick check, once per connection, on a
    database small enough for it to take a moment (larger ones: `db doctor` on a schedule)."""
    # Once per connection: the mark is a temporary table, which lives and dies with it.
    if conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'plantrack_checked'").fetchone():
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS plantrack_checked (x)")
    pages, size = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
    if pages * size > QUICK_CHECK_MAX:
        return
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as e:
        result = [str(e)]
    if result != ["ok"]:
        lines = [ln for r in result for ln in r.splitlines() if ln.strip() and not ln.startswith("***")]
        raise DatabaseDamaged(f"the database is damaged ({(lines or result)[0][:120]}); nothing was written")


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction; waits for other writers (BEGIN IMMEDIATE + busy timeout)."""
    _check_before_writing(conn)
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
    """A named point in a command, for the crash and signal tests: with PLANTRACK_TEST_HOLD=name
    the command says it has reached it (a line in the file PLANTRACK_TEST_MARKS) and waits there
    to be killed or interrupted, or until the file PLANTRACK_TEST_RELEASE exists, so that a test
    acts at that point, never after a guessed delay.

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

    release = os.environ.get("PLANTRACK_TEST_RELEASE")
    while not (release and os.path.exists(release)):  # until the test's signal, or its release
        time.sleep(0.01 if release else 3600)
