"""Terminal output with Rich: user text is always a Text object (never markup) and made safe."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from plantrack.core.text import describe, snippet
from plantrack.render import safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from plantrack.models import Change, Entry


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not stream.isatty():
        # Piped output has no colour. Its width: COLUMNS, else the terminal the person is
        # looking at (stderr), else wide enough that tables are not squeezed.
        width = _columns() or _terminal_width() or 160
    out = Console(
        file=stream, highlight=False, emoji=False, markup=False, width=width,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
    )  # fmt: skip
    # Rich exits with 1 when the reader closes the pipe; the CLI's one boundary decides instead.
    out.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return out


def _broken_pipe() -> None:
    raise BrokenPipeError


def _columns() -> int | None:
    try:
        return int(os.environ.get("COLUMNS", "")) or None
    except ValueError:
        return None


def _terminal_width() -> int | None:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns if sys.stderr.isatty() else None
    except (OSError, ValueError):
        return None


def text(value: object, style: str = "") -> Text:
    from rich.text import Text

    return Text(safe(value, oneline=True), style=style)


def problems(lines: Sequence[str]) -> None:
    out = console()
    for line in lines:
        out.print(text(line))


def changes(items: Sequence[Change], stderr: bool = False) -> None:
    from rich.table import Table

    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    for col in ("", "kind", "id", "change"):
        table.add_column(col)
    marks = {"added": ("+", "green"), "archived": ("-", "red"), "restored": ("+", "green"),
             "updated": ("~", "yellow")}  # fmt: skip
    for c in items:
        mark, style = marks[c.change]
        if c.change == "updated":
            what = f"{c.field}: {_short(c.old)} → {_short(c.new)}"
        else:
            what = c.change
        table.add_row(text(mark, style), text(c.kind), text(c.object_id), text(what))
    console(stderr).print(table)


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    s = str(value)
    return s if len(s) <= 60 else s[:57] + "..."


def entries(items: Sequence[Entry]) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for col, kw in (("id", {"justify": "right"}), ("on", {}), ("target", {}), ("kind", {}),
                    ("what", {"overflow": "fold", "ratio": 1}), ("user", {})):  # fmt: skip
        table.add_column(col, **kw)
    for e in items:
        style = "dim strike" if e.retracted else ""
        what = describe(e)
        table.add_row(text(e.id), text(e.on), text(e.target), text(e.kind.value),
                      text(what, style), text(e.user))  # fmt: skip
    out = console()
    out.print(table)


def search_results(plan_hits: Sequence[Any], items: Sequence[Entry], terms: Sequence[str]) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    if plan_hits:
        t = Table(box=None, header_style="bold", pad_edge=False, title="In the plan", title_justify="left")
        for col in ("kind", "id", "title"):
            t.add_column(col)
        for h in plan_hits:
            t.add_row(text(h.kind), text(h.id), text(h.title))
        out.print(t)
    if items:
        t = Table(box=None, header_style="bold", pad_edge=False, title="Evidence", title_justify="left")
        for col, kw in (("id", {"justify": "right"}), ("on", {}), ("target", {}), ("user", {}),
                        ("", {"overflow": "fold", "ratio": 1})):  # fmt: skip
            t.add_column(col, **kw)
        for e in items:
            snip, spans = snippet(e.text or describe(e), terms)
            body = Text(safe(snip, oneline=True), style="dim strike" if e.retracted else "")
            if len(safe(snip, oneline=True)) == len(snip):
                for a, b in spans:
                    body.stylize("bold reverse", a, b)
            t.add_row(text(e.id), text(e.on), text(e.target), text(e.user), body)
        out.print(t)


def history(items: Sequence[Any]) -> None:
    from rich.table import Table

    t = Table(box=None, header_style="bold", pad_edge=False)
    for col, kw in (("recorded (UTC)", {}), ("by", {}), ("what", {}), ("", {"overflow": "fold", "ratio": 1})):
        t.add_column(col, **kw)  # type: ignore[arg-type]
    for ev in items:
        style = "dim strike" if ev.retracted else ("yellow" if ev.kind == "slip" else "")
        summary = ev.summary
        cell = text(summary, style)
        if ev.retracted:
            cell.append_text(text(f"  retracted: {ev.reason}", "italic"))
        label = f"plan r{ev.revision}" if ev.source == "plan" else ev.kind
        t.add_row(text(ev.at[:19].replace("T", " ")), text(ev.user), text(label), cell)
    console().print(t)
