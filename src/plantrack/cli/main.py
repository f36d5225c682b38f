"""Console entry point with a fast path for the command typed most: `plantrack status`.

Typer and the command tree cost about 45 ms before any work starts. `plantrack status` is parsed
here from the same declarations the Typer command is built from (``cli.params``) and runs the
very same function; anything else (help, other commands, unusual spellings, bad values) goes
through the Typer application, which then explains.
"""

from __future__ import annotations

import os
import sys

from plantrack.cli import params
from plantrack.cli.boundary import Failed, guard
from plantrack.cli.context import state
from plantrack.cli.run import status


def main() -> None:
    parsed = params.parse(sys.argv[1:], dict(os.environ))
    if parsed is None or parsed[0].get("debug"):  # --debug: Typer's path prints the traceback
        # The one import of ours inside a function: cli.app loads Typer, which the fast path skips.
        from plantrack.cli.app import main as typer_main

        typer_main()
        return
    globals_, opts = parsed

    def run() -> None:
        state.configure(**globals_)  # type: ignore[arg-type]  # a bad PLANTRACK_LANG is an error too
        status(**opts)  # type: ignore[arg-type]

    try:
        guard(run)
    except Failed as f:
        sys.exit(f.code)
