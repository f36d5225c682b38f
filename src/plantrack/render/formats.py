"""Write reports and calendars to files atomically, in the formats asked for."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from plantrack.errors import PlantrackError
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
        from plantrack.render import report_md

        return report_md.render
    if fmt == "html":
        from plantrack.render import report_html

        return report_html.render
    from plantrack.render import report_data

    return report_data.render_json if fmt == "json" else report_data.render_csv


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so no one reads half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
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
