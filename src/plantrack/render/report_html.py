"""The report as one self-contained HTML file: jinja2 with autoescape, inline CSS and SVG charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from plantrack import __version__
from plantrack.render.reportbits import (
    LIST_CAP,
    TREND_MARK,
    TREND_WORD,
    entry_summary,
    footer_lines,
    linkable,
    num,
    one_line,
    pct,
)

if TYPE_CHECKING:
    from plantrack.progress import IndicatorResult
    from plantrack.report import Report

W, H, PAD = 360, 140, 34


def chart(r: IndicatorResult, series: tuple[tuple[date, float], ...], as_of: date, horizon: date) -> Markup:
    """An inline SVG: planned path (grey, dashed), actual values (blue), forecast (orange)."""
    i = r.indicator
    actual = [(i.baseline_date, i.baseline), *series]
    planned: list[tuple[date, float]] = []
    if i.target is not None and i.target_date is not None:
        planned = [
            (i.baseline_date, i.baseline),
            *((p.date, p.value) for p in i.trajectory),
            (i.target_date, i.target),
        ]
    forecast: list[tuple[date, float]] = []
    fc = r.forecast
    fc_value = fc.value_at_target if fc is not None else None
    if fc is not None and fc_value is not None and series:
        last_d = series[-1][0]
        slope = fc.slope_per_year / 365.25
        forecast = [(last_d, fc_value + slope * (last_d - fc.at).days), (fc.at, fc_value)]
    points = actual + planned + forecast
    x0 = min(d for d, _ in points)
    x1 = max([as_of, *(d for d, _ in points)])
    if x1 <= x0:
        x1 = date.fromordinal(x0.toordinal() + 1)
    lo = min(v for _, v in points)
    hi = max(v for _, v in points)
    if hi == lo:
        hi, lo = hi + 1, lo - 1 if lo > 0 else lo

    def x(d: date) -> float:
        return PAD + (d - x0).days / (x1 - x0).days * (W - PAD - 8)

    def y(v: float) -> float:
        return 8 + (hi - v) / (hi - lo) * (H - 30)

    def line(pts: list[tuple[date, float]]) -> str:
        return " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in pts)

    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'aria-label="{escape(i.name)}: planned path, actual values and forecast">',
        f"<title>{escape(i.name)}</title>",
        f'<line x1="{PAD}" y1="{H - 22}" x2="{W - 8}" y2="{H - 22}" class="axis"/>',
        f'<line x1="{PAD}" y1="8" x2="{PAD}" y2="{H - 22}" class="axis"/>',
        f'<text x="{PAD - 4}" y="14" class="lbl" text-anchor="end">{escape(num(hi))}</text>',
        f'<text x="{PAD - 4}" y="{H - 22}" class="lbl" text-anchor="end">{escape(num(lo))}</text>',
        f'<text x="{PAD}" y="{H - 6}" class="lbl">{x0.isoformat()}</text>',
        f'<text x="{W - 8}" y="{H - 6}" class="lbl" text-anchor="end">{x1.isoformat()}</text>',
        f'<line x1="{x(as_of):.1f}" y1="8" x2="{x(as_of):.1f}" y2="{H - 22}" class="today"/>',
    ]
    if planned:
        parts.append(f'<polyline points="{line(planned)}" class="planned"/>')
    if forecast:
        parts.append(f'<polyline points="{line(forecast)}" class="forecast"/>')
    parts.append(f'<polyline points="{line(actual)}" class="actual"/>')
    parts += [f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" class="dot"/>' for d, v in actual]
    parts.append("</svg>")
    return Markup("".join(parts))


def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from plantrack.render import safe

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
    env.filters["num"] = num
    env.filters["one_line"] = one_line
    env.globals["linkable"] = linkable
    env.globals["summary"] = entry_summary
    return env


def render(r: Report) -> str:
    s = r.status
    charts: dict[str, Markup] = {}
    for row in r.rows:
        for ir in row.result.indicators:
            charts[ir.indicator.id] = chart(ir, r.series.get(ir.indicator.id, ()), r.as_of, s.plan.horizon)
    counts: dict[str, int] = {}
    for o in s.objectives:
        counts[o.rag.value] = counts.get(o.rag.value, 0) + 1
    template = _env().get_template("report.html.j2")
    return str(
        template.render(
            r=r,
            s=s,
            st=r.stocktake,
            charts=charts,
            counts=counts,
            trend_mark=TREND_MARK,
            trend_word=TREND_WORD,
            cap=LIST_CAP,
            footer=footer_lines(r),
            version=__version__,
        )
    )
