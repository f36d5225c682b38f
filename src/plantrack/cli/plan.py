"""Plan commands: check, apply and diff objectives.toml against the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plantrack.cli.context import say, state
from plantrack.cli.options import Json, PlanFile
from plantrack.core import dates
from plantrack.core import lang as L
from plantrack.errors import PlanInvalid
from plantrack.plan import planfile
from plantrack.render import dump_json, terminal
from plantrack.store import revisions

app = typer.Typer(help="Validate the plan file and load it into the database.", no_args_is_help=True)


def _source(file: str | None):  # type: ignore[no-untyped-def]

    path = Path(file) if file else state.plan_path()
    return planfile.read_source(path)


@app.command("check")
def check(file: PlanFile = None) -> None:
    """Validate the plan file and list every problem (and warning) with its line."""
    source = _source(file)
    plan, problems, warnings = planfile.check(source)
    terminal.problems(sorted(problems + [_warning(w) for w in warnings], key=_line))
    if problems:
        n = len(problems)
        say(f"{source.path}: {n} problem{'s' if n != 1 else ''}")
        raise typer.Exit(2)
    assert plan is not None
    milestones = sum(len(o.milestones) for o in plan.objectives)
    indicators = sum(len(o.indicators) for o in plan.objectives)
    say(
        f"{source.path}: plan {plan.id!r} is valid: {len(plan.objectives)} objectives,"
        f" {milestones} milestones, {indicators} indicators"
        + (f"; {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else "")
    )


def _warning(line: str) -> str:
    """``path:line: what`` as ``path:line: warning: what``."""
    path, sep, rest = line.partition(": ")
    return f"{path}{sep}warning: {rest}"


def _line(message: str) -> int:
    """The line number in ``path:line: ...`` (a path may hold colons itself)."""
    head = message.partition(": ")[0]
    number = head.rpartition(":")[2]
    return int(number) if number.isdigit() else 0


@app.command("apply")
def apply(
    file: PlanFile = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    json: Json = False,
) -> None:
    """Load or update the plan's structure; removed objects are archived with their history."""
    source = _source(file)
    plan, problems, warnings = planfile.check(source)
    if plan is None:
        raise PlanInvalid(problems, source.path)
    for w in warnings:
        say(_warning(w))
    conn = state.conn(bootstrap=False)
    if dry_run:
        changes = revisions.diff(conn, plan)
        rev = None
    else:
        rev, changes = revisions.apply(conn, plan, source, state.user(), dates.now_utc())
    if json:
        dump_json({"revision": rev, "dry_run": dry_run, "changes": [c.to_json() for c in changes]})
        return
    if changes:
        terminal.changes(changes, stderr=not dry_run)
    if dry_run:
        say(L.t("cli.dry_run", changes=revisions.summarise(changes)))
    elif rev is None:
        say(L.t("cli.plan_up_to_date", plan=repr(plan.id)))
    else:
        say(L.t("cli.applied", path=source.path, rev=rev, changes=revisions.summarise(changes)))
        print(rev)


@app.command("diff")
def diff(file: PlanFile = None, json: Json = False) -> None:
    """Show what applying the plan file would change."""
    source = _source(file)
    plan = planfile.load(source)
    changes = revisions.diff(state.conn(bootstrap=False), plan)
    if json:
        dump_json([c.to_json() for c in changes])
        return
    if changes:
        terminal.changes(changes)
    say(L.t("cli.plan_diff", path=source.path, changes=revisions.summarise(changes)))
