"""Renderers: one module per output format; this module holds what they all share."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

# C0 and C1 control characters, DEL and bidirectional controls (embeddings, overrides, isolates
# and the marks LRM, RLM, ALM): shown escaped, never obeyed.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")
_UNSAFE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}]")
# What JSON leaves raw but a reader's screen would obey: DEL, C1 and the bidirectional controls.
_JSON_RAW = re.compile(f"[\\x7f-\\x9f{_BIDI}]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object, oneline: bool = False) -> str:
    """User text made harmless for a terminal: control characters shown as escapes."""
    s = "" if text is None else str(text)
    return (_UNSAFE_LINE if oneline else _UNSAFE).sub(_escape, s)


def inert(text: object) -> str:
    """Text for a file another program shows (a calendar): C1 and bidirectional controls shown as
    escapes; line breaks and tabs kept (the format escapes those itself)."""
    s = "" if text is None else str(text)
    return _UNSAFE.sub(_escape, s)


def json_text(obj: Any, indent: int | None = 2) -> str:
    """JSON with Chinese as it is, and every control a screen would obey (DEL, C1, bidirectional)
    written as a \\u escape: still valid JSON that reads back as the same text."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def dump_json(obj: Any) -> None:
    """Print JSON (and only JSON) to stdout."""
    sys.stdout.write(json_text(obj) + "\n")


class _NoBar:
    def __enter__(self) -> Callable[[int, int], None]:
        return lambda done, total: None

    def __exit__(self, *exc: object) -> None:
        return None


class _RichBar:
    """A Rich progress bar on stderr; ``update(done, total)`` (total 0 while unknown)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> Callable[[int, int], None]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(file=sys.stderr), transient=True,
        )  # fmt: skip
        self.progress.__enter__()
        task = self.progress.add_task(safe(self.label, oneline=True), total=None)

        def update(done: int, total: int) -> None:
            self.progress.update(task, completed=done, total=total or None)

        return update

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)


def progress_bar(label: str) -> _NoBar | _RichBar:
    """A progress bar on a terminal, nothing at all otherwise."""
    return _RichBar(label) if sys.stderr.isatty() else _NoBar()
