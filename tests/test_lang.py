"""The three languages: choosing one, the message catalogue, plan text in the reader's script."""

from __future__ import annotations

import re
import tomllib

import pytest

from plantrack.core import lang, scripts
from plantrack.errors import PlantrackError

PLACEHOLDER = re.compile(r"\{(\w*)[^}]*\}")


def every_key() -> list[tuple[str, str, dict[str, str]]]:
    out = []
    for domain in lang.domains():
        with (lang.LOCALE_DIR / f"{domain}.toml").open("rb") as f:
            for name, entry in tomllib.load(f).items():
                out.append((domain, name, entry))
    return out


def test_the_catalogue_has_keys_in_several_domains() -> None:
    assert "common" in lang.domains()
    assert len(every_key()) > 30


@pytest.mark.parametrize(
    ("domain", "name", "entry"), every_key(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_message_is_in_all_three_languages_with_the_same_placeholders(
    domain: str, name: str, entry: dict[str, str]
) -> None:
    assert set(entry) == set(lang.LANGS), f"{domain}.{name} has {sorted(entry)}"
    assert all(isinstance(v, str) and v for v in entry.values()), f"{domain}.{name} has an empty text"
    wanted = sorted(PLACEHOLDER.findall(entry["en"]))
    for code in ("zh-Hans", "zh-Hant"):
        assert sorted(PLACEHOLDER.findall(entry[code])) == wanted, f"{domain}.{name} in {code}"


@pytest.mark.parametrize(
    ("domain", "name", "entry"), every_key(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_chinese_message_is_written_in_its_own_script(
    domain: str, name: str, entry: dict[str, str]
) -> None:
    assert scripts.to_hans(entry["zh-Hans"]) == entry["zh-Hans"], (
        f"{domain}.{name}: zh-Hans is not Simplified"
    )
    assert scripts.to_hant(entry["zh-Hant"]) == entry["zh-Hant"], (
        f"{domain}.{name}: zh-Hant is not Traditional"
    )


@pytest.mark.parametrize(
    ("typed", "code"),
    [("en", "en"), ("EN-gb", "en"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh_cn", "zh-Hans"),
     ("zh-Hans", "zh-Hans"), ("zh-HK", "zh-Hant"), ("zh-TW", "zh-Hant"), ("zh-Hant", "zh-Hant"),
     ("zh_MO", "zh-Hant")],
)  # fmt: skip
def test_languages_are_read_with_their_aliases(typed: str, code: str) -> None:
    assert lang.parse(typed) == code


def test_an_unknown_language_is_an_error_naming_the_choices() -> None:
    with pytest.raises(PlantrackError) as e:
        lang.parse("fr")
    assert "zh-Hant" in (e.value.hint or "")


@pytest.mark.parametrize(
    ("env", "code"),
    [({}, "en"), ({"LANG": "C.UTF-8"}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh-Hans"),
     ({"LANG": "zh_HK.UTF-8"}, "zh-Hant"), ({"LANG": "zh_TW.Big5"}, "zh-Hant"),
     ({"LC_ALL": "zh_HK.UTF-8", "LANG": "en_GB.UTF-8"}, "zh-Hant"),
     ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
     ({"PLANTRACK_LANG": "zh-TW", "LANG": "zh_CN.UTF-8"}, "zh-Hant")],
)  # fmt: skip
def test_without_an_option_the_language_follows_plantrack_lang_then_the_locale(
    env: dict[str, str], code: str
) -> None:
    assert lang.resolve(None, env) == code


def test_the_option_wins_over_the_environment() -> None:
    assert lang.resolve("en", {"PLANTRACK_LANG": "zh-HK"}) == "en"


def test_plan_text_is_shown_in_the_readers_script() -> None:
    assert lang.pick("Customs clearance", "深圳园区通关", "zh-Hant") == "深圳園區通關"
    assert lang.pick("Customs clearance", "深圳園區通關", "zh-Hans") == "深圳园区通关"
    assert lang.pick("Customs clearance", "深圳园区通关", "en") == "Customs clearance"
    assert lang.pick("Customs clearance", None, "zh-Hant") == "Customs clearance"


def test_messages_fill_in_their_values_in_each_language() -> None:
    assert lang.t("common.rag.red", "zh-Hant") == "紅"
    assert lang.t("common.rag.red", "zh-Hans") == "红"
    assert lang.t("common.rag.red", "en") == "red"


@pytest.mark.parametrize("domain", lang.domains())
def test_the_quick_catalogue_reader_agrees_with_tomllib(domain: str) -> None:
    text = (lang.LOCALE_DIR / f"{domain}.toml").read_text(encoding="utf-8")
    quick = lang.quick_read(text)
    assert quick is not None, f"{domain}.toml has a line the quick reader does not take"
    assert quick == tomllib.loads(text)


def test_a_catalogue_line_in_another_form_falls_back_to_tomllib() -> None:
    assert lang.quick_read('x = { en = "a", zh-Hans = "b", zh-Hant = "c" }\n') == {
        "x": {"en": "a", "zh-Hans": "b", "zh-Hant": "c"}
    }
    assert lang.quick_read('x = { zh-Hans = "b", en = "a", zh-Hant = "c" }\n') is None
    assert lang.quick_read('x = { en = "\\U0001F600", zh-Hans = "b", zh-Hant = "c" }\n') is None
    assert (
        lang.quick_read(
            'x = { en = "a", zh-Hans = "b", zh-Hant = "c" }\nx = { en = "a", zh-Hans = "b", zh-Hant = "c" }\n'
        )
        is None
    )
