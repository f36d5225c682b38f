"""What the report renderers share: labels, number formats, safe links, list caps."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plantrack.core.text import fmt_num
from plantrack.render.dashboard import forecast_line, trend_line

if TYPE_CHECKING:
    from plantrack.core.progress import Confidence, IndicatorResult, ObjectiveResult
    from plantrack.models import Entry
    from plantrack.report import Report

# Progress since the end of the previous period (not the growth-rate trend).
CHANGE_MARK = {"up": "▲", "down": "▼", "flat": "▶", "new": "•", "none": "–"}
CHANGE_WORD = {"up": "up", "down": "down", "flat": "unchanged", "new": "new", "none": "no data"}
# The growth-rate trend, with an arrow for the desired direction (as on the dashboard).
TREND_MARK = {"strong": "⇑", "moderate": "↑", "limited": "→", "worsening": "↓", "insufficient-data": "·"}
DISAGREEMENT = "computed progress and a fresh assessment differ by two or more steps"
_SAFE_SCHEME = re.compile(r"(?i)^(https?|ftp)://")


def linkable(url: str | None) -> bool:
    """Only web addresses become links; anything else (javascript:, data:, file:) stays text."""
    return bool(url) and bool(_SAFE_SCHEME.match(url or ""))


def one_line(text: str | None, limit: int = 400) -> str:
    s = " ".join((text or "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def entry_summary(e: Entry) -> str:
    if e.kind.value == "measurement":
        head = f"= {fmt_num(e.value)}"
    elif e.kind.value == "milestone":
        head = f"→ {e.state.value if e.state else '?'}"
    elif e.kind.value == "assessment":
        head = f"assessed {e.level.value if e.level else '?'}:"
    else:
        head = ""
    return " ".join(p for p in (head, one_line(e.text)) if p)


def objective_trend(o: ObjectiveResult) -> str:
    """The objective's trend in words; '—' for one without indicators (it cannot have one)."""
    return f"{TREND_MARK[o.trend.value]} {o.trend.value}" if o.objective.indicators else "—"


def confidence_words(c: Confidence | None) -> str:
    """The latest assessment: its level and date, marked stale; '—' without one."""
    if c is None:
        return "—"
    return f"{c.level.value} on {c.on.isoformat()}" + (f" (stale, {c.age_days} days old)" if c.stale else "")


def indicator_trend(r: IndicatorResult) -> str:
    """The trend, its annual rate and the two points it rests on, rounded as the indicator is shown."""
    return str(trend_line(r.trend, r.indicator.unit, r.decimals))


def indicator_forecast(r: IndicatorResult) -> str:
    """The forecast with its 80 % interval, "target reached on D", or why there is none."""
    return str(forecast_line(r))


def byline(committed_by: str | None, above: str | None) -> str:
    """Whose commitment an object is, where it is not that of the object above it ('' otherwise)."""
    return committed_by if committed_by and committed_by != above else ""


def footer_lines(r: Report) -> list[str]:
    known = r.known_at or "everything recorded when the report was generated"
    return [
        f"As of {r.as_of.isoformat()} · known at {known} · plan revision {r.revision} (sha256 {r.revision_sha[:12]})",
    ]


def file_stem(r: Report) -> str:
    return f"{r.plan_id}-{r.period.label.replace('/', '-')}"
