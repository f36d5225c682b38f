"""Every terminal view in three languages, and a dashboard that reads at 80 columns."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from rich.cells import cell_len

from plantrack.core import scripts
from plantrack.models import Plan
from plantrack.plan import planfile, plansource

from .conftest import Result

Cli = Callable[..., Result]
LANGS = ("en", "zh-Hans", "zh-Hant")


@pytest.fixture(scope="module")
def hetao() -> Plan:
    return planfile.load(plansource.read_source(plansource.embedded_plan_path()))


def objectives_of(plan: Plan) -> list[Any]:
    return list(plan.objectives)


@pytest.mark.parametrize("width", [80, 120, 200])
@pytest.mark.parametrize("code", LANGS)
def test_the_dashboard_shows_every_id_whole_and_the_start_of_every_title(
    cli: Cli, hetao: Plan, monkeypatch: pytest.MonkeyPatch, width: int, code: str
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli("status", "--all", "--lang", code)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(cell_len(line) <= width for line in lines), max(lines, key=cell_len)
    words = r.stdout.split()
    for o in objectives_of(hetao):
        assert o.id in words, f"{o.id} cut or missing at {width} columns"
        title = o.title if code == "en" or not o.title_zh else o.title_zh
        if code == "zh-Hant":
            title = scripts.to_hant(title)
        elif code == "zh-Hans":
            title = scripts.to_hans(title)
        start = re.split(r"[\s-]", title)[0] if code == "en" else title[:4]
        assert start in r.stdout, f"the title of {o.id} is not shown at {width} columns in {code}"


def test_traditional_output_converts_the_plans_simplified_titles(cli: Cli, hetao: Plan) -> None:
    assert hetao.title_zh and scripts.to_hans(hetao.title_zh) == hetao.title_zh  # written in Simplified
    r = cli("status", "--lang", "zh-Hant")
    assert r.exit_code == 0
    assert "河套深港科技創新合作區深圳園區發展規劃" in r.stdout
    assert "时间进度" not in r.stdout and "時間進度" in r.stdout
    simplified = cli("status", "--lang", "zh-Hans")
    assert "河套深港科技创新合作区深圳园区发展规划" in simplified.stdout and "时间进度" in simplified.stdout


@pytest.mark.parametrize(("typed", "label"), [("zh-TW", "時間進度"), ("zh-HK", "時間進度"), ("zh", "时间进度"),
                                              ("zh-CN", "时间进度"), ("en", "Time elapsed")])  # fmt: skip
def test_lang_aliases_choose_the_script(cli: Cli, typed: str, label: str) -> None:
    r = cli("status", "--lang", typed)
    assert r.exit_code == 0 and label in r.stdout


def test_an_unknown_language_is_one_line_and_exit_2(cli: Cli) -> None:
    r = cli("status", "--lang", "fr")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "unknown language 'fr'" in r.stderr and "zh-Hant" in r.stderr


def test_plantrack_lang_and_the_locale_choose_the_language_of_every_command(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANTRACK_LANG", "zh-HK")
    assert "到期" in cli("upcoming", "--within", "10 years").stdout
    monkeypatch.delenv("PLANTRACK_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "时间进度" in cli("status").stdout
    assert "Time elapsed" in cli("--lang", "en", "status").stdout  # the option wins


@pytest.mark.parametrize("code", LANGS)
def test_every_view_renders_in_each_language(cli: Cli, code: str) -> None:
    logged = cli("log", "huanggang-port", "通關安排已完成 https://example.org/%E9%80%9A%E9%97%9C.pdf",
                 "--on", "2026-10-01", "--url", "https://www.gov.hk/%E9%80%9A%E9%97%9C/report.pdf")  # fmt: skip
    assert logged.exit_code == 0, logged.stderr
    milestone = next(m.id for o in objectives_of(planfile.load(plansource.read_source(plansource.embedded_plan_path())))
                     for m in o.milestones)  # fmt: skip
    views = {
        ("status",): {"en": "Progress made", "zh-Hans": "完成进度", "zh-Hant": "完成進度"},
        ("show", "huanggang-port"): {"en": "Milestones", "zh-Hans": "里程碑", "zh-Hant": "里程碑"},
        ("show", milestone): {"en": "milestone of", "zh-Hans": "的里程碑", "zh-Hant": "的里程碑"},
        ("upcoming", "--within", "20 years"): {"en": "due", "zh-Hans": "到期", "zh-Hant": "到期"},
        ("check", "--fail-on", "red"): {"en": "progress", "zh-Hans": "进度", "zh-Hant": "進度"},
        ("evidence",): {"en": "what", "zh-Hans": "内容", "zh-Hant": "內容"},
        ("search", "通关"): {"en": "Evidence", "zh-Hans": "证据", "zh-Hant": "證據"},
        ("history",): {"en": "recorded (UTC)", "zh-Hans": "记录时间", "zh-Hant": "記錄時間"},
    }
    for args, labels in views.items():
        r = (
            cli(*args, "--lang", code)
            if args[0] in ("status", "show", "upcoming", "check")
            else cli("--lang", code, *args)
        )
        assert r.exit_code in (0, 1), (args, r.stderr)
        assert labels[code] in r.stdout, (args, code, r.stdout[:400])


def test_addresses_are_shown_decoded_and_short(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    url = (
        "https://www.sz.gov.cn/attachment/1/"
        + "%E6%B2%B3%E5%A5%97" * 12
        + "/%E9%80%9A%E5%85%B3%E5%AE%89%E6%8E%92.pdf"
    )
    assert cli("log", "huanggang-port", "notice", "--url", url).exit_code == 0
    monkeypatch.setenv("COLUMNS", "100")
    r = cli("evidence", "huanggang-port")
    assert r.exit_code == 0
    assert "%E6" not in r.stdout and "通关安排.pdf" in r.stdout and "sz.gov.cn/…" in r.stdout
    assert "https://" + "x" not in r.stdout


def _on_a_terminal(renderable: Any) -> str:
    import io

    from rich.console import Console

    c = Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=100)
    c.print(renderable)
    return c.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def test_an_address_is_a_clickable_hyperlink_on_a_terminal() -> None:
    from plantrack.render import terminal

    out = _on_a_terminal(terminal.link("https://example.org/%E9%80%9A%E9%97%9C%20plan.pdf"))
    assert "\x1b]8;" in out and "https://example.org/%E9%80%9A%E9%97%9C%20plan.pdf" in out
    assert "example.org/通關 plan.pdf" in out


def test_an_address_that_is_not_a_web_address_is_never_a_link() -> None:
    from plantrack.render import terminal

    out = _on_a_terminal(terminal.link("javascript:alert(1)"))
    assert "\x1b]8;" not in out and "javascript:alert(1)" in out


def test_what_a_command_says_is_in_the_readers_language(cli: Cli) -> None:
    r = cli("--lang", "zh-Hant", "log", "huanggang-port", "口岸通關安排", "--on", "2026-10-01")
    assert r.exit_code == 0 and "已記錄條目" in r.stderr and "huanggang-port 的記錄" in r.stderr
    r = cli("--lang", "zh-Hans", "log", "huanggang-port", "口岸通关安排", "--on", "2026-10-02")
    assert "已记录条目" in r.stderr
    r = cli("--lang", "en", "log", "huanggang-port", "clearance", "--on", "2026-10-03")
    assert "recorded entry" in r.stderr


def test_the_error_line_is_in_the_readers_language_and_still_one_line(cli: Cli) -> None:
    assert cli("init").exit_code == 0
    r = cli("--lang", "zh-Hant", "show", "no-such-objective")
    assert r.exit_code == 2
    assert r.stderr.startswith("plantrack：錯誤：未知的目標、里程碑或指標") and r.stderr.count("\n") == 1
    r = cli("--lang", "en", "show", "HUANGGANG-port")
    assert r.stderr == (
        "plantrack: error: unknown objective, milestone or indicator 'HUANGGANG-port'; did you mean 'huanggang-port'?\n"
    )


def test_plan_change_summaries_are_in_the_readers_language(cli: Cli, plan_file: Any) -> None:
    r = cli("--lang", "zh-Hans", "--plan", plan_file, "init")
    assert r.exit_code == 0 and "规划" in r.stderr
    r = cli("--lang", "zh-Hant", "--plan", plan_file, "plan", "diff", plan_file)
    assert r.exit_code == 0 and ("沒有變更" in r.stderr or "項" in r.stderr), r.stderr


def _status_loads_opencc(env: dict[str, str]) -> bool:
    import subprocess
    import sys

    code = (
        "import sys\nsys.argv = ['plantrack', 'status', '--lang', 'zh-Hant']\n"
        "from plantrack.cli.main import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('OPENCC', 'opencc' in sys.modules, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "河套深港科技創新合作區" in r.stdout
    return "OPENCC True" in r.stderr


def test_titles_converted_once_are_kept_so_the_next_dashboard_needs_no_opencc() -> None:
    import os

    env = dict(os.environ)  # a new database: the first command in the subprocess creates it
    assert _status_loads_opencc(env) is True  # the first Traditional dashboard converts
    assert _status_loads_opencc(env) is False  # the next one reads the kept conversions
    env["PLANTRACK_NO_CACHE"] = "1"
    assert _status_loads_opencc(env) is True  # without the cache, it converts again
