"""The one error boundary, free of Typer so that the fast entry path can use it too."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable

from plantrack.cli.context import state
from plantrack.core import lang as L
from plantrack.errors import PlantrackError
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
    except sqlite3.OperationalError as e:
        if state.debug:
            raise
        msg = str(e)
        if "locked" in msg or "busy" in msg:
            fail(
                f"the database stayed busy for {db.busy_timeout_s():g} s",
                "another plantrack is writing; try again",
            )
        else:
            fail(f"database error: {msg}", "run 'plantrack db doctor'")
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
        fail(
            f"internal error: {type(e).__name__}: {e}",
            "this is a bug in plantrack; run again with --debug for the traceback and report it",
        )
        raise Failed(INTERNAL_ERROR) from None
    finally:
        state.close()
