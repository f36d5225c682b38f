"""The demo database: the embedded Hetao plan with the real, sourced evidence of examples/.

It lives beside (never inside) the user's own database and is rebuilt whenever the packaged
plan or evidence changes, so `plantrack --demo status` always shows the plan as it stands.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from plantrack import files
from plantrack.errors import PlantrackError
from plantrack.plan import planfile
from plantrack.plan.plansource import embedded_plan_path
from plantrack.store import bulk, db, revisions
from plantrack.store.db import default_path as user_db
from plantrack.store.migrations import MIGRATIONS

DEMO_USER = "plantrack-demo"
FILES = (
    ("milestone", "hetao-milestones.csv"),
    ("measurement", "hetao-measurements.csv"),
    ("note", "hetao-notes.csv"),
    ("assessment", "hetao-assessments.csv"),
)


def examples_dir() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "examples"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "examples"  # a source checkout


def default_path() -> Path:
    return user_db().with_name("hetao-demo.db")


def fingerprint() -> str:
    import hashlib

    h = hashlib.sha256()
    # The schema too: a demo built by another version of plantrack is rebuilt, not reused.
    h.update("\n".join(sql for _name, sql in MIGRATIONS).encode("utf-8"))
    for path in [embedded_plan_path()] + [examples_dir() / name for _, name in FILES]:
        try:
            h.update(path.read_bytes())
        except OSError as e:
            raise PlantrackError(
                f"the packaged demo data is missing: {path}", hint="reinstall plantrack"
            ) from e
    return h.hexdigest()


def _current(path: Path, fp: str) -> bool:
    """True when ``path`` is an up-to-date demo database; refuse to replace anything else."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return False
    found = db.read_meta_of(path, "demo_fingerprint")
    if found is None:
        raise PlantrackError(
            f"{str(path)!r} exists and is not a plantrack demo database; it was left untouched",
            hint="give --demo a new or demo --db path",
        )
    return found == fp


def ensure(path: Path, now: datetime, today: date) -> Path:
    """Build the demo database at ``path`` unless it is already current."""
    fp = fingerprint()
    if _current(path, fp):
        return path

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.building-{os.getpid()}")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    conn = db.connect(tmp)
    try:
        source = planfile.read_source(planfile.embedded_plan_path())
        revisions.apply(conn, planfile.load(source), source, DEMO_USER, now)
        for kind, name in FILES:
            # The examples are curated, dated facts: the checks that catch a person's slip (a
            # date ahead of a clock set wrong, a repeat) must not keep the demo from building.
            bulk.load(conn, kind, examples_dir() / name, DEMO_USER, now, today, force=True)
        with db.write(conn):
            db.set_meta(conn, "demo_fingerprint", fp)
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    files.commit(tmp, path)
    return path
