"""Commands that set up the database."""

from __future__ import annotations

from typing import Annotated

import typer

from plantrack.cli.context import say, state


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    plan: Annotated[str | None, typer.Option("--plan", help="Plan file to apply.")] = None,
) -> None:
    """Create the database and apply the plan."""
    from plantrack import dates, planfile, plansync

    if plan:
        state.plan_option = plan
    existed = state.db_path.exists() and state.db_path.stat().st_size > 0
    conn = state.conn(bootstrap=False)
    source = planfile.read_source(state.plan_path())
    parsed = planfile.load(source)
    rev, changes = plansync.apply(conn, parsed, source, state.user(), dates.now_utc())
    where = str(state.db_path)
    if rev is None:
        say(f"{where}: {'already up to date' if existed else 'ready'} with plan {parsed.id!r}")
    else:
        say(f"{where}: plan {parsed.id!r} applied as revision {rev} ({plansync.summarise(changes)})")
    print(where)
