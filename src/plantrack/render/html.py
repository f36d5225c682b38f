"""The report as one self-contained HTML file: jinja2 with autoescape, inline CSS and SVG charts,
in the reader's language, laid out to print on A4."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from plantrack import __version__
from plantrack.core import lang
from plantrack.core.progress import IndicatorFacts, bounds_of
from plantrack.core.text import fmt_num, pct
from plantrack.limits import LIST_CAP, UPCOMING_DAYS
from plantrack.render import safe
from plantrack.render.labels import (
    CHANGE_MARK,
    TREND_MARK,
    byline,
    change_word,
    counts_words,
    disagreement,
    entry_summary,
    footer_lines,
    gap,
    generated_line,
    indicator_forecast,
    indicator_trend,
    linkable,
    one_line,
    period_words,
    sentences,
    subtitle,
    t,
    title,
    with_unit,
    word,
)

if TYPE_CHECKING:
    from plantrack.core.progress import IndicatorResult
    from plantrack.report import Report

W, H, PAD = 360, 140, 34
# How each part of a chart is drawn, as SVG presentation attributes on a group around it: they hold
# wherever the SVG is drawn (a browser, a PDF engine that does not apply the page's CSS to it).
CHART_STYLE = {
    "axis": 'stroke="#9ca3af" stroke-width="1"',
    "lbl": 'font-size="9" fill="#6b7280"',
    "today": 'stroke="#111827" stroke-width="1" stroke-dasharray="2 2"',
    "planned": 'fill="none" stroke="#9ca3af" stroke-width="1.5" stroke-dasharray="5 3"',
    "actual": 'fill="none" stroke="#1565c0" stroke-width="2"',
    "forecast": 'fill="none" stroke="#ef8f00" stroke-width="1.5" stroke-dasharray="3 3"',
    "band": 'fill="#ef8f00" fill-opacity="0.18" stroke="none"',
    "dot": 'fill="#1565c0"',
}


def _group(part: str) -> str:
    return f"<g {CHART_STYLE[part]}>"


BAND_STEPS = 24  # points along the forecast line and its band (the band's edges are curves)


def chart(r: IndicatorResult, series: tuple[tuple[date, float], ...], as_of: date) -> Markup:
    """An inline SVG: planned path (grey, dashed), actual values (blue), forecast (orange) in its
    80 % prediction interval (shaded band).

    The y axis spans only what is drawn: real values, the planned path and the forecast band, which
    the engine clamps to the indicator's bounds; so it never reaches an impossible value.
    """
    i = r.indicator
    actual = sorted([(i.baseline_date, i.baseline), *series])
    planned: list[tuple[date, float]] = []
    if i.target is not None and i.target_date is not None:
        planned = [
            (i.baseline_date, i.baseline),
            *((p.date, p.value) for p in i.trajectory),
            (i.target_date, i.target),
        ]
    line: list[tuple[date, float]] = []
    upper: list[tuple[date, float]] = []
    lower: list[tuple[date, float]] = []
    fc = r.forecast
    if fc is not None and fc.value_at_target is not None:
        # From the latest value to the forecast date, as the terminal chart draws it.
        d0, d1 = sorted((actual[-1][0], fc.at))
        steps = min(BAND_STEPS, (d1 - d0).days)
        for k in range(steps + 1 if steps else 0):
            d = date.fromordinal(d0.toordinal() + round(k * (d1 - d0).days / steps))
            v, v_lo, v_hi = fc.at_date(d)
            line.append((d, v))
            lower.append((d, v_lo))
            upper.append((d, v_hi))
    drawn = actual + planned + line + lower + upper
    x0 = min(d for d, _ in drawn)
    x1 = max([as_of, *(d for d, _ in drawn)])
    if x1 <= x0:
        x1 = date.fromordinal(x0.toordinal() + 1)
    lo = min(v for _, v in drawn)
    hi = max(v for _, v in drawn)
    if hi == lo:  # a flat series: one unit of room, on a side the indicator can reach
        floor, ceiling = bounds_of(i, IndicatorFacts(min_value=min(v for _, v in actual)))
        hi, lo = min(hi + 1, ceiling), max(lo - 1, floor)
        if hi == lo:
            hi, lo = (hi + 1, lo) if ceiling == math.inf else (hi, lo - 1)

    def x(d: date) -> float:
        return PAD + (d - x0).days / (x1 - x0).days * (W - PAD - 8)

    def y(v: float) -> float:
        return 8 + (hi - v) / (hi - lo) * (H - 30)

    def pts(points: list[tuple[date, float]]) -> str:
        return " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)

    dp = r.decimals
    drawn_parts = [t("chart.planned")] if planned else []
    drawn_parts.append(t("chart.actual"))
    if line:
        drawn_parts.append(t("chart.forecast"))
    shows = t("list_sep").join(drawn_parts)
    name = title(i.name, i.name_zh)
    # Scaled to its box by CSS (width 100 %, height auto), it keeps the viewBox's aspect ratio.
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(name)}: {escape(shows)}">',
        f"<title>{escape(name)}</title>",
        _group("axis"),
        f'<line x1="{PAD}" y1="{H - 22}" x2="{W - 8}" y2="{H - 22}" class="axis"/>',
        f'<line x1="{PAD}" y1="8" x2="{PAD}" y2="{H - 22}" class="axis"/></g>',
        _group("lbl"),
        f'<text x="{PAD - 4}" y="14" class="lbl" text-anchor="end">{escape(fmt_num(hi, dp))}</text>',
        f'<text x="{PAD - 4}" y="{H - 22}" class="lbl" text-anchor="end">{escape(fmt_num(lo, dp))}</text>',
        f'<text x="{PAD}" y="{H - 6}" class="lbl">{x0.isoformat()}</text>',
        f'<text x="{W - 8}" y="{H - 6}" class="lbl" text-anchor="end">{x1.isoformat()}</text></g>',
    ]
    if upper:
        parts.append(f'{_group("band")}<polygon points="{pts(upper + lower[::-1])}" class="band"/></g>')
    parts.append(
        f'{_group("today")}<line x1="{x(as_of):.1f}" y1="8" x2="{x(as_of):.1f}" y2="{H - 22}" class="today"/></g>'
    )
    if planned:
        parts.append(f'{_group("planned")}<polyline points="{pts(planned)}" class="planned"/></g>')
    if line:
        parts.append(f'{_group("forecast")}<polyline points="{pts(line)}" class="forecast"/></g>')
    parts.append(f'{_group("actual")}<polyline points="{pts(actual)}" class="actual"/></g>')
    parts.append(_group("dot"))
    parts += [f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" class="dot"/>' for d, v in actual]
    parts.append("</g></svg>")
    return Markup("".join(parts))


def tm(key: str, **values: object) -> Markup:
    """A report message as HTML: the catalogue's text escaped, its values escaped unless they are
    markup already (a link to a source, a badge), so a sentence can hold them in any word order."""
    return Markup(escape(lang.t(f"report.{key}"))).format(**values)


def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    def finalize(value: Any) -> Any:
        # Control characters (terminal escapes) are invalid in HTML: show them as \x1b text.
        return safe(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).resolve().parent.parent / "templates")),
        autoescape=True,
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = pct
    env.filters["num"] = fmt_num
    env.filters["fmt_num"] = fmt_num
    env.filters["one_line"] = one_line
    env.globals.update(
        linkable=linkable, summary=entry_summary, byline=byline, indicator_trend=indicator_trend,
        indicator_forecast=indicator_forecast, t=t, tm=tm, word=word, title=title,
        change_word=change_word, counts_words=counts_words, with_unit=with_unit, sentences=sentences,
    )  # fmt: skip
    return env


def render(r: Report) -> str:
    s = r.status
    charts: dict[str, Markup] = {}
    for row in r.rows:
        for ir in row.result.indicators:
            charts[ir.indicator.id] = chart(ir, r.series.get(ir.indicator.id, ()), r.as_of)
    template = _env().get_template("report.html.j2")
    return str(
        template.render(
            r=r,
            s=s,
            st=r.stocktake,
            charts=charts,
            lang=lang.current(),
            heading=title(r.plan_title, r.plan_title_zh),
            subheading=subtitle(r.plan_title, r.plan_title_zh),
            period_words=period_words(r),
            sep=gap(),
            change_mark=CHANGE_MARK,
            trend_mark=TREND_MARK,
            disagreement=disagreement(),
            cap=LIST_CAP,
            upcoming_days=UPCOMING_DAYS,
            footer=footer_lines(r),
            generated=generated_line(r, __version__),
        )
    )
