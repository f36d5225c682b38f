"""The reader's language: which of en, zh-Hans and zh-Hant is in use, the message catalogue, and
plan text shown in the reader's script.

Every word a view, report or message prints comes from the catalogue (``plantrack/locale/*.toml``,
one file per part of the product, each key with all three languages), looked up with :func:`t`.
The language is chosen once per command (``--lang``, else ``PLANTRACK_LANG``, else the locale) and
set with :func:`use`; renderers ask :func:`current` rather than passing it through every call.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from plantrack.core import scripts
from plantrack.errors import PlantrackError

LANGS = ("en", "zh-Hans", "zh-Hant")
# What people type, folded to lower case with '_' read as '-'.
ALIASES = {
    "en": "en", "english": "en",
    "zh-hans": "zh-Hans", "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "cn": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh-hant": "zh-Hant", "zh-hk": "zh-Hant", "zh-tw": "zh-Hant", "zh-mo": "zh-Hant",
    "zh-hant-hk": "zh-Hant", "zh-hant-tw": "zh-Hant",
}  # fmt: skip
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current = "en"


def parse(value: str) -> str:
    """A language as typed (``zh-TW``, ``zh_hk``, ``en-GB``) as one of LANGS; bad input is an error."""
    word = value.strip().lower().replace("_", "-")
    if word in ALIASES:
        return ALIASES[word]
    if word.startswith("en-"):
        return "en"
    raise PlantrackError(
        f"unknown language {value!r}", hint="use --lang en, zh-Hans (zh, zh-CN) or zh-Hant (zh-HK, zh-TW)"
    )


def from_locale(env: Mapping[str, str]) -> str:
    """The language of the POSIX locale (LC_ALL, LC_MESSAGES, LANG, in that order); en when it is
    not Chinese or cannot be read. Scripts are told apart by region when the locale names none."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if not value:
            continue
        tag = value.split(".")[0].split("@")[0].lower().replace("_", "-")
        if not tag.startswith("zh"):
            return "en"
        if "hant" in tag or tag.endswith(("-hk", "-tw", "-mo")):
            return "zh-Hant"
        return "zh-Hans"
    return "en"


def resolve(option: str | None, env: Mapping[str, str] | None = None) -> str:
    """The language for a command: ``--lang``, else PLANTRACK_LANG, else the locale."""
    env = os.environ if env is None else env
    if option:
        return parse(option)
    if env.get("PLANTRACK_LANG"):
        return parse(env["PLANTRACK_LANG"])
    return from_locale(env)


def use(code: str) -> None:
    """Make ``code`` (one of LANGS) the language of everything printed from now on."""
    global _current
    if code not in LANGS:
        raise ValueError(code)
    _current = code


def current() -> str:
    return _current


def is_chinese(code: str | None = None) -> bool:
    return (code or _current) != "en"


# The catalogue's one line per key, `key = { en = "…", zh-Hans = "…", zh-Hant = "…" }`, read
# without tomllib: every command prints from the catalogue, and tomllib's import and parse cost
# about 15 ms where this costs under one. A file with any other line is read by tomllib, and a
# test checks that both readings agree on every file shipped.
_STR = r'"(?:[^"\\]|\\[^U])*"'
_LINE = re.compile(
    rf'^(?P<key>"[^"\\]+"|[A-Za-z0-9_-]+) = \{{ en = (?P<en>{_STR}), zh-Hans = (?P<hans>{_STR}), '
    rf"zh-Hant = (?P<hant>{_STR}) \}}$"
)


@cache
def _domain(name: str) -> dict[str, dict[str, str]]:
    text = (LOCALE_DIR / f"{name}.toml").read_text(encoding="utf-8")
    quick = quick_read(text)
    if quick is not None:
        return quick
    import tomllib

    return tomllib.loads(text)


def quick_read(text: str) -> dict[str, dict[str, str]] | None:
    """The catalogue file ``text`` read line by line, or None when a line is not in its one form."""
    out: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            return None
        key = json.loads(m["key"]) if m["key"].startswith('"') else m["key"]
        if key in out:
            return None  # tomllib explains the duplicate
        out[key] = {
            "en": json.loads(m["en"]),
            "zh-Hans": json.loads(m["hans"]),
            "zh-Hant": json.loads(m["hant"]),
        }
    return out


def domains() -> list[str]:
    return sorted(p.stem for p in LOCALE_DIR.glob("*.toml") if p.stem != "glossary")


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """The message ``key`` ("domain.name") in ``lang`` (default: the current one), with ``values``
    filled in. A key missing from a language falls back to English (a test keeps that from
    happening); a key missing altogether is a bug and raises KeyError."""
    domain, _, name = key.partition(".")
    code = lang or _current
    entry = _domain(domain)[name]
    template = entry.get(code) or entry["en"]
    if not values:
        return template
    return template.format(**{k: _said(v, code) for k, v in values.items()})


def _said(value: object, lang: str) -> object:
    """A value for a message: a nested Message said in ``lang``; a tuple a list in that language."""
    if isinstance(value, Message):
        return t(value.key, lang, **value.values)
    if isinstance(value, AnyOf):
        words = [str(_said(v, lang)) for v in value]
        if len(words) < 2:
            return "".join(words)
        return t("common.list_sep", lang).join(words[:-1]) + t("common.or", lang) + words[-1]
    if isinstance(value, tuple):
        return t("common.list_sep", lang).join(str(_said(v, lang)) for v in value)
    return value


class AnyOf(tuple[object, ...]):
    """Words for a message joined as alternatives: "objective, milestone or indicator"."""


def script(text: str, lang: str | None = None) -> str:
    """Chinese text in the script of ``lang``: Simplified for zh-Hans, Hong Kong Traditional for
    zh-Hant; unchanged in English (where it is a quotation) and when it has no Han characters."""
    lang = lang or _current
    if lang == "zh-Hans":
        return scripts.to_hans(text)
    if lang == "zh-Hant":
        return scripts.to_hant(text)
    return text


def pick(english: str, chinese: str | None, lang: str | None = None) -> str:
    """Plan text for the reader: the Chinese version in the reader's script where the plan has one,
    else the English (a title is never blank because its translation is missing)."""
    lang = lang or _current
    if lang != "en" and chinese:
        return script(chinese, lang)
    return english


class Message(str):
    """A sentence for people that remembers its catalogue key and values: it reads as its English
    text wherever a plain string is wanted (JSON, logs, tests), and a view can say it in the reader's
    language with :func:`say`."""

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, **values: object) -> Message:
        obj = super().__new__(cls, t(key, "en", **values))
        obj.key, obj.values = key, values
        return obj

    def __reduce__(self) -> tuple[object, ...]:  # kept in the status cache: pickled with its key
        return (_message, (self.key, self.values))


def _message(key: str, values: dict[str, object]) -> Message:
    return Message(key, **values)


def say(text: str | None, lang: str | None = None) -> str:
    """A sentence in the reader's language where it is a :class:`Message`, else as it is."""
    if isinstance(text, Message):
        return t(text.key, lang, **text.values)
    return "" if text is None else text
