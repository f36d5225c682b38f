"""Command bodies that must not import Typer (the fast entry path runs them directly)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plantrack.cli.context import state
from plantrack.core import dates, lang
from plantrack.core.dates import utc_stamp
from plantrack.core.progress import Rag, in_park
from plantrack.errors import PlantrackError
from plantrack.limits import DASHBOARD_ROWS
from plantrack.render import dashboard, dump_json, shapes
from plantrack.service import readings
from plantrack.store import db, revisions

if TYPE_CHECKING:
    from datetime import date, datetime

    from plantrack.core.progress import ObjectiveResult, Status

RAGS = tuple(r.value for r in Rag)
# What `check --fail-on` takes besides RAG levels: judgements that disagree with the arithmetic,
# and assessments older than the plan's assessment_days.
FLAGS = ("disagreement", "stale")


def _lang(value: str | None) -> str:
    """The command's --lang, when given, over the global choice; the language now in use."""
    if value:
        return state.use_language(value)
    return lang.current()


def _as_of(text: str | None) -> date:
    return dates.parse_date("today" if text is None else text, state.today())


def _known_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    return dates.parse_instant(text, state.plan().timezone)


def _rags(text: str | None, option: str = "--rag", flags: tuple[str, ...] = ()) -> set[str]:
    if not text:
        return set()
    levels = {p.strip().lower() for p in text.split(",") if p.strip()}
    bad = levels - set(RAGS) - set(flags)
    if bad:
        raise PlantrackError(
            f"unknown RAG level {sorted(bad)[0]!r} in {option}", hint=f"use {', '.join(RAGS + flags)}"
        )
    return levels


def _filter(
    s: Status, sector: str | None, theme: str | None, park: str | None, rag: str | None
) -> list[ObjectiveResult]:
    import difflib

    plan = s.plan
    for kind, value in (("sector", sector), ("theme", theme)):
        if value is not None and plan.group(kind, value) is None:
            ids = [g.id for g in (plan.sectors if kind == "sector" else plan.themes)]
            close = difflib.get_close_matches(value, ids, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"the plan's {kind}s: {', '.join(ids) or 'none'}"
            )
            raise PlantrackError(f"unknown {kind} {value!r}", hint=hint)
    if park is not None and park not in ("shenzhen", "hong-kong", "both"):
        raise PlantrackError(f"unknown park {park!r}", hint="use shenzhen, hong-kong or both")
    levels = _rags(rag)
    out = []
    for r in s.objectives:
        o = r.objective
        if sector and o.sector != sector:
            continue
        if theme and o.theme != theme:
            continue
        if park and not in_park(o, park):
            continue
        if levels and r.rag.value not in levels:
            continue
        out.append(r)
    return out


def status(
    sector: str | None = None,
    theme: str | None = None,
    park: str | None = None,
    rag: str | None = None,
    as_of: str | None = None,
    known_at: str | None = None,
    lang: str | None = None,
    all_: bool = False,
    json: bool = False,
) -> None:
    """Show where the plan stands: the dashboard."""
    language = _lang(lang)
    conn = state.conn()
    day = _as_of(as_of)
    instant = _known_at(known_at)
    if not (json or all_ or instant or sector or theme or park or rag):
        # The everyday view: as much work as it prints (see readings.dashboard).
        s, more, revision = readings.dashboard(conn, day, DASHBOARD_ROWS)
        db.checkpoint("status-computed")  # for the signal tests: figures ready, nothing printed
        dashboard.status(s, s.objectives, more, language, revision)
        return
    s = readings.status(conn, day, instant)
    db.checkpoint("status-computed")
    shown = _filter(s, sector, theme, park, rag)
    if json:
        dump_json(shapes.status(s, shown))
        return

    rev = revisions.latest_revision(conn, utc_stamp(instant) if instant else None)
    more = 0 if all_ else max(0, len(shown) - DASHBOARD_ROWS)
    dashboard.status(s, shown if all_ else shown[:DASHBOARD_ROWS], more, language, rev.rev if rev else None)
