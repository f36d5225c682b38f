"""The Typer application: one group, sub-apps per noun, the error boundary at its root."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from plantrack import __version__
from plantrack.cli import admin, params, plan, report, site, track, view
from plantrack.cli.boundary import Failed, fail, guard
from plantrack.cli.context import AppState, state
from plantrack.cli.options import join_date_phrases, option
from plantrack.errors import PlantrackError

# Typer's own control flow (exits, aborts, usage errors) passes through the boundary untouched.
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_TYPER_FLOW: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort, _CLICK_ERROR)


class PlantrackGroup(TyperGroup):
    """The root group: turns every plantrack error into one message and exit code 2."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, join_date_phrases(args))

    def invoke(self, ctx: Any) -> Any:
        try:
            return guard(lambda: super(PlantrackGroup, self).invoke(ctx), passthrough=_TYPER_FLOW)
        except Failed as f:
            raise typer.Exit(f.code) from None
        except Exception as e:
            if isinstance(e, _CLICK_ERROR) and str(getattr(e, "message", "")).startswith(
                "Got unexpected extra argument"
            ):
                e.message += '. Quote a value that has spaces: "two words", --on "3 days ago"'  # type: ignore[attr-defined]
            raise


app = typer.Typer(
    cls=PlantrackGroup,
    help="Track the Hetao plan: objectives, milestones, indicators and their evidence.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"plantrack {__version__}")
        raise typer.Exit()


_G = {p.name: p for p in params.GLOBAL}


@app.callback()
def _globals(
    # PLANTRACK_DB is read by plantrack.store.db.resolve_path, so that --demo can tell an explicit
    # --db from the user's own database named in the environment.
    db: Annotated[str | None, option(_G["db"])] = None,
    plan: Annotated[str | None, option(_G["plan"])] = None,
    user: Annotated[str | None, option(_G["user"])] = None,
    lang: Annotated[str | None, option(_G["lang"])] = None,
    debug: Annotated[bool, option(_G["debug"])] = False,
    demo: Annotated[bool, option(_G["demo"])] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,  # fmt: skip
) -> None:
    """Track the Hetao plan: objectives, milestones, indicators and their evidence."""
    state.configure(db, plan, user, debug, demo, lang)


def _register() -> None:
    app.add_typer(plan.app, name="plan")
    app.add_typer(site.app, name="site")
    app.add_typer(track.milestone_app, name="milestone")
    track.register(app)
    view.register(app)
    admin.register(app)
    report.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="plantrack")
    except PlantrackError as e:  # with --debug, or raised outside a command
        if state.debug:
            import traceback

            traceback.print_exc()
        fail(e.message, e.hint)
        sys.exit(e.exit_code)


__all__ = ["app", "main", "AppState"]
