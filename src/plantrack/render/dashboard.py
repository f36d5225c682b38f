"""The terminal dashboard (`status`) and detail views (`show`, `upcoming`, `check`) with Rich."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from plantrack.core import lang as L
from plantrack.core.progress import expected_value
from plantrack.core.text import fmt_num, pct
from plantrack.render import safe
from plantrack.render.terminal import Col, console, fitted, text

if TYPE_CHECKING:
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


def _t(lang: str, key: str, **values: object) -> str:
    return L.t(f"views.{key}", lang, **values)


def rag_text(rag: str, lang: str = "en") -> Text:
    return text(L.t(f"common.rag.{rag}", lang), RAG_STYLE.get(rag, ""))


def trend_text(trend: str, lang: str = "en", short: bool = False) -> Text:
    word = L.t(f"common.trend.{trend}", lang)
    mark = TREND_MARK.get(trend, "")
    label = mark if short else (f"{mark} {word}" if mark != "·" else word)
    return text(label, TREND_STYLE.get(trend, ""))


def level_text(level: str, lang: str = "en") -> Text:
    return text(L.t(f"common.level.{level}", lang), LEVEL_STYLE.get(level, ""))


def state_text(state: str, lang: str = "en", style: str | None = None) -> Text:
    return text(L.t(f"common.state.{state}", lang), STATE_STYLE.get(state, "") if style is None else style)


def confidence_text(r: ObjectiveResult, lang: str, short: bool = False) -> Text:
    """The latest assessment: its level and date, marked stale; '—' without one."""
    c = r.confidence
    if c is None:
        return text("—", "dim")
    out = level_text(c.level.value, lang)
    if not short:
        out.append_text(text(f" {c.on.isoformat()}", "dim"))
    if c.stale:
        out.append_text(text(f" ({_t(lang, 'stale')})", "dim"))
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
    """An object's title (an indicator's name) for the reader: Chinese in the reader's script."""
    english = str(getattr(obj, "title", None) or getattr(obj, "name", ""))
    return L.pick(english, getattr(obj, "title_zh", None) or getattr(obj, "name_zh", None), lang)


def status(
    s: Status, shown: Sequence[ObjectiveResult], more: int, lang: str = "en", revision: int | None = None
) -> None:
    from rich.table import Table

    out = console()
    narrow = out.width < 110
    out.print(text(title_of(s.plan, lang), "bold"))
    meta = f"{_t(lang, 'as_of')} {s.as_of.isoformat()}"
    if s.known_at:
        meta += f" · {_t(lang, 'known_at')} {s.known_at}"
    if revision is not None:
        meta += f" · {_t(lang, 'revision')} {revision}"
    out.print(text(meta, "dim"))
    out.print()

    head = Table.grid(padding=(0, 2))
    for _ in range(4):
        head.add_column()
    width = 20 if narrow else 30
    head.add_row(
        text(_t(lang, "elapsed"), "bold"),
        bar(s.elapsed, None, width, "cyan"),
        text(pct(s.elapsed, 0)),
        text(f"{s.plan.adopted.isoformat()} → {s.plan.horizon.isoformat()}", "dim"),
    )
    style = RAG_STYLE.get(s.rag.value, "")
    summary = text(f"{_t(lang, 'expected')} {pct(s.expected, 0)}  ")
    summary.append_text(rag_text(s.rag.value, lang))
    head.add_row(
        text(_t(lang, "progress_made"), "bold"),
        bar(s.progress, s.expected, width, style),
        text(pct(s.progress, 0)),
        summary,
    )
    # Every headline says what it rests on: progress exists only where there is something to count.
    head.add_row(text(""), text(_t(lang, "rests_on", m=s.measured, n=s.total), "dim"))
    head.add_row(text(_t(lang, "trend_head"), "bold"), trend_text(s.trend.value, lang), text(""), text(""))
    out.print(head)
    standing = text(f"{_t(lang, 'standing')}  ", "bold")
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
        groups.add_row(text(_t(lang, f"group.{kind}"), "bold underline"), *[text("") for _ in range(5)])
        for g in rows:
            gstyle = RAG_STYLE.get(g.rag.value, "")
            # Without progress, a group shows the trend of its monitored objectives, not a blank.
            if g.progress is not None:
                gauge = bar(g.progress, g.expected, 10 if narrow else 20, gstyle)
            elif g.trend.value == "insufficient-data":
                gauge = text("—", "dim")
            else:
                gauge = trend_text(g.trend.value, lang)
            expected = f"{_t(lang, 'expected_short' if narrow else 'expected')} {pct(g.expected, 0)}"
            measured = (
                f"{g.measured}/{g.objectives}"
                if narrow
                else _t(lang, "measured", m=g.measured, n=g.objectives)
            )
            groups.add_row(
                text("  " + title_of(g, lang)),
                gauge,
                text(pct(g.progress, 0)),
                text(expected if g.progress is not None else "", "dim"),
                rag_text(g.rag.value, lang),
                text(measured, "dim"),
            )
    out.print(groups)
    out.print()
    objectives(shown, lang, narrow, s.plan.committed_by)
    if more:
        out.print(text(_t(lang, "more", n=more), "dim"))


# The objectives table's optional columns, the first given up first when the terminal is narrow:
# the title, the id and the RAG are never given up (and an id is never cut, so it can be copied).
DROP_ORDER = ("last", "bar", "ms", "conf", "expected", "late", "trend", "pct")
TITLE_MIN = 16  # below this a title is more wrapping than reading


def objectives(shown: Sequence[ObjectiveResult], lang: str, narrow: bool, issuer: str | None = None) -> None:
    out = console()
    if not shown:
        out.print(text(_t(lang, "none"), "dim"))
        return
    judged = any(r.confidence is not None for r in shown)
    wide = out.width >= 150
    compact = not wide  # short headers and short confidence below 150 columns

    def header(key: str) -> str:
        return _t(lang, f"col.{key}_short" if compact else f"col.{key}")

    # Every cell first, so that the columns that fit can be chosen from their real widths.
    rows: list[dict[str, Text]] = []
    for r in shown:
        style = RAG_STYLE.get(r.rag.value, "")
        rag_cell = rag_text(r.rag.value, lang)
        if r.disagreement:
            rag_cell.append_text(text(" ≠", "bold magenta"))
        title = text(title_of(r.objective, lang))
        by = r.objective.committed_by
        if by and by != issuer:  # whose commitment, where it is not the plan's issuer's
            title = text(f"[{by}] ", "bold")
            title.append_text(text(title_of(r.objective, lang)))
        has_trend = r.objective.indicators and r.trend.value != "insufficient-data"
        rows.append({
            "rag": rag_cell,
            "id": text(r.objective.id),
            "title": title,
            "bar": bar(r.progress, r.expected, 10, style),
            "pct": text(pct(r.progress, 0)),
            "expected": text(pct(r.expected, 0), "dim"),
            "ms": text(f"{r.done}/{r.total}" if r.objective.milestones else "—"),
            "late": text(str(r.overdue) if r.overdue else "", "bold red" if r.overdue else ""),
            "trend": trend_text(r.trend.value, lang, short=narrow) if has_trend
            else text("—" if r.objective.indicators else "", "dim"),
            "conf": confidence_text(r, lang, short=compact),
            "last": text(r.evidence.last.isoformat() if r.evidence.last else "—", "dim"),
        })  # fmt: skip
    headers = {
        "rag": _t(lang, "col.rag"), "id": _t(lang, "col.objective"), "title": _t(lang, "col.title"),
        "bar": "", "pct": "%", "expected": _t(lang, "expected_short" if compact else "expected"),
        "ms": header("ms"), "late": header("overdue"), "trend": header("trend"),
        "conf": header("confidence"), "last": _t(lang, "col.last"),
    }  # fmt: skip
    keys = ["rag", "id", "title", "bar", "pct", "expected", "ms", "late", "trend", "conf", "last"]
    if not wide:
        keys = [k for k in keys if k not in ("bar", "last")]
    if not judged:
        keys.remove("conf")
    right = ("pct", "expected", "ms", "late")
    columns = [Col(k, headers[k], "right" if k in right else "left") for k in keys]
    out.print(
        fitted(
            out.width,
            columns,
            rows,
            flex="title",
            drop=DROP_ORDER,
            flex_min=TITLE_MIN,
            clip_lines=2,
            title=_t(lang, "objectives"),
            title_justify="left",
            title_style="bold underline",
        )  # fmt: skip
    )
    if any(r.disagreement for r in shown):
        out.print(text(_t(lang, "disagree_note"), "dim"))


# --- show ------------------------------------------------------------------------------------


def chart(
    r: IndicatorResult,
    as_of: date,
    measurements: Sequence[tuple[date, float]],
    width: int = 60,
    height: int = 10,
    lang: str | None = None,
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
    legend = L.t("views.legend" if fc is not None else "views.legend_short", lang)
    lines += [axis, dates, f"{'':>{label_w}}  {legend}  │ {as_of.isoformat()}"]
    return lines


def trend_line(t: Any, unit: str, places: int, lang: str | None = None) -> str:
    """The trend, its annual rate and the two points it rests on, in words."""
    if t.rate is None:
        return L.t("views.trend_insufficient", lang)
    rate = L.t("views.rate_huge", lang) if abs(t.rate) > 10 else f"{t.rate * 100:+.1f} %"
    return L.t(
        "views.trend_detail", lang, status=L.t(f"common.trend.{t.status.value}", lang), rate=rate,
        base=fmt_num(t.base_value, places), base_on=t.base_on,
        latest=fmt_num(t.latest_value, places), latest_on=t.latest_on,
    )  # fmt: skip


def forecast_line(r: IndicatorResult, lang: str | None = None) -> str:
    """The forecast with its 80 % interval, or why there is none (never a figure without a basis)."""
    i = r.indicator
    fc = r.forecast
    if r.reached_on is not None:
        return L.t("views.reached_on", lang, day=r.reached_on)
    if fc is None or fc.value_at_target is None:
        why = L.say(r.no_forecast, lang) if r.no_forecast else L.t("forecast.no_time", lang)
        return L.t("views.no_forecast", lang, why=why)
    places = r.decimals
    unit = f" {i.unit}" if i.unit else ""
    line = L.t("views.forecast_value", lang, value=fmt_num(fc.value_at_target, places), unit=unit, day=fc.at)
    if fc.low is not None and fc.high is not None:
        line += L.t(
            "views.forecast_interval", lang, low=fmt_num(fc.low, places), high=fmt_num(fc.high, places)
        )
    line += L.t("views.forecast_basis", lang, points=fc.points, days=fc.span_days)
    if i.target is not None:
        if fc.reach_date:
            line += L.t("views.forecast_reach", lang, day=fc.reach_date)
        elif fc.line_crossed:
            line += L.t("views.forecast_crossed", lang, day=fc.line_crossed)
        else:
            line += L.t("views.forecast_never", lang)
    return line


def show_indicator(
    r: IndicatorResult, measurements: Sequence[tuple[date, float]], as_of: date, lang: str
) -> None:
    from rich.table import Table

    out = console()
    i = r.indicator
    places = r.decimals
    out.print(text(f"{i.id} — {title_of(i, lang)}", "bold"))
    bits = [_t(lang, "indicator_of", objective=i.objective), _t(lang, "unit", unit=i.unit or "—"),
            _t(lang, f"direction.{i.direction.value}")]  # fmt: skip
    if i.committed_by:
        bits.append(_t(lang, "committed_by", who=i.committed_by))
    out.print(text(" · ".join(bits), "dim"))
    out.print()
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    t.add_row(
        text(_t(lang, "row.baseline")),
        text(_t(lang, "value_on", value=fmt_num(i.baseline, places), day=i.baseline_date)),
    )
    if i.target is not None:
        t.add_row(
            text(_t(lang, "row.target")),
            text(_t(lang, "value_by", value=fmt_num(i.target, places), day=i.target_date)),
        )
    else:
        t.add_row(text(_t(lang, "row.target")), text(_t(lang, "no_target")))
    value = fmt_num(r.value, places)
    t.add_row(
        text(_t(lang, "row.value")),
        text(
            _t(lang, "value_on", value=value, day=r.value_on)
            if r.value_on
            else _t(lang, "baseline_only", value=value)
        ),
    )
    if r.progress is not None:
        t.add_row(
            text(_t(lang, "row.progress")),
            text(_t(lang, "progress_detail", progress=pct(r.progress, 0), expected=pct(r.expected, 0),
                    value=fmt_num(r.expected_value, places))),
        )  # fmt: skip
    trend_cell = text(trend_line(r.trend, i.unit, places, lang), TREND_STYLE.get(r.trend.status.value, ""))
    t.add_row(text(_t(lang, "row.trend")), trend_cell)
    t.add_row(text(_t(lang, "row.forecast")), text(forecast_line(r, lang)))
    if r.observed_per_year is not None:
        t.add_row(
            text(_t(lang, "row.observed_rate")),
            text(_t(lang, "per_year", value=fmt_num(r.observed_per_year, places), unit=i.unit).strip()),
        )
    if r.required_per_year is not None:
        t.add_row(
            text(_t(lang, "row.required_rate")),
            text(
                _t(lang, "per_year_from_now", value=fmt_num(r.required_per_year, places), unit=i.unit).strip()
            ),
        )
    out.print(t)
    out.print()
    for line in chart(r, as_of, measurements, width=min(60, max(30, out.width - 20)), lang=lang):
        out.print(text(line))


def show_objective(r: ObjectiveResult, lang: str, slips: dict[str, list[tuple[int, str, str, str]]],
                   rationale: str | None = None) -> None:  # fmt: skip

    out = console()
    o = r.objective
    out.print(text(f"{o.id} — {title_of(o, lang)}", "bold"))
    bits = [_t(lang, "park", park=L.t(f"common.park.{o.park.value}", lang))]
    if o.sector:
        bits.append(_t(lang, "sector", sector=o.sector))
    if o.theme:
        bits.append(_t(lang, "theme", theme=o.theme))
    bits.append(f"{o.start} → {o.due}")
    if o.owner:
        bits.append(_t(lang, "owner", owner=o.owner))
    if o.committed_by:
        bits.append(_t(lang, "committed_by", who=o.committed_by))
    out.print(text(" · ".join(bits), "dim"))
    if o.description:
        out.print(text(o.description))
    summary = text(_t(lang, "summary", progress=pct(r.progress, 0), expected=pct(r.expected, 0)))
    summary.append_text(rag_text(r.rag.value, lang))
    if r.objective.indicators:
        summary.append_text(text(_t(lang, "summary_trend")))
        summary.append_text(trend_text(r.trend.value, lang))
    out.print(summary)
    if r.confidence is not None:
        c = r.confidence
        line = text(_t(lang, "confidence_word"))
        line.append_text(level_text(c.level.value, lang))
        line.append_text(text(_t(lang, "confidence_detail", day=c.on, entry=c.entry, days=c.age_days), "dim"))
        if c.stale:
            line.append_text(text(_t(lang, "confidence_stale"), "yellow"))
        if rationale:
            line.append_text(text(f" — {rationale}"))
        out.print(line)
    if r.disagreement:
        out.print(text(_t(lang, "disagree_line"), "bold magenta"))
    out.print()
    if r.milestones:
        mrows: list[dict[str, Text]] = []
        for m in r.milestones:
            flag = _t(lang, "overdue_flag") if m.overdue else ""
            moved = slips.get(m.milestone.id)
            if moved:
                was = _t(lang, "slipped_from", days=", ".join(old for _r, _a, old, _n in moved))
                flag = f"{flag} {was}" if flag else was
            mrows.append({
                "milestone": text(m.milestone.id), "title": text(title_of(m.milestone, lang)),
                "due": text(m.milestone.due), "state": state_text(m.state.value, lang),
                "since": text(m.since or "—", "dim"), "flag": text(flag, "bold red" if m.overdue else "yellow"),
            })  # fmt: skip
        mcols = [Col(k, _t(lang, f"col.{k}") if k != "flag" else "") for k in
                 ("milestone", "title", "due", "state", "since", "flag")]  # fmt: skip
        out.print(fitted(out.width, mcols, mrows, flex="title", drop=("since",), flex_min=20,
                         title=_t(lang, "milestones"), title_justify="left", title_style="bold underline"))  # fmt: skip
        out.print()
    if r.indicators:
        irows: list[dict[str, Text]] = []
        for i in r.indicators:
            reach = "—"
            if i.reached_on is not None:
                reach = _t(lang, "reached_cell", day=i.reached_on)
            elif i.forecast and i.indicator.target is not None:
                fc = i.forecast
                reach = (
                    str(fc.reach_date) if fc.reach_date
                    else _t(lang, "crossed_cell", day=fc.line_crossed) if fc.line_crossed
                    else _t(lang, "never_cell")
                )  # fmt: skip
            forecast_cell = "—"
            if i.forecast is not None and i.forecast.value_at_target is not None:
                fc = i.forecast
                forecast_cell = f"{fmt_num(fc.value_at_target, i.decimals)} ({fmt_num(fc.low, i.decimals)}–{fmt_num(fc.high, i.decimals)})"
            unit = f" {i.indicator.unit}" if i.indicator.unit else ""
            target = i.indicator.target
            irows.append({
                "indicator": text(i.indicator.id),
                "value": text(fmt_num(i.value, i.decimals) + unit),
                "target": text(fmt_num(target, i.decimals) + unit if target is not None else _t(lang, "monitored"),
                               "" if target is not None else "dim"),
                "progress": text(pct(i.progress, 0)),
                "expected": text(pct(i.expected, 0), "dim"),
                "trend": trend_text(i.trend.status.value, lang, short=out.width < 110),
                "forecast": text(forecast_cell),
                "reached": text(reach, "dim"),
            })  # fmt: skip
        right = ("value", "target", "progress", "expected", "forecast")
        icols = [Col(k, _t(lang, f"col.{k}"), "right" if k in right else "left") for k in
                 ("indicator", "value", "target", "progress", "expected", "trend", "forecast", "reached")]  # fmt: skip
        # The reached/forecast date is the column that may wrap; the figures never are cut.
        out.print(fitted(out.width, icols, irows, flex="reached", drop=("expected", "forecast", "trend"),
                         flex_min=10, title=_t(lang, "indicators"), title_justify="left",
                         title_style="bold underline"))  # fmt: skip
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
            _t(lang, "milestone_of", objective=m.objective, due=m.due)
            + (_t(lang, "needs_verify", verify=m.verify.value) if m.verify else ""),
            "dim",
        )
    )
    line = text(_t(lang, "state_word"))
    line.append_text(state_text(state, lang))
    if overdue:
        line.append_text(text("  " + _t(lang, "overdue_flag"), "bold red"))
    out.print(line)
    for rev, at, old, new in slips:
        out.print(text(_t(lang, "due_moved", old=old, new=new, rev=rev, at=at), "yellow"))
    if history:
        t = Table(box=None, pad_edge=False, header_style="bold", title=_t(lang, "state_history"),
                  title_justify="left", title_style="bold underline")  # fmt: skip
        for col in ("entry", "on", "state", "by", "note"):
            t.add_column(_t(lang, f"col.{col}"), overflow="fold", no_wrap=col in ("entry", "on"),
                         ratio=1 if col == "note" else None)  # fmt: skip
        for e in history:
            style = "dim strike" if e.retracted else ""
            t.add_row(
                text(e.id),
                text(e.on),
                state_text(e.state.value, lang, style) if e.state else text(""),
                text(e.user),
                text(e.text or "", style),
            )
        out.print(t)


def upcoming(rows: Sequence[dict[str, Any]], reviews: Sequence[date], as_of: date, lang: str) -> None:

    out = console()
    if rows:
        urows: list[dict[str, Text]] = []
        for r in rows:
            days = r["days"]
            when = (_t(lang, "days_overdue", n=-days) if days < 0 else _t(lang, "today") if days == 0
                    else _t(lang, "in_days", n=days))  # fmt: skip
            urows.append({
                "due": text(r["due"]),
                "in": text(when, "bold red" if days < 0 else "yellow" if days <= 14 else ""),
                "milestone": text(r["id"]), "objective": text(r["objective"]),
                "state": state_text(r["state"], lang), "title": text(L.pick(r["title"], r.get("title_zh"), lang)),
            })  # fmt: skip
        ucols = [
            Col(k, _t(lang, f"col.{k}")) for k in ("due", "in", "milestone", "objective", "state", "title")
        ]
        # Dates, ids and states are never cut: the objective gives way first, then the title wraps.
        out.print(fitted(out.width, ucols, urows, flex="title", drop=("objective",), flex_min=16,
                         title=_t(lang, "upcoming_title", day=as_of), title_justify="left"))  # fmt: skip
    else:
        out.print(text(_t(lang, "upcoming_none"), "dim"))
    if reviews:
        out.print()
        out.print(text(_t(lang, "next_reviews", days=", ".join(d.isoformat() for d in reviews)), "bold"))


def check_lines(items: Sequence[ObjectiveResult], lang: str) -> None:
    out = console()
    for r in items:
        line = rag_text(r.rag.value, lang)
        figures = _t(
            lang, "check_line", progress=pct(r.progress, 0), expected=pct(r.expected, 0), overdue=r.overdue
        )
        line.append_text(
            text(f"  {r.objective.id}  {figures}  {safe(title_of(r.objective, lang), oneline=True)}")
        )
        if r.disagreement:
            line.append_text(text("  " + _t(lang, "check_disagree"), "bold magenta"))
        if r.confidence is not None:
            level = L.t(f"common.level.{r.confidence.level.value}", lang)
            line.append_text(text("  " + _t(lang, "check_confidence", level=level, day=r.confidence.on)))
            if r.confidence.stale:
                line.append_text(text(_t(lang, "check_stale"), "yellow"))
        out.print(line, overflow="ellipsis", no_wrap=True, crop=True)
