"""The per-invocation state of the CLI: global options, the open database, the current plan."""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from plantrack.core import dates, text
from plantrack.core import lang as global_lang
from plantrack.errors import PlantrackError
from plantrack.plan import planfile, plansource
from plantrack.render import safe
from plantrack.service import demo, readings
from plantrack.store import db, revisions

if TYPE_CHECKING:
    from plantrack.models import Plan, Revision
    from plantrack.plan.plansource import PlanSource


@dataclass
class AppState:
    db_option: str | None = None
    plan_option: str | None = None
    user_option: str | None = None
    debug: bool = False
    demo: bool = False
    _conn: sqlite3.Connection | None = field(default=None, repr=False)
    _plan: Plan | None = field(default=None, repr=False)

    def configure(self, db: str | None = None, plan: str | None = None, user: str | None = None,
                  debug: bool = False, demo: bool = False, lang: str | None = None) -> None:  # fmt: skip
        """A fresh state for one invocation, from the global options (tests reuse the process)."""
        self.__init__()  # type: ignore[misc]
        self.db_option, self.plan_option, self.user_option = db, plan, user
        self.debug, self.demo = debug, demo
        self.use_language(lang)

    @staticmethod
    def use_language(option: str | None) -> str:
        """Print in the language of ``option``, else PLANTRACK_LANG, else the locale (a command's own
        --lang comes after the global one and wins)."""
        global_lang.use(global_lang.resolve(option))
        return global_lang.current()

    @property
    def db_path(self) -> Path:
        if self.demo:
            path = Path(self.db_option).expanduser() if self.db_option else demo.default_path()
        else:
            path = db.resolve_path(self.db_option)
        named = None
        if self.db_option:
            named = "--db"
        elif not self.demo and os.environ.get("PLANTRACK_DB"):
            named = "PLANTRACK_DB"
        if named and not path.parent.is_dir():
            # A mistyped folder must not become a new, empty database that the next command
            # then reads as "nothing recorded"; only the default location is created with its folder.
            raise PlantrackError(
                f"the folder {str(path.parent)!r} of {named} {str(path)!r} does not exist",
                hint="create it, or choose another " + named,
            )
        return path

    def plan_path(self) -> Path:
        if self.demo:
            return plansource.embedded_plan_path()

        return plansource.default_plan_path(self.plan_option or os.environ.get("PLANTRACK_PLAN"))

    def user(self) -> str:
        name = self.user_option if self.user_option is not None else os.environ.get("PLANTRACK_USER")
        if name is None:
            import getpass

            try:
                name = getpass.getuser()
            except Exception:  # getuser raises several kinds when no login name exists
                name = "unknown"
        name = text.from_os(name).strip()
        if not name or len(name) > 100 or any(ord(ch) < 32 for ch in name):
            raise PlantrackError(f"{name[:40]!r} is not a usable user name", hint="set --user NAME")
        return name

    def conn(self, bootstrap: bool = True) -> sqlite3.Connection:
        """The database, created and loaded with the plan on first use."""
        if self._conn is None:
            if self.demo:
                path = demo.ensure(self.db_path, dates.now_utc(), dates.today())
                self._conn = db.connect(path)
                readings.keep_conversions(self._conn)
                return self._conn
            self._conn = db.connect(self.db_path)
            readings.keep_conversions(self._conn)
            if bootstrap and revisions.latest_revision(self._conn) is None:
                self._bootstrap()
            elif bootstrap:
                self._warn_if_plan_changed()
        return self._conn

    def _bootstrap(self) -> None:
        assert self._conn is not None
        source = planfile.read_source(self.plan_path())
        plan = planfile.load(source)
        rev, _ = revisions.apply(self._conn, plan, source, self.user(), dates.now_utc())
        if rev is not None:
            say(global_lang.t("cli.created", path=self.db_path, plan=repr(plan.id), source=source.path))

    def _warn_if_plan_changed(self) -> None:
        assert self._conn is not None
        path = self.plan_path()
        explicit = bool(self.plan_option or os.environ.get("PLANTRACK_PLAN"))
        if not explicit and path == plansource.embedded_plan_path():
            return
        try:
            source = plansource.read_source(path)
        except PlantrackError:
            if explicit:
                raise
            return
        latest = revisions.latest_revision(self._conn)
        if latest is not None and latest.sha256 != source.sha256:
            note = self._plan_drift(path, source, latest)
            if note:
                say(note)

    def _plan_drift(self, path: Path, source: PlanSource, latest: Revision) -> str | None:
        """What to say when the plan file here is not the plan the database holds.

        Which is newer decides it: a file edited after the revision was applied is a change to
        apply (saying what it would change); an older file (another folder's copy, an old
        checkout) must not be applied over the newer revision, so it is named as older."""
        from datetime import UTC, datetime

        assert self._conn is not None
        tz = dates.zone(revisions.plan_timezone(self._conn))
        applied = datetime.fromisoformat(latest.applied_at.replace("Z", "+00:00"))
        try:
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            modified = None

        def when(moment: datetime) -> str:
            return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")

        here = source.path
        rev = f"revision {latest.rev} applied from {latest.source_path} on {when(applied)}"
        file = f"{here} (modified {when(modified)})" if modified else here
        # Bytes an earlier revision was applied from are an older plan, whatever the file's time
        # says (a checkout or a copy gives an old file a new time).
        earlier = revisions.revision_of(self._conn, source.sha256)
        if earlier is not None or (modified is not None and modified < applied):
            was = f"the plan of revision {earlier.rev}, " if earlier is not None else ""
            return (
                f"note: {file} is {was}older than {rev}; the database keeps the newer plan"
                f" ('plantrack plan diff {here}' shows what applying this file would undo)"
            )
        plan, problems = planfile.parse(source)
        if plan is None:
            n = len(problems)
            return (
                f"note: {file} differs from {rev} and has {n} problem{'s' if n != 1 else ''}"
                " (see 'plantrack plan check')"
            )
        try:
            changes = revisions.diff(self._conn, plan)
        except PlantrackError as e:  # another plan altogether
            return f"note: {file} differs from {rev}: {e.message}"
        if not changes:
            return None  # other bytes (comments, layout), the same plan
        return (
            f"note: {file} differs from {rev}: it would {revisions.would(changes)};"
            " 'plantrack plan diff' shows how,"
            " 'plantrack plan apply' applies it"
        )

    def plan(self) -> Plan:
        if self._plan is None:
            self._plan = revisions.load_plan(self.conn())
        return self._plan

    def today(self) -> date:
        return dates.today(revisions.plan_timezone(self.conn()))

    def on(self, text: str | None) -> date:
        """A ``--on`` date (default today) in the plan's time zone."""
        return dates.parse_date("today" if text is None else text, self.today())

    def close(self) -> None:
        revisions._PLANS.clear()
        if self._conn is not None:
            try:
                readings.save_conversions(self._conn)
            except Exception:  # only time is lost: the next run converts again
                pass
            self._conn.close()
            self._conn = None
        self._plan = None


state = AppState()


def say(message: str) -> None:
    """Talk to the person: one line on stderr (data goes to stdout), in the reader's language where
    the message is a catalogue Message."""
    print(safe(global_lang.say(message)), file=sys.stderr)
