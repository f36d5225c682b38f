"""The global options and `status`'s options, declared once and free of Typer.

The Typer command line builds its options from these declarations (``cli.options.typer_option``)
and the fast entry path (``cli.main``) parses ``plantrack status`` with them, so the two cannot
disagree about a name, an environment variable or what a flag's value means.
"""

from __future__ import annotations

from dataclasses import dataclass

from plantrack.limits import DASHBOARD_ROWS

# What Click (under Typer) accepts as a boolean environment value; anything else is an error.
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})


@dataclass(frozen=True)
class Param:
    name: str  # the Python parameter's name
    flag: str  # the option as typed, e.g. --as-of
    help: str
    switch: bool = False  # a boolean flag that takes no value
    envvar: str | None = None
    show_envvar: bool = False


GLOBAL = (
    Param("db", "--db", "Database file (default: $PLANTRACK_DB, else the user data dir)."),
    Param("plan", "--plan", "Plan file (default ./objectives.toml, else the embedded Hetao plan).",
          envvar="PLANTRACK_PLAN", show_envvar=True),
    Param("user", "--user", "Who records entries (default: the login name).", envvar="PLANTRACK_USER",
          show_envvar=True),
    Param("lang", "--lang", "Language: en, zh-Hans (zh, zh-CN) or zh-Hant (zh-HK, zh-TW) "
          "(default: $PLANTRACK_LANG, else the locale)."),
    Param("debug", "--debug", "Show tracebacks.", switch=True),
    Param("demo", "--demo", "Use the demo database: the Hetao plan with its real, sourced evidence.",
          switch=True, envvar="PLANTRACK_DEMO"),
)  # fmt: skip

AS_OF = Param("as_of", "--as-of", "Compute as of this date (default today).")
KNOWN_AT = Param(
    "known_at", "--known-at", "Count only entries recorded by this instant (ISO 8601; plan time zone)."
)
# PLANTRACK_LANG and the locale are read by plantrack.core.lang.resolve, the one place that decides.
LANG = Param("lang", "--lang", "Language: en, zh-Hans (zh, zh-CN) or zh-Hant (zh-HK, zh-TW).")
JSON = Param("json", "--json", "Print JSON instead of a table.", switch=True)

STATUS = (
    Param("sector", "--sector", "Only objectives of this sector."),
    Param("theme", "--theme", "Only objectives of this theme."),
    Param("park", "--park", "shenzhen or hong-kong (objectives of both parks included), or both."),
    Param("rag", "--rag", "Only these RAG levels, e.g. red,amber."),
    AS_OF,
    KNOWN_AT,
    LANG,
    Param("all_", "--all", f"Show every objective, not only the worst {DASHBOARD_ROWS}.", switch=True),
    JSON,
)


def switch_from_env(value: str | None) -> bool | None:
    """A boolean option's environment value as Click reads it; None when unset or not a boolean word."""
    if not value:
        return None
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse(argv: list[str], env: dict[str, str]) -> tuple[dict[str, object], dict[str, object]] | None:
    """``[global options] status [status options]`` as (globals, status options), with environment
    values filled in as Click would; None for anything else, which Typer then parses (and explains)."""
    by_flag = {p.flag: p for p in GLOBAL}
    globals_: dict[str, object] = {}
    i = 0
    while i < len(argv) and argv[i] in by_flag:
        i = _take(argv, i, by_flag[argv[i]], globals_)
        if i < 0:
            return None
    if i >= len(argv) or argv[i] != "status":
        return None
    opts: dict[str, object] = {}
    by_flag = {p.flag: p for p in STATUS}
    i += 1
    while i < len(argv):
        if argv[i] not in by_flag:
            return None
        i = _take(argv, i, by_flag[argv[i]], opts)
        if i < 0:
            return None
    for params, found in ((GLOBAL, globals_), (STATUS, opts)):
        for p in params:
            if p.name in found or p.envvar is None or not env.get(p.envvar):
                continue
            if p.switch:
                value = switch_from_env(env[p.envvar])
                if value is None:
                    return None  # Typer reports the bad value
                found[p.name] = value
            else:
                found[p.name] = env[p.envvar]
    return globals_, opts


def _take(argv: list[str], i: int, p: Param, into: dict[str, object]) -> int:
    """Read the option at argv[i] into ``into``; the next index, or -1 to leave it to Typer."""
    if p.name in into:
        return -1  # given twice: Typer decides what that means
    if p.switch:
        into[p.name] = True
        return i + 1
    if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
        return -1
    into[p.name] = argv[i + 1]
    return i + 2
