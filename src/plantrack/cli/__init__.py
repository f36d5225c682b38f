"""The Typer application and its one error boundary."""

from __future__ import annotations

import sqlite3
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from plantrack import __version__
from plantrack.cli.context import AppState, state
from plantrack.errors import PlantrackError

INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in plantrack, not the user's input


def _fail(message: str, hint: str | None = None) -> None:
    from plantrack.render import safe

    line = f"plantrack: error: {safe(message, oneline=True)}"
    if hint:
        line += f"; {safe(hint, oneline=True)}"
    print(line, file=sys.stderr)


class PlantrackGroup(TyperGroup):
    """The root group: turns every plantrack error into one message and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PlantrackError as e:
            if state.debug:
                raise
            _fail(e.message, e.hint)
            problems = getattr(e, "problems", None)
            if problems:
                from plantrack.render import safe

                for p in problems:
                    print(f"  {safe(p, oneline=True)}", file=sys.stderr)
            raise typer.Exit(e.exit_code) from None
        except sqlite3.OperationalError as e:
            if state.debug:
                raise
            msg = str(e)
            if "locked" in msg or "busy" in msg:
                _fail("the database stayed busy for 30 s", "another plantrack is writing; try again")
            else:
                _fail(f"database error: {msg}", "run 'plantrack db doctor'")
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            _fail("interrupted; nothing partial was written")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except Exception as e:
            if state.debug or type(e).__module__.startswith(("click", "typer")):
                raise
            _fail(
                f"internal error: {type(e).__name__}: {e}",
                "this is a bug in plantrack; run again with --debug for the traceback and report it",
            )
            raise typer.Exit(INTERNAL_ERROR) from None
        finally:
            state.close()


app = typer.Typer(
    cls=PlantrackGroup,
    help="Track the Hetao plan: objectives, milestones, indicators and their evidence.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"plantrack {__version__}")
        raise typer.Exit()


@app.callback()
def _globals(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="PLANTRACK_DB",
            show_envvar=True,
            help="Database file (default: the user data dir).",
        ),
    ] = None,  # fmt: skip
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            envvar="PLANTRACK_PLAN",
            show_envvar=True,
            help="Plan file (default ./objectives.toml, else the embedded Hetao plan).",
        ),
    ] = None,  # fmt: skip
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="PLANTRACK_USER",
            show_envvar=True,
            help="Who records entries (default: the login name).",
        ),
    ] = None,  # fmt: skip
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,  # fmt: skip
) -> None:
    """Track the Hetao plan: objectives, milestones, indicators and their evidence."""
    state.__init__()  # type: ignore[misc]  # a fresh state per invocation (tests reuse the process)
    state.db_option = db
    state.plan_option = plan
    state.user_option = user
    state.debug = debug


def _register() -> None:
    from plantrack.cli import admin, plan, track, view

    app.add_typer(plan.app, name="plan")
    app.add_typer(track.milestone_app, name="milestone")
    track.register(app)
    view.register(app)
    admin.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="plantrack")
    except PlantrackError as e:  # with --debug, or raised outside a command
        if state.debug:
            import traceback

            traceback.print_exc()
        _fail(e.message, e.hint)
        sys.exit(e.exit_code)


__all__ = ["app", "main", "AppState"]
