"""Dates: the one place that reads the clock; parsing of dates, periods, instants and spans."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plantrack.errors import BadDate, PlantrackError

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

DEFAULT_TZ = "Asia/Shanghai"

ACCEPTED = (
    "use a date such as 2026-09-30, 30/09/2026 (day first), 2026年9月30日, a period such as "
    "2026-09, 2026-Q3, Q3 2026, 2026-H1, 2026, FY2025/26, or today, yesterday, 3 days ago, "
    "in 2 weeks, last friday, next quarter"
)

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_ABBR = {d[:3]: i for i, d in enumerate(_WEEKDAYS)} | {d: i for i, d in enumerate(_WEEKDAYS)}
_UNITS = {
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "week": "week", "weeks": "week",
    "m": "month", "mo": "month", "month": "month", "months": "month",
    "q": "quarter", "quarter": "quarter", "quarters": "quarter",
    "h": "half", "half": "half", "halves": "half",
    "y": "year", "yr": "year", "year": "year", "years": "year",
}  # fmt: skip
_CN_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


# --- the clock -------------------------------------------------------------------------------


def now_utc() -> datetime:
    """The current instant in UTC; the only function that reads the clock.

    ``PLANTRACK_NOW`` (an ISO 8601 instant) pins it, so that a run can be replayed exactly.
    """
    pinned = os.environ.get("PLANTRACK_NOW")
    if pinned:
        try:
            value = datetime.fromisoformat(pinned.strip().replace("Z", "+00:00"))
        except ValueError as e:
            raise PlantrackError(
                f"PLANTRACK_NOW={pinned!r} is not an ISO 8601 instant",
                hint="e.g. 2026-11-24T09:00:00+08:00, or unset it",
            ) from e
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    return datetime.now(UTC)


def zone(tz: str) -> ZoneInfo:
    """The IANA time zone called ``tz``."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise PlantrackError(
            f"unknown time zone {tz!r}", hint="use an IANA name such as Asia/Shanghai"
        ) from e


def today(tz: str = DEFAULT_TZ) -> date:
    """Today's date in the plan's time zone."""
    return now_utc().astimezone(zone(tz)).date()


def utc_stamp(moment: datetime) -> str:
    """An instant as the ledger stores it: ISO 8601 in UTC with microseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An inclusive span of days with the label a person would give it."""

    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return _shift_period(self, -1)


def day_period(d: date) -> Period:
    return Period(d, d, d.isoformat())


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def month_period(year: int, month: int) -> Period:
    last = _month_days(year, month)
    return Period(date(year, month, 1), date(year, month, last), f"{year:04d}-{month:02d}")


def quarter_period(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    end = month_period(year, first + 2).end
    return Period(date(year, first, 1), end, f"{year:04d}-Q{q}")


def half_period(year: int, h: int) -> Period:
    if h == 1:
        return Period(date(year, 1, 1), date(year, 6, 30), f"{year:04d}-H1")
    return Period(date(year, 7, 1), date(year, 12, 31), f"{year:04d}-H2")


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year:04d}")


def fiscal_year_period(start_year: int) -> Period:
    """Hong Kong's fiscal year: 1 April to 31 March."""
    return Period(
        date(start_year, 4, 1),
        date(start_year + 1, 3, 31),
        f"FY{start_year:04d}/{(start_year + 1) % 100:02d}",
    )


def quarter_of(d: date) -> Period:
    return quarter_period(d.year, (d.month - 1) // 3 + 1)


def last_complete_quarter(d: date) -> Period:
    """The last quarter that ended before ``d``."""
    return quarter_of(d).previous()


def _shift_period(p: Period, n: int) -> Period:
    label = p.label
    if re.fullmatch(r"\d{4}-Q[1-4]", label):
        index = int(label[:4]) * 4 + int(label[-1]) - 1 + n
        return quarter_period(index // 4, index % 4 + 1)
    if re.fullmatch(r"\d{4}-H[12]", label):
        index = int(label[:4]) * 2 + int(label[-1]) - 1 + n
        return half_period(index // 2, index % 2 + 1)
    if re.fullmatch(r"\d{4}-\d{2}", label):
        index = int(label[:4]) * 12 + int(label[5:]) - 1 + n
        return month_period(index // 12, index % 12 + 1)
    if re.fullmatch(r"\d{4}", label):
        return year_period(int(label) + n)
    if label.startswith("FY"):
        return fiscal_year_period(p.start.year + n)
    length = (p.end - p.start).days + 1
    start = p.start + timedelta(days=length * n)
    end = p.end + timedelta(days=length * n)
    return Period(start, end, start.isoformat() if length == 1 else f"{start}..{end}")


# --- parsing ---------------------------------------------------------------------------------


def _bad(text: str) -> BadDate:
    return BadDate(f"{text!r} is not a date", hint=ACCEPTED)


def _checked(text: str, year: int, month: int = 1, day: int = 1) -> date:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError) as e:
        raise _bad(text) from e


def _add(d: date, unit: str, n: int) -> date:
    from dateutil.relativedelta import relativedelta

    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[unit]
    return d + relativedelta(months=months * n)


def _unit_period(unit: str, d: date) -> Period:
    if unit == "day":
        return day_period(d)
    if unit == "week":
        start = d - timedelta(days=d.weekday())
        return Period(start, start + timedelta(days=6), f"week of {start.isoformat()}")
    if unit == "month":
        return month_period(d.year, d.month)
    if unit == "quarter":
        return quarter_of(d)
    if unit == "half":
        return half_period(d.year, 1 if d.month <= 6 else 2)
    return year_period(d.year)


_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*[-/ ]?\s*(\d{4})")
_HALF = re.compile(r"(\d{4})\s*-?\s*h([12])|h([12])\s*[-/ ]?\s*(\d{4})")
_FY = re.compile(r"fy\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_CN = re.compile(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日号]\s*)?)?")
_CN_QUARTER = re.compile(r"(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?")
_CN_HALF = re.compile(r"(\d{4})\s*年\s*([上下])半年")
_NUMERIC = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_NUMERIC_YMD = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_AGO = re.compile(r"(\d+|a|an|one)\s*([a-z]+)\s+ago")
_IN = re.compile(r"in\s+(\d+|a|an|one)\s*([a-z]+)")
_REL = re.compile(r"(last|next|this)\s+([a-z]+)")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4}


def _count(word: str) -> int:
    return 1 if word in ("a", "an", "one") else int(word)


def parse_period(text: str, today_: date) -> Period:
    """Parse any accepted date or period; a single day is a one-day period.

    ``today_`` is today in the plan's time zone (see :func:`today`).
    """
    raw = text
    s = " ".join(str(text).translate(_CN_DIGITS).strip().casefold().split())
    if not s or len(s) > 64:
        raise _bad(raw)
    try:
        return _parse(s, raw, today_)
    except (OverflowError, ValueError) as e:
        if isinstance(e, BadDate):
            raise
        raise _bad(raw) from e


def _parse(s: str, raw: str, t: date) -> Period:
    if s in ("today", "now", "今天", "今日"):
        return day_period(t)
    if s in ("yesterday", "昨天", "昨日"):
        return day_period(t - timedelta(days=1))
    if s in ("tomorrow", "明天", "明日"):
        return day_period(t + timedelta(days=1))
    if m := _ISO_DAY.fullmatch(s):
        return day_period(_checked(raw, int(m[1]), int(m[2]), int(m[3])))
    if m := _ISO_MONTH.fullmatch(s):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise _bad(raw)
        _checked(raw, int(m[1]), month)
        return month_period(int(m[1]), month)
    if m := _YEAR.fullmatch(s):
        _checked(raw, int(m[1]))
        return year_period(int(m[1]))
    if m := _QUARTER.fullmatch(s):
        year, q = (m[1], m[2]) if m[1] else (m[4], m[3])
        _checked(raw, int(year))
        return quarter_period(int(year), int(q))
    if m := _HALF.fullmatch(s):
        year, h = (m[1], m[2]) if m[1] else (m[4], m[3])
        _checked(raw, int(year))
        return half_period(int(year), int(h))
    if m := _FY.fullmatch(s):
        start = int(m[1])
        end = int(m[2])
        expected = start + 1
        if (len(m[2]) == 2 and end != expected % 100) or (len(m[2]) == 4 and end != expected):
            raise BadDate(
                f"{raw!r} is not a fiscal year",
                hint=f"a Hong Kong fiscal year runs April to March: FY{start}/{expected % 100:02d}",
            )
        _checked(raw, start + 1)
        return fiscal_year_period(start)
    if m := _CN_QUARTER.fullmatch(s):
        q = _CN_NUM.get(m[2]) or int(m[2])
        return quarter_period(int(m[1]), q)
    if m := _CN_HALF.fullmatch(s):
        return half_period(int(m[1]), 1 if m[2] == "上" else 2)
    if m := _CN.fullmatch(s):
        year = int(m[1])
        if m[3]:
            return day_period(_checked(raw, year, int(m[2]), int(m[3])))
        if m[2]:
            if not 1 <= int(m[2]) <= 12:
                raise _bad(raw)
            return month_period(_checked(raw, year).year, int(m[2]))
        return year_period(_checked(raw, year).year)
    if m := _NUMERIC.fullmatch(s):
        # Hong Kong and UK usage: day first.
        return day_period(_checked(raw, int(m[3]), int(m[2]), int(m[1])))
    if m := _NUMERIC_YMD.fullmatch(s):
        return day_period(_checked(raw, int(m[1]), int(m[2]), int(m[3])))
    if m := _AGO.fullmatch(s):
        unit = _UNITS.get(m[2])
        if unit is None:
            raise _bad(raw)
        return day_period(_add(t, unit, -_count(m[1])))
    if m := _IN.fullmatch(s):
        unit = _UNITS.get(m[2])
        if unit is None:
            raise _bad(raw)
        return day_period(_add(t, unit, _count(m[1])))
    if m := _REL.fullmatch(s):
        return _relative(m[1], m[2], raw, t)
    return _fallback(s, raw)


def _relative(which: str, word: str, raw: str, t: date) -> Period:
    if word in _WEEKDAY_ABBR:
        target = _WEEKDAY_ABBR[word]
        if which == "last":
            back = (t.weekday() - target) % 7 or 7
            return day_period(t - timedelta(days=back))
        if which == "next":
            ahead = (target - t.weekday()) % 7 or 7
            return day_period(t + timedelta(days=ahead))
        # "this friday": the one in the current Monday-to-Sunday week.
        return day_period(t + timedelta(days=target - t.weekday()))
    unit = _UNITS.get(word)
    if unit is None or unit == "day":
        raise _bad(raw)
    step = {"last": -1, "next": 1, "this": 0}[which]
    return _unit_period(unit, _add(t, unit, step))


def _fallback(s: str, raw: str) -> Period:
    """Anything python-dateutil reads, provided it names a year; day-first for numbers."""
    if not re.search(r"\d", s):
        raise _bad(raw)
    from dateutil import parser

    a = datetime(2001, 1, 1)
    b = datetime(2002, 2, 2)
    try:
        pa = parser.parse(s, dayfirst=True, default=a)
        pb = parser.parse(s, dayfirst=True, default=b)
    except (ValueError, OverflowError, TypeError) as e:
        raise _bad(raw) from e
    if pa.year != pb.year:
        raise BadDate(f"{raw!r} has no year", hint="write the year, e.g. 30 Sep 2026")
    if pa.month != pb.month:
        return year_period(pa.year)
    if pa.day != pb.day:
        return month_period(pa.year, pa.month)
    return day_period(pa.date())


def parse_date(text: str, today_: date) -> date:
    """Parse a date; a month, quarter, half, year or fiscal year stands for its last day."""
    return parse_period(text, today_).end


def parse_instant(text: str, tz: str) -> datetime:
    """Parse a ``--known-at`` instant into an aware UTC datetime.

    An ISO 8601 date-time without an offset is in ``tz``; a date alone (in any accepted form)
    means the end of that day, so that everything recorded on it counts.
    """
    s = str(text).strip()
    if s.casefold() == "now":
        return now_utc()
    try:
        value = datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        value = None
    if value is not None and ("t" in s.casefold() or " " in s or ":" in s):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone(tz))
        return value.astimezone(UTC)
    local_today = today(tz)
    try:
        day = parse_date(s, local_today)
    except BadDate as e:
        raise BadDate(
            f"{text!r} is not an instant",
            hint="use ISO 8601 such as 2026-10-02T18:00 (plan time zone) or 2026-10-02T10:00Z",
        ) from e
    end = datetime.combine(day, time.max).replace(tzinfo=zone(tz))
    return end.astimezone(UTC)


_SPAN = re.compile(r"(\d+)\s*([a-z]+)")


def parse_span(text: str) -> relativedelta:
    """Parse a span such as ``90 days``, ``6 weeks``, ``3 months``, ``2 quarters``, ``1y``."""
    from dateutil.relativedelta import relativedelta

    s = " ".join(str(text).strip().casefold().split())
    m = _SPAN.fullmatch(s)
    unit = _UNITS.get(m[2]) if m else None
    if m is None or unit is None:
        raise BadDate(
            f"{text!r} is not a span", hint="use e.g. 90 days, 6 weeks, 3 months, 2 quarters, 1 year"
        )
    n = int(m[1])
    if n > 100_000:
        raise BadDate(f"{text!r} is too long a span", hint="use at most 100000 units")
    if unit == "day":
        return relativedelta(days=n)
    if unit == "week":
        return relativedelta(weeks=n)
    return relativedelta(months=n * {"month": 1, "quarter": 3, "half": 6, "year": 12}[unit])


# --- phrases typed without quotes ------------------------------------------------------------

_MONTHS = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_N = r"(?:\d+|a|an|one)"
_U = "|".join(sorted(_UNITS, key=len, reverse=True))
_W = "|".join(sorted(_WEEKDAY_ABBR, key=len, reverse=True))
# The forms of ACCEPTED (and of spans) that are written as several words.
_PHRASE = re.compile(
    rf"{_N} (?:{_U})(?: ago)?|in {_N} (?:{_U})|(?:last|next|this) (?:{_W}|{_U})"
    r"|q[1-4] \d{4}|\d{4} q[1-4]|h[12] \d{4}|\d{4} h[12]|fy \d{4}[/-]\d{2,4}"
    rf"|\d{{1,2}} (?:{_MONTHS}),? \d{{4}}|(?:{_MONTHS}) \d{{1,2}},? \d{{4}}|(?:{_MONTHS}),? \d{{4}}"
)


def phrase_length(words: list[str]) -> int:
    """How many of ``words`` (as a shell split them) make one date, period or span that was typed
    without quotes, e.g. ``3 days ago``, ``6 months``, ``last friday``, ``Q3 2026``, ``30 Sep 2026``:
    the longest such phrase at the start, else 1. Only these closed forms join, so an argument
    typed after a one-word date is never taken into it."""
    for n in (3, 2):
        if len(words) >= n and _PHRASE.fullmatch(" ".join(words[:n]).casefold()):
            return n
    return 1
