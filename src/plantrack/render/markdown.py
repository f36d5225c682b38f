"""The report as Markdown: user text escaped, every figure citing its entries, in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import quote

from plantrack import __version__
from plantrack.core.text import pct
from plantrack.limits import LIST_CAP, UPCOMING_DAYS
from plantrack.models import Entry
from plantrack.render import safe
from plantrack.render.labels import (
    CHANGE_MARK,
    TREND_MARK,
    byline,
    confidence_words,
    counts_words,
    disagreement,
    entry_summary,
    footer_lines,
    gap,
    generated_line,
    indicator_forecast,
    indicator_trend,
    labelled,
    linkable,
    objective_trend,
    one_line,
    period_words,
    sentences,
    subtitle,
    t,
    title,
    with_unit,
    word,
)
from plantrack.report import Report

# What would turn user text into markup or a link, and nothing else (CommonMark and GitHub's
# extensions), so that "R&D" stays "R&D":
#  - a "<" that opens a tag, a comment or an autolink: written as entities, "&lt;b&gt;";
#  - an "&" that would start an entity ("&amp;", "&#39;"): backslash-escaped;
#  - the inline punctuation of emphasis, code, links, tables and strikethrough, and "_" only where
#    it can open or close emphasis (not inside a word: snake_case stays as it is);
#  - bare web and mail addresses, which GitHub turns into links: their ":", "www." dot and "@".
_INLINE = re.compile(
    r"(?P<tag><[A-Za-z/!?][^<>]*>?)"
    r"|(?P<entity>&(?=#?\w+;))"
    r"|(?P<punct>[\\`*\[\]|~])"
    r"|(?P<under>(?<![^\W_])_|_(?![^\W_]))"
    r"|(?P<link>(?i:(?<=https)|(?<=http)|(?<=ftp)|(?<=mailto)):|(?i:(?<=\bwww))\.|@)"
)
# At the start of a line (a heading, a list item's first words) these open a block: a heading, a
# quotation, a list item ("- ", "1. "), a rule or a heading's underline ("---", "===").
_BLOCK = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[-=]+\s*$)")


def _inline(m: re.Match[str]) -> str:
    if m.group("tag") is not None:
        tag = m.group("tag")
        closed = tag.endswith(">")
        inner = tag[1:-1] if closed else tag[1:]
        return "&lt;" + _INLINE.sub(_inline, inner) + ("&gt;" if closed else "")
    return "\\" + m.group(0)


def md(text: object) -> str:
    """User text as inert Markdown on one line: what would become markup or a link is escaped,
    nothing else (control characters are shown as escapes)."""
    s = one_line(str(text) if text is not None else "")
    s = _INLINE.sub(_inline, s)
    lead = _BLOCK.match(s)
    if lead:
        n = lead.end()
        s = s[:n] + "\\" + s[n:] if s[:1].isdigit() else "\\" + s
    return safe(s, oneline=True)


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


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _trend(value: str) -> str:
    return f"{TREND_MARK[value]} {word('trend', value)}"


def render(r: Report) -> str:
    s = r.status
    issuer = s.plan.committed_by
    out: list[str] = []
    w = out.append
    w(f"# {md(title(r.plan_title, r.plan_title_zh))}")
    other = subtitle(r.plan_title, r.plan_title_zh)
    if other:
        w(md(other))
    w("")
    span = t("span", start=r.period.start, end=r.period.end)
    w(f"**{md(period_words(r))}**{gap()}{span}")
    if issuer:
        w("")
        w(md(t("committed_by_plan", who=issuer)))
    w("")
    w(f"## {t('h.headline')}")
    w("")
    progress_line = t(
        "progress_line", label=t("progress_made"), progress=f"**{pct(s.progress)}**",
        rests=t("from_objectives", measured=s.measured, total=s.total), expected=f"**{pct(s.expected)}**",
        rag=f"**{word('rag', s.rag.value).upper()}**",
    )  # fmt: skip
    w(f"- {progress_line}")
    elapsed = t("elapsed_line", label=t("time_elapsed"), share=pct(s.elapsed), start=s.plan.adopted,
                end=s.plan.horizon)  # fmt: skip
    w(f"- {elapsed}")
    w(f"- {labelled(t('trend'), _trend(s.trend.value))}")
    w(f"- {labelled(t('by_status'), md(counts_words(s.counts)))}")
    w("")
    w(f"## {t('h.groups')}")
    w("")
    w(t("groups_note"))
    w("")
    w(_row(t("col.group"), "", t("col.progress"), t("col.expected"), t("col.rag"), t("col.measured"),
           t("col.by_status"), t("col.trend")))  # fmt: skip
    w("|---|---|---:|---:|---|---:|---|---|")
    for kind in ("sector", "theme", "park"):
        for g in s.groups.get(kind, ()):
            w(_row(t(f"group.{kind}"), md(title(g.name, g.name_zh)), pct(g.progress), pct(g.expected),
                   word("rag", g.rag.value), f"{g.measured}/{g.objectives}", md(counts_words(g.counts)),
                   _trend(g.trend.value)))  # fmt: skip
    w("")
    w(f"## {t('h.objectives')}")
    w("")
    w(sentences(t("change_legend"), t("trend_legend"), labelled("≠", disagreement()) + t("full_stop")))
    w("")
    w(_row(t("col.rag"), t("col.objective"), t("col.title"), t("col.progress"), t("col.expected"),
           t("col.change"), t("col.trend"), t("col.confidence"), t("col.milestones"), t("col.overdue"),
           t("col.sources")))  # fmt: skip
    w("|---|---|---|---:|---:|:-:|---|---|---:|---:|---|")
    for row in r.rows:
        o = row.result
        ms = f"{o.done}/{o.total}" if o.objective.milestones else "—"
        rag = word("rag", o.rag.value) + (" ≠" if o.disagreement else "")
        by = byline(o.objective.committed_by, issuer)
        name = (md(f"[{by}]") + " " if by else "") + md(title(o.objective.title, o.objective.title_zh))
        w(_row(rag, f"`{code(o.objective.id)}`", name, pct(o.progress), pct(o.expected),
               CHANGE_MARK[row.change], objective_trend(o), md(confidence_words(o.confidence)), ms,
               o.overdue or "", _cites(row.sources)))  # fmt: skip
    w("")
    judged = [row for row in r.rows if row.result.confidence is not None]
    if judged:
        w(f"## {t('h.confidence')}")
        w("")
        w(sentences(t("confidence_note"), t("stale_after", days=s.plan.assessment_days)))
        w("")
        for row in judged:
            o = row.result
            conf = o.confidence
            assert conf is not None
            line = f"- `{code(o.objective.id)}` " + t(
                "level_on", level=f"**{word('level', conf.level.value)}**", day=conf.on
            )
            if conf.stale:
                line += t("aside", text=t("stale_days", days=conf.age_days))
            if row.assessment is not None:
                line += f" · {cite(row.assessment)} · " + labelled(
                    md(row.assessment.user), md(row.assessment.text)
                )
            if o.disagreement:
                line += " · ≠ " + t("progress_says", rag=f"**{word('rag', o.progress_rag.value)}**")
            w(line)
        w("")
    _indicators(w, r)
    st = r.stocktake
    c = st.counts
    w(f"## {md(t('h.changed', period=r.period.label))}")
    w("")
    summary = t(
        "changed_summary", entries=c["entries"], completed=c["completed"], measurements=c["measurements"],
        notes=c["notes"], assessments=c["assessments"], rag_changes=len(st.rag_changes), slips=len(st.slips),
        retractions=c["retractions"],
    )  # fmt: skip
    w(summary)
    w("")

    def entry_line(e: Entry) -> str:
        return f"{e.on} · `{code(e.target)}` {md(entry_summary(e, r.unit_of(e)))} · {cite(e)} · {md(e.user)}"

    _section(w, t("h.completed"), [entry_line(e) for e in st.completed], c["completed"])
    _section(w, t("h.measurements"), [entry_line(e) for e in st.measurements], c["measurements"])
    _section(w, t("h.assessments"), [entry_line(e) for e in st.assessments], c["assessments"])
    _section(
        w,
        t("h.rag_changes", day=r.previous.as_of.isoformat()),
        [
            f"`{code(x.result.objective.id)}` {word('rag', x.previous.rag.value) if x.previous else '?'} → "
            f"**{word('rag', x.result.rag.value)}** · {_cites(x.sources)}"
            for x in st.rag_changes
        ],
    )
    _section(
        w,
        t("h.slips"),
        [
            labelled(f"{md(_object_word(x.kind))} `{code(x.object_id)}`", f"{x.old} → {x.new}")
            + t("aside", text=md(t("slip_detail", revision=x.revision, user=x.user, at=x.applied_at)))
            for x in st.slips
        ],
    )
    _section(
        w,
        t("h.retractions"),
        [
            f"{e.on} · {cite(e)} "
            + labelled(
                t("withdrew", what=f"#{old.id}" if old else md(t("an_entry")), target=f"`{code(e.target)}`"),
                md(e.text),
            )
            + f" · {md(e.user)}"
            for e, old in st.retractions
        ],
        c["retractions"],
    )
    _section(w, t("h.other"), [entry_line(e) for e in st.notes], c["notes"])
    for heading, pairs in ((t("h.overdue"), st.overdue), (t("h.upcoming", days=UPCOMING_DAYS), st.upcoming)):
        _section(
            w,
            heading,
            [
                f"{t('due_on', day=m.milestone.due)} · `{code(m.milestone.id)}` "
                f"{md(title(m.milestone.title, m.milestone.title_zh))} "
                + t(
                    "milestone_state",
                    state=word("state", m.state.value),
                    objective=t("of_objective", id=f"`{code(o.objective.id)}`"),
                )
                for o, m in pairs
            ],
        )
    w("---")
    w("")
    for line in footer_lines(r):  # system text only: dates, revision, digest
        w(md(line))
        w("")
    w(md(generated_line(r, __version__)))
    return "\n".join(out) + "\n"


def _indicators(w: Callable[[str], None], r: Report) -> None:
    """Each indicator's value and target with their unit, expected progress, trend and forecast,
    as the HTML report's charts caption them."""
    inds = [(row, ir) for row in r.rows for ir in row.result.indicators]
    if not inds:
        return
    w(f"## {t('h.indicators')}")
    w("")
    w(t("forecast_note"))
    w("")
    w(_row(t("col.indicator"), t("col.name"), t("col.value"), t("col.target"), t("col.progress"),
           t("col.expected"), t("col.trend"), t("col.forecast"), t("col.source")))  # fmt: skip
    w("|---|---|---:|---:|---:|---:|---|---|---|")
    for row, ir in inds:
        i = ir.indicator
        dp = ir.decimals
        target = (
            t("target_by", target=with_unit(i.target, i.unit, dp), day=i.target_date)
            if i.target is not None
            else t("none")
        )
        by = byline(i.committed_by, row.result.objective.committed_by)
        name = (md(f"[{by}]") + " " if by else "") + md(title(i.name, i.name_zh))
        src = row.indicator_sources.get(i.id)
        w(_row(f"`{code(i.id)}`", name, md(with_unit(ir.value, i.unit, dp)), md(target), pct(ir.progress),
               pct(ir.expected), f"{TREND_MARK[ir.trend.status.value]} {md(indicator_trend(ir))}",
               md(indicator_forecast(ir)), cite(src) if src else "—"))  # fmt: skip
    w("")


def _object_word(kind: str) -> str:
    try:
        return t(f"object.{kind}")
    except KeyError:
        return kind


def _section(w: Callable[[str], None], heading: str, lines: list[str], total: int | None = None) -> None:
    """A list, at most LIST_CAP lines (the latest ones), under a heading with the exact count."""
    total = len(lines) if total is None else total
    w(f"### {md(t('count', title=heading, n=total))}")
    w("")
    if not lines:
        w(t("none_listed"))
    shown = lines[:LIST_CAP] if total == len(lines) else lines
    if total > len(shown):
        w(f"- {t('earlier', n=total - len(shown))}")
    for line in shown:
        w(f"- {line}")
    if total == len(lines) and len(lines) > LIST_CAP:
        w(f"- {t('more', n=len(lines) - LIST_CAP)}")
    w("")
