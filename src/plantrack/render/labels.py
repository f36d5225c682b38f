"""What the report renderers share: words from the catalogue, number formats, safe links, list caps."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plantrack.core import lang
from plantrack.core.text import fmt_num
from plantrack.render.dashboard import forecast_line, trend_line

if TYPE_CHECKING:
    from plantrack.core.progress import Confidence, IndicatorResult, ObjectiveResult
    from plantrack.models import Entry
    from plantrack.report import Report

# Progress since the end of the previous period (not the growth-rate trend).
CHANGE_MARK = {"up": "▲", "down": "▼", "flat": "▶", "new": "•", "none": "–"}
# The CSV report's "change" column: data, so in English whatever the reader's language.
CHANGE_WORD = {"up": "up", "down": "down", "flat": "unchanged", "new": "new", "none": "no data"}
# The growth-rate trend, with an arrow for the desired direction (as on the dashboard).
TREND_MARK = {"strong": "⇑", "moderate": "↑", "limited": "→", "worsening": "↓", "insufficient-data": "·"}
_SAFE_SCHEME = re.compile(r"(?i)^(https?|ftp)://")


def t(key: str, **values: object) -> str:
    """A report message in the reader's language (the ``report`` domain of the catalogue)."""
    return lang.t(f"report.{key}", **values)


def word(kind: str, value: str) -> str:
    """A shared word (``common.<kind>.<value>``: rag, trend, level, state, kind, park); an unknown
    value is shown as it is rather than failing a whole report."""
    try:
        return lang.t(f"common.{kind}.{value}")
    except KeyError:
        return value


def labelled(label: str, value: str) -> str:
    """A label and its value: "Trend: strong" ("趋势：明显改善", with the full-width colon)."""
    return t("labelled", label=label, value=value)


def gap() -> str:
    """What goes between two sentences or phrases: a space in English, nothing in Chinese (its
    full-width "。" and "（" carry their own space)."""
    return "" if lang.is_chinese() else " "


def sentences(*parts: str) -> str:
    return gap().join(p for p in parts if p)


def change_word(change: str) -> str:
    return t(f"change.{change}")


def disagreement() -> str:
    return t("disagreement")


def counts_words(counts: dict[str, int]) -> str:
    """Objectives by RAG in words ("1 green, 1 monitored"); "none" without any."""
    return t("list_sep").join(t("count_of", n=n, what=word("rag", rag)) for rag, n in counts.items()) or t(
        "none"
    )


def title(english: str, chinese: str | None) -> str:
    """Plan text for the reader: the Chinese in the reader's script, else the English."""
    return lang.pick(english, chinese)


def subtitle(english: str, chinese: str | None) -> str | None:
    """The plan's title in the other language, shown under the reader's: the Chinese as written
    beside an English report, the English beside a Chinese one (None where there is no other)."""
    if lang.is_chinese():
        return english if chinese else None
    return chinese


def linkable(url: str | None) -> bool:
    """Only web addresses become links; anything else (javascript:, data:, file:) stays text."""
    return bool(url) and bool(_SAFE_SCHEME.match(url or ""))


def one_line(text: str | None, limit: int = 400) -> str:
    s = " ".join((text or "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def with_unit(value: float | None, unit: str, decimals: int | None = None) -> str:
    """A figure followed by its unit ("9 labs"); the figure alone where the indicator has none."""
    figure = fmt_num(value, decimals)
    return f"{figure} {unit}" if unit and value is not None else figure


def entry_summary(e: Entry, unit: str = "") -> str:
    if e.kind.value == "measurement":
        head = f"= {with_unit(e.value, unit)}"
    elif e.kind.value == "milestone":
        head = f"→ {word('state', e.state.value) if e.state else '?'}"
    elif e.kind.value == "assessment":
        head = t("assessed", level=word("level", e.level.value) if e.level else "?")
    else:
        head = ""
    # An imported entry no trusted site signed says so wherever it is shown.
    mark = f"[{t('unverified')}]" if e.signed_by == "unverified" else ""
    return " ".join(p for p in (head, one_line(e.text), mark) if p)


def objective_trend(o: ObjectiveResult) -> str:
    """The objective's trend in words; '—' for one without indicators (it cannot have one)."""
    if not o.objective.indicators:
        return "—"
    return f"{TREND_MARK[o.trend.value]} {word('trend', o.trend.value)}"


def confidence_words(c: Confidence | None) -> str:
    """The latest assessment: its level and date, marked stale; '—' without one."""
    if c is None:
        return "—"
    said = t("level_on", level=word("level", c.level.value), day=c.on.isoformat())
    return said + (t("aside", text=t("stale_days", days=c.age_days)) if c.stale else "")


def indicator_trend(r: IndicatorResult) -> str:
    """The trend, its annual rate and the two points it rests on, rounded as the indicator is shown."""
    return str(trend_line(r.trend, r.indicator.unit, r.decimals))


def indicator_forecast(r: IndicatorResult) -> str:
    """The forecast with its 80 % interval, "target reached on D", or why there is none."""
    return str(forecast_line(r))


def byline(committed_by: str | None, above: str | None) -> str:
    """Whose commitment an object is, where it is not that of the object above it ('' otherwise)."""
    return committed_by if committed_by and committed_by != above else ""


def period_words(r: Report) -> str:
    """The report's period: "Report for 2026-Q3", or "…, period to date, as of 2026-11-24" before its end."""
    head = t("report_for", period=r.period.label)
    return f"{head}{t('list_sep')}{t('to_date', day=r.as_of.isoformat())}" if r.to_date else head


def footer_lines(r: Report) -> list[str]:
    figures = {"day": r.as_of.isoformat(), "revision": r.revision, "sha": r.revision_sha[:12]}
    first = t("footer_all", **figures) if r.known_at is None else t("footer", known=r.known_at, **figures)
    return [first, head_line(r)]


def head_line(r: Report) -> str:
    """The ledger head the report was made from, and how to check it later."""
    if r.ledger_head is None:
        return t("ledger_empty")
    return t("ledger_head", head=r.ledger_head, n=r.ledger_entries)


def generated_line(r: Report, version: str) -> str:
    return t("generated", at=r.generated_at, version=version)


def file_stem(r: Report) -> str:
    return f"{r.plan_id}-{r.period.label.replace('/', '-')}"
