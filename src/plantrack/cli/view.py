"""Read commands: status, show, upcoming, check and the evidence list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from plantrack.cli import complete, params, run
from plantrack.cli.context import say, state
from plantrack.cli.options import AsOf, Json, KnownAt, Lang, NoPager, Since, Until, option
from plantrack.cli.run import FLAGS, _as_of, _known_at, _lang, _rags
from plantrack.core import dates, recurrence, text
from plantrack.core import lang as L
from plantrack.core.dates import utc_stamp
from plantrack.errors import PlantrackError
from plantrack.limits import SEARCH_LIMIT, SHOW_ENTRIES, UPCOMING_WITHIN
from plantrack.models import State
from plantrack.render import dashboard, dump_json, shapes, terminal
from plantrack.service import readings
from plantrack.store import db, ledger, revisions
from plantrack.store import history as trail
from plantrack.store import search as fts

if TYPE_CHECKING:
    pass


_S = {p.name: p for p in params.STATUS}
Sector = Annotated[str | None, option(_S["sector"])]
Theme = Annotated[str | None, option(_S["theme"])]
ParkOpt = Annotated[str | None, option(_S["park"])]
RagOpt = Annotated[str | None, option(_S["rag"])]
AllOpt = Annotated[bool, option(_S["all_"])]


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("show")(show)
    app.command("upcoming")(upcoming)
    app.command("check")(check)
    app.command("evidence")(evidence)
    app.command("search")(search)
    app.command("history")(history)
    app.command("attachment")(attachment)


def status(
    sector: Sector = None,
    theme: Theme = None,
    park: ParkOpt = None,
    rag: RagOpt = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    lang: Lang = None,
    all_: AllOpt = False,
    json: Json = False,
) -> None:
    """Show where the plan stands: the dashboard."""
    run.status(sector, theme, park, rag, as_of, known_at, lang, all_, json)


def show(
    item_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="An objective, milestone or indicator id.",
            show_default=False,
            autocompletion=complete.items,
        ),
    ],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    lang: Lang = None,
    json: Json = False,
) -> None:
    """Show one objective, milestone or indicator: progress, forecast, milestones, evidence."""
    language = _lang(lang)
    conn = state.conn()
    day = _as_of(as_of)
    instant = _known_at(known_at)
    stamp = utc_stamp(instant) if instant else None
    target = ledger.find_target(conn, item_id, ("objective", "milestone", "indicator"), allow_archived=True)
    r = readings.one_objective(
        conn, target.id if target.kind == "objective" else target.parent or "", day, instant
    )
    if r is None:
        raise PlantrackError(
            f"{target.kind} {item_id!r} is not in the plan as of that revision (archived)",
            hint=f"its history remains: plantrack evidence {item_id}",
        )
    family = ledger.target_family(conn, item_id) if target.kind == "objective" else [item_id]
    entries = [e for e in ledger.entries(conn, family, until=day, known_at=stamp)]
    slips = {m.milestone.id: revisions.slips(conn, m.milestone.id) for m in r.milestones}
    slips = {k: v for k, v in slips.items() if v}
    if target.kind == "objective":
        if json:
            out = shapes.objective(r, full=True) | {
                "as_of": day.isoformat(),
                "known_at": stamp,
                "slips": {
                    k: [{"revision": rv, "applied_at": at, "old": o, "new": n} for rv, at, o, n in v]
                    for k, v in slips.items()
                },
                "entries": [e.to_json() for e in entries],
            }
            dump_json(out)
            return

        judged = r.confidence.entry if r.confidence is not None else None
        rationale = next((e.text for e in entries if e.id == judged), None)
        dashboard.show_objective(r, language, slips, rationale)
    elif target.kind == "indicator":
        ir = next(i for i in r.indicators if i.indicator.id == item_id)
        measurements = sorted(
            (e.on, e.value)
            for e in entries
            if e.kind == "measurement" and not e.retracted and e.value is not None
        )
        if json:
            dump_json(
                shapes.indicator(ir, full=True)
                | {
                    "as_of": day.isoformat(),
                    "known_at": stamp,
                    "measurements": [{"on": d.isoformat(), "value": shapes.num(v)} for d, v in measurements],
                    "entries": [e.to_json() for e in entries],
                }
            )
            return

        dashboard.show_indicator(ir, measurements, day, language)
    else:
        mr = next(m for m in r.milestones if m.milestone.id == item_id)
        history = [e for e in reversed(entries) if e.kind == "milestone"]
        if json:
            dump_json(
                shapes.milestone(mr)
                | {
                    "as_of": day.isoformat(),
                    "known_at": stamp,
                    "slips": [
                        {"revision": rv, "applied_at": at, "old": o, "new": n}
                        for rv, at, o, n in slips.get(item_id, [])
                    ],
                    "entries": [e.to_json() for e in entries],
                }
            )
            return

        dashboard.show_milestone(
            mr.milestone, mr.state.value, mr.overdue, history, slips.get(item_id, []), language
        )
    notes = [e for e in entries if e.kind != "milestone" or target.kind != "milestone"]
    if notes:
        terminal.console().print()
        terminal.entries(notes[:SHOW_ENTRIES])
        if len(notes) > SHOW_ENTRIES:
            say(L.t("views.older_entries", n=len(notes) - SHOW_ENTRIES, id=item_id))


def upcoming(
    within: Annotated[
        str, typer.Option("--within", help=f"How far ahead to look, e.g. {UPCOMING_WITHIN}, 6 months.")
    ] = UPCOMING_WITHIN,
    as_of: AsOf = None,
    lang: Lang = None,
    json: Json = False,
) -> None:
    """List milestones due soon or overdue, and the next review dates."""
    language = _lang(lang)
    conn = state.conn()
    day = _as_of(as_of)
    span = dates.parse_span(within)
    end = day + span
    s = readings.status(conn, day)
    rows = []
    for r in s.objectives:
        for m in r.milestones:
            if m.state in (State.DONE, State.CANCELLED):
                continue
            if m.overdue or day <= m.milestone.due <= end:
                rows.append(
                    {
                        "id": m.milestone.id,
                        "objective": r.objective.id,
                        "title": m.milestone.title,
                        "title_zh": m.milestone.title_zh,
                        "due": m.milestone.due.isoformat(),
                        "days": (m.milestone.due - day).days,
                        "state": m.state.value,
                        "overdue": m.overdue,
                    }
                )
    rows.sort(key=lambda x: (x["due"], x["id"]))
    reviews = recurrence.between(s.plan.review, s.plan.adopted, day, end)
    if json:
        dump_json(
            {
                "as_of": day.isoformat(),
                "until": end.isoformat(),
                "milestones": rows,
                "reviews": [d.isoformat() for d in reviews],
            }
        )
        return

    dashboard.upcoming(rows, reviews, day, language)


def check(
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="RAG levels that fail the check, e.g. amber,red,assessed-red; also disagreement and stale.",
        ),
    ] = "red",
    as_of: AsOf = None,
    known_at: KnownAt = None,
    lang: Lang = None,
    json: Json = False,
) -> None:
    """Exit 1 when any objective is at one of the given RAG levels (for cron and CI alerts)."""
    levels = _rags(fail_on, "--fail-on", FLAGS)
    if not levels:
        raise PlantrackError("--fail-on names no RAG level", hint="e.g. --fail-on amber,red")
    language = _lang(lang)
    conn = state.conn()
    day = _as_of(as_of)
    s = readings.status(conn, day, _known_at(known_at))
    hits = [
        r
        for r in s.objectives
        if r.rag.value in levels
        or ("disagreement" in levels and r.disagreement)
        or ("stale" in levels and r.confidence is not None and r.confidence.stale)
    ]
    if json:
        dump_json(
            {
                "as_of": day.isoformat(),
                "fail_on": sorted(levels),
                "failed": bool(hits),
                "objectives": [shapes.objective(r) for r in hits],
            }
        )
    else:
        dashboard.check_lines(hits, language)
        say(
            L.t(
                "views.check_summary",
                hits=len(hits),
                total=len(s.objectives),
                levels=", ".join(sorted(levels)),
                day=day,
            )
        )
    if hits:
        raise typer.Exit(1)


def evidence(
    target_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="Objective, milestone, indicator or plan id (or 'open ENTRY').",
            show_default=False,
            autocompletion=complete.any_id,
        ),
    ] = None,
    entry_ref: Annotated[
        str | None,
        typer.Argument(
            metavar="[ENTRY]", help="With 'open': the entry whose file to give back.", show_default=False
        ),
    ] = None,
    since: Since = None,
    until: Until = None,
    path: Annotated[
        str | None,
        typer.Option("--path", metavar="ENTRY", help="Print where ENTRY's attached file is stored."),
    ] = None,
    json: Json = False,
    no_pager: NoPager = False,
) -> None:
    """List evidence entries, newest first (evidence open ENTRY / --path ENTRY: the attached file)."""
    conn = state.conn()
    if path is not None or (target_id == "open" and entry_ref is not None):
        if target_id is not None and target_id != "open":
            raise PlantrackError("--path takes no ID", hint="plantrack evidence --path ENTRY")
        attachment(path if path is not None else entry_ref or "", None)
        return
    if entry_ref is not None:
        raise PlantrackError(
            f"unexpected {entry_ref!r}", hint="plantrack evidence [ID], or plantrack evidence open ENTRY"
        )
    today = state.today()
    targets = None
    if target_id:
        ledger.find_target(conn, target_id, allow_archived=True)
        targets = ledger.target_family(conn, target_id) or None
    start = dates.parse_period(since, today).start if since is not None else None
    end = dates.parse_period(until, today).end if until is not None else None
    items = ledger.entries(conn, targets, since=start, until=end)
    if json:
        dump_json([e.to_json() for e in items])
        return
    if not items:
        say(L.t("views.no_evidence_for", id=target_id) if target_id else L.t("views.no_evidence"))
        return
    with terminal.paged(not no_pager):
        terminal.entries(items)


def search(
    query: Annotated[
        str,
        typer.Argument(metavar="QUERY", help="Words to find (Chinese too), e.g. 通關.", show_default=False),
    ],
    target_id: Annotated[
        str | None, typer.Option("--id", help="Only evidence of this objective, milestone or indicator.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10000, help="At most this many entries.")
    ] = SEARCH_LIMIT,
    json: Json = False,
    no_pager: NoPager = False,
) -> None:
    """Search evidence and the plan's titles, newest first."""
    conn = state.conn()
    targets = None
    if target_id:
        ledger.find_target(conn, target_id, allow_archived=True)
        targets = ledger.target_family(conn, target_id) or None
    q = text.parse_query(query)
    plan_hits, entries, more = fts.search(conn, query, limit, targets)
    if json:
        dump_json(
            {
                "query": query,
                "plan": [{"id": h.id, "kind": h.kind, "title": h.title} for h in plan_hits],
                "entries": [
                    e.to_json() | {"snippet": text.snippet(e.text or "", q.terms)[0]} for e in entries
                ],
                "more": more,
            }
        )
        return

    with terminal.paged(not no_pager):
        terminal.search_results(plan_hits, entries, q.terms)
    if not plan_hits and not entries:
        say(L.t("views.nothing_matches", query=repr(query)))
    elif more:
        say(L.t("views.newest_only", n=limit))


def history(
    target_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="Objective, milestone, indicator or plan id.",
            show_default=False,
            autocompletion=complete.any_id,
        ),
    ] = None,
    since: Since = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1_000_000, help="Show the last N events.")
    ] = 200,
    all_: Annotated[bool, typer.Option("--all", help="Show every event.")] = False,
    json: Json = False,
    no_pager: NoPager = False,
) -> None:
    """Show the audit trail: plan revisions, entries and retractions, oldest first."""
    conn = state.conn()
    if target_id:
        ledger.find_target(conn, target_id, allow_archived=True)
    start = None
    if since is not None:
        day = dates.parse_period(since, state.today()).start
        start = dates.utc_stamp(dates.parse_instant(day.isoformat() + "T00:00", state.plan().timezone))
    items, total = trail.events(conn, target_id, start, None if all_ else limit)
    if json:
        dump_json([e.to_json() for e in items])
        return

    if total > len(items):
        say(L.t("views.earlier_events", n=total - len(items)))
    with terminal.paged(not no_pager):
        terminal.history(items)


def attachment(
    entry_ref: Annotated[
        str, typer.Argument(metavar="ENTRY", help="The entry's id (or uid).", show_default=False)
    ],
    out: Annotated[
        str | None, typer.Option("--out", help="Copy the file here: a file, or a folder (dir/ is created).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a file that is already there.")] = False,
) -> None:
    """Give back an entry's attached file: print where it is stored, or copy it out."""
    conn = state.conn()
    e = ledger.get(conn, entry_ref)
    if e.attachment is None:
        raise PlantrackError(f"entry {e.id} has no attachment", hint=f"see plantrack evidence {e.target}")
    path = ledger.verified_attachment(db.attachment_dir(state.db_path), e.attachment)
    if out is None:
        print(path)
        return
    dest = ledger.out_path(out, e.attachment.name, e.attachment.sha256)
    ledger.copy_out(path, dest, force)
    say(L.t("cli.copied", name=e.attachment.name, sha=e.attachment.sha256[:12], dest=dest))
    print(dest)
