"""The report as Markdown: user text escaped, every figure citing its entries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from plantrack import __version__
from plantrack.ledger import Entry
from plantrack.render.reportbits import (
    LIST_CAP,
    TREND_MARK,
    entry_summary,
    footer_lines,
    linkable,
    one_line,
    pct,
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


def render(r: Report) -> str:
    s = r.status
    out: list[str] = []
    w = out.append
    w(f"# {md(r.plan_title)}")
    if r.plan_title_zh:
        w(f"{md(r.plan_title_zh)}")
    w("")
    w(f"**Report for {md(r.period.label)}** ({r.period.start} to {r.period.end})")
    w("")
    w("## Headline")
    w("")
    w(
        f"- Progress made: **{pct(s.progress)}** against **{pct(s.expected)}** expected: **{s.rag.value.upper()}**"
    )
    w(f"- Time elapsed: {pct(s.elapsed)} of {s.plan.adopted} → {s.plan.horizon}")
    counts: dict[str, int] = {}
    for o in s.objectives:
        counts[o.rag.value] = counts.get(o.rag.value, 0) + 1
    w("- Objectives: " + ", ".join(f"{n} {rag}" for rag, n in counts.items()))
    w("")
    w("## By sector, theme and park")
    w("")
    w("| group | | progress | expected | RAG | objectives |")
    w("|---|---|---:|---:|---|---:|")
    for kind in ("sector", "theme", "park"):
        for g in s.groups.get(kind, ()):
            w(
                f"| {kind} | {md(g.name)} | {pct(g.progress)} | {pct(g.expected)} | {g.rag.value} | {g.objectives} |"
            )
    w("")
    w("## Objectives")
    w("")
    w("Trend: ▲ up, ▼ down, ▶ unchanged since the end of the previous period, • new.")
    w("")
    w("| RAG | objective | title | progress | expected | trend | milestones | overdue | sources |")
    w("|---|---|---|---:|---:|:-:|---:|---:|---|")
    for row in r.rows:
        o = row.result
        ms = f"{o.done}/{o.total}" if o.objective.milestones else "—"
        w(
            f"| {o.rag.value} | `{code(o.objective.id)}` | {md(o.objective.title)} | {pct(o.progress)} | "
            f"{pct(o.expected)} | {TREND_MARK[row.trend]} | {ms} | {o.overdue or ''} | {_cites(row.sources)} |"
        )
    w("")
    st = r.stocktake
    c = st.counts
    w(f"## What changed in {md(r.period.label)}")
    w("")
    w(
        f"{c['entries']} entries dated in the period: {c['completed']} milestones completed, "
        f"{c['measurements']} measurements, {c['notes']} notes; {len(st.rag_changes)} RAG changes, "
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
        "Due in the next 90 days",
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
