"""Commands that set up, exchange, back up and examine the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plantrack.cli.context import say, state
from plantrack.cli.options import Json, not_empty
from plantrack.core import dates
from plantrack.core import lang as L
from plantrack.errors import DatabaseDamaged, PlantrackError
from plantrack.plan import planfile
from plantrack.render import dump_json, progress_bar, safe
from plantrack.sites import bundle, identity
from plantrack.store import anchor, db, maintenance, migrations, revisions

db_app = typer.Typer(help="Back up, restore and examine the database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("export")(export)
    app.command("import")(import_)
    app.add_typer(db_app, name="db")


def init(
    plan: Annotated[str | None, typer.Option("--plan", help="Plan file to apply.")] = None,
) -> None:
    """Create the database and apply the plan."""
    if plan:
        state.plan_option = plan
    existed = state.db_path.exists() and state.db_path.stat().st_size > 0
    conn = state.conn(bootstrap=False)
    source = planfile.read_source(state.plan_path())
    parsed = planfile.load(source)
    rev, changes = revisions.apply(conn, parsed, source, state.user(), dates.now_utc())
    where = str(state.db_path)
    if rev is None:
        say(L.t("cli.init_up_to_date" if existed else "cli.init_ready", path=where, plan=repr(parsed.id)))
    else:
        say(
            L.t(
                "cli.init_applied",
                path=where,
                plan=repr(parsed.id),
                rev=rev,
                changes=revisions.summarise(changes),
            )
        )
    print(where)


def export(
    out: Annotated[str, typer.Option("--out", help="The bundle file to write (.zip).", show_default=False)],
    since: Annotated[
        str | None, typer.Option("--since", help="Only entries recorded on or after this date.")
    ] = None,
    objective: Annotated[
        list[str] | None, typer.Option("--objective", help="Only entries about this objective (repeatable).")
    ] = None,
    public: Annotated[
        bool, typer.Option("--public", help="Leave out entries tagged internal, for publication.")
    ] = False,
    json: Json = False,
) -> None:
    """Export this site's entries and their files as a signed bundle for another site."""
    conn = state.conn()
    start = None
    if since is not None:
        day = dates.parse_period(since, state.today()).start
        start = dates.utc_stamp(dates.parse_instant(day.isoformat() + "T00:00", state.plan().timezone))
    now = dates.now_utc()
    me = identity.own(conn, state.db_path, state.user(), now)
    if me.created:
        say(L.t("sites.auto_named", name=repr(me.name)))
    if not out.strip():
        raise PlantrackError("--out is empty", hint="name the bundle file, e.g. --out bundle.zip")
    with progress_bar("exporting") as update:
        result = bundle.export(conn, state.db_path, Path(out).expanduser(), me, start, objective or [],
                               public, now, update)  # fmt: skip
    if json:
        dump_json(
            {
                "path": str(result.path), "entries": result.entries, "attachments": result.attachments,
                "left_out": result.left_out, "site": result.site, "key_id": result.key_id,
                "head": result.head,
            }
        )  # fmt: skip
        return
    say(L.t("sites.exported", entries=result.entries, files=result.attachments, path=result.path,
            name=repr(me.name), key_id=result.key_id))  # fmt: skip
    if result.left_out:
        say(L.t("sites.left_out", n=result.left_out))
    print(result.path)


def _size(text: str) -> int:
    """A size such as 500M, 4G or 1048576 (bytes)."""
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.IGNORECASE)
    if not m:
        raise PlantrackError(f"{text[:40]!r} is not a size", hint="e.g. 500M, 4G or a number of bytes")
    scale = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}[m.group(2).upper()]
    value = int(float(m.group(1)) * scale)
    if value <= 0 or value > 2**50:
        raise PlantrackError(f"{text[:40]!r} is not a usable size", hint="e.g. 500M or 4G")
    return value


def import_(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A bundle made by plantrack export.", show_default=False)
    ],
    allow_unsigned: Annotated[
        bool,
        typer.Option(
            "--allow-unsigned",
            help="Accept a bundle that no trusted site signed; its entries are marked unverified.",
        ),
    ] = False,
    max_size: Annotated[
        str, typer.Option("--max-size", help="Refuse a bundle that unpacks to more than this (e.g. 8G).")
    ] = "4G",
    json: Json = False,
) -> None:
    """Import a bundle from another site: signature and every entry checked first, merged by uid."""
    conn = state.conn()
    if not file.strip():
        raise PlantrackError("the bundle's path is empty", hint="give the bundle file")
    limit = _size(max_size)
    with progress_bar("importing") as update:
        result = bundle.import_bundle(conn, state.db_path, Path(file).expanduser(), allow_unsigned, limit,
                                      dates.now_utc(), update)  # fmt: skip
    if json:
        dump_json(
            {
                "added": result.added, "already_present": result.present, "attachments": result.attachments,
                "site": result.site, "name": result.name, "verified": result.verified,
                "key_id": result.key_id, "head": result.head,
            }
        )  # fmt: skip
        return
    if result.verified:
        say(L.t("sites.imported", name=repr(result.name), site=result.site, key_id=result.key_id,
                added=result.added, present=result.present))  # fmt: skip
    else:
        say(L.t("sites.imported_unverified", site=result.site, added=result.added, present=result.present))
    print(result.added)


@db_app.command("backup")
def backup(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="Where to write the backup.", show_default=False, callback=not_empty
        ),
    ],
    json: Json = False,
) -> None:
    """Take an online, consistent backup of the database and its attachments."""
    conn = state.conn()
    dest, files, head = maintenance.backup(conn, state.db_path, Path(file).expanduser())
    if json:
        dump_json({"path": str(dest), "attachments": files, **_head_json(head)})
        return
    say(L.t("cli.backed_up", db=state.db_path, dest=dest, files=files))
    say(_head_words(head))
    print(dest)


def _head_json(head: anchor.Head | None) -> dict[str, object]:
    return {"head": head.hash if head else None, "entries": head.entries if head else 0}


def _readable_head(conn: object) -> anchor.Head | None:
    """The ledger head, or None where the file cannot give it (a damaged database)."""
    import sqlite3

    if not isinstance(conn, sqlite3.Connection):
        return None
    try:
        return anchor.head(conn)
    except sqlite3.DatabaseError:
        return None


def _head_words(head: anchor.Head | None) -> str:
    if head is None:
        return L.t("cli.head_empty")
    return L.t("cli.head_is", head=head.hash, n=head.entries)


@db_app.command("restore")
def restore(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A backup made by plantrack db backup.",
            show_default=False,
            callback=not_empty,
        ),
    ],
) -> None:
    """Check a backup and put it in place of the database (which is kept beside it)."""
    stamp = dates.now_utc().strftime("%Y%m%dT%H%M%SZ")
    kept = maintenance.restore(Path(file).expanduser(), state.db_path, stamp)
    if kept:
        say(L.t("cli.kept_as", path=kept))
    say(L.t("cli.restored", file=file, db=state.db_path))
    say(_head_words(anchor.head(state.conn())))
    print(state.db_path)


@db_app.command("head")
def head(json: Json = False) -> None:
    """Print the ledger head: the hash of the last entry, which anchors every entry before it."""
    h = anchor.head(state.conn())
    if json:
        dump_json(_head_json(h))
        return
    if h is None:
        say(L.t("cli.head_empty"))
        return
    say(L.t("cli.head_check", n=h.entries, id=h.id))
    print(h.hash)


@db_app.command("doctor")
def doctor(
    head: Annotated[
        str | None,
        typer.Option(
            "--head",
            help="A ledger head printed before (by a report, a backup or db head): check the chain"
            " still passes through it.",
        ),
    ] = None,
    json: Json = False,
) -> None:
    """Check integrity, schema, the hash chain (and a head printed before), the summary and search
    index, attachments and orphaned files; exit 1 on trouble."""
    wanted = anchor.parse(head) if head is not None else None
    pending: list[str] = []
    path = state.db_path
    if path.exists():
        import sqlite3

        try:
            probe = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
            pending = migrations.pending_names(probe)
            probe.close()
        except sqlite3.Error:
            pending = []
    try:
        conn = state.conn()
    except DatabaseDamaged:
        conn = None
    if conn is None:  # a damaged file: say what can be read of it, and stop there
        x = maintenance.examine_damaged(path)
    else:
        import sqlite3

        try:
            with progress_bar("checking the hash chain") as update:
                x = maintenance.examine(conn, path, pending, update, wanted)
        except (sqlite3.DatabaseError, DatabaseDamaged):  # a page or a row that cannot be read
            x = maintenance.examine_damaged(path)
    if json:
        dump_json(
            {
                "database": str(path),
                "ok": x.ok,
                "problems": x.problems,
                "attachments": str(db.attachment_dir(path)),
                **_head_json(_readable_head(conn)),
            }
        )
    else:
        for line in x.ok:
            print(safe(f"ok       {line}", oneline=True))
        for line in x.problems:
            print(safe(f"PROBLEM  {line}", oneline=True))
        say(
            L.t("cli.doctor_problems", path=path, n=len(x.problems))
            if x.problems
            else L.t("cli.doctor_ok", path=path)
        )
    if x.problems:
        raise typer.Exit(1)
