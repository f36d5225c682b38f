"""The one registry of report formats (name, file extension, renderer), as jrnl's exporters have;
and writing the rendered reports to files atomically."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from plantrack import files
from plantrack.errors import PlantrackError
from plantrack.render import html, jsoncsv, markdown, pdf, xlsx
from plantrack.report import Report


@dataclass(frozen=True)
class Format:
    extension: str
    render: Callable[[Report], str | bytes]  # bytes for a binary format
    aliases: tuple[str, ...] = ()
    binary: bool = False  # written to a file only (--out), never to stdout
    check: Callable[[], object] | None = None  # raises when the format's optional engine is missing


FORMATS: dict[str, Format] = {
    "md": Format(".md", markdown.render, ("markdown",)),
    "html": Format(".html", html.render, ("htm",)),
    "json": Format(".json", jsoncsv.render_json),
    "csv": Format(".csv", jsoncsv.render_csv),
    "xlsx": Format(".xlsx", xlsx.render, ("excel",), binary=True),
    "pdf": Format(".pdf", pdf.render, binary=True, check=pdf.engine),
}
_ALIASES = {alias: name for name, f in FORMATS.items() for alias in f.aliases}


def parse_formats(text: str) -> list[str]:
    wanted = []
    for part in text.split(","):
        f = part.strip().lower()
        f = _ALIASES.get(f, f)
        if not f:
            continue
        if f not in FORMATS:
            raise PlantrackError(
                f"unknown report format {part.strip()!r}",
                hint=f"use {', '.join(list(FORMATS)[:-1])} or {list(FORMATS)[-1]}",
            )
        if f not in wanted:
            check = FORMATS[f].check
            if check is not None:
                check()  # before anything is built: "how to install it", not a half-done run
            wanted.append(f)
    if not wanted:
        raise PlantrackError("no report format given", hint="e.g. --format md,html")
    return wanted


def renderer(fmt: str) -> Callable[[Report], str | bytes]:
    return FORMATS[fmt].render


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write via a temporary file in the same folder and rename, so no one reads half a file."""
    try:
        if isinstance(data, bytes):
            files.write_bytes(path, data)
        else:
            files.write_text(path, data)
    except OSError as e:
        raise PlantrackError(
            f"cannot write {str(path)!r}: {e.strerror}", hint="choose a writable place with --out"
        ) from e


def targets(out: str | None, formats: list[str], stem: str) -> list[tuple[str, Path | None]]:
    """Where each format goes: stdout (None), a file, or files in a folder."""
    if out is None:
        if len(formats) > 1:
            raise PlantrackError("several formats need --out", hint="give a folder: --out reports/")
        chosen = FORMATS[formats[0]]
        if chosen.binary:
            # Bytes are no use on a terminal and easily mangled in a pipe: the report needs a file.
            raise PlantrackError(
                f"{formats[0]} reports are files, not text: give --out",
                hint=f"--out {stem}{chosen.extension}",
            )
        return [(formats[0], None)]
    dest = Path(out).expanduser()
    folder = dest.is_dir() or out.endswith(("/", os.sep)) or (len(formats) > 1 and not dest.suffix)
    if folder:
        return [(f, dest / f"{stem}{FORMATS[f].extension}") for f in formats]
    if len(formats) == 1:
        return [(formats[0], dest)]
    return [(f, dest.with_suffix(FORMATS[f].extension)) for f in formats]
