"""Console entry point with a fast path for the command typed most: `plantrack status`.

Typer and the command tree cost about 45 ms before any work starts. `status` with the options
below is parsed here and runs the very same function; anything else (help, other commands,
unusual spellings) goes through the Typer application.
"""

from __future__ import annotations

import sys

_GLOBAL = {"--db": "db_option", "--plan": "plan_option", "--user": "user_option"}
_STATUS_VALUES = {
    "--sector": "sector",
    "--theme": "theme",
    "--park": "park",
    "--rag": "rag",
    "--as-of": "as_of",
    "--known-at": "known_at",
    "--lang": "lang",
}
_STATUS_FLAGS = {"--json": "json", "--all": "all_"}


def fast_status_args(argv: list[str]) -> tuple[dict[str, str], dict[str, object]] | None:
    """Global options and status options from argv, or None if Typer should parse it."""
    globals_: dict[str, str] = {}
    i = 0
    while i < len(argv) and (argv[i] in _GLOBAL or argv[i] == "--demo"):
        if argv[i] == "--demo":
            if "demo" in globals_:
                return None
            globals_["demo"] = "1"
            i += 1
            continue
        if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
            return None
        globals_[_GLOBAL[argv[i]]] = argv[i + 1]
        i += 2
    if i >= len(argv) or argv[i] != "status":
        return None
    opts: dict[str, object] = {}
    i += 1
    while i < len(argv):
        arg = argv[i]
        if arg in _STATUS_FLAGS and _STATUS_FLAGS[arg] not in opts:
            opts[_STATUS_FLAGS[arg]] = True
            i += 1
        elif arg in _STATUS_VALUES and _STATUS_VALUES[arg] not in opts and i + 1 < len(argv):
            value = argv[i + 1]
            if value.startswith("--"):
                return None
            opts[_STATUS_VALUES[arg]] = value
            i += 2
        else:
            return None
    return globals_, opts


def main() -> None:
    parsed = fast_status_args(sys.argv[1:])
    if parsed is None:
        from plantrack.cli.app import main as typer_main

        typer_main()
        return
    import os

    from plantrack.cli.boundary import Failed, guard
    from plantrack.cli.context import state
    from plantrack.cli.run import status

    globals_, opts = parsed
    state.__init__()  # type: ignore[misc]
    state.db_option = globals_.get("db_option")
    state.plan_option = globals_.get("plan_option")
    state.user_option = globals_.get("user_option") or os.environ.get("PLANTRACK_USER")
    state.demo = "demo" in globals_ or os.environ.get("PLANTRACK_DEMO", "").lower() in (
        "1",
        "true",
        "yes",
        "on",
    )
    if "lang" not in opts and os.environ.get("PLANTRACK_LANG"):
        opts["lang"] = os.environ["PLANTRACK_LANG"]
    try:
        guard(lambda: status(**opts))  # type: ignore[arg-type]
    except Failed as f:
        sys.exit(f.code)
