"""The terminal dashboard (`status`) and detail views (`show`, `upcoming`, `check`) with Rich."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from plantrack.core.progress import expected_value
from plantrack.core.text import fmt_num, pct
from plantrack.render import safe
from plantrack.render.terminal import console, text

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from plantrack.core.progress import GroupResult, IndicatorResult, ObjectiveResult, Status
    from plantrack.models import Entry

RAG_STYLE = {
    "red": "bold red",
    "amber": "bold yellow",
    "green": "green",
    "done": "bold blue",
    "not-started": "dim",
    "no-data": "dim",
    "assessed-red": "red",
    "assessed-amber": "yellow",
    "assessed-green": "green",
    "monitored": "cyan",
}
# Trend words with an arrow for the desired direction (worsening points the wrong way).
TREND_MARK = {"strong": "⇑", "moderate": "↑", "limited": "→", "worsening": "↓", "insufficient-data": "·"}
TREND_STYLE = {"strong": "green", "moderate": "green", "limited": "yellow", "worsening": "bold red",
               "insufficient-data": "dim"}  # fmt: skip
TREND_ZH = {"strong": "明显改善", "moderate": "温和改善", "limited": "改善有限", "worsening": "恶化",
            "insufficient-data": "数据不足"}  # fmt: skip
LEVEL_ZH = {"green": "绿", "amber-green": "黄绿", "amber": "黄", "amber-red": "黄红", "red": "红"}
LEVEL_STYLE = {
    "green": "green",
    "amber-green": "green",
    "amber": "yellow",
    "amber-red": "red",
    "red": "bold red",
}
STATE_STYLE = {
    "done": "blue",
    "in-progress": "green",
    "blocked": "bold red",
    "cancelled": "dim strike",
    "planned": "",
}

LABELS = {
    "en": {
        "as_of": "as of",
        "known_at": "as known at",
        "elapsed": "Time elapsed",
        "progress": "Progress made",
        "expected": "expected",
        "sector": "Sectors",
        "theme": "Themes",
        "park": "Parks",
        "objectives": "Objectives, worst first",
        "objective": "objective",
        "title": "title",
        "rag": "RAG",
        "ms": "milestones",
        "overdue": "overdue",
        "last": "last evidence",
        "more": "… and {n} more objectives: plantrack status --all",
        "none": "No objective matches these filters.",
        "revision": "plan revision",
        "rests_on": "from {m} of {n} objectives",
        "standing": "Objectives",
        "trend": "trend",
        "confidence": "confidence",
        "measured": "{m}/{n} measured",
        "stale": "stale",
        "disagree": "≠ judged {level}",
    },
    "zh": {
        "as_of": "截至",
        "known_at": "按记录时点",
        "elapsed": "时间进度",
        "progress": "完成进度",
        "expected": "应达",
        "sector": "领域",
        "theme": "主题",
        "park": "园区",
        "objectives": "目标（按风险排序）",
        "objective": "目标编号",
        "title": "名称",
        "rag": "状态",
        "ms": "里程碑",
        "overdue": "逾期",
        "last": "最新证据",
        "more": "… 另有 {n} 项目标：plantrack status --all",
        "none": "没有符合筛选条件的目标。",
        "revision": "规划版本",
        "rests_on": "基于 {n} 项目标中的 {m} 项",
        "standing": "目标状态",
        "trend": "趋势",
        "confidence": "交付信心",
        "measured": "{m}/{n} 项可计算",
        "stale": "已过期",
        "disagree": "≠ 评估为{level}",
    },
}
RAG_ZH = {
    "red": "红",
    "amber": "黄",
    "green": "绿",
    "done": "完成",
    "not-started": "未开始",
    "no-data": "无数据",
    "assessed-red": "评估红",
    "assessed-amber": "评估黄",
    "assessed-green": "评估绿",
    "monitored": "监测中",
}


def _l(lang: str, key: str) -> str:
    return LABELS.get(lang, LABELS["en"])[key]


def rag_text(rag: str, lang: str = "en") -> Text:
    label = RAG_ZH.get(rag, rag) if lang == "zh" else rag
    return text(label, RAG_STYLE.get(rag, ""))


def trend_text(trend: str, lang: str = "en", short: bool = False) -> Text:
    word = TREND_ZH.get(trend, trend) if lang == "zh" else trend.replace("-", " ")
    mark = TREND_MARK.get(trend, "")
    label = mark if short else (f"{mark} {word}" if mark != "·" else word)
    return text(label, TREND_STYLE.get(trend, ""))


def level_text(level: str, lang: str = "en") -> Text:
    return text(LEVEL_ZH.get(level, level) if lang == "zh" else level, LEVEL_STYLE.get(level, ""))


def confidence_text(r: ObjectiveResult, lang: str, short: bool = False) -> Text:
    """The latest assessment: its level and date, marked stale; '—' without one."""
    c = r.confidence
    if c is None:
        return text("—", "dim")
    out = level_text(c.level.value, lang)
    if not short:
        out.append_text(text(f" {c.on.isoformat()}", "dim"))
    if c.stale:
        out.append_text(text(f" ({_l(lang, 'stale')})", "dim"))
    return out


def counts_text(counts: dict[str, int], lang: str) -> Text:
    from rich.text import Text

    out = Text()
    for n, (rag, count) in enumerate(counts.items()):
        if n:
            out.append(" · ", style="dim")
        out.append(f"{count} ")
        out.append_text(rag_text(rag, lang))
    return out


def bar(progress: float | None, expected: float | None, width: int, style: str) -> Text:
    """A progress bar with a tick where the plan expects to be (three spans at most)."""
    from rich.text import Text

    if progress is None:
        return Text("·" * width, style="dim")
    filled = round(max(0.0, min(1.0, progress)) * width)
    mark = None if expected is None else min(width - 1, round(max(0.0, min(1.0, expected)) * width))
    if mark is None or mark < filled:
        return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))
    return Text.assemble(
        ("█" * filled, style),
        ("░" * (mark - filled), "dim"),
        ("│", "bold"),
        ("░" * (width - mark - 1), "dim"),
    )


def title_of(obj: Any, lang: str) -> str:
    if lang == "zh":
        zh = getattr(obj, "title_zh", None) or getattr(obj, "name_zh", None)
        if zh:
            return str(zh)
    return str(getattr(obj, "title", None) or getattr(obj, "name", ""))


def status(
    s: Status, shown: Sequence[ObjectiveResult], more: int, lang: str = "en", revision: int | None = None
) -> None:
    from rich.table import Table

    out = console()
    narrow = out.width < 110
    plan_title = title_of(s.plan, lang)
    out.print(text(plan_title, "bold"))
    meta = f"{_l(lang, 'as_of')} {s.as_of.isoformat()}"
    if s.known_at:
        meta += f" · {_l(lang, 'known_at')} {s.known_at}"
    if revision is not None:
        meta += f" · {_l(lang, 'revision')} {revision}"
    out.print(text(meta, "dim"))
    out.print()

    head = Table.grid(padding=(0, 2))
    for _ in range(4):
        head.add_column()
    width = 20 if narrow else 30
    head.add_row(
        text(_l(lang, "elapsed"), "bold"),
        bar(s.elapsed, None, width, "cyan"),
        text(pct(s.elapsed, 0)),
        text(f"{s.plan.adopted.isoformat()} → {s.plan.horizon.isoformat()}", "dim"),
    )
    style = RAG_STYLE.get(s.rag.value, "")
    summary = text(f"{_l(lang, 'expected')} {pct(s.expected, 0)}  ")
    summary.append_text(rag_text(s.rag.value, lang))
    head.add_row(
        text(_l(lang, "progress"), "bold"),
        bar(s.progress, s.expected, width, style),
        text(pct(s.progress, 0)),
        summary,
    )
    # Every headline says what it rests on: progress exists only where there is something to count.
    head.add_row(text(""), text(_l(lang, "rests_on").format(m=s.measured, n=s.total), "dim"))
    head.add_row(
        text(_l(lang, "trend").capitalize(), "bold"),
        trend_text(s.trend.value, lang),
        text(""),
        text(""),
    )
    out.print(head)
    standing = text(f"{_l(lang, 'standing')}  ", "bold")
    standing.append_text(counts_text(s.counts, lang))
    out.print(standing)
    out.print()

    groups = Table(box=None, pad_edge=False, show_header=False, padding=(0, 1))
    groups.add_column(no_wrap=True, overflow="ellipsis", max_width=24 if narrow else 40)
    groups.add_column(no_wrap=True)
    groups.add_column(justify="right", no_wrap=True)
    groups.add_column(justify="right", no_wrap=True)
    groups.add_column(no_wrap=True)
    groups.add_column(no_wrap=True)
    for kind in ("sector", "theme", "park"):
        rows: Sequence[GroupResult] = s.groups.get(kind, ())
        if not rows:
            continue
        groups.add_row(text(_l(lang, kind), "bold underline"), *[text("") for _ in range(5)])
        for g in rows:
            gstyle = RAG_STYLE.get(g.rag.value, "")
            # Without progress, a group shows the trend of its monitored objectives, not a blank.
            if g.progress is not None:
                gauge = bar(g.progress, g.expected, 10 if narrow else 20, gstyle)
            elif g.trend.value == "insufficient-data":
                gauge = text("—", "dim")
            else:
                gauge = trend_text(g.trend.value, lang)
            expected = f"{'exp.' if narrow and lang == 'en' else _l(lang, 'expected')} {pct(g.expected, 0)}"
            measured = f"{g.measured}/{g.objectives}" if narrow else _l(lang, "measured")
            groups.add_row(
                text("  " + title_of(g, lang)),
                gauge,
                text(pct(g.progress, 0)),
                text(expected if g.progress is not None else "", "dim"),
                rag_text(g.rag.value, lang),
                text(measured.format(m=g.measured, n=g.objectives), "dim"),
            )
    out.print(groups)
    out.print()
    objectives(shown, lang, narrow, s.plan.committed_by)
    if more:
        out.print(text(_l(lang, "more").format(n=more), "dim"))


def objectives(shown: Sequence[ObjectiveResult], lang: str, narrow: bool, issuer: str | None = None) -> None:
    from rich.table import Table

    out = console()
    if not shown:
        out.print(text(_l(lang, "none"), "dim"))
        return
    t = Table(
        box=None,
        pad_edge=False,
        header_style="bold",
        title=_l(lang, "objectives"),
        title_justify="left",
        title_style="bold underline",
    )
    t.add_column(_l(lang, "rag"), no_wrap=True)
    id_width = min(32, max(len(r.objective.id) for r in shown))
    t.add_column(
        _l(lang, "objective"), no_wrap=True, overflow="ellipsis", max_width=24 if narrow else id_width
    )
    judged = any(r.confidence is not None for r in shown)
    wide = out.width >= 150
    if not narrow:
        # The title takes what the other columns leave (the table expands to the terminal).
        t.expand = True
        t.add_column(_l(lang, "title"), no_wrap=True, overflow="ellipsis", ratio=1, min_width=12)
    # Below 150 columns the bar (the same figure as %) and the evidence date give way, and the
    # headers and the confidence shorten, so that trend and confidence keep their place.
    if wide:
        t.add_column("", no_wrap=True)
    short = not wide and lang == "en"
    t.add_column("%", justify="right", no_wrap=True)
    t.add_column("exp." if short else _l(lang, "expected"), justify="right", no_wrap=True)
    t.add_column("ms" if short else _l(lang, "ms"), justify="right", no_wrap=True)
    t.add_column("late" if short else _l(lang, "overdue"), justify="right", no_wrap=True)
    t.add_column("tr." if narrow and lang == "en" else _l(lang, "trend"), no_wrap=True)
    if judged:
        t.add_column("conf." if short else _l(lang, "confidence"), no_wrap=True)
    if wide:
        t.add_column(_l(lang, "last"), no_wrap=True)
    for r in shown:
        style = RAG_STYLE.get(r.rag.value, "")
        rag_cell = rag_text(r.rag.value, lang)
        if r.disagreement:
            rag_cell.append_text(text(" ≠", "bold magenta"))
        cells: list[RenderableType] = [rag_cell, text(r.objective.id)]
        if not narrow:
            title = text(title_of(r.objective, lang))
            by = r.objective.committed_by
            if by and by != issuer:  # whose commitment, where it is not the plan's issuer's
                title = text(f"[{by}] ", "bold")
                title.append_text(text(title_of(r.objective, lang)))
            cells.append(title)
        if wide:
            cells.append(bar(r.progress, r.expected, 10, style))
        cells += [
            text(pct(r.progress, 0)),
            text(pct(r.expected, 0), "dim"),
            text(f"{r.done}/{r.total}" if r.objective.milestones else "—"),
            text(str(r.overdue) if r.overdue else "", "bold red" if r.overdue else ""),
            trend_text(r.trend.value, lang, short=narrow)
            if r.objective.indicators and r.trend.value != "insufficient-data"
            else text("—" if r.objective.indicators else "", "dim"),
        ]
        if judged:
            cells.append(confidence_text(r, lang, short=not wide))
        if wide:
            cells.append(text(r.evidence.last.isoformat() if r.evidence.last else "—", "dim"))
        t.add_row(*cells)
    out.print(t)
    if any(r.disagreement for r in shown):
        out.print(text("≠  computed progress and a fresh assessment differ by two or more steps", "dim"))


# --- show ------------------------------------------------------------------------------------


def chart(
    r: IndicatorResult,
    as_of: date,
    measurements: Sequence[tuple[date, float]],
    width: int = 60,
    height: int = 10,
) -> list[str]:
    """A text chart: planned path (·), actual values (●), forecast (∘), today (│)."""
    i = r.indicator
    start = i.baseline_date
    ends = [as_of, *(d for d, _ in measurements)]
    if i.target_date:
        ends.append(i.target_date)
    if r.forecast:
        ends.append(r.forecast.at)
    end = max(ends)
    starts = [start, *(d for d, _ in measurements)]
    start = min(starts)
    if end <= start:
        end = start.fromordinal(start.toordinal() + 1)
    values = [i.baseline, *(v for _, v in measurements)]
    if i.target is not None:
        values.append(i.target)
    fc = r.forecast
    if fc is not None:
        # The band's edges are within the indicator's bounds, so the axis never reaches an
        # impossible value (a negative count, a share above 100).
        values += [v for v in (fc.value_at_target, fc.low, fc.high) if v is not None]
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1
    span = (end - start).days

    def col(d: date) -> int:
        return max(0, min(width - 1, round((d - start).days / span * (width - 1))))

    def row(v: float) -> int:
        return max(0, min(height - 1, round((hi - v) / (hi - lo) * (height - 1))))

    grid = [[" "] * width for _ in range(height)]

    if i.target is not None:
        for c in range(width):
            d = start.fromordinal(start.toordinal() + round(c / (width - 1) * span))
            ev = expected_value(i, d)
            if ev is not None:
                grid[row(ev)][c] = "·"
    if fc is not None and fc.value_at_target is not None and measurements:
        # The least-squares line from the last measurement to the forecast date, in its 80 % band.
        c0, c1 = col(measurements[-1][0]), col(fc.at)
        for c in range(c0 + 1, c1 + 1):
            d = start.fromordinal(start.toordinal() + round(c / (width - 1) * span))
            v, v_lo, v_hi = fc.at_date(d)
            for rr in range(row(v_hi), row(v_lo) + 1):
                if grid[rr][c] == " ":
                    grid[rr][c] = "░"
            if lo <= v <= hi and grid[row(v)][c] in (" ", "░"):
                grid[row(v)][c] = "∘"
    today_col = col(as_of)
    for rr in range(height):
        if grid[rr][today_col] == " ":
            grid[rr][today_col] = "│"
    for d, v in [(i.baseline_date, i.baseline), *measurements]:
        grid[row(v)][col(d)] = "●"
    places = r.decimals
    label_w = max(len(fmt_num(hi, places)), len(fmt_num(lo, places)))
    lines = []
    for n, cells in enumerate(grid):
        label = fmt_num(hi, places) if n == 0 else fmt_num(lo, places) if n == height - 1 else ""
        lines.append(f"{label:>{label_w}} ┤{''.join(cells)}")
    axis = f"{'':>{label_w}} └" + "─" * width
    dates = f"{'':>{label_w}}  {start.isoformat()}{end.isoformat():>{width - 10}}"
    legend = "● actual  · planned  ∘ forecast  ░ 80 % interval" if fc is not None else "● actual  · planned"
    lines += [axis, dates, f"{'':>{label_w}}  {legend}  │ {as_of.isoformat()}"]
    return lines


def trend_line(t: Any, unit: str, places: int) -> str:
    """The trend, its annual rate and the two points it rests on, in words."""
    if t.rate is None:
        return "insufficient data: needs a measurement dated after the baseline"
    rate = "more than ±1,000 %" if abs(t.rate) > 10 else f"{t.rate * 100:+.1f} %"
    return (
        f"{t.status.value}: {rate} a year, from {fmt_num(t.base_value, places)} on {t.base_on}"
        f" to {fmt_num(t.latest_value, places)} on {t.latest_on}"
    )


def forecast_line(r: IndicatorResult) -> str:
    """The forecast with its 80 % interval, or why there is none (never a figure without a basis)."""
    i = r.indicator
    fc = r.forecast
    if r.reached_on is not None:
        return f"target reached on {r.reached_on}"
    if fc is None or fc.value_at_target is None:
        return f"none: {r.no_forecast or 'the line cannot be projected'}"
    places = r.decimals
    unit = f" {i.unit}" if i.unit else ""
    line = f"{fmt_num(fc.value_at_target, places)}{unit} by {fc.at}"
    if fc.low is not None and fc.high is not None:
        line += f" (80 % interval {fmt_num(fc.low, places)}–{fmt_num(fc.high, places)})"
    line += f", from {fc.points} points over {fc.span_days} days"
    if i.target is not None:
        if fc.reach_date:
            line += f"; target reached around {fc.reach_date}"
        elif fc.line_crossed:
            line += f"; the trend line crossed the target around {fc.line_crossed}, but no measurement has reached it"
        else:
            line += "; not with the present trend"
    return line


def show_indicator(
    r: IndicatorResult, measurements: Sequence[tuple[date, float]], as_of: date, lang: str
) -> None:
    from rich.table import Table

    out = console()
    i = r.indicator
    places = r.decimals
    out.print(text(f"{i.id} — {title_of(i, lang)}", "bold"))
    byline = f"indicator of {i.objective} · unit {i.unit or '—'} · {i.direction.value}"
    if i.committed_by:
        byline += f" · committed by {i.committed_by}"
    out.print(text(byline, "dim"))
    out.print()
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    t.add_row(text("baseline"), text(f"{fmt_num(i.baseline, places)} on {i.baseline_date}"))
    if i.target is not None:
        t.add_row(text("target"), text(f"{fmt_num(i.target, places)} by {i.target_date}"))
    else:
        t.add_row(text("target"), text("none: a monitored indicator (trend only)"))
    t.add_row(
        text("value"),
        text(
            f"{fmt_num(r.value, places)}"
            + (f" on {r.value_on}" if r.value_on else " (baseline; nothing measured yet)")
        ),
    )
    if r.progress is not None:
        t.add_row(
            text("progress"),
            text(
                f"{pct(r.progress, 0)} (expected {pct(r.expected, 0)}, planned value {fmt_num(r.expected_value, places)})"
            ),
        )
    trend_cell = text(trend_line(r.trend, i.unit, places), TREND_STYLE.get(r.trend.status.value, ""))
    t.add_row(text("trend"), trend_cell)
    t.add_row(text("forecast"), text(forecast_line(r)))
    if r.observed_per_year is not None:
        t.add_row(
            text("observed rate"), text(f"{fmt_num(r.observed_per_year, places)} {i.unit} a year".strip())
        )
    if r.required_per_year is not None:
        t.add_row(
            text("required rate"),
            text(f"{fmt_num(r.required_per_year, places)} {i.unit} a year from now".strip()),
        )
    out.print(t)
    out.print()
    for line in chart(r, as_of, measurements, width=min(60, max(30, out.width - 20))):
        out.print(text(line))


def show_objective(r: ObjectiveResult, lang: str, slips: dict[str, list[tuple[int, str, str, str]]],
                   rationale: str | None = None) -> None:  # fmt: skip
    from rich.table import Table

    out = console()
    o = r.objective
    out.print(text(f"{o.id} — {title_of(o, lang)}", "bold"))
    bits = [f"park {o.park.value}"]
    if o.sector:
        bits.append(f"sector {o.sector}")
    if o.theme:
        bits.append(f"theme {o.theme}")
    bits.append(f"{o.start} → {o.due}")
    if o.owner:
        bits.append(f"owner {o.owner}")
    if o.committed_by:
        bits.append(f"committed by {o.committed_by}")
    out.print(text(" · ".join(bits), "dim"))
    if o.description:
        out.print(text(o.description))
    summary = text(f"progress {pct(r.progress, 0)} · expected {pct(r.expected, 0)} · ")
    summary.append_text(rag_text(r.rag.value, lang))
    if r.objective.indicators:
        summary.append_text(text(" · trend "))
        summary.append_text(trend_text(r.trend.value, lang))
    out.print(summary)
    if r.confidence is not None:
        c = r.confidence
        line = text("confidence ")
        line.append_text(level_text(c.level.value, lang))
        line.append_text(text(f" on {c.on} (entry {c.entry}, {c.age_days} days ago)", "dim"))
        if c.stale:
            line.append_text(text(" stale: older than the plan's assessment_days", "yellow"))
        if rationale:
            line.append_text(text(f" — {rationale}"))
        out.print(line)
    if r.disagreement:
        out.print(text("≠ computed progress and this assessment differ by two or more steps", "bold magenta"))
    out.print()
    if r.milestones:
        t = Table(
            box=None,
            pad_edge=False,
            header_style="bold",
            title="Milestones",
            title_justify="left",
            title_style="bold underline",
        )
        for col in ("milestone", "title", "due", "state", "since", ""):
            t.add_column(
                col, overflow="fold" if col == "title" else "ellipsis", ratio=1 if col == "title" else None
            )
        for m in r.milestones:
            flag = "OVERDUE" if m.overdue else ""
            moved = slips.get(m.milestone.id)
            if moved:
                flag = (
                    (flag + " " if flag else "")
                    + "slipped from "
                    + ", ".join(old for _r, _a, old, _n in moved)
                )
            t.add_row(
                text(m.milestone.id),
                text(title_of(m.milestone, lang)),
                text(m.milestone.due),
                text(m.state.value, STATE_STYLE.get(m.state.value, "")),
                text(m.since or "—", "dim"),
                text(flag, "bold red" if m.overdue else "yellow"),
            )
        out.print(t)
        out.print()
    if r.indicators:
        t = Table(
            box=None,
            pad_edge=False,
            header_style="bold",
            title="Indicators",
            title_justify="left",
            title_style="bold underline",
        )
        for col, just in (
            ("indicator", "left"),
            ("value", "right"),
            ("target", "right"),
            ("progress", "right"),
            ("expected", "right"),
            ("trend", "left"),
            ("forecast", "right"),
            ("reached", "left"),
        ):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for i in r.indicators:
            reach = "—"
            if i.reached_on is not None:
                reach = f"reached on {i.reached_on}"
            elif i.forecast and i.indicator.target is not None:
                fc = i.forecast
                reach = (
                    str(fc.reach_date)
                    if fc.reach_date
                    else f"line crossed {fc.line_crossed}, unmeasured"
                    if fc.line_crossed
                    else "not with present trend"
                )
            forecast_cell = "—"
            if i.forecast is not None and i.forecast.value_at_target is not None:
                fc = i.forecast
                forecast_cell = f"{fmt_num(fc.value_at_target, i.decimals)} ({fmt_num(fc.low, i.decimals)}–{fmt_num(fc.high, i.decimals)})"
            t.add_row(
                text(i.indicator.id),
                text(fmt_num(i.value, i.decimals)),
                text(
                    fmt_num(i.indicator.target, i.decimals)
                    if i.indicator.target is not None
                    else "monitored",
                    "" if i.indicator.target is not None else "dim",
                ),
                text(pct(i.progress, 0)),
                text(pct(i.expected, 0), "dim"),
                trend_text(i.trend.status.value, lang),
                text(forecast_cell),
                text(reach, "dim"),
            )
        out.print(t)
        out.print()


def show_milestone(
    m: Any,
    state: str,
    overdue: bool,
    history: Sequence[Entry],
    slips: list[tuple[int, str, str, str]],
    lang: str,
) -> None:
    from rich.table import Table

    out = console()
    out.print(text(f"{m.id} — {title_of(m, lang)}", "bold"))
    out.print(
        text(
            f"milestone of {m.objective} · due {m.due}"
            + (f" · needs {m.verify.value} evidence to close" if m.verify else ""),
            "dim",
        )
    )
    line = text("state ")
    line.append_text(text(state, STATE_STYLE.get(state, "")))
    if overdue:
        line.append_text(text("  OVERDUE", "bold red"))
    out.print(line)
    for rev, at, old, new in slips:
        out.print(text(f"due date moved {old} → {new} (plan revision {rev}, {at})", "yellow"))
    if history:
        t = Table(
            box=None,
            pad_edge=False,
            header_style="bold",
            title="State history",
            title_justify="left",
            title_style="bold underline",
        )
        for col in ("entry", "on", "state", "by", "note"):
            t.add_column(col, overflow="fold")
        for e in history:
            style = "dim strike" if e.retracted else ""
            t.add_row(
                text(e.id),
                text(e.on),
                text(e.state.value if e.state else "", style),
                text(e.user),
                text(e.text or "", style),
            )
        out.print(t)


def upcoming(rows: Sequence[dict[str, Any]], reviews: Sequence[date], as_of: date, lang: str) -> None:
    from rich.table import Table

    out = console()
    if rows:
        t = Table(
            box=None,
            pad_edge=False,
            header_style="bold",
            title=f"Milestones due by the end of the window (as of {as_of})",
            title_justify="left",
        )
        for col in ("due", "in", "milestone", "objective", "state", "title"):
            t.add_column(
                col, overflow="ellipsis", no_wrap=col != "title", ratio=1 if col == "title" else None
            )
        for r in rows:
            days = r["days"]
            when = f"{-days}d overdue" if days < 0 else "today" if days == 0 else f"{days}d"
            t.add_row(
                text(r["due"]),
                text(when, "bold red" if days < 0 else "yellow" if days <= 14 else ""),
                text(r["id"]),
                text(r["objective"]),
                text(r["state"], STATE_STYLE.get(r["state"], "")),
                text(r["title_zh"] if lang == "zh" and r.get("title_zh") else r["title"]),
            )
        out.print(t)
    else:
        out.print(text("No milestone is due or overdue in the window.", "dim"))
    if reviews:
        out.print()
        out.print(text("Next reviews: " + ", ".join(d.isoformat() for d in reviews), "bold"))


def check_lines(items: Sequence[ObjectiveResult], lang: str) -> None:
    out = console()
    for r in items:
        line = rag_text(r.rag.value, lang)
        line.append_text(
            text(
                f"  {r.objective.id}  progress {pct(r.progress, 0)} expected {pct(r.expected, 0)} overdue {r.overdue}  {safe(title_of(r.objective, lang), oneline=True)}"
            )
        )
        if r.disagreement:
            line.append_text(text("  ≠ disagreement", "bold magenta"))
        if r.confidence is not None:
            line.append_text(text(f"  confidence {r.confidence.level.value} {r.confidence.on}"))
            if r.confidence.stale:
                line.append_text(text(" (stale)", "yellow"))
        out.print(line, overflow="ellipsis", no_wrap=True, crop=True)
