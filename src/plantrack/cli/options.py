"""Option aliases shared by several commands."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from plantrack.cli import params
from plantrack.core import dates


def not_empty(value: Any) -> Any:
    """An option or argument that names a file may be left out, but not given as "" (an empty path
    would silently mean the current folder, or the default)."""
    if isinstance(value, str) and not value.strip():
        raise typer.BadParameter("is empty: give a file name")
    return value


def option(p: params.Param) -> Any:
    """The Typer option for a declaration of cli.params (the fast path reads the same one)."""
    return typer.Option(p.flag, help=p.help, envvar=p.envvar, show_envvar=p.show_envvar)


On = Annotated[
    str | None,
    typer.Option(
        "--on", help="The date the entry refers to (default today), e.g. 2026-09-30, 2026-Q3, 3 days ago."
    ),
]
Note = Annotated[str | None, typer.Option("--note", help="What happened, in a sentence.")]
Url = Annotated[str | None, typer.Option("--url", help="Address of the evidence.")]
Attach = Annotated[
    str | None, typer.Option("--attach", help="A file to keep as evidence.", callback=not_empty)
]
Tags = Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable), e.g. internal.")]
Json = Annotated[bool, option(params.JSON)]
NoPager = Annotated[
    bool, typer.Option("--no-pager", help="Print straight to the terminal, not through $PAGER (less).")
]
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Record it even if it looks like a mistake: dated after today, before the indicator's"
        " baseline date, or the same as an entry already recorded.",
    ),
]
AsOf = Annotated[str | None, option(params.AS_OF)]
KnownAt = Annotated[str | None, option(params.KNOWN_AT)]
Lang = Annotated[str | None, option(params.LANG)]
Since = Annotated[str | None, typer.Option("--since", help="Only entries dated on or after this date.")]
Until = Annotated[str | None, typer.Option("--until", help="Only entries dated on or before this date.")]
PlanFile = Annotated[
    str | None,
    typer.Argument(
        help="Plan file (default: --plan, ./objectives.toml, else the embedded plan).",
        show_default=False,
        callback=not_empty,
    ),
]


# Options whose value is a date, period or span, which people type without quotes
# (`upcoming --within 6 months`, `log ID TEXT --on 3 days ago`).
DATE_OPTIONS = frozenset({"--on", "--within", "--since", "--until", "--as-of", "--period"})


def join_date_phrases(args: list[str]) -> list[str]:
    """``args`` with each date option's value joined to the words that continue it
    (``--on 3 days ago`` → ``--on "3 days ago"``); only closed forms join (dates.phrase_length),
    so a positional argument after a one-word date stays where it was."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":  # what follows is positional, whatever it looks like
            return out + args[i:]
        flag, eq, value = arg.partition("=")
        if flag in DATE_OPTIONS and (eq or i + 1 < len(args)):
            words = [value, *args[i + 1 : i + 3]] if eq else args[i + 1 : i + 4]
            n = dates.phrase_length(words)
            if n > 1:
                phrase = " ".join(words[:n])
                out += [f"{flag}={phrase}"] if eq else [flag, phrase]
                i += n if eq else n + 1
                continue
        out.append(arg)
        i += 1
    return out
