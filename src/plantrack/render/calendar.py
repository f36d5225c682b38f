"""The plan's milestones and review cadence as an iCalendar file (built with icalendar)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from plantrack.core import recurrence
from plantrack.core.progress import Status
from plantrack.models import State


def build(status: Status, stamp: datetime, today: date) -> bytes:
    """Every milestone that is not cancelled, as an all-day event; reviews as a recurring one.

    ``stamp`` (DTSTAMP) is when the plan revision was applied, not the clock: the same data gives
    the same file.
    """
    from icalendar import Calendar, Event, vRecur

    plan = status.plan
    cal = Calendar()
    cal.add("prodid", f"-//plantrack//{plan.id}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", plan.title)
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
            e.add("summary", f"{m.milestone.title} ({m.milestone.id})")
            lines = [
                f"Milestone of {r.objective.id}: {r.objective.title}",
                f"State on {today}: {m.state.value}",
            ]
            if m.milestone.title_zh:
                lines.insert(0, m.milestone.title_zh)
            e.add("description", "\n".join(lines))
            e.add("categories", ["milestone", r.objective.id])
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
            e.add("summary", f"Plan review: {plan.title}")
            e.add("description", f"Review of {plan.id} (rule {plan.review})")
            e.add("categories", ["review"])
            cal.add_component(e)
    return bytes(cal.to_ical())
