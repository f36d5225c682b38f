"""Review cadences: the one reader of iCalendar recurrence rules (RRULE), dates in and dates out."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateutil.rrule import rrule


def _rule(rule: str, start: date) -> rrule:
    from dateutil.rrule import rrulestr  # about 30 ms to import; only plans with a cadence pay it

    parsed = rrulestr(rule, dtstart=datetime.combine(start, time()))
    return parsed  # type: ignore[return-value]


def problem(rule: str, start: date) -> str | None:
    """Why ``rule`` is not a usable RRULE starting on ``start``, or None."""
    try:
        _rule(rule, start).after(datetime.combine(start, time()))
    except (ValueError, TypeError, AttributeError, OverflowError) as e:
        return str(e) or type(e).__name__
    return None


def first(rule: str, start: date) -> date | None:
    """The first occurrence on or after ``start``."""
    found = _rule(rule, start).after(datetime.combine(start, time()), inc=True)
    return None if found is None else found.date()


def between(rule: str | None, start: date, day: date, end: date) -> list[date]:
    """Occurrences in [day, end]; if there are none, the next one after ``day`` (if any)."""
    if not rule:
        return []
    r = _rule(rule, start)
    lo = datetime.combine(day, time())
    found = [d.date() for d in r.between(lo, datetime.combine(end, time.max), inc=True)]
    if not found:
        nxt = r.after(lo, inc=True)
        if nxt is not None:
            found = [nxt.date()]
    return found
