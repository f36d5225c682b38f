"""The plan's milestones and review cadence as an iCalendar file (built with icalendar), in the
reader's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from plantrack.core import lang, recurrence
from plantrack.core.progress import Status
from plantrack.models import State
from plantrack.render import inert


def build(status: Status, stamp: datetime, today: date) -> bytes:
    """Every milestone that is not cancelled, as an all-day event; reviews as a recurring one.

    ``stamp`` (DTSTAMP) is when the plan revision was applied, not the clock: the same data gives
    the same file. Titles and descriptions are in the reader's language (LANGUAGE says which), plan
    titles in the reader's script; ids, dates and the review rule stay as they are.
    """
    from icalendar import Calendar, Event, vRecur

    def t(key: str, **values: object) -> str:
        return lang.t(f"calendar.{key}", **values)

    said = {"language": lang.current()}
    plan = status.plan
    cal = Calendar()
    cal.add("prodid", f"-//plantrack//{plan.id}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", inert(lang.pick(plan.title, plan.title_zh)))
    cal.add("x-wr-timezone", plan.timezone)
    for r in sorted(status.objectives, key=lambda r: r.objective.id):
        for m in sorted(r.milestones, key=lambda m: (m.milestone.due, m.milestone.id)):
            if m.state == State.CANCELLED:
                continue
            e = Event()
            e.add("uid", f"{m.milestone.id}@{plan.id}.plantrack")
            e.add("dtstamp", stamp)
            e.add("dtstart", m.milestone.due)
            e.add("dtend", m.milestone.due + timedelta(days=1))
            e.add(
                "summary",
                inert(f"{lang.pick(m.milestone.title, m.milestone.title_zh)} ({m.milestone.id})"),
                said,
            )
            lines = [
                t(
                    "milestone_of",
                    id=r.objective.id,
                    title=lang.pick(r.objective.title, r.objective.title_zh),
                ),
                t("state_on", day=today, state=lang.t(f"common.state.{m.state.value}")),
            ]
            # The title in the other language too: the Chinese as written, or the English.
            other = m.milestone.title if lang.is_chinese() else m.milestone.title_zh
            if other and m.milestone.title_zh:
                lines.insert(0, other)
            e.add("description", inert("\n".join(lines)), said)
            e.add("categories", [t("category.milestone"), r.objective.id])
            e.add("transp", "TRANSPARENT")
            cal.add_component(e)
    if plan.review:
        first = recurrence.first(plan.review, plan.adopted)
        if first is not None:
            e = Event()
            e.add("uid", f"review@{plan.id}.plantrack")
            e.add("dtstamp", stamp)
            e.add("dtstart", first)
            e.add("dtend", first + timedelta(days=1))
            text = plan.review
            if "UNTIL=" not in text.upper() and "COUNT=" not in text.upper():
                text += f";UNTIL={plan.horizon.strftime('%Y%m%d')}"
            e.add("rrule", vRecur.from_ical(text))
            e.add("summary", inert(t("review", title=lang.pick(plan.title, plan.title_zh))), said)
            e.add("description", t("review_of", id=plan.id, rule=plan.review), said)
            e.add("categories", [t("category.review")])
            cal.add_component(e)
    return bytes(cal.to_ical())
