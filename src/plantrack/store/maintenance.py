"""Online backup, checked restore and the doctor's examination of a database."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from plantrack import files
from plantrack.errors import PlantrackError
from plantrack.limits import PROBLEMS_SHOWN
from plantrack.store import anchor, db, derived, fts, ledger, migrations

Progress = Callable[[int, int], None]


@dataclass
class Examination:
    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def backup(conn: sqlite3.Connection, db_path: Path, dest: Path) -> tuple[Path, int, anchor.Head | None]:
    """A consistent copy of the live database (SQLite's backup API) and its attachments, and the
    ledger head the copy holds (read from the copy itself).

    The files are copied first and the database last, under a temporary name renamed at the
    end: a backup either finishes or leaves no database file, and what a killed one copied is
    reused, not in the way, by the next.
    """
    if dest.exists():
        raise PlantrackError(f"{str(dest)!r} already exists", hint="choose a new file name for the backup")
    if dest.resolve() == db_path.resolve():
        raise PlantrackError("the backup would overwrite the database itself", hint="choose another file")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PlantrackError(f"cannot create {str(dest.parent)!r}: {e.strerror}") from e
    store, dest_store = db.attachment_dir(db_path), db.attachment_dir(dest)
    try:
        copied = _copy_store(store, dest_store)
        db.checkpoint("backup-files-copied")
        # As private as the database it copies.
        with files.replacing(dest, mode=stat.S_IMODE(db_path.stat().st_mode)) as tmp:
            target = sqlite3.connect(tmp)
            try:
                # One step (pages=-1): a single read transaction, so the copy is one consistent
                # snapshot while writers carry on in WAL mode.
                conn.backup(target, pages=-1)
                target.execute("PRAGMA journal_mode = DELETE")
                ok = target.execute("PRAGMA quick_check").fetchone()[0]
                head = anchor.head(target) if ok == "ok" else None
            finally:
                target.close()
            if ok != "ok":
                raise PlantrackError(f"the backup copy failed its check: {ok}")
            # Files that entries written since the first pass refer to.
            copied += _copy_store(store, dest_store)
    except (OSError, sqlite3.Error) as e:
        raise PlantrackError(
            f"cannot write the backup {str(dest)!r}: {e}", hint="choose a writable place with free space"
        ) from e
    return dest, copied, head


def _copy_store(src: Path, dst: Path) -> int:
    """Copy the files ``dst`` lacks (each written whole, by its own rename); remove the
    temporary files a killed copy left there."""
    n = 0
    if dst.is_dir():
        for stale in dst.rglob(".*.tmp"):
            stale.unlink(missing_ok=True)
    if not src.is_dir():
        return 0
    for f in src.rglob("*"):
        if not f.is_file() or f.name.startswith("."):
            continue
        target = dst / f.relative_to(src)
        if target.exists():
            continue
        files.private_folder(target.parent.parent)
        files.copy(f, target, mode=files.STORED_FILE)
        n += 1
    return n


def examine(conn: sqlite3.Connection, db_path: Path, pending_at_open: list[str],
            progress: Progress | None = None, head: str | None = None) -> Examination:  # fmt: skip
    """Integrity, schema, the hash chain from first to last entry (and through ``head``, a head
    printed before), the summary and the search index recomputed, attachments, orphans."""
    x = Examination()
    check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if check == ["ok"]:
        x.ok.append("SQLite integrity check passed")
    else:
        x.problems += [f"integrity: {c}" for c in check[:PROBLEMS_SHOWN]]
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (migrations.MIGRATION_SET,))]  # fmt: skip
    known = [name for name, _ in migrations.MIGRATIONS]
    unknown = [a for a in applied if a not in known]
    if unknown:
        x.problems.append(f"schema: migrations from a newer plantrack: {', '.join(unknown)}")
    if set(known) <= set(applied):  # (a migration re-applied after a newer one runs last)
        note = f" ({', '.join(pending_at_open)} applied on this open)" if pending_at_open else ""
        x.ok.append(f"schema: {len(known)} migrations applied, none pending{note}")
    else:
        x.problems.append(f"schema: pending migrations {', '.join(k for k in known if k not in applied)}")
    x.problems += unreadable_plans(conn)
    total = conn.execute("SELECT count(*) FROM entry").fetchone()[0]
    chain = ledger.verify_chain(conn, progress)
    if chain:
        x.problems += [f"hash chain: {p}" for p in chain]
    else:
        x.ok.append(f"hash chain: {total} entries verified from the first to the last")
    if head is not None:
        _check_head(conn, head, chain, x)
    summary = derived.summary_differences(conn, PROBLEMS_SHOWN)
    if summary:
        x.problems += summary
    else:
        x.ok.append("summary: every target's counts and latest values match its entries")
    index = derived.index_differences(conn, PROBLEMS_SHOWN)
    if index:
        x.problems += index
    else:
        x.ok.append("search index: every entry is indexed as its text reads")
    store = db.attachment_dir(db_path)
    referenced: dict[str, str] = {
        sha: name
        for sha, name in conn.execute(
            "SELECT attachment_sha256, min(attachment_name) FROM entry WHERE attachment_sha256 IS NOT NULL"
            " GROUP BY attachment_sha256"
        )  # fmt: skip
    }
    bad = 0
    for sha, name in sorted(referenced.items()):
        path = ledger.attachment_path(store, sha)
        if not path.is_file():
            x.problems.append(f"attachment {name!r} ({sha[:12]}…) is missing from {store}")
            bad += 1
            continue
        actual = ledger.file_sha256(path)
        if actual != sha:
            x.problems.append(
                f"attachment {name!r} ({sha[:12]}…) has changed: its sha256 is now {actual[:12]}…"
            )
            bad += 1
    if referenced and not bad:
        x.ok.append(f"attachments: {len(referenced)} files match their sha256")
    kept = kept_references(db_path)  # files the copies kept by earlier restores need
    # Files no entry refers to were left by a command that was killed before it committed: every
    # file enters the store under the write lock, so with the lock held they are safe to remove.
    try:
        with db.write(conn):
            removed = ledger.sweep_store(conn, store, kept)
    except (sqlite3.Error, OSError, PlantrackError):
        removed = None
    if removed:
        x.ok += [
            f"attachment store: removed {f.name[:16]}…, left by an interrupted command"
            for f in removed[:PROBLEMS_SHOWN]
        ]
    orphans = []
    if store.is_dir():
        for f in sorted(store.rglob("*")):
            if f.is_file() and (f.name.startswith(".") or (f.name not in referenced and f.name not in kept)):
                orphans.append(f)
    if orphans:
        x.problems += [f"orphaned file in the attachment store: {f}" for f in orphans[:PROBLEMS_SHOWN]]
    else:
        x.ok.append("attachment store: no orphaned files")
    return x


def _check_head(conn: sqlite3.Connection, head: str, chain_problems: list[str], x: Examination) -> None:
    """Does the (verified) chain still pass through ``head``, printed by a report, a backup or
    `db head` before?"""
    found = anchor.find(conn, head)
    if len(found) > 1:
        x.problems.append(f"head {head}: several entries' hashes start so; give more of it")
        return
    if not found:
        x.problems.append(
            f"head {head[:16]}… is not in this ledger: the ledger no longer passes through the head printed"
            " before; it was rewritten or cut short since"
        )
        return
    entry_id, full = found[0]
    if chain_problems:
        x.problems.append(f"head {full[:16]}… is entry {entry_id}, but the chain is broken (see above)")
        return
    after = conn.execute("SELECT count(*) FROM entry WHERE id > ?", (entry_id,)).fetchone()[0]
    x.ok.append(f"head {full[:16]}…: the chain passes through it (entry {entry_id}; {after} entries since)")


def examine_damaged(db_path: Path) -> Examination:
    """What can be said of a database file SQLite cannot open as usual: read-only, each check on
    its own, none of them allowed to stop the others."""
    x = Examination()
    size = db_path.stat().st_size if db_path.exists() else 0
    x.ok.append(f"file: {size:,} bytes")
    if size % 4096 and size > 100:
        x.problems.append(f"file: {size:,} bytes is not a whole number of pages: it was cut short")
    try:
        conn = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as e:
        x.problems.append(f"SQLite cannot open the file: {e}")
        return x
    try:
        for name, check in (
            (
                "integrity",
                lambda: [
                    ln
                    for r in conn.execute("PRAGMA integrity_check(20)")
                    for ln in r[0].splitlines()
                    if not ln.startswith("***")
                ],
            ),
            (
                "entries",
                lambda: [f"{conn.execute('SELECT count(*) FROM entry').fetchone()[0]} entries readable"],
            ),
            ("hash chain", lambda: ledger.verify_chain(conn) or ["ok"]),
        ):
            try:
                found = check()
            except sqlite3.DatabaseError as e:
                x.problems.append(f"{name}: cannot be read ({e})")
                continue
            if found == ["ok"] or name == "entries":
                x.ok.append(f"{name}: {found[0]}")
            else:
                x.problems += [f"{name}: {p}" for p in found[:PROBLEMS_SHOWN]]
    finally:
        conn.close()
    if not x.problems:
        x.problems.append("SQLite reports the file as damaged")
    return x


def check_backup(path: Path, live_store: Path | None = None) -> list[str]:
    """Why a backup file should not be restored (empty when it is sound)."""
    problems: list[str] = []
    if not path.exists():
        return [f"{str(path)!r} does not exist"]
    if not path.is_file():
        return [f"{str(path)!r} is not a regular file"]
    try:
        new = db._inspect(path)
    except PlantrackError as e:
        return [e.message]
    if new:
        return [f"{str(path)!r} is empty, not a plantrack backup"]
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as e:
        return [f"SQLite cannot open it: {e}"]
    try:
        fts.register(conn)
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            problems += [f"integrity: {c}" for c in check[:5]]
        problems += ledger.verify_chain(conn)
        problems += unreadable_plans(conn)
        # A copy kept by an earlier restore shares the live database's store.
        stores = [db.attachment_dir(path)] + ([live_store] if live_store is not None else [])
        for (sha,) in conn.execute(
            "SELECT DISTINCT attachment_sha256 FROM entry WHERE attachment_sha256 IS NOT NULL"
        ):
            if not any(
                ledger.attachment_path(st, sha).is_file()
                and ledger.file_sha256(ledger.attachment_path(st, sha)) == sha
                for st in stores
            ):
                problems.append(f"attachment {sha[:12]}… is missing or changed in {stores[0]}")
    except sqlite3.DatabaseError as e:  # the backup is damaged: its problem, not the live one's
        problems.append(f"it cannot be read whole: {e}")
    finally:
        conn.close()
    return problems


def restore(src: Path, db_path: Path, stamp: str) -> Path | None:
    """Put a checked backup in place of the database; the database it replaces is kept beside it.

    The restored database is built beside the live one with SQLite's backup API (which reads the
    backup's own write-ahead log, so writes still in a ``-wal`` file come with it), checked, and
    then put in place by one rename: killed at any moment, the old database or the new one is in
    place, never neither. The old one is kept by a second name (a hard link where the file system
    allows it, else a copy) made before the rename.
    """
    if db_path.exists() and src.exists() and _same_file(src, db_path):
        raise PlantrackError(
            f"{str(src)!r} is the live database itself",
            hint="restore from a copy made with plantrack db backup",
        )
    problems = check_backup(src, db.attachment_dir(db_path))
    if problems:
        raise PlantrackError(
            f"{str(src)!r} cannot be restored: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            hint="run plantrack db doctor on a copy, or choose another backup",
        )
    folder = db_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PlantrackError(f"cannot create {str(folder)!r}: {e.strerror}") from e
    for stale in folder.glob(f".{db_path.name}.restoring-*"):  # left by a restore that was killed
        stale.unlink(missing_ok=True)
    tmp = folder / f".{db_path.name}.restoring-{stamp}"
    try:
        _build_copy(src, tmp)
        # The restored file is as private as the one it replaces (a new one: its owner's only).
        os.chmod(tmp, stat.S_IMODE(db_path.stat().st_mode) if db_path.exists() else 0o600)
        # The files first: every entry of the restored database finds its file in place.
        _copy_store(db.attachment_dir(src), db.attachment_dir(db_path))
        kept = _keep(db_path, stamp)
        db.checkpoint("restore-replace")
        os.replace(tmp, db_path)
        files.fsync_folder(folder)
    except OSError as e:
        raise PlantrackError(
            f"cannot restore into {str(folder)!r}: {e.strerror}", hint="check the free space"
        ) from e
    finally:
        tmp.unlink(missing_ok=True)
    return kept


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def _build_copy(src: Path, tmp: Path) -> None:
    """The backup's whole content (its -wal included) as one checked file at ``tmp``."""
    try:
        source = sqlite3.connect(src.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target, pages=-1)
                target.execute("PRAGMA journal_mode = DELETE")
                ok = target.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as e:
        raise PlantrackError(f"cannot read the backup {str(src)!r}: {e}") from e
    if ok != "ok":
        raise PlantrackError(f"the restored copy failed its check: {ok}")
    files.fsync_file(tmp)


def unreadable_plans(conn: sqlite3.Connection) -> list[str]:
    """Plan revisions whose stored JSON no longer parses (damaged on disk; SQLite's check passes)."""
    problems = []
    for rev, plan_json in conn.execute("SELECT rev, plan_json FROM plan_revision"):
        try:
            json.loads(plan_json)
        except ValueError:
            problems.append(f"plan revision {rev} cannot be read (its stored JSON is damaged)")
    return problems


def kept_references(db_path: Path) -> set[str]:
    """The files the copies kept by earlier restores refer to: they share this store, and putting
    one back must find its files."""
    shas: set[str] = set()
    for kept in db_path.parent.glob(f"{db_path.name}.before-restore-*"):
        if kept.name.endswith(("-wal", "-shm")):
            continue
        try:
            conn = sqlite3.connect(kept.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                shas.update(r[0] for r in conn.execute(
                    "SELECT DISTINCT attachment_sha256 FROM entry WHERE attachment_sha256 IS NOT NULL"))  # fmt: skip
            finally:
                conn.close()
        except sqlite3.Error:
            continue
    return shas


def _unique(path: Path, stamp: str) -> Path:
    """A name for the kept database that no earlier restore took (two restores in one second)."""
    kept = path.with_name(f"{path.name}.before-restore-{stamp}")
    n = 1
    while kept.exists() or Path(f"{kept}-wal").exists():
        n += 1
        kept = path.with_name(f"{path.name}.before-restore-{stamp}-{n}")
    return kept


def _busy() -> PlantrackError:
    return PlantrackError(
        "another plantrack is reading or writing the database; nothing was restored",
        hint="run the restore again when it has finished",
    )


def _keep(db_path: Path, stamp: str) -> Path | None:
    """A second name for the live database before it is replaced (None when there is none).

    The log is folded into the file first and the write lock taken, so the kept copy holds every
    committed entry; a restore that cannot have the database to itself refuses, never guesses."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    wal = Path(f"{db_path}-wal")
    try:
        live = sqlite3.connect(db_path, timeout=db.busy_timeout_s(), isolation_level=None)
    except sqlite3.Error as e:
        raise PlantrackError(f"cannot open the database to keep it: {e}") from e
    try:
        try:
            busy = live.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            live.execute("BEGIN IMMEDIATE")  # writers wait while the copy is kept
        except sqlite3.Error:
            raise _busy() from None
        if busy or (wal.exists() and wal.stat().st_size > 0):
            raise _busy()
        kept = _unique(db_path, stamp)
        try:
            os.link(db_path, kept)
        except OSError:
            files.copy(db_path, kept, mode=stat.S_IMODE(db_path.stat().st_mode))
        files.fsync_folder(db_path.parent)
    finally:
        if live.in_transaction:
            live.execute("ROLLBACK")
        live.close()
    if wal.exists() and wal.stat().st_size > 0:  # a writer came in as the lock was let go
        raise _busy()
    # The (empty) log and the index of the old file must not be read as the new one's.
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return kept
