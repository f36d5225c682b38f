"""Terminal output with Rich: user text is always a Text object (never markup) and made safe."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from plantrack.core import lang as L
from plantrack.core.text import fmt_num, snippet
from plantrack.render import safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from plantrack.models import Change, Entry


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    if _PAGING and not stderr:
        return _PAGING[-1]  # inside terminal.paged(): the console whose output goes to the pager
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


_WEB = ("http://", "https://", "ftp://")
URL_WIDTH = 48  # a shortened address: the host and the end of the path, enough to recognise it


def short_url(url: str, width: int = URL_WIDTH) -> str:
    """An address as a person reads it: percent-escapes decoded (Chinese file names readable), the
    scheme dropped, the middle elided when it is wider than ``width`` terminal cells."""
    from urllib.parse import unquote, urlsplit

    from rich.cells import cell_len

    parts = urlsplit(url)
    shown = unquote(parts.netloc + parts.path + (f"?{parts.query}" if parts.query else ""), errors="replace")
    shown = shown.removeprefix("www.")
    if cell_len(shown) <= width:
        return shown
    host, _, rest = shown.partition("/")
    if cell_len(host) > width - 10:
        return host[: width - 1] + "…"
    room = width - cell_len(host) - 2
    tail = ""
    for ch in reversed(rest):  # the end of the path names the document: keep as much of it as fits
        if cell_len(ch + tail) > room:
            break
        tail = ch + tail
    return f"{host}/…{tail}"


def link(url: str, style: str = "") -> Text:
    """A web address shortened and decoded, clickable on a terminal that knows hyperlinks (Rich
    writes them only where it writes colour); anything but a web address is plain text."""
    from rich.style import Style
    from rich.text import Text

    if not url.lower().startswith(_WEB) or safe(url, oneline=True) != url:
        return text(url, style)
    return Text(safe(short_url(url), oneline=True), style=Style.parse(style or "none") + Style(link=url))


def entry_text(e: Entry, lang: str | None = None, style: str = "") -> Text:
    """An entry on one line in the reader's language: its value, state or level, its text, its
    address as a link, its file, its tags; retracted and unverified entries say so."""
    from rich.text import Text

    out = Text(style=style)
    kind = e.kind.value
    if kind == "measurement":
        out.append(f"= {fmt_num(e.value)} ")
    elif kind == "milestone" and e.state:
        out.append(f"→ {L.t(f'common.state.{e.state.value}', lang)} ")
    elif kind == "retraction":
        out.append(L.t("views.retracts", lang, uid=e.retracts[:8] if e.retracts else "?") + " ")
    elif kind == "assessment" and e.level:
        out.append(L.t("views.assessed", lang, level=L.t(f"common.level.{e.level.value}", lang)) + " ")
    if e.text:
        out.append(safe(e.text, oneline=True) + " ")
    if e.url:
        out.append_text(link(e.url, style))
        out.append(" ")
    if e.attachment:
        out.append(
            L.t(
                "views.attached",
                lang,
                name=safe(e.attachment.name, oneline=True),
                sha=e.attachment.sha256[:12],
            )
            + " "
        )
    if e.tags:
        out.append(" ".join(f"#{safe(t, oneline=True)}" for t in e.tags) + " ")
    if e.signed_by == "unverified":
        out.append(f"[{L.t('sites.unverified', lang)}] ", style="bold")
    if e.retracted:
        out.append(L.t("views.retracted_mark", lang))
    out.rstrip()
    return out


def problems(lines: Sequence[str]) -> None:
    out = console()
    for line in lines:
        out.print(text(line))


def changes(items: Sequence[Change], stderr: bool = False) -> None:
    from rich.table import Table

    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    for col in ("", "kind", "id", "change"):
        table.add_column(L.t(f"views.col.{col}") if col else "")
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
    out = console()
    rows = []
    for e in items:
        style = "dim strike" if e.retracted else ""
        rows.append({
            "id": text(e.id), "on": text(e.on), "target": text(e.target),
            "kind": text(L.t(f"common.kind.{e.kind.value}")), "what": entry_text(e, style=style),
            "user": text(e.user),
        })  # fmt: skip
    cols = [Col(k, L.t(f"views.col.{'about' if k == 'target' else k}"), "right" if k == "id" else "left")
            for k in ("id", "on", "target", "kind", "what", "user")]  # fmt: skip
    # Ids and dates are never cut; the text takes what is left and wraps; who and what kind give way.
    out.print(fitted(out.width, cols, rows, flex="what", drop=("user", "kind"), flex_min=30))


def search_results(plan_hits: Sequence[Any], items: Sequence[Entry], terms: Sequence[str]) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    if plan_hits:
        t = Table(
            box=None, header_style="bold", pad_edge=False, title=L.t("views.in_plan"), title_justify="left"
        )
        for col in ("kind", "id", "title"):
            t.add_column(L.t(f"views.col.{col}"), no_wrap=col == "id", overflow="fold")
        for h in plan_hits:
            t.add_row(
                text(_object_kind(h.kind)), text(h.id), text(L.pick(h.title, getattr(h, "title_zh", None)))
            )
        out.print(t)
    if items:
        t = Table(
            box=None, header_style="bold", pad_edge=False, title=L.t("views.evidence"), title_justify="left"
        )
        for col, kw in (("id", {"justify": "right", "no_wrap": True}), ("on", {"no_wrap": True}),
                        ("target", {"overflow": "fold"}), ("user", {}), ("", {"overflow": "fold", "ratio": 1})):  # fmt: skip
            t.add_column(L.t(f"views.col.{'about' if col == 'target' else col}") if col else "", **kw)
        for e in items:
            if not e.text:
                t.add_row(text(e.id), text(e.on), text(e.target), text(e.user), entry_text(e))
                continue
            snip, spans = snippet(e.text, terms)
            body = Text(safe(snip, oneline=True), style="dim strike" if e.retracted else "")
            if len(safe(snip, oneline=True)) == len(snip):
                for a, b in spans:
                    body.stylize("bold reverse", a, b)
            t.add_row(text(e.id), text(e.on), text(e.target), text(e.user), body)
        out.print(t)


def history(items: Sequence[Any]) -> None:
    from rich.table import Table

    t = Table(box=None, header_style="bold", pad_edge=False)
    for col, kw in (
        ("recorded", {"no_wrap": True}),
        ("by", {}),
        ("what", {}),
        ("", {"overflow": "fold", "ratio": 1}),
    ):
        t.add_column(L.t(f"views.col.{col}") if col else "", **kw)
    for ev in items:
        style = "dim strike" if ev.retracted else ("yellow" if ev.kind == "slip" else "")
        summary = ev.summary
        cell = text(summary, style)
        if ev.retracted:
            cell.append_text(text(L.t("views.retracted_because", reason=ev.reason), "italic"))
        label = (
            L.t("views.plan_revision_short", rev=ev.revision) if ev.source == "plan" else _event_kind(ev.kind)
        )
        t.add_row(text(ev.at[:19].replace("T", " ")), text(ev.user), text(label), cell)
    console().print(t)


def _object_kind(kind: str) -> str:
    """A plan object's kind in the reader's language, where the catalogue has it."""
    return _first(kind, f"views.object.{kind}")


def _event_kind(kind: str) -> str:
    """An audit event's kind in the reader's language, where the catalogue has it."""
    return _first(kind, f"common.kind.{kind}", f"views.event.{kind}")


def _first(fallback: str, *keys: str) -> str:
    for key in keys:
        try:
            return L.t(key)
        except KeyError:
            continue
    return fallback


@dataclass(frozen=True)
class Col:
    """A column of a table that fits the terminal: ``key`` names the cells, ``header`` is shown."""

    key: str
    header: str
    justify: str = "left"


def fitted(
    width: int,
    columns: Sequence[Col],
    rows: Sequence[dict[str, Text]],
    flex: str,
    drop: Sequence[str] = (),
    flex_min: int = 16,
    clip_lines: int | None = None,
    **table: Any,
) -> Any:
    """A Rich table as wide as the terminal in which no id, date or figure is ever cut: columns
    named in ``drop`` are given up in that order until the ``flex`` column (a title or a text) has
    ``flex_min`` cells, and that column alone wraps (to ``clip_lines`` lines, then an ellipsis)."""
    from rich.cells import cell_len
    from rich.table import Table

    def cells(col: Col) -> int:
        lines = [col.header] + [line for row in rows for line in row[col.key].plain.split("\n")]
        return max(cell_len(line) for line in lines)

    def spare(cols: list[Col]) -> int:
        return width - sum(cells(c) for c in cols if c.key != flex) - 2 * (len(cols) - 1)

    kept = list(columns)
    for key in drop:
        if spare(kept) >= flex_min:
            break
        kept = [c for c in kept if c.key != key]
    room = max(4, spare(kept))
    t = Table(box=None, pad_edge=False, header_style="bold", expand=True, **table)
    for c in kept:
        if c.key == flex:
            t.add_column(c.header, ratio=1, overflow="fold", min_width=min(flex_min, room))
        else:
            t.add_column(c.header, no_wrap=True, min_width=cells(c), justify=c.justify)  # type: ignore[arg-type]
    for row in rows:
        body = row[flex]
        if clip_lines is not None:
            body = clip(body, room, clip_lines)
        t.add_row(*(body if c.key == flex else row[c.key] for c in kept))
    return t


def clip(body: Text, width: int, lines: int) -> Text:
    """``body`` wrapped to ``width`` and cut with an ellipsis after ``lines`` lines."""
    from rich.console import Console
    from rich.text import Text

    wrapped = body.wrap(Console(width=max(width, 1)), width, overflow="fold")
    if len(wrapped) <= lines:
        return body
    head = list(wrapped)[:lines]
    head[-1].rstrip()
    head[-1].truncate(width - 1)
    head[-1].append("…")
    return Text("\n").join(head)


# --- the pager -------------------------------------------------------------------------------

_PAGING: list[Console] = []  # the console of the paged block being printed, if any


def pager_command(env: Mapping[str, str], terminal: bool, wanted: bool = True) -> str | None:
    """The command long output goes through, chosen as git chooses: none when stdout is not a
    terminal or paging is off (--no-pager, --json); else $PLANTRACK_PAGER, else $PAGER, else
    ``less -FRX`` (which prints a short text and quits); none when that is empty or ``cat``."""
    if not (wanted and terminal):
        return None
    command = env.get("PLANTRACK_PAGER")
    if command is None:
        command = env.get("PAGER")
    if command is None:
        command = "less -FRX"
    command = command.strip()
    return None if command in ("", "cat") else command


@contextmanager
def paged(wanted: bool = True) -> Iterator[None]:
    """Print the block's terminal output through the pager (see ``pager_command``), all at once
    when the block ends; without a pager, print as usual."""
    command = pager_command(os.environ, sys.stdout.isatty(), wanted)
    if command is None or not _runnable(command):
        yield
        return
    from rich.pager import Pager

    chosen: str = command

    class CommandPager(Pager):
        def show(self, content: str) -> None:
            _page(chosen, content)

    out = console()
    with out.pager(pager=CommandPager(), styles=True):
        _PAGING.append(out)
        try:
            yield
        finally:
            _PAGING.pop()


def _runnable(command: str) -> bool:
    """Whether the pager's program exists (a missing one would swallow the output)."""
    import shlex
    import shutil

    try:
        words = shlex.split(command)
    except ValueError:
        return False
    return bool(words) and shutil.which(words[0]) is not None


def _page(command: str, content: str) -> None:
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git: quit if one screen, keep colours, leave the screen
    env.setdefault("LV", "-c")
    data = content.encode(sys.stdout.encoding or "utf-8", errors="replace")
    sys.stdout.flush()
    try:
        # The user's own $PAGER, run by the shell as git runs it ("less -R", "most -s").
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(content)
        return
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except BrokenPipeError:
        pass  # the reader quit before the end (q in less): nothing more to show
    while True:
        try:
            proc.wait()
            return
        except KeyboardInterrupt:
            continue  # Ctrl-C belongs to the pager while it runs
