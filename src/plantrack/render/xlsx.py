"""The report as an Excel workbook: a sheet per section, real date and number cells, RAG colours."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from plantrack import __version__
from plantrack.core import lang
from plantrack.models import Entry
from plantrack.render import labels
from plantrack.report import Report

# Cell fill and font colour for each RAG, as the HTML report draws them; an assessed RAG (a
# judgement, not a computation) is the pale tint of its colour, as the HTML's outlined badge is.
RAG_COLOURS = {
    "red": ("#C62828", "#FFFFFF"), "amber": ("#EF8F00", "#FFFFFF"), "green": ("#2E7D32", "#FFFFFF"),
    "done": ("#1565C0", "#FFFFFF"), "not-started": ("#9CA3AF", "#FFFFFF"), "no-data": ("#9CA3AF", "#FFFFFF"),
    "monitored": ("#0E7490", "#FFFFFF"), "assessed-red": ("#F8D7D4", "#C62828"),
    "assessed-amber": ("#FDEBCF", "#B45309"), "assessed-green": ("#D8EBD9", "#2E7D32"),
}  # fmt: skip
MAX_WIDTH = 60  # characters; longer text is there in full, the column just stops growing
MAX_CELL = 32767  # Excel's limit on the text of one cell

# A cell: (value, style). Styles: text, date, stamp (a UTC instant), int, pct, num<decimals>,
# rag (the value is a RAG code, shown in words and coloured).
Cell = tuple[Any, str]


def t(key: str, **values: object) -> str:
    return lang.t(f"xlsx.{key}", **values)


def text(value: object) -> Cell:
    return ("" if value is None else str(value), "text")


def day(value: date | None) -> Cell:
    return (value, "date")


def stamp(value: str | None) -> Cell:
    """A ledger instant (ISO 8601 UTC) as a date-time cell; Excel has no time zones, so it reads UTC."""
    if not value:
        return (None, "stamp")
    return (datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None), "stamp")


def share(x: float | None) -> Cell:
    """A share in [0, 1] as a number shown as a percentage."""
    return (x if x is not None and math.isfinite(x) else None, "pct")


def number(x: float | None, decimals: int = 2) -> Cell:
    return (x if x is not None and math.isfinite(x) else None, f"num{decimals}")


def count(n: int | None) -> Cell:
    return (n, "int")


def rag(code: str | None) -> Cell:
    return (code, "rag")


def word(kind: str, value: str | None) -> Cell:
    """A code (state, trend, level, kind, park) in the reader's language."""
    return text(labels.word(kind, value) if value else "")


def yes_no(flag: bool | None) -> Cell:
    return text("" if flag is None else lang.t("common.yes" if flag else "common.no"))


def _display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


class _Book:
    """The workbook and its formats, made once; each sheet written with :meth:`sheet`."""

    def __init__(self, out: Any, created: datetime, title: str) -> None:
        # Only xlsx reports need it; it has annotations but no py.typed marker.
        import xlsxwriter  # type: ignore[import-untyped]

        # Explicit write_* calls only; these options keep even a stray write() from turning user
        # text into a formula, a number or a link.
        self.book = xlsxwriter.Workbook(
            out,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
             "strings_to_urls": False},
        )  # fmt: skip
        # The creation time is the report's, not the clock's: the same report gives the same bytes.
        self.book.set_properties({"title": title, "created": created, "comments": f"plantrack {__version__}"})
        add = self.book.add_format
        self.header = add({"bold": True, "bg_color": "#F3F4F6", "bottom": 1, "valign": "top"})
        self.styles = {
            "text": add({"valign": "top"}),
            "date": add({"num_format": "yyyy-mm-dd", "valign": "top", "align": "left"}),
            "stamp": add({"num_format": "yyyy-mm-dd hh:mm:ss", "valign": "top", "align": "left"}),
            "int": add({"num_format": "0", "valign": "top"}),
            "pct": add({"num_format": "0.0%", "valign": "top"}),
        }
        for code, (fill, font) in RAG_COLOURS.items():
            self.styles[f"rag:{code}"] = add(
                {"bg_color": fill, "font_color": font, "bold": True, "valign": "top"}
            )

    def style(self, name: str) -> Any:
        if name not in self.styles and name.startswith("num"):
            places = int(name[3:])
            self.styles[name] = self.book.add_format(
                {"num_format": "#,##0" + ("." + "0" * places if places > 0 else ""), "valign": "top"}
            )
        return self.styles[name]

    def sheet(self, name: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
        """A sheet: a frozen header row, an autofilter over the table, columns as wide as their text."""
        ws = self.book.add_worksheet(name)
        widths = [_display_width(h) for h in headers]
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, self.header)
        r = 0
        for r, cells in enumerate(rows, start=1):
            for c, (value, style) in enumerate(cells):
                shown = self._put(ws, r, c, value, style)
                widths[c] = max(widths[c], shown)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(r, 1), len(headers) - 1)
        for c, w in enumerate(widths):
            ws.set_column(c, c, min(w, MAX_WIDTH) + 2)

    def _put(self, ws: Any, r: int, c: int, value: Any, style: str) -> int:
        """Write one cell; how wide it shows, in characters."""
        if value is None or value == "":
            ws.write_blank(r, c, None, self.styles["text"])
            return 0
        if style == "rag":
            shown = labels.word("rag", value)
            ws.write_string(r, c, shown, self.styles.get(f"rag:{value}", self.styles["text"]))
            return _display_width(shown)
        if style == "text":
            # Always a string cell: text from users is never a formula, a number or a link.
            s = str(value)[:MAX_CELL]
            ws.write_string(r, c, s, self.styles["text"])
            return max((_display_width(line) for line in s.splitlines()), default=0)
        if style in ("date", "stamp"):
            moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
            ws.write_datetime(r, c, moment, self.styles[style])
            return 19 if style == "stamp" else 10
        ws.write_number(r, c, value, self.style(style))
        return len(f"{value:,.2f}") if isinstance(value, float) else len(str(value))

    def close(self) -> None:
        self.book.close()


def render(r: Report) -> bytes:
    """The report as the bytes of an .xlsx file (sheets: summary, groups, objectives, indicators,
    milestones, evidence, changes), labelled in the reader's language."""
    import io

    out = io.BytesIO()
    created = stamp(r.generated_at)[0] or datetime(r.as_of.year, r.as_of.month, r.as_of.day)
    book = _Book(out, created, lang.pick(r.plan_title, r.plan_title_zh))
    book.sheet(t("sheet.summary"), [t("row.item"), t("row.value")], _summary(r))
    book.sheet(t("sheet.groups"), _group_columns(), _groups(r))
    book.sheet(t("sheet.objectives"), _objective_columns(), _objectives(r))
    book.sheet(t("sheet.indicators"), _indicator_columns(), _indicators(r))
    book.sheet(t("sheet.milestones"), _milestone_columns(), _milestones(r))
    book.sheet(t("sheet.evidence"), _evidence_columns(), _evidence(r))
    book.sheet(t("sheet.changes"), _change_columns(), _changes(r))
    book.close()
    return out.getvalue()


def _other(english: str, chinese: str | None) -> str:
    """The title in the language the reader did not choose, as the other reports show it."""
    return labels.subtitle(english, chinese) or ""


def _summary(r: Report) -> Iterable[Sequence[Cell]]:
    s = r.status
    yield text(t("row.plan")), text(lang.pick(r.plan_title, r.plan_title_zh))
    other = _other(r.plan_title, r.plan_title_zh)
    if other:
        yield text(t("row.plan_other")), text(other)
    yield text(t("row.period")), text(r.period.label)
    yield text(t("row.period_start")), day(r.period.start)
    yield text(t("row.period_end")), day(r.period.end)
    yield text(t("row.as_of")), day(r.as_of)
    yield text(t("row.known_at")), stamp(r.known_at) if r.known_at else text(t("row.everything"))
    yield text(t("row.progress")), share(s.progress)
    yield text(t("row.expected")), share(s.expected)
    yield text(t("row.rag")), rag(s.rag.value)
    yield text(t("row.trend")), word("trend", s.trend.value)
    yield text(t("row.elapsed")), share(s.elapsed)
    yield text(t("row.measured")), count(s.measured)
    yield text(t("row.objectives")), count(s.total)
    for code, n in s.counts.items():
        yield text(t("row.status_count", rag=labels.word("rag", code))), count(n)
    yield text(t("row.entries")), count(r.stocktake.counts["entries"])
    yield text(t("row.revision")), count(r.revision)
    yield text(t("row.sha")), text(r.revision_sha)
    yield text(t("row.ledger_head")), text(r.ledger_head or "")
    yield text(t("row.ledger_entries")), count(r.ledger_entries)
    yield text(t("row.generated_at")), stamp(r.generated_at)
    yield text(t("row.generator")), text(f"plantrack {__version__}")


def _group_columns() -> list[str]:
    return [t(f"col.{k}") for k in ("kind", "id", "group", "progress", "expected", "rag", "measured",
                                    "objectives", "trend")]  # fmt: skip


def _groups(r: Report) -> Iterable[Sequence[Cell]]:
    for kind in ("sector", "theme", "park"):
        for g in r.status.groups.get(kind, ()):
            name = labels.word("park", g.id) if kind == "park" else lang.pick(g.name, g.name_zh)
            yield (
                text(labels.t(f"group.{kind}")), text(g.id), text(name), share(g.progress), share(g.expected),
                rag(g.rag.value), count(g.measured), count(g.objectives), word("trend", g.trend.value),
            )  # fmt: skip


def _objective_columns() -> list[str]:
    keys = ("id", "title", "title_other", "sector", "theme", "park", "rag", "progress", "expected", "change",
            "previous_rag", "trend", "confidence", "confidence_on", "stale", "rationale", "disagreement",
            "done", "total", "overdue", "evidence", "last_evidence", "start", "due", "committed_by", "sources")  # fmt: skip
    return [t(f"col.{k}") for k in keys]


def _objectives(r: Report) -> Iterable[Sequence[Cell]]:
    plan = r.status.plan
    for row in r.rows:
        o = row.result
        ob = o.objective
        c = o.confidence
        sector = plan.group("sector", ob.sector) if ob.sector else None
        theme = plan.group("theme", ob.theme) if ob.theme else None
        yield (
            text(ob.id), text(lang.pick(ob.title, ob.title_zh)), text(_other(ob.title, ob.title_zh)),
            text(lang.pick(sector.name, sector.name_zh) if sector else ob.sector),
            text(lang.pick(theme.name, theme.name_zh) if theme else ob.theme),
            word("park", ob.park.value), rag(o.rag.value), share(o.progress), share(o.expected),
            text(labels.change_word(row.change)), rag(row.previous.rag.value if row.previous else None),
            word("trend", o.trend.value) if ob.indicators else text(""),
            word("level", c.level.value if c else None), day(c.on if c else None),
            yes_no(c.stale if c else None),
            text(row.assessment.text if row.assessment else None), yes_no(o.disagreement),
            count(o.done if ob.milestones else None), count(o.total if ob.milestones else None),
            count(o.overdue if ob.milestones else None), count(o.evidence.count), day(o.evidence.last),
            day(ob.start), day(ob.due), text(ob.committed_by), text(" ".join(f"#{e.id}" for e in row.sources)),
        )  # fmt: skip


def _indicator_columns() -> list[str]:
    keys = ("objective", "id", "name", "name_other", "unit", "value", "value_on", "baseline", "baseline_date",
            "target", "target_date", "progress", "expected", "trend", "annual_rate", "forecast", "forecast_low",
            "forecast_high", "forecast_at", "reach_date", "no_forecast", "committed_by", "source")  # fmt: skip
    return [t(f"col.{k}") for k in keys]


def _indicators(r: Report) -> Iterable[Sequence[Cell]]:
    for row in r.rows:
        for ir in row.result.indicators:
            i = ir.indicator
            fc = ir.forecast
            dp = ir.decimals
            src = row.indicator_sources.get(i.id)
            rate = ir.trend.rate
            yield (
                text(row.result.objective.id), text(i.id), text(lang.pick(i.name, i.name_zh)),
                text(_other(i.name, i.name_zh)), text(i.unit),
                number(ir.value if ir.measured else None, dp), day(ir.value_on),
                number(i.baseline, dp), day(i.baseline_date), number(i.target, dp), day(i.target_date),
                share(ir.progress), share(ir.expected), word("trend", ir.trend.status.value),
                share(rate), number(fc.value_at_target if fc else None, dp),
                number(fc.low if fc else None, dp), number(fc.high if fc else None, dp),
                day(fc.at if fc else None), day(fc.reach_date if fc else None),
                text(ir.no_forecast if fc is None else None), text(i.committed_by),
                text(f"#{src.id}" if src else None),
            )  # fmt: skip


def _milestone_columns() -> list[str]:
    keys = ("objective", "id", "title", "title_other", "due", "state", "since", "overdue", "committed_by")
    return [t(f"col.{k}") for k in keys]


def _milestones(r: Report) -> Iterable[Sequence[Cell]]:
    for row in r.rows:
        for m in row.result.milestones:
            ms = m.milestone
            yield (
                text(row.result.objective.id), text(ms.id), text(lang.pick(ms.title, ms.title_zh)),
                text(_other(ms.title, ms.title_zh)), day(ms.due), word("state", m.state.value),
                day(m.since), yes_no(m.overdue), text(ms.committed_by),
            )  # fmt: skip


def _evidence_columns() -> list[str]:
    keys = ("entry", "on", "kind", "about", "state", "level", "value", "text", "url", "user", "recorded_at",
            "withdrew")  # fmt: skip
    return [t(f"col.{k}") for k in keys]


def _evidence(r: Report) -> Iterable[Sequence[Cell]]:
    """Every entry the report lists for the period (the latest of each kind), newest first."""
    st = r.stocktake
    withdrew = {e.id: old for e, old in st.retractions}
    entries: list[Entry] = [*st.completed, *st.measurements, *st.assessments, *st.notes]
    entries += [e for e, _old in st.retractions]
    for e in sorted(entries, key=lambda e: (e.on, e.id), reverse=True):
        old = withdrew.get(e.id)
        yield (
            count(e.id), day(e.on), word("kind", e.kind.value), text(e.target),
            word("state", e.state.value if e.state else None), word("level", e.level.value if e.level else None),
            number(e.value, _places(e.value)), text(e.text), text(e.url), text(e.user), stamp(e.recorded_at),
            text(f"#{old.id}" if old else None),
        )  # fmt: skip


def _places(x: float | None) -> int:
    return 0 if x is None or float(x).is_integer() else 2


def _change_columns() -> list[str]:
    return [t(f"col.{k}") for k in ("kind", "id", "from", "to", "detail")]


def _changes(r: Report) -> Iterable[Sequence[Cell]]:
    """RAG changes since the previous period and due dates slipped by plan revisions (overdue and
    soon-due milestones are on the milestones sheet)."""
    st = r.stocktake
    for x in st.rag_changes:
        yield (
            text(t("changes.rag")), text(x.result.objective.id), rag(x.previous.rag.value if x.previous else None),
            rag(x.result.rag.value), text(" ".join(f"#{e.id}" for e in x.sources)),
        )  # fmt: skip
    for s in st.slips:
        yield (
            text(t("changes.slip")), text(s.object_id), _day_or_text(s.old), _day_or_text(s.new),
            text(t("changes.slip_detail", revision=s.revision, user=s.user, at=s.applied_at)),
        )  # fmt: skip


def _day_or_text(value: str) -> Cell:
    try:
        return day(date.fromisoformat(value))
    except ValueError:
        return text(value)
