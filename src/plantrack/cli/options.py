"""Option aliases shared by several commands."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from plantrack.cli import params


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
Attach = Annotated[str | None, typer.Option("--attach", help="A file to keep as evidence.")]
Tags = Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable), e.g. internal.")]
Json = Annotated[bool, option(params.JSON)]
AsOf = Annotated[str | None, option(params.AS_OF)]
KnownAt = Annotated[str | None, option(params.KNOWN_AT)]
Lang = Annotated[str | None, option(params.LANG)]
Since = Annotated[str | None, typer.Option("--since", help="Only entries dated on or after this date.")]
Until = Annotated[str | None, typer.Option("--until", help="Only entries dated on or before this date.")]
PlanFile = Annotated[
    str | None,
    typer.Argument(
        help="Plan file (default: --plan, ./objectives.toml, else the embedded plan).", show_default=False
    ),
]
