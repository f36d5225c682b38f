"""Read commands: the status dashboard and the evidence list."""

from __future__ import annotations

from typing import Annotated

import typer

from plantrack.cli.context import state
from plantrack.cli.options import Json, Since, Until


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("evidence")(evidence)


def status(json: Json = False) -> None:
    """Show where the plan stands."""
    from plantrack import ledger
    from plantrack.models import State
    from plantrack.render import dump_json, terminal

    conn = state.conn()
    plan = state.plan()
    today = state.today()
    rows = []
    out = []
    for o in plan.objectives:
        done = overdue = 0
        for m in o.milestones:
            st, _ = ledger.milestone_state(conn, m.id, today)
            done += st == State.DONE
            overdue += m.due < today and st not in (State.DONE, State.CANCELLED)
        ids = [o.id] + [m.id for m in o.milestones] + [i.id for i in o.indicators]
        last = ledger.entries(conn, ids, until=today, limit=1)
        count = conn.execute(
            f"SELECT count(*) FROM entry WHERE target IN ({','.join('?' * len(ids))})", ids
        ).fetchone()[0]
        rows.append((o.id, o.title, o.park.value, f"{done}/{len(o.milestones)}", overdue,
                     len(o.indicators), count, last[0].on.isoformat() if last else "—"))  # fmt: skip
        out.append({"id": o.id, "title": o.title, "park": o.park.value,
                    "milestones": {"done": done, "total": len(o.milestones), "overdue": overdue},
                    "evidence": {"count": count, "last": last[0].on.isoformat() if last else None}})  # fmt: skip
    if json:
        dump_json({"as_of": today.isoformat(), "plan": {"id": plan.id}, "objectives": out})
        return
    terminal.table(
        ["objective", "title", "park", "milestones", "overdue", "indicators", "evidence", "last"],
        rows,
        title=f"{plan.title} — as of {today}",
        right=(4, 5, 6),
    )


def evidence(
    target_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Objective, milestone, indicator or plan id.", show_default=False)] = None,
    since: Since = None, until: Until = None, json: Json = False,
) -> None:  # fmt: skip
    """List evidence entries, newest first."""
    from plantrack import dates, ledger
    from plantrack.render import dump_json, terminal

    conn = state.conn()
    today = state.today()
    targets = None
    if target_id:
        ledger.find_target(conn, target_id, allow_archived=True)
        targets = ledger.target_family(conn, target_id) or None
    start = dates.parse_period(since, today).start if since else None
    end = dates.parse_period(until, today).end if until else None
    items = ledger.entries(conn, targets, since=start, until=end)
    if json:
        dump_json([e.to_json() for e in items])
        return
    if not items:
        from plantrack.cli.context import say

        say("no evidence recorded" + (f" for {target_id}" if target_id else ""))
        return
    terminal.entries(items)
