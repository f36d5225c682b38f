"""Write reports and calendars to files atomically, in the formats asked for."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from plantrack import files
from plantrack.errors import PlantrackError
from plantrack.render import html, jsoncsv, markdown
from plantrack.report import Report

FORMATS = ("md", "html", "json", "csv")
EXTENSIONS = {"md": ".md", "html": ".html", "json": ".json", "csv": ".csv"}


def parse_formats(text: str) -> list[str]:
    wanted = []
    for part in text.split(","):
        f = part.strip().lower()
        f = {"markdown": "md", "htm": "html"}.get(f, f)
        if not f:
            continue
        if f not in FORMATS:
            raise PlantrackError(f"unknown report format {part.strip()!r}", hint="use md, html, json or csv")
        if f not in wanted:
            wanted.append(f)
    if not wanted:
        raise PlantrackError("no report format given", hint="e.g. --format md,html")
    return wanted


def renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "md":
        return markdown.render
    if fmt == "html":
        return html.render

    return jsoncsv.render_json if fmt == "json" else jsoncsv.render_csv


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so no one reads half a file."""
    try:
        files.write_text(path, text)
    except OSError as e:
        raise PlantrackError(
            f"cannot write {str(path)!r}: {e.strerror}", hint="choose a writable place with --out"
        ) from e


def targets(out: str | None, formats: list[str], stem: str) -> list[tuple[str, Path | None]]:
    """Where each format goes: stdout (None), a file, or files in a folder."""
    if out is None:
        if len(formats) > 1:
            raise PlantrackError("several formats need --out", hint="give a folder: --out reports/")
        return [(formats[0], None)]
    dest = Path(out).expanduser()
    folder = dest.is_dir() or out.endswith(("/", os.sep)) or (len(formats) > 1 and not dest.suffix)
    if folder:
        return [(f, dest / f"{stem}{EXTENSIONS[f]}") for f in formats]
    if len(formats) == 1:
        return [(formats[0], dest)]
    return [(f, dest.with_suffix(EXTENSIONS[f])) for f in formats]
