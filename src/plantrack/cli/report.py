"""Output commands: the scheduled report and the calendar."""

from __future__ import annotations

from typing import Annotated

import typer

from plantrack.cli.context import say, state
from plantrack.cli.options import Json, Lang, not_empty
from plantrack.core import dates
from plantrack.core import lang as L
from plantrack.files import write_bytes, write_text
from plantrack.render import calendar as ics
from plantrack.render import dump_json, formats, progress_bar, site
from plantrack.render.labels import file_stem
from plantrack.report import default_period
from plantrack.service import publish as publishing
from plantrack.service import reports


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("calendar")(calendar)
    app.command("publish")(publish)


def report(
    format_: Annotated[
        str, typer.Option("--format", help="One or more of md, html, json, csv, xlsx, pdf.")
    ] = "md",
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="2026-09, 2026-Q3, 2026-H2, 2026, FY2026/27 (default: the last complete quarter).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Compute as of this date (default: the period's end, or today before it)."
        ),
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at", help="Count only entries recorded by this instant, to regenerate a report as sent."
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out", help="A file, or a folder for several formats (default: stdout).", callback=not_empty
        ),
    ] = None,
    lang: Lang = None,
) -> None:
    """Write the report for a period: headline, RAG by group, objectives, what changed."""
    import sys

    if lang:
        state.use_language(lang)
    chosen = formats.parse_formats(format_)
    conn = state.conn()
    today = state.today()
    p = dates.parse_period(period, today) if period is not None else default_period(today)
    day = dates.parse_date(as_of, today) if as_of is not None else None
    instant = dates.parse_instant(known_at, state.plan().timezone) if known_at is not None else None
    with progress_bar("building the report") as update:
        update(0, len(chosen) + 1)
        built = reports.build(conn, p, day, instant, dates.now_utc())
        update(1, len(chosen) + 1)
        plan = formats.targets(out, chosen, file_stem(built))
        rendered = []
        for n, (fmt, path) in enumerate(plan, start=2):
            rendered.append((fmt, path, formats.renderer(fmt)(built)))
            update(n, len(chosen) + 1)
    for _fmt, path, text in rendered:
        if path is None:
            assert isinstance(text, str)  # a binary format needs --out (formats.targets)
            sys.stdout.write(text)
        else:
            formats.atomic_write(path, text)
            say(L.t("cli.wrote", path=path))


def calendar(
    out: Annotated[
        str, typer.Option("--out", help="The .ics file to write.", show_default=False, callback=not_empty)
    ],
    json: Json = False,
    lang: Lang = None,
) -> None:
    """Write milestones and the review cadence as an iCalendar (.ics) file."""
    from pathlib import Path

    if lang:
        state.use_language(lang)
    conn = state.conn()
    today = state.today()
    data = ics.build(*reports.calendar_inputs(conn, today), today)
    path = Path(out).expanduser()
    if path.is_dir():
        path = path / f"{state.plan().id}.ics"
    formats.atomic_write(path, data.decode("utf-8"))
    say(L.t("cli.wrote", path=path))
    if json:
        dump_json({"path": str(path), "bytes": len(data)})
    else:
        print(path)


def publish(
    out: Annotated[
        str,
        typer.Option(
            "--out", help="The folder to write the site to.", show_default=False, callback=not_empty
        ),
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Progress as of this date (default today).")
    ] = None,
    known_at: Annotated[
        str | None, typer.Option("--known-at", help="Count only entries known here by this instant.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Languages to publish, e.g. en,zh-Hant (default: all three)."),
    ] = None,
) -> None:
    """Publish the plan's progress as a static site in three languages (public evidence only)."""
    langs = tuple(L.parse(x) for x in lang.split(",")) if lang else tuple(site.TREES)
    conn = state.conn()
    today = state.today()
    day = dates.parse_date(as_of, today) if as_of is not None else None
    instant = dates.parse_instant(known_at, state.plan().timezone) if known_at is not None else None
    now = dates.now_utc()
    with progress_bar("publishing") as update:
        portal = publishing.build(conn, day, instant, now)
        pages = list(site.render(portal, dates.utc_stamp(now), langs))
        data = [("data/status.json", site.data_json(portal)), ("data/objectives.csv", site.data_csv(portal))]
        names = [p.split("/")[-1] for p, _ in data] + ["objectives.xlsx"]
        pages += data + [("data/index.html", site.downloads_page(portal, names))]
        from pathlib import Path  # (as calendar does: pathlib is not on the status path)

        root = Path(out).expanduser()
        written = same = 0
        for n, (rel, text) in enumerate(pages, start=1):
            dest = root / rel
            try:
                old = dest.read_text(encoding="utf-8") if dest.is_file() else None
            except (OSError, UnicodeDecodeError):
                old = None
            if old is not None and site.same_but_generated(old, text):
                same += 1
            else:
                write_text(dest, text, durable=False)
                written += 1
            update(n, len(pages))
        book = root / "data" / "objectives.xlsx"
        content = site.data_xlsx(portal, data[1][1])
        if book.is_file() and book.read_bytes() == content:
            same += 1
        else:
            write_bytes(book, content, durable=False)
            written += 1
    say(L.t("site.published", path=root, written=written, same=same))
    print(root)
