"""The published portal: a static, self-contained site, one tree per language.

Every page is built from the same :class:`~plantrack.service.publish.Portal` values; links are
relative, so the site opens from a folder (file://) or from any path of any static host. No CDN,
no external font or script: the little JavaScript there is (search) is in the site. User text is
escaped; nothing tagged internal reaches this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from plantrack import __version__
from plantrack.core import lang as L
from plantrack.core.scripts import to_hans, to_hant
from plantrack.core.text import pct
from plantrack.models import Entry
from plantrack.render import json_text, shapes
from plantrack.render.html import chart
from plantrack.render.jsoncsv import BOM, cell
from plantrack.render.labels import (
    confidence_words,
    entry_summary,
    indicator_trend,
    linkable,
    objective_trend,
    one_line,
    title,
    with_unit,
    word,
)
from plantrack.report import Portal, QuarterChanges

if TYPE_CHECKING:
    from plantrack.core.progress import GroupResult, ObjectiveResult

TREES = {"en": "en", "zh-Hans": "zh-hans", "zh-Hant": "zh-hant"}
GROUP_KINDS = ("sector", "theme", "park")


def slug(oid: str) -> str:
    """An id as a file name: plan ids are already safe; anything else is made so."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", oid) or "_"


def s(key: str, **values: object) -> str:
    return L.t(f"site.{key}", **values)


def _page(
    tree: str, depth: int, path: str, heading: str, body: Markup, portal: Portal, generated: str
) -> str:
    """One page: the frame, the language switch, the body and the footer that says what it rests on."""
    up = "../" * depth
    r = portal.report
    switch = Markup(" · ").join(
        Markup('<a href="{}" hreflang="{}" lang="{}"{}>{}</a>').format(
            f"{up}../{other}/{path}", code, code, Markup(' aria-current="true"') if other == tree else "",
            L.t("site.language_name", code),
        )
        for code, other in TREES.items()
    )  # fmt: skip
    head = r.ledger_head or "—"
    foot = Markup('<p>{}</p><p>{}</p><p class="generated">{}</p>').format(
        s("as_of", day=r.as_of.isoformat()),
        s("head", head=head, n=r.ledger_entries),
        s("generated", at=generated, version=__version__),
    )
    return (
        Markup(
            '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>{title}</title>"
            '<link rel="stylesheet" href="{up}../style.css"></head>\n<body>'
            '<header><nav aria-label="{nav}"><a href="{up}index.html">{home}</a> · '
            '<a href="{up}changes.html">{changes}</a> · <a href="{up}search.html">{search}</a> · '
            '<a href="{up}../data/index.html">{data}</a>'
            '</nav><nav class="langs" aria-label="{langs}">{switch}</nav></header>\n'
            "<main><h1>{heading}</h1>\n{body}</main>\n<footer>{foot}</footer>"
            '<script src="{up}../site.js"></script></body></html>\n'
        ).format(
            lang=L.current(),
            title=f"{heading} · {title(r.plan_title, r.plan_title_zh)}",
            up=up,
            nav=s("nav"),
            home=s("home"),
            changes=s("changes"),
            search=s("search"),
            data=s("downloads"),
            langs=s("languages"),
            switch=switch,
            heading=heading,
            body=body,
            foot=foot,
        )  # fmt: skip
    )


def _rag(rag: str) -> Markup:
    """The status in words and a mark: colour is never the only signal."""
    return Markup('<span class="rag rag-{}">{}</span>').format(rag, word("rag", rag))


def _share(x: float | None) -> str:
    return pct(x) if x is not None else "—"


def _objective_row(o: ObjectiveResult, up: str, withheld: frozenset[str]) -> Markup:
    ob = o.objective
    hidden = ob.id in withheld
    return Markup(
        '<tr><td>{}</td><th scope="row"><a href="{}objective/{}.html">{}</a><br><code>{}</code></th>'
        "<td>{}</td><td>{}</td><td>{}</td></tr>"
    ).format(
        _rag(o.rag.value), up, slug(ob.id), title(ob.title, ob.title_zh), ob.id,
        s("withheld") if hidden else _share(o.progress), s("withheld") if hidden else _share(o.expected),
        objective_trend(o),
    )  # fmt: skip


def _objectives_table(rows: list[ObjectiveResult], up: str, withheld: frozenset[str]) -> Markup:
    head = Markup("<tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>"
                  "<th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr>").format(
        s("status"), s("objective"), s("progress"), s("expected"), s("trend"))  # fmt: skip
    body = Markup("").join(_objective_row(o, up, withheld) for o in rows)
    return Markup('<div class="scroll"><table><thead>{}</thead><tbody>{}</tbody></table></div>').format(
        head, body
    )


def _group_table(kind: str, groups: tuple[GroupResult, ...], up: str) -> Markup:
    rows = Markup("").join(
        Markup('<tr><th scope="row"><a href="{}{}/{}.html">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>').format(
            up, kind, slug(g.id), title(g.name, g.name_zh), _rag(g.rag.value), _share(g.progress), _share(g.expected),
            g.objectives,
        )
        for g in groups
    )  # fmt: skip
    return Markup(
        '<h2>{}</h2><div class="scroll"><table><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody>'
        "</table></div>"
    ).format(
        s(f"kind.{kind}"), s(f"kind.{kind}"), s("status"), s("progress"), s("expected"), s("objectives"), rows
    )


def _home(portal: Portal) -> Markup:
    st = portal.report.status
    headline = Markup(
        '<section class="headline"><p>{}</p><p>{} {}</p><p>{}</p></section>'
    ).format(
        s("headline", progress=_share(st.progress), expected=_share(st.expected), measured=st.measured, total=st.total),
        s("overall"), _rag(st.rag.value), s("elapsed", share=pct(st.elapsed), start=st.plan.adopted.isoformat(),
                                          end=st.plan.horizon.isoformat()),
    )  # fmt: skip
    groups = Markup("").join(
        _group_table(k, st.groups.get(k, ()), "") for k in GROUP_KINDS if st.groups.get(k)
    )
    return Markup("{}{}<h2>{}</h2>{}").format(
        headline,
        groups,
        s("objectives_worst_first"),
        _objectives_table(list(st.objectives), "", portal.withheld),
    )


def _entry(e: Entry, unit: str) -> Markup:
    """One evidence item (plain string building: a large plan has tens of thousands of them)."""
    link = (
        f' <a href="{escape(e.url)}" rel="nofollow noopener">{escape(s("source"))}</a>'
        if e.url and linkable(e.url)
        else ""
    )
    mark = f' <span class="retracted">{escape(s("retracted"))}</span>' if e.retracted else ""
    return Markup(
        f"<li><time>{e.on.isoformat()}</time> · <code>{escape(e.target)}</code> {escape(word('kind', e.kind.value))}"
        f' {escape(entry_summary(e, unit))}{link}{mark} · <span class="who">{escape(e.user)}</span></li>'
    )


def _objective(portal: Portal, o: ObjectiveResult) -> Markup:
    r = portal.report
    ob = o.objective
    hidden = ob.id in portal.withheld
    parts: list[Markup] = []
    figures = (
        s("withheld_long")
        if hidden
        else s("figures", progress=_share(o.progress), expected=_share(o.expected))
    )
    parts.append(Markup("<p>{} {}</p><p>{}</p>").format(_rag(o.rag.value), figures, objective_trend(o)))
    row = next((x for x in r.rows if x.result.objective.id == ob.id), None)
    if o.confidence is not None and row is not None and row.assessment is not None and not hidden:
        parts.append(Markup("<h2>{}</h2><p>{}</p><blockquote>{}</blockquote>").format(
            s("assessment"), confidence_words(o.confidence), one_line(row.assessment.text, 2000)))  # fmt: skip
    if o.milestones:
        items = Markup("").join(
            Markup('<tr><th scope="row">{}<br><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>').format(
                title(m.milestone.title, m.milestone.title_zh), m.milestone.id, word("state", m.state.value),
                Markup("<time>{}</time>").format(m.milestone.due.isoformat()) if m.milestone.due else "—",
                s("overdue") if m.overdue else "",
                _history(portal, portal.evidence.get(ob.id, ()), m.milestone.id),
            )
            for m in o.milestones
        )  # fmt: skip
        parts.append(Markup(
            '<h2>{}</h2><div class="scroll"><table><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody>'
            "</table></div>"
        ).format(s("milestones"), s("milestone"), s("state"), s("due"), s("late"), s("history"), items))  # fmt: skip
    moved = portal.slips.get(ob.id, ())
    if moved:
        parts.append(Markup("<p>{}</p>").format(
            "; ".join(s("slip", old=old, new=new, on=on) for on, old, new in moved)))  # fmt: skip
    for ir in o.indicators:
        i = ir.indicator
        hide = i.id in portal.withheld
        value = s("withheld") if hide else with_unit(ir.value if ir.measured else None, i.unit, ir.decimals)
        target = with_unit(i.target, i.unit, ir.decimals) if i.target is not None else "—"
        svg = Markup("") if hide else chart(ir, r.series.get(i.id, ()), r.as_of)
        parts.append(Markup('<section class="indicator"><h2>{}</h2><p>{}</p><p>{}</p><figure>{}</figure></section>').format(
            title(i.name, i.name_zh), s("value_target", value=value, target=target),
            "" if hide else indicator_trend(ir), svg))  # fmt: skip
    entries = portal.evidence.get(ob.id, ())
    units = r.units
    listed = Markup("").join(
        _entry(e, units.get(e.target, "") if e.kind.value == "measurement" else "") for e in entries
    )
    parts.append(Markup("<h2>{}</h2>{}").format(
        s("evidence"), Markup("<ul class=\"events\">{}</ul>").format(listed) if entries else s("no_evidence")))  # fmt: skip
    return Markup("").join(parts)


def _changes(portal: Portal) -> Markup:
    """What changed in the period: objectives whose status moved, milestones completed, due dates
    moved by plan revisions (slips)."""
    st = portal.report.stocktake
    moved = Markup("").join(
        Markup('<li><a href="objective/{}.html">{}</a>: {} → {}</li>').format(
            slug(row.result.objective.id), title(row.result.objective.title, row.result.objective.title_zh),
            _rag(row.previous.rag.value) if row.previous else "—", _rag(row.result.rag.value),
        )
        for row in st.rag_changes
    )  # fmt: skip
    done = Markup("").join(
        Markup("<li><time>{}</time> · <code>{}</code> {}</li>").format(
            e.on.isoformat(), e.target, one_line(e.text)
        )
        for e in portal.completed
    )
    slips = Markup("").join(
        Markup("<li><code>{}</code>: {} → {} ({})</li>").format(x.object_id, x.old, x.new, x.applied_at[:10])
        for x in st.slips
    )
    parts = [
        Markup("<h2>{}</h2>").format(s("rag_changes")),
        Markup("<ul>{}</ul>").format(moved) if moved else Markup("<p>{}</p>").format(s("none")),
        Markup("<h2>{}</h2>").format(s("completed")),
        Markup("<ul>{}</ul>").format(done) if done else Markup("<p>{}</p>").format(s("none")),
        Markup("<h2>{}</h2>").format(s("slips")),
        Markup("<ul>{}</ul>").format(slips) if slips else Markup("<p>{}</p>").format(s("none")),
        Markup("<h2>{}</h2><ul>{}</ul>").format(
            s("by_quarter"),
            Markup("").join(
                Markup('<li><a href="changes/{}.html">{}</a></li>').format(slug(q.label), q.label)
                for q in portal.quarters
            ),
        ),
    ]
    return Markup("").join(parts)


def _history(portal: Portal, entries: tuple[Entry, ...], milestone_id: str) -> Markup:
    """A milestone's public state changes, oldest first, and the due dates plan revisions moved."""
    steps = [
        Markup("<time>{}</time> → {}").format(e.on.isoformat(), word("state", e.state.value))
        for e in reversed(entries)
        if e.target == milestone_id and e.state is not None and not e.retracted
    ]
    steps += [
        Markup("{}").format(s("slip", old=old, new=new, on=on))
        for on, old, new in portal.slips.get(milestone_id, ())
    ]
    return Markup("<br>").join(steps) if steps else Markup("—")


def _quarter_page(q: QuarterChanges, units: dict[str, str]) -> Markup:
    def listing(entries: tuple[Entry, ...]) -> Markup:
        if not entries:
            return Markup("<p>{}</p>").format(s("none"))
        return Markup('<ul class="events">{}</ul>').format(
            Markup(
                "".join(
                    _entry(e, units.get(e.target, "") if e.kind.value == "measurement" else "")
                    for e in entries
                )
            )
        )

    slips = Markup("").join(
        Markup("<li><code>{}</code>: {}</li>").format(oid, s("slip", old=old, new=new, on=on))
        for on, oid, old, new in q.slips
    )
    return Markup("<p>{}</p><h2>{}</h2>{}<h2>{}</h2>{}<h2>{}</h2>{}<h2>{}</h2>{}").format(
        s("period", start=q.start.isoformat(), end=q.end.isoformat()),
        s("completed"), listing(q.completed), s("measurements"), listing(q.measurements), s("notes"), listing(q.notes),
        s("slips"), Markup("<ul>{}</ul>").format(slips) if slips else Markup("<p>{}</p>").format(s("none")),
    )  # fmt: skip


def _group_page(portal: Portal, kind: str, g: GroupResult) -> Markup:
    st = portal.report.status
    members = [o for o in st.objectives if _in_group(o, kind, g.id)]
    return Markup("<p>{} {}</p><p>{}</p>{}").format(
        _rag(g.rag.value), s("figures", progress=_share(g.progress), expected=_share(g.expected)),
        s("objectives_n", n=g.objectives), _objectives_table(members, "../", portal.withheld),
    )  # fmt: skip


def _in_group(o: ObjectiveResult, kind: str, gid: str) -> bool:
    ob = o.objective
    if kind == "sector":
        return ob.sector == gid
    if kind == "theme":
        return ob.theme == gid
    return ob.park.value == gid or (ob.park.value == "both" and gid in ("shenzhen", "hong-kong"))


@lru_cache(maxsize=200_000)
def _both_scripts(text: str) -> str:
    """The text to match a query against: as written and in both Chinese scripts, lower case."""
    if not any("\u3400" <= ch <= "\u9fff" for ch in text):
        return text.lower()
    return f"{text} {to_hans(text)} {to_hant(text)}".lower()


def search_index(portal: Portal) -> list[list[str]]:
    """[href, title, text to match]: plan titles and published entries, Chinese in both scripts."""
    items: list[list[str]] = []
    for o in portal.report.status.objectives:
        ob = o.objective
        href = f"objective/{slug(ob.id)}.html"
        shown = title(ob.title, ob.title_zh)
        words = " ".join(x for x in (ob.id, ob.title, ob.title_zh or "") if x)
        items.append([href, shown, _both_scripts(words)])
        for e in portal.evidence.get(ob.id, ()):
            text = e.text or ""
            if text:
                items.append(
                    [
                        href,
                        f"{shown}: {one_line(text, 120)}",
                        f"{text} {to_hans(text)} {to_hant(text)}".lower(),
                    ]
                )
    return items


def render(
    portal: Portal, generated: str, langs: tuple[str, ...] = tuple(TREES)
) -> Iterator[tuple[str, str]]:
    """(relative path, text) for every file of the site but the downloads."""
    st = portal.report.status
    before = L.current()
    try:
        for code in langs:
            L.use(code)
            tree = TREES[code]

            def page(path: str, heading: str, body: Markup, tree: str = tree) -> tuple[str, str]:
                return f"{tree}/{path}", _page(tree, path.count("/"), path, heading, body, portal, generated)

            yield page("index.html", title(st.plan.title, st.plan.title_zh), _home(portal))
            for o in st.objectives:
                ob = o.objective
                yield page(
                    f"objective/{slug(ob.id)}.html", title(ob.title, ob.title_zh), _objective(portal, o)
                )
            for kind in GROUP_KINDS:
                for g in st.groups.get(kind, ()):
                    yield page(
                        f"{kind}/{slug(g.id)}.html", title(g.name, g.name_zh), _group_page(portal, kind, g)
                    )
            yield page("changes.html", s("changes_in", period=portal.report.period.label), _changes(portal))
            for q in portal.quarters:
                yield page(f"changes/{slug(q.label)}.html", s("changes_in", period=q.label),
                           _quarter_page(q, portal.report.units))  # fmt: skip
            yield page("search.html", s("search"), Markup(
                '<form role="search" onsubmit="return false"><label for="q">{}</label> '
                '<input id="q" type="search" autocomplete="off"></form><ul id="results" aria-live="polite"></ul>'
                '<script src="search-index.js"></script>').format(s("search_label")))  # fmt: skip
            yield (
                f"{tree}/search-index.js",
                "window.PLANTRACK_INDEX = " + json_text(search_index(portal), indent=None) + ";\n",
            )
    finally:
        L.use(before)
    yield "index.html", _root(portal)
    yield "style.css", STYLE
    yield "site.js", SCRIPT


GENERATED = re.compile(r'<p class="generated">[^<]*</p>')


def same_but_generated(old: str, new: str) -> bool:
    """Do two versions of a page differ in nothing but the line that says when it was made?"""
    return GENERATED.sub("", old) == GENERATED.sub("", new)


def downloads_page(portal: Portal, files: list[str]) -> str:
    items = Markup("").join(Markup('<li><a href="{}">{}</a></li>').format(f, f) for f in files)
    return Markup(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Downloads</title>'
        '<link rel="stylesheet" href="../style.css"></head><body><main><h1>Downloads · 下载 · 下載</h1>'
        '<p>{}</p><ul>{}</ul><p><a href="../index.html">↩</a></p></main></body></html>\n'
    ).format(portal.report.as_of.isoformat(), items)


def _root(portal: Portal) -> str:
    r = portal.report
    links = Markup("").join(
        Markup('<li><a href="{}/index.html" hreflang="{}" lang="{}">{}</a></li>').format(
            tree, code, code, L.t("site.language_name", code)
        )
        for code, tree in TREES.items()
    )
    return Markup(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title>'
        '<link rel="stylesheet" href="style.css"></head><body><main><h1>{}</h1><p>{}</p><ul>{}</ul></main></body></html>\n'
    ).format(r.plan_title, r.plan_title, r.plan_title_zh or "", links)


STYLE = """\
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #ccc; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans CJK TC", sans-serif;
       color: var(--ink); background: #fff; margin: 0 auto; max-width: 72rem; padding: 0 1rem; line-height: 1.5; }
header { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .5rem; padding: .75rem 0;
         border-bottom: 1px solid var(--line); }
a { color: #0645ad; }
h1 { font-size: 1.6rem; line-height: 1.3; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f3f3f3; }
.scroll { overflow-x: auto; }
.rag { font-weight: 600; padding: 0 .3rem; border-left: .4rem solid #999; white-space: nowrap; }
.rag-red, .rag-assessed-red { border-color: #b00020; }
.rag-amber, .rag-assessed-amber { border-color: #b26a00; }
.rag-green, .rag-assessed-green, .rag-done { border-color: #1b7a1b; }
.retracted { text-decoration: line-through; color: var(--muted); }
.who, footer { color: var(--muted); }
footer { border-top: 1px solid var(--line); margin-top: 2rem; font-size: .9rem; }
figure { margin: .5rem 0; } figure svg { max-width: 100%; height: auto; }
code { word-break: break-all; }
time { white-space: nowrap; }
header nav a { white-space: nowrap; }
@media (max-width: 480px) { body { padding: 0 .5rem; overflow-wrap: anywhere; } h1 { font-size: 1.3rem; }
  td { overflow-wrap: normal; white-space: nowrap; }
  th, td { padding: .3rem .25rem; } }
@media print { header nav, #q { display: none; } a { color: inherit; } }
"""

SCRIPT = """\
(function () {
  "use strict";
  var box = document.getElementById("q");
  var list = document.getElementById("results");
  document.documentElement.setAttribute("data-ready", "1");
  if (!box || !list || !window.PLANTRACK_INDEX) { return; }
  function show() {
    var q = box.value.trim().toLowerCase();
    list.textContent = "";
    if (!q) { return; }
    var n = 0;
    for (var i = 0; i < window.PLANTRACK_INDEX.length && n < 50; i++) {
      var item = window.PLANTRACK_INDEX[i];
      if (item[2].indexOf(q) === -1) { continue; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item[0];
      a.textContent = item[1];
      li.appendChild(a);
      list.appendChild(li);
      n++;
    }
  }
  box.addEventListener("input", show);
  var given = new URLSearchParams(window.location.search).get("q");
  if (given) { box.value = given; show(); }
})();
"""


def data_json(portal: Portal) -> str:
    """Every figure the site shows, as JSON: the status in its documented shape, figures that rest
    on internal evidence left out, and each objective's public evidence."""
    st = portal.report.status
    objectives = []
    for o in st.objectives:
        d = shapes.objective(o, full=True)
        if o.objective.id in portal.withheld:
            d["progress"] = d["expected"] = None
            d["withheld"] = True
        for i in d.get("indicators", []):
            if i["id"] in portal.withheld:
                for k in ("value", "progress", "forecast_value"):
                    if k in i:
                        i[k] = None
                i["withheld"] = True
        d["evidence_entries"] = [e.to_json() for e in portal.evidence.get(o.objective.id, ())]
        objectives.append(d)
    data = {
        "as_of": portal.report.as_of.isoformat(),
        "known_at": portal.report.known_at,
        "ledger": {"head": portal.report.ledger_head, "entries": portal.report.ledger_entries},
        "plan": {"id": st.plan.id, "title": st.plan.title, "title_zh": st.plan.title_zh,
                 "progress": shapes.r4(st.progress), "expected": shapes.r4(st.expected), "rag": st.rag.value},
        "groups": {k: [shapes.group(g) for g in gs] for k, gs in st.groups.items()},
        "objectives": objectives,
    }  # fmt: skip
    return json_text(data) + "\n"


def data_xlsx(portal: Portal, csv_text: str) -> bytes:
    """The CSV's rows (``data_csv``) as a workbook: real numbers, a frozen header; the same data
    gives the same bytes."""
    import csv
    import io
    from datetime import datetime

    import xlsxwriter  # type: ignore[import-untyped]

    rows = list(csv.reader(io.StringIO(csv_text.lstrip(BOM))))
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    day = portal.report.as_of
    book.set_properties(
        {"title": portal.report.plan_title, "created": datetime(day.year, day.month, day.day)}
    )
    sheet = book.add_worksheet("objectives")
    bold = book.add_format({"bold": True})
    numeric = {"progress", "expected", "value", "target"}
    for c, name in enumerate(rows[0]):
        sheet.write_string(0, c, name, bold)
    for r, row in enumerate(rows[1:], start=1):
        for c, value in enumerate(row):
            if rows[0][c] in numeric and value not in ("", None):
                try:
                    sheet.write_number(r, c, float(value))
                    continue
                except ValueError:
                    pass
            sheet.write_string(r, c, value.lstrip("'") if value.startswith("'") else value)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def data_csv(portal: Portal) -> str:
    """One row per objective and per indicator, with a byte-order mark for Excel."""
    import csv
    import io

    out = io.StringIO()
    out.write(BOM)
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["objective", "indicator", "title", "title_zh", "rag", "progress", "expected", "value", "unit",
                "target", "as_of", "ledger_head"])  # fmt: skip
    r = portal.report
    for o in r.status.objectives:
        ob = o.objective
        hide = ob.id in portal.withheld
        w.writerow([cell(x) for x in (ob.id, "", ob.title, ob.title_zh or "", o.rag.value,
                    "" if hide or o.progress is None else round(o.progress, 4),
                    "" if hide or o.expected is None else round(o.expected, 4), "", "", "",
                    r.as_of.isoformat(), r.ledger_head or "")])  # fmt: skip
        for ir in o.indicators:
            i = ir.indicator
            h = i.id in portal.withheld
            w.writerow([cell(x) for x in (ob.id, i.id, i.name, i.name_zh or "", "",
                        "" if h or ir.progress is None else round(ir.progress, 4), "",
                        "" if h or not ir.measured else ir.value, i.unit, "" if i.target is None else i.target,
                        r.as_of.isoformat(), r.ledger_head or "")])  # fmt: skip
    return out.getvalue()
