"""The report as Markdown: user text escaped, every figure citing its entries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from plantrack import __version__
from plantrack.core.text import fmt_num, pct
from plantrack.limits import LIST_CAP, UPCOMING_DAYS
from plantrack.models import Entry
from plantrack.render.labels import (
    CHANGE_MARK,
    DISAGREEMENT,
    TREND_MARK,
    byline,
    confidence_words,
    entry_summary,
    footer_lines,
    indicator_forecast,
    indicator_trend,
    linkable,
    objective_trend,
    one_line,
)
from plantrack.report import Report

# User text never starts a line here (it follows a list marker or a table pipe), so only the
# characters that act mid-line need escaping; < > & become entities so no HTML gets through.
_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def md(text: object) -> str:
    """User text as inert Markdown: one line, HTML and Markdown punctuation neutralised."""
    s = one_line(str(text) if text is not None else "")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _SPECIAL.sub(r"\\\1", s)
    return "".join(ch if ch >= " " else f"\\x{ord(ch):02x}" for ch in s)


def code(text: object) -> str:
    """An id inside a code span: ids cannot hold backticks, so only line breaks need care."""
    return one_line(str(text)).replace("`", "'")


def cite(e: Entry) -> str:
    label = f"#{e.id}"
    if e.url and linkable(e.url):
        return f"[{label}](<{quote(e.url, safe=':/?#@!$&*+,;=%~-._')}>)"
    return label


def _cites(entries: Sequence[Entry]) -> str:
    return ", ".join(cite(e) for e in entries) or "—"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {rag}" for rag, n in counts.items()) or "none"


def render(r: Report) -> str:
    s = r.status
    issuer = s.plan.committed_by
    out: list[str] = []
    w = out.append
    w(f"# {md(r.plan_title)}")
    if r.plan_title_zh:
        w(f"{md(r.plan_title_zh)}")
    w("")
    w(f"**Report for {md(r.period.label)}** ({r.period.start} to {r.period.end})")
    if issuer:
        w("")
        w(f"Committed by {md(issuer)}, unless an objective says otherwise.")
    w("")
    w("## Headline")
    w("")
    w(
        f"- Progress made: **{pct(s.progress)}** from {s.measured} of {s.total} objectives, "
        f"against **{pct(s.expected)}** expected: **{s.rag.value.upper()}**"
    )
    w(f"- Time elapsed: {pct(s.elapsed)} of {s.plan.adopted} → {s.plan.horizon}")
    w(f"- Trend: {TREND_MARK[s.trend.value]} {s.trend.value}")
    w("- Objectives by status: " + _counts(s.counts))
    w("")
    w("## By sector, theme and park")
    w("")
    w("Without progress, a group shows the trend of its objectives.")
    w("")
    w("| group | | progress | expected | RAG | measured | by status | trend |")
    w("|---|---|---:|---:|---|---:|---|---|")
    for kind in ("sector", "theme", "park"):
        for g in s.groups.get(kind, ()):
            w(
                f"| {kind} | {md(g.name)} | {pct(g.progress)} | {pct(g.expected)} | {g.rag.value} | "
                f"{g.measured}/{g.objectives} | {_counts(g.counts)} | {TREND_MARK[g.trend.value]} {g.trend.value} |"
            )
    w("")
    w("## Objectives")
    w("")
    w(
        "Change: ▲ up, ▼ down, ▶ unchanged since the end of the previous period, • new. "
        "Trend: the growth rate of the objective's indicators. "
        f"≠: {DISAGREEMENT}."
    )
    w("")
    w(
        "| RAG | objective | title | progress | expected | change | trend | confidence | milestones "
        "| overdue | sources |"
    )
    w("|---|---|---|---:|---:|:-:|---|---|---:|---:|---|")
    for row in r.rows:
        o = row.result
        ms = f"{o.done}/{o.total}" if o.objective.milestones else "—"
        rag = o.rag.value + (" ≠" if o.disagreement else "")
        by = byline(o.objective.committed_by, issuer)
        title = (md(f"[{by}]") + " " if by else "") + md(o.objective.title)
        w(
            f"| {rag} | `{code(o.objective.id)}` | {title} | {pct(o.progress)} | {pct(o.expected)} | "
            f"{CHANGE_MARK[row.change]} | {objective_trend(o)} | {confidence_words(o.confidence)} | {ms} | "
            f"{o.overdue or ''} | {_cites(row.sources)} |"
        )
    w("")
    judged = [row for row in r.rows if row.result.confidence is not None]
    if judged:
        w("## Delivery confidence")
        w("")
        w("The latest assessment of each objective that has one, with its reasoning.")
        w("")
        for row in judged:
            o = row.result
            conf = o.confidence
            assert conf is not None
            line = f"- `{code(o.objective.id)}` **{conf.level.value}** on {conf.on}"
            if conf.stale:
                line += f" (stale: {conf.age_days} days old)"
            if row.assessment is not None:
                line += f" · {cite(row.assessment)} · {md(row.assessment.user)}: {md(row.assessment.text)}"
            if o.disagreement:
                line += f" · ≠ progress says **{o.progress_rag.value}**"
            w(line)
        w("")
    inds = [(row, ir) for row in r.rows for ir in row.result.indicators]
    if inds:
        w("## Indicators")
        w("")
        w(
            "Forecasts: least-squares line with its 80 % prediction interval, only with at least "
            "3 points spanning 180 days."
        )
        w("")
        w("| indicator | name | value | target | progress | trend | forecast | source |")
        w("|---|---|---:|---:|---:|---|---|---|")
        for row, ir in inds:
            i = ir.indicator
            unit = f" {i.unit}" if i.unit else ""
            target = (
                f"{fmt_num(i.target, ir.decimals)} by {i.target_date}" if i.target is not None else "none"
            )
            by = byline(i.committed_by, row.result.objective.committed_by)
            name = (md(f"[{by}]") + " " if by else "") + md(i.name)
            src = row.indicator_sources.get(i.id)
            w(
                f"| `{code(i.id)}` | {name} | {md(fmt_num(ir.value, ir.decimals) + unit)} | {md(target)} | "
                f"{pct(ir.progress)} | {TREND_MARK[ir.trend.status.value]} {md(indicator_trend(ir))} | "
                f"{md(indicator_forecast(ir))} | {cite(src) if src else '—'} |"
            )
        w("")
    st = r.stocktake
    c = st.counts
    w(f"## What changed in {md(r.period.label)}")
    w("")
    w(
        f"{c['entries']} entries dated in the period: {c['completed']} milestones completed, "
        f"{c['measurements']} measurements, {c['notes']} notes, {c['assessments']} assessments; "
        f"{len(st.rag_changes)} RAG changes, "
        f"{len(st.slips)} slipped due dates, {c['retractions']} retractions."
    )
    w("")
    _section(
        w,
        "Milestones completed",
        [
            f"{e.on} · `{code(e.target)}` {md(entry_summary(e))} · {cite(e)} · {md(e.user)}"
            for e in st.completed
        ],
        c["completed"],
    )
    _section(
        w,
        "Measurements",
        [
            f"{e.on} · `{code(e.target)}` {md(entry_summary(e))} · {cite(e)} · {md(e.user)}"
            for e in st.measurements
        ],
        c["measurements"],
    )
    _section(
        w,
        "Assessments",
        [
            f"{e.on} · `{code(e.target)}` {md(entry_summary(e))} · {cite(e)} · {md(e.user)}"
            for e in st.assessments
        ],
        c["assessments"],
    )
    prev_label = r.previous.as_of.isoformat()
    _section(
        w,
        f"RAG changes since {prev_label}",
        [
            f"`{code(x.result.objective.id)}` {x.previous.rag.value if x.previous else '?'} → **{x.result.rag.value}** · {_cites(x.sources)}"
            for x in st.rag_changes
        ],
    )
    _section(
        w,
        "Slipped due dates",
        [
            f"{md(x.kind)} `{code(x.object_id)}`: {x.old} → {x.new} (plan revision {x.revision}, {md(x.user)}, {x.applied_at})"
            for x in st.slips
        ],
    )
    _section(
        w,
        "Retractions",
        [
            f"{e.on} · {cite(e)} withdrew {('#' + str(old.id)) if old else 'an entry'} on `{code(e.target)}`: {md(e.text)} · {md(e.user)}"
            for e, old in st.retractions
        ],
        c["retractions"],
    )
    _section(
        w,
        "Other evidence",
        [f"{e.on} · `{code(e.target)}` {md(entry_summary(e))} · {cite(e)} · {md(e.user)}" for e in st.notes],
        c["notes"],
    )
    _section(
        w,
        "Overdue milestones",
        [
            f"due {m.milestone.due} · `{code(m.milestone.id)}` {md(m.milestone.title)} ({m.state.value}; objective `{code(o.objective.id)}`)"
            for o, m in st.overdue
        ],
    )
    _section(
        w,
        f"Due in the next {UPCOMING_DAYS} days",
        [
            f"due {m.milestone.due} · `{code(m.milestone.id)}` {md(m.milestone.title)} ({m.state.value}; objective `{code(o.objective.id)}`)"
            for o, m in st.upcoming
        ],
    )
    w("---")
    w("")
    for line in footer_lines(r):  # system text only: dates, revision, digest
        w(line)
        w("")
    w(f"Generated at {r.generated_at} by plantrack {__version__}")
    return "\n".join(out) + "\n"


def _section(w, title: str, lines: list[str], total: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """A list, at most LIST_CAP lines (the latest ones), under a heading with the exact count."""
    total = len(lines) if total is None else total
    w(f"### {title} ({total})")
    w("")
    if not lines:
        w("None.")
    shown = lines[:LIST_CAP] if total == len(lines) else lines
    if total > len(shown):
        w(f"- … {total - len(shown)} earlier, not listed")
    for line in shown:
        w(f"- {line}")
    if total == len(lines) and len(lines) > LIST_CAP:
        w(f"- … and {len(lines) - LIST_CAP} more")
    w("")
