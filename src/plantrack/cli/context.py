"""The per-invocation state of the CLI: global options, the open database, the current plan."""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from plantrack.core import dates
from plantrack.core import lang as global_lang
from plantrack.errors import PlantrackError
from plantrack.plan import planfile, plansource
from plantrack.render import safe
from plantrack.service import demo
from plantrack.store import db, revisions

if TYPE_CHECKING:
    from plantrack.models import Plan


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
            return Path(self.db_option).expanduser() if self.db_option else demo.default_path()
        return db.resolve_path(self.db_option)

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
        name = name.strip()
        if not name or len(name) > 100 or any(ord(ch) < 32 for ch in name):
            raise PlantrackError(f"{name[:40]!r} is not a usable user name", hint="set --user NAME")
        return name

    def conn(self, bootstrap: bool = True) -> sqlite3.Connection:
        """The database, created and loaded with the plan on first use."""
        if self._conn is None:
            if self.demo:
                path = demo.ensure(self.db_path, dates.now_utc(), dates.today())
                self._conn = db.connect(path)
                return self._conn
            self._conn = db.connect(self.db_path)
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
            say(f"created {self.db_path} with plan {plan.id!r} from {source.path}")

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
            say(
                f"note: {source.path} differs from the plan last applied (revision {latest.rev});"
                " run 'plantrack plan diff' and 'plantrack plan apply'"
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
            self._conn.close()
            self._conn = None
        self._plan = None


state = AppState()


def say(message: str) -> None:
    """Talk to the person: one line on stderr (data goes to stdout)."""
    print(safe(message), file=sys.stderr)
