"""Reports that read right: three languages, Markdown that escapes only what it must, units, the
indicator section, a period reported to date, the A4 page and the PDF."""

from __future__ import annotations

import html as htmlmod
import importlib
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plantrack.core import lang, scripts
from plantrack.models import Plan
from plantrack.plan import planfile
from plantrack.render.labels import one_line
from plantrack.render.markdown import md

from .conftest import NOW

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "zh-Hans", "zh-Hant")
TEXT_FORMATS = ("md", "html", "json", "csv")


def _hetao() -> Plan:
    return planfile.load(planfile.read_source(ROOT / "objectives.toml"))


def _titles_zh() -> list[str]:
    """The packaged plan's Chinese objective titles, as written (in Simplified)."""
    return [o.title_zh for o in _hetao().objectives if o.title_zh]


def _report(cli, tmp_path: Path, *args: str, before: tuple[str, ...] = (),  # type: ignore[no-untyped-def]
            formats: str = "md,html,json,csv") -> dict[str, str]:  # fmt: skip
    """The report's text files by format; ``before``: global options (before the command)."""
    out = tmp_path / f"out-{len([p for p in tmp_path.iterdir() if p.name.startswith('out-')])}"
    r = cli(*before, "report", "--format", formats, "--out", f"{out}/", *args)
    assert r.exit_code == 0, r.stderr
    return {p.suffix[1:]: p.read_text(encoding="utf-8-sig") for p in out.iterdir() if p.suffix != ".xlsx"}


def _in(language: str, key: str, **values: object) -> str:
    return lang.t(key, language, **values)


@pytest.fixture
def measured(cli, plan_file: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The small plan, applied on 2026-10-01, with a measurement of an indicator that has a unit
    (labs) and a note; today is 2026-11-24."""
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    monkeypatch.setenv("PLANTRACK_NOW", "2026-10-01T01:00:00Z")
    assert cli("init").exit_code == 0
    assert cli("measure", "ind-a", "9", "--on", "2026-08-31", "--note", "R&D labs & co").exit_code == 0
    assert cli("log", "obj-b", "Budget <b>R&D</b> & *funding* cut", "--on", "2026-09-01").exit_code == 0
    monkeypatch.setenv("PLANTRACK_NOW", NOW)
    return cli


# --- every format in every language ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGS)
def test_every_format_renders_in_every_language(cli, tmp_path: Path, language: str) -> None:
    files = _report(cli, tmp_path, "--lang", language, "--period", "2026-Q3", before=("--demo",),
                    formats="md,html,json,csv,xlsx")  # fmt: skip
    assert set(files) == set(TEXT_FORMATS)
    assert (tmp_path / "out-0").joinpath("hetao-shenzhen-park-2026-Q3.xlsx").stat().st_size > 0
    data = json.loads(files["json"])
    assert data["plan"]["id"] == "hetao-shenzhen-park"
    assert files["csv"].splitlines()[0].startswith("objective,title,title_zh")  # columns stay English


@pytest.mark.parametrize("language", LANGS)
def test_the_report_option_and_the_global_option_and_plantrack_lang_agree(
    small, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    by_option = _report(small, tmp_path, "--lang", language, formats="md")["md"]
    by_global = _report(small, tmp_path, before=("--lang", language), formats="md")["md"]
    monkeypatch.setenv("PLANTRACK_LANG", language)
    by_env = _report(small, tmp_path, formats="md")["md"]
    assert by_option == by_global == by_env
    assert f"## {_in(language, 'report.h.headline')}" in by_option


@pytest.mark.parametrize("language", LANGS)
def test_the_html_report_says_its_language(small, tmp_path: Path, language: str) -> None:
    page = _report(small, tmp_path, "--lang", language, formats="html")["html"]
    assert page.startswith(f'<!DOCTYPE html>\n<html lang="{language}">')


def test_a_traditional_report_shows_the_plan_in_traditional_converted_from_simplified(
    cli, tmp_path: Path
) -> None:
    titles = _titles_zh()
    assert titles and all(scripts.to_hans(t) == t for t in titles)  # the plan is written in Simplified
    plan_title = _hetao().title_zh
    assert plan_title == "河套深港科技创新合作区深圳园区发展规划"
    files = _report(cli, tmp_path, "--lang", "zh-Hant", formats="md,html")
    for text in (files["md"], files["html"]):
        assert "河套深港科技創新合作區深圳園區發展規劃" in text
        assert "皇崗口岸整體完成重建" in text  # 岗 -> 崗, 体 -> 體
        for title in titles:
            assert scripts.to_hant(title) in text
    assert files["md"].startswith("# 河套深港科技創新合作區深圳園區發展規劃\n")
    assert "<h1>河套深港科技創新合作區深圳園區發展規劃</h1>" in files["html"]


def test_a_simplified_report_has_no_character_that_only_traditional_has(cli, tmp_path: Path) -> None:
    titles = [_hetao().title_zh or "", *_titles_zh()]
    traditional_only = {
        h for t in titles for s, h in zip(t, scripts.to_hant(t), strict=False) if s != h
    }  # 創 區 園 發 規 劃 崗 體 …
    assert {"創", "區", "園", "崗"} <= traditional_only
    files = _report(cli, tmp_path, "--lang", "zh-Hans", formats="md,html")
    for text in (files["md"], files["html"]):
        assert "河套深港科技创新合作区深圳园区发展规划" in text and "皇岗口岸整体完成重建" in text
        assert not traditional_only & set(text)


def test_an_english_report_keeps_english_titles_with_the_chinese_plan_title_alongside(
    cli, tmp_path: Path
) -> None:
    files = _report(cli, tmp_path, "--lang", "en", formats="md,html")
    assert files["md"].startswith(
        "# Development Plan for the Shenzhen Park of the Hetao Shenzhen-Hong Kong Science and Technology "
        "Innovation Cooperation Zone\n河套深港科技创新合作区深圳园区发展规划\n"
    )
    assert '<p class="sub" lang="zh">河套深港科技创新合作区深圳园区发展规划</p>' in files["html"]
    assert "Complete the overall reconstruction of Huanggang Port" in files["md"]
    assert "皇岗口岸整体完成重建" not in files["md"]


@pytest.mark.parametrize("language", LANGS)
def test_the_labels_of_the_reports_come_from_the_catalogue(measured, tmp_path: Path, language: str) -> None:
    f = _report(measured, tmp_path, "--lang", language, "--period", "2026-Q3")
    for key in ("h.headline", "h.groups", "h.objectives", "h.indicators"):
        assert f"## {_in(language, 'report.' + key)}" in f["md"]
        assert f"<h2>{_in(language, 'report.' + key)}</h2>" in f["html"]
    measurements = _in(language, "report.count", title=_in(language, "report.h.measurements"), n=1)
    assert f"### {measurements}" in f["md"] and f"<h3>{measurements}</h3>" in f["html"]
    monitored = _in(language, "common.rag.monitored")
    assert f'<span class="rag rag-monitored">{monitored}</span>' in f["html"]
    state = _in(language, "common.state.planned")
    assert f"({state}" in f["md"] or f"（{state}" in f["md"]  # an overdue milestone's state
    if language != "en":
        for english in ("Headline", "Objectives", "What changed", "Report for", "Generated at", "expected"):
            assert english not in f["md"] and english not in f["html"].split("</style>")[1]


def test_json_keys_and_machine_values_stay_the_same_in_every_language(small, tmp_path: Path) -> None:
    en = json.loads(_report(small, tmp_path, formats="json")["json"])
    hant = json.loads(_report(small, tmp_path, "--lang", "zh-Hant", formats="json")["json"])
    assert set(en) == set(hant) and set(en["objectives"][0]) == set(hant["objectives"][0])
    assert [o["rag"] for o in en["objectives"]] == [o["rag"] for o in hant["objectives"]]  # machine values


def test_the_calendar_speaks_the_readers_language(small, tmp_path: Path) -> None:
    from icalendar import Calendar

    out = tmp_path / "plan.ics"
    assert small("calendar", "--out", out, "--lang", "zh-Hant").exit_code == 0
    cal = Calendar.from_ical(out.read_bytes())
    assert str(cal["x-wr-calname"]) == "測試規劃"  # written 测试规划 in the plan
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    review = events["review@test-plan.plantrack"]
    assert (
        str(review["summary"]) == "規劃檢視：測試規劃" and review["summary"].params["LANGUAGE"] == "zh-Hant"
    )
    lab = events["ms-a1@test-plan.plantrack"]
    assert "obj-a 的里程碑：Objective A" in str(lab["description"])
    assert "的狀態：計劃中" in str(lab["description"])
    assert small("calendar", "--out", out).exit_code == 0
    en = {str(e["uid"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert str(en["review@test-plan.plantrack"]["summary"]) == "Plan review: Test plan"


# --- Markdown escapes only what Markdown needs ----------------------------------------------------


def test_r_and_d_stays_r_and_d(measured, tmp_path: Path) -> None:
    report = _report(measured, tmp_path, "--period", "2026-Q3", formats="md")["md"]
    assert "R&D labs & co" in report and "&amp;" not in report
    # ... while what would be markup is still inert.
    assert "Budget &lt;b&gt;R&D&lt;/b&gt; & \\*funding\\* cut" in report


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("R&D", "R&D"),
        ("Fish & chips < 5 > 3", "Fish & chips < 5 > 3"),
        ("&amp; stays literal", "\\&amp; stays literal"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("<https://evil.example>", "&lt;https\\://evil.example&gt;"),
        ("snake_case_name", "snake_case_name"),
        ("_emphasis_", "\\_emphasis\\_"),
        ("# not a heading", "\\# not a heading"),
        ("1. not a list", "1\\. not a list"),
        ("5.10 CNY million", "5.10 CNY million"),
        ("- not a list", "\\- not a list"),
        ("-5 %", "-5 %"),
        ("a | b", "a \\| b"),
        ("[x](http://evil)", "\\[x\\](http\\://evil)"),
        ("see www.example.com", "see www\\.example.com"),
        ("深圳园区 R&D 中心", "深圳园区 R&D 中心"),
    ],
)
def test_markdown_escapes_only_what_would_become_markup(text: str, written: str) -> None:
    assert md(text) == written


def _markdown_html(source: str) -> str:
    from markdown_it import MarkdownIt

    return str(MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(source))


MARKUP_ALPHABET = st.sampled_from(
    list("ab1 _*`~[]()<>!&#;:/\\|-+=.@") + ["http", "www.", "&amp;", "<b>", "中文", "1."]
)


@given(st.lists(MARKUP_ALPHABET, max_size=14).map("".join))
def test_user_text_never_becomes_markup_or_a_link(text: str) -> None:
    """Whatever a user writes comes back as the same text, in a list item or a table cell."""
    expected = one_line(text)
    if not expected:
        return
    item = _markdown_html(f"- {md(text)}\n")
    m = re.fullmatch(r"<ul>\n<li>(.*)</li>\n</ul>\n", item, re.S)
    assert m is not None, item
    assert "<" not in m.group(1).replace("&lt;", "")  # no element inside: no emphasis, code or link
    assert htmlmod.unescape(m.group(1)) == expected
    table = _markdown_html(f"| a | b |\n|---|---|\n| {md(text)} | x |\n")
    cells = re.findall(r"<td>(.*?)</td>", table, re.S)
    assert len(cells) == 2 and htmlmod.unescape(cells[0]) == expected.strip(), table


# --- units, indicators, period to date ------------------------------------------------------------


def test_measurements_carry_their_units_in_every_format(measured, tmp_path: Path) -> None:
    f = _report(measured, tmp_path, "--period", "2026-Q3")
    assert "`ind-a` = 9 labs R&D labs & co" in f["md"]
    assert "= 9 labs R&amp;D labs &amp; co" in f["html"]
    assert "9 labs (#1)" in f["html"]  # the indicator's caption
    data = json.loads(f["json"])
    ind = next(i for o in data["objectives"] for i in o["indicators"] if i["id"] == "ind-a")
    assert ind["unit"] == "labs"
    listed = [m for m in data["stocktake"]["measurements"] if m["target"] == "ind-a"]
    assert listed and all(m["unit"] == "labs" for m in listed)
    row = next(r for r in f["csv"].splitlines()[1:] if ",ind-a," in r)
    assert ",labs," in row


def test_the_markdown_report_has_the_indicator_section(measured, tmp_path: Path) -> None:
    md_text = _report(measured, tmp_path, "--period", "2026-Q3", formats="md")["md"]
    section = md_text.split("## Indicators\n")[1].split("\n## ")[0]
    assert (
        "| indicator | name | value | target | progress | expected | trend | forecast | source |" in section
    )
    row = next(line for line in section.splitlines() if line.startswith("| `ind-a` |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:6] == ["`ind-a`", "Joint labs", "9 labs", "20 labs by 2028-12-31", "45.0%", "54.9%"]
    assert cells[6].startswith("⇑ strong: ") and cells[7].startswith("none: needs 3 points")
    assert cells[8] == "#1"


def test_a_report_for_a_period_not_yet_over_is_dated_today_not_at_the_period_end(
    measured, tmp_path: Path
) -> None:
    f = _report(measured, tmp_path, "--period", "2026-Q4")  # today is 2026-11-24
    assert "**Report for 2026-Q4, period to date, as of 2026-11-24** (2026-10-01 to 2026-12-31)" in f["md"]
    assert "As of 2026-11-24 ·" in f["md"] and "2026-12-31 ·" not in f["md"]
    assert "<strong>Report for 2026-Q4, period to date, as of 2026-11-24</strong>" in f["html"]
    assert json.loads(f["json"])["as_of"] == "2026-11-24"
    hant = _report(measured, tmp_path, "--lang", "zh-Hant", "--period", "2026-Q4", formats="md")
    assert "**2026-Q4 報告，期內至今，截至 2026-11-24**（2026-10-01 至 2026-12-31）" in hant["md"]


def test_a_period_to_date_report_regenerated_as_sent_keeps_its_day(measured, tmp_path: Path) -> None:
    sent = _report(
        measured, tmp_path, "--period", "2026-Q4", "--known-at", "2026-11-01T09:00", formats="json"
    )
    assert json.loads(sent["json"])["as_of"] == "2026-11-01"


def test_a_report_for_a_past_period_is_dated_at_its_end(measured, tmp_path: Path) -> None:
    f = _report(measured, tmp_path, "--period", "2026-Q3", formats="md,json")
    assert "**Report for 2026-Q3** (2026-07-01 to 2026-09-30)" in f["md"] and "period to date" not in f["md"]
    assert json.loads(f["json"])["as_of"] == "2026-09-30"


# --- the A4 page and the PDF ----------------------------------------------------------------------


def test_the_print_stylesheet_lays_out_a4_pages(small, tmp_path: Path) -> None:
    page = _report(small, tmp_path, formats="html")["html"]
    css = page.split("@media print")[1]
    assert "size: A4" in page
    assert "thead { display: table-header-group; }" in css  # headings repeated on every page
    assert "break-inside: avoid" in css and "tr, figure" in css  # tables break between rows
    assert "svg.chart { max-width: none; }" in css and "height: auto" in page  # charts keep their aspect
    # An objective's title runs across the whole table, above its figures.
    assert re.search(r'<tr class="obj-title"><td colspan="9">.*?Objective A</td></tr>', page)
    svg = re.search(r"<svg [^>]*>", page)
    assert svg is not None and 'viewBox="0 0 360 140"' in svg.group(0)
    assert 'preserveAspectRatio="xMidYMid meet"' in svg.group(0)


def test_pdf_without_an_engine_says_how_to_install_one(
    small, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now fails
    for args in (("--out", str(tmp_path / "r.pdf")), ()):
        r = small("report", "--format", "pdf", *args)
        assert r.exit_code == 2
        assert r.stderr.count("\n") == 1 and "pip install 'plantrack[pdf]'" in r.stderr
    assert not (tmp_path / "r.pdf").exists()
    r = small("--lang", "zh-Hant", "report", "--format", "md,pdf", "--out", f"{tmp_path}/both/")
    assert r.exit_code == 2 and "未安裝 PDF 引擎" in r.stderr
    assert not (tmp_path / "both").exists()  # nothing half done


def _pdf_engine() -> bool:
    try:
        importlib.import_module("weasyprint")
    except (ImportError, OSError):
        return False
    return True


@pytest.mark.skipif(not _pdf_engine(), reason="no PDF engine (pip install 'plantrack[pdf]')")
def test_a_pdf_report_is_a_pdf(small, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    r = small("report", "--format", "pdf", "--out", out)
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF")
