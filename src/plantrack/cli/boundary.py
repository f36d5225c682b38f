"""The one error boundary, free of Typer so that the fast entry path can use it too."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from typing import NoReturn

from plantrack.cli.context import state
from plantrack.core import lang as L
from plantrack.errors import DatabaseDamaged, PlantrackError
from plantrack.render import safe
from plantrack.store import db

INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in plantrack, not the user's input


class Failed(Exception):
    """Raised by :func:`guard` with the exit code once the message has been printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def fail(message: str, hint: str | None = None) -> None:
    """One line on stderr in the reader's language: what was wrong; how to fix it. Messages raised
    as :class:`plantrack.core.lang.Message` are said in that language, others as they are."""
    line = L.t("cli.error", message=safe(L.say(message), oneline=True))
    if hint:
        line += L.t("cli.hint", hint=safe(L.say(hint), oneline=True))
    print(line, file=sys.stderr)


def guard(run: Callable[[], object], passthrough: tuple[type[BaseException], ...] = ()) -> object:
    """Run a command; print any error as one line and raise Failed(exit code)."""
    try:
        return run()
    except passthrough:
        raise
    except PlantrackError as e:
        if state.debug:
            raise
        fail(e.message, e.hint)

        for p in getattr(e, "problems", None) or []:
            print(f"  {safe(p, oneline=True)}", file=sys.stderr)
        raise Failed(e.exit_code) from None
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError) as e:
        if state.debug:  # our mistake, not the file's: a bug
            raise
        _internal(e)
    except sqlite3.DatabaseError as e:
        if state.debug:
            raise
        message, hint = database_trouble(e)
        fail(message, hint)
        raise Failed(2) from None
    except KeyboardInterrupt:
        fail("interrupted; nothing partial was written")
        raise Failed(130) from None
    except BrokenPipeError:
        # The reader went away (`plantrack status | head -1`): that is its choice, not an error.
        # Point stdout at nothing so that the exit's final flush cannot complain again.

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise Failed(0) from None
    except OSError as e:
        # The file system said no (a path that does not exist, a disk that is full, ...):
        # the person can fix that, so it is bad input, not a bug.
        if state.debug:
            raise
        where = f" ({e.filename})" if e.filename else ""
        fail(f"{e.strerror or e}{where}", "check the path and its permissions")
        raise Failed(2) from None
    except Exception as e:
        if state.debug:
            raise
        if isinstance(e, UnicodeEncodeError):  # an argument made of bytes that are not UTF-8
            fail(
                "an argument holds bytes that are not text in UTF-8",
                "type it again, or check the shell's locale",
            )
            raise Failed(2) from None
        if isinstance(e, RuntimeError) and "home directory" in str(e):  # "~nobody/x"
            fail(f"{e}", "write the path out in full")
            raise Failed(2) from None
        _internal(e)
    finally:
        state.close()


def _internal(e: BaseException) -> NoReturn:
    fail(
        f"internal error: {type(e).__name__}: {e}",
        "this is a bug in plantrack; run again with --debug for the traceback and report it",
    )
    raise Failed(INTERNAL_ERROR) from None


def database_trouble(e: sqlite3.DatabaseError) -> tuple[str, str]:
    """What SQLite's complaint means for the person, and what to do: a busy database, a full
    disk, a folder that cannot be written, or a damaged file, each said as what it is."""
    msg = str(e)
    low = msg.lower()
    where = str(state.db_path)
    if "locked" in low or "busy" in low:
        return (
            f"the database stayed busy for {db.busy_timeout_s():g} s",
            "another plantrack is writing; try again",
        )
    if (
        "disk is full" in low
        or "database or disk is full" in low
        or ("i/o error" in low and db.disk_full(state.db_path))
    ):
        return (
            f"the disk that holds {where!r} is full; nothing was written",
            "free some space and run the command again",
        )
    if "readonly" in low or "read-only" in low:
        return (
            f"{where!r} cannot be written here (a read-only file or folder); nothing was written",
            "check the permissions of the database and its folder, or use another --db",
        )
    if "unable to open" in low:
        return (f"cannot open the database {where!r}", "check that its folder exists and can be written")
    return (
        f"the database is damaged: {msg} ({where})",
        DatabaseDamaged.HINT,
    )
