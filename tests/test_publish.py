"""The published portal: one tree per language, every link inside the site resolves, nothing
internal on any page, rebuilt byte for byte (but the generation line), search in either script,
and pages that run in a real browser at desktop and phone widths."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

SECRET = "SECRET-budget-line-7731"


@pytest.fixture
def published(small, tmp_path: Path):  # type: ignore[no-untyped-def]
    assert (
        small("measure", "ind-a", "4", "--on", "2026-06-30", "--url", "https://example.org/labs").exit_code
        == 0
    )
    assert small("log", "obj-a", "通關 pilot started at the joint lab", "--on", "2026-07-02").exit_code == 0
    assert small("log", "obj-b", f"{SECRET} <script>alert(1)</script>", "--tag", "Internal").exit_code == 0
    assert small("measure", "ind-b", "150", "--on", "2026-08-31", "--tag", "internal").exit_code == 0
    out = tmp_path / "site"
    r = small("publish", "--out", out)
    assert r.exit_code == 0, r.stderr
    return small, out


def pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_every_objective_has_a_page_in_each_language(published) -> None:
    _cli, out = published
    for tree in ("en", "zh-hans", "zh-hant"):
        for oid in ("obj-a", "obj-b"):
            assert (out / tree / "objective" / f"{oid}.html").is_file()
        assert (out / tree / "index.html").is_file() and (out / tree / "search.html").is_file()
        assert (out / tree / "changes.html").is_file()
        assert (out / tree / "sector" / "life.html").is_file() and (
            out / tree / "theme" / "data.html"
        ).is_file()
    assert "测试规划" in (out / "zh-hans" / "index.html").read_text(encoding="utf-8")
    assert "測試規劃" in (out / "zh-hant" / "index.html").read_text(encoding="utf-8")
    assert (out / "data" / "status.json").is_file() and (out / "data" / "objectives.csv").is_file()


def test_no_internal_link_is_broken(published) -> None:
    _cli, out = published
    checked = 0
    for page in pages(out):
        if page.suffix != ".html":
            continue
        for ref in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", ref) or ref.startswith("#"):
                continue
            target = (page.parent / ref.split("?")[0].split("#")[0]).resolve()
            assert target.is_file(), (page.relative_to(out), ref)
            checked += 1
    assert checked > 50


def test_nothing_internal_reaches_any_file(published) -> None:
    _cli, out = published
    for page in pages(out):
        if page.suffix == ".xlsx":  # a zip: checked in its own test
            continue
        text = page.read_text(encoding="utf-8")
        assert SECRET not in text, page
        assert "<script>alert" not in text, page
    status = (out / "data" / "status.json").read_text(encoding="utf-8")
    # ind-b's only value is internal: its figure is not published, anywhere.
    assert '"withheld": true' in status
    html = (out / "en" / "objective" / "obj-b.html").read_text(encoding="utf-8")
    assert "not published" in html and "150" not in html


def test_a_rebuild_changes_nothing_but_rewrites_nothing(published) -> None:
    cli, out = published
    before = {p: p.read_bytes() for p in pages(out)}
    r = cli("publish", "--out", out)
    assert r.exit_code == 0 and "0 files written" in r.stderr
    assert {p: p.read_bytes() for p in pages(out)} == before
    other = out.parent / "again"
    assert cli("publish", "--out", other).exit_code == 0
    strip = re.compile(rb'<p class="generated">[^<]*</p>')
    for p, data in before.items():
        assert strip.sub(b"", (other / p.relative_to(out)).read_bytes()) == strip.sub(b"", data), p


def test_a_new_entry_rewrites_only_the_pages_it_touches(published) -> None:
    cli, out = published
    assert cli("log", "obj-a", "a second lab opened").exit_code == 0
    r = cli("publish", "--out", out)
    written = int(re.search(r"(\d+) files written", r.stderr).group(1))  # type: ignore[union-attr]
    assert 0 < written < len(pages(out))


def test_the_search_index_finds_either_script(published) -> None:
    _cli, out = published
    index = (out / "zh-hans" / "search-index.js").read_text(encoding="utf-8")
    assert "通关" in index and "通關" in index  # written 通關, found by 通关 too
    assert SECRET not in index


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    pytest.skip("no Chromium on this machine")


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_run_in_a_real_browser(published, tmp_path: Path, width: int) -> None:
    _cli, out = published
    browser = _chromium()

    def load(url: str) -> tuple[str, str]:
        r = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
             f"--window-size={width},1200", "--virtual-time-budget=3000", "--enable-logging=stderr", "--v=0",
             "--dump-dom", url],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr[-2000:]
        # A script error reaches the console log: any is a failure.
        assert "Uncaught" not in r.stderr and "ERR_" not in r.stderr, r.stderr[-2000:]
        return r.stdout, r.stderr

    dom, _ = load((out / "zh-hant" / "search.html").as_uri() + "?q=通关")
    assert 'data-ready="1"' in dom  # the script ran to its end
    assert "objective/obj-a.html" in dom.split('id="results"')[1]  # and found the Traditional entry
    for page in ("en/index.html", "zh-hans/objective/obj-a.html", "zh-hant/changes.html"):
        dom, _ = load((out / page).as_uri())
        assert 'data-ready="1"' in dom, page


def test_milestone_history_slips_and_quarters(small, plan_file: Path, tmp_path: Path) -> None:
    from .conftest import SMALL_PLAN

    assert small("milestone", "start", "ms-a1", "--on", "2025-02-01").exit_code == 0
    assert small("milestone", "done", "ms-a1", "--on", "2025-06-01").exit_code == 0
    plan_file.write_text(SMALL_PLAN.replace("due = 2026-06-30", "due = 2026-12-31"), encoding="utf-8")
    assert small("plan", "apply", plan_file).exit_code == 0
    out = tmp_path / "site"
    assert small("publish", "--out", out).exit_code == 0
    page = (out / "en" / "objective" / "obj-a.html").read_text(encoding="utf-8")
    assert "<time>2025-02-01</time> → in-progress<br><time>2025-06-01</time> → done" in page
    assert "due date moved from 2026-06-30 to 2026-12-31" in page
    for tree in ("en", "zh-hans", "zh-hant"):
        quarters = sorted(p.name for p in (out / tree / "changes").iterdir())
        assert len(quarters) == 8 and "2026-Q4.html" in quarters
    q4 = (out / "en" / "changes" / "2026-Q4.html").read_text(encoding="utf-8")
    assert "due date moved" in q4
    q2 = (out / "en" / "changes" / "2025-Q2.html").read_text(encoding="utf-8")
    assert "ms-a1" in q2


def test_the_xlsx_download_holds_the_published_figures(published) -> None:
    import openpyxl

    cli, out = published
    book = openpyxl.load_workbook(out / "data" / "objectives.xlsx")
    rows = list(book["objectives"].iter_rows(values_only=True))
    assert rows[0][:3] == ("objective", "indicator", "title")
    by_indicator = {r[1]: r for r in rows[1:] if r[1]}
    assert by_indicator["ind-a"][7] == 4  # a real number, not text
    assert by_indicator["ind-b"][7] in (None, "")  # resting on internal evidence: not published
    before = (out / "data" / "objectives.xlsx").read_bytes()
    assert cli("publish", "--out", out).exit_code == 0
    assert (out / "data" / "objectives.xlsx").read_bytes() == before
