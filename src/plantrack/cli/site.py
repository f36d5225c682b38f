"""`plantrack site`: this site's name and key, and the sites whose bundles it accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plantrack.cli.context import say, state
from plantrack.cli.options import Json
from plantrack.core import dates
from plantrack.core import lang as L
from plantrack.files import write_text
from plantrack.render import dump_json, safe
from plantrack.sites import identity, keys
from plantrack.store import trust

app = typer.Typer(help="This site's name and signing key, and the sites it trusts.", no_args_is_help=True)


def _own() -> identity.Own:
    me = identity.own(state.conn(), state.db_path, state.user(), dates.now_utc())
    if me.created:
        say(L.t("sites.auto_named", name=repr(me.name)))
    return me


def _key_json(k: trust.SiteKey, head: trust.PartnerHead | None = None) -> dict[str, object]:
    return {
        "site": k.site, "name": k.name, "key_id": k.key_id, "fingerprint": k.fingerprint,
        "public_key": k.public_key, "own": k.own, "added_at": k.added_at, "added_by": k.added_by,
        "revoked_at": k.revoked_at, "revoked_by": k.revoked_by, "revoke_reason": k.revoke_reason,
        "last_head": None if head is None else
        {"hash": head.head, "entries": head.position, "received_at": head.received_at},
    }  # fmt: skip


@app.command("init")
def init(
    name: Annotated[
        str,
        typer.Option(
            "--name", help='What partners call this site, e.g. "Shenzhen Park office".', show_default=False
        ),
    ],  # fmt: skip
    new_key: Annotated[
        bool, typer.Option("--new-key", help="Replace this site's key (partners must trust the new one).")
    ] = False,
    json: Json = False,
) -> None:
    """Name this site and make its signing key (kept beside the database, readable by you only)."""
    conn = state.conn()
    had = trust.own_key(conn)
    me = identity.init(conn, state.db_path, name, state.user(), dates.now_utc(), new_key)
    if json:
        dump_json(_key_json(me.key))
        return
    if had is None or me.created:
        if had is not None:
            say(L.t("sites.new_key"))
        say(L.t("sites.initialised", name=repr(me.name), site=me.site))
    else:
        say(L.t("sites.renamed", name=repr(me.name), site=me.site))
    print(me.key.fingerprint)


@app.command("show")
def show(
    out: Annotated[
        str | None, typer.Option("--out", help="Write the public key file (FILE.pub) to send to partners.")
    ] = None,
    json: Json = False,
) -> None:
    """Show this site's name, id, key and fingerprint (to read out over the phone)."""
    me = _own()
    if out is not None:
        path = Path(out).expanduser()
        write_text(path, keys.public_file(me.public))
        say(L.t("sites.wrote_pub", path=path))
    if json:
        dump_json(_key_json(me.key))
        return
    rows = [
        (L.t("sites.name"), me.name), (L.t("sites.site_id"), me.site), (L.t("sites.key_id"), me.key.key_id),
        (L.t("sites.fingerprint"), me.key.fingerprint),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(safe(f"{label.ljust(width)}  {value}", oneline=True))
    say(L.t("sites.read_out"))


@app.command("trust")
def trust_(
    file: Annotated[
        str, typer.Argument(metavar="FILE.pub", help="The other site's public key file.", show_default=False)
    ],  # fmt: skip
    name: Annotated[str, typer.Option("--name", help="What you call that site.", show_default=False)],
    fingerprint: Annotated[
        str | None,
        typer.Option("--fingerprint", help="The fingerprint they read to you: refused unless it matches."),
    ] = None,
    reset_head: Annotated[
        bool,
        typer.Option(
            "--reset-head",
            help="Forget the ledger head they showed last (only after they restored an older backup on purpose).",
        ),
    ] = False,
    json: Json = False,
) -> None:
    """Accept bundles signed by another site's key (compare its fingerprint with them first)."""
    conn = state.conn()
    k = identity.trust_file(
        conn, Path(file).expanduser(), name, state.user(), dates.now_utc(), fingerprint, reset_head
    )
    if json:
        dump_json(_key_json(k))
        return
    say(L.t("sites.trusted", name=repr(k.name), site=k.site, key_id=k.key_id, fingerprint=k.fingerprint))
    print(k.fingerprint)


@app.command("list")
def list_(json: Json = False) -> None:
    """List this site and the sites it trusts, with fingerprints, revocations and last heads."""
    conn = state.conn()
    _own()
    all_keys = trust.keys(conn)
    heads = trust.partner_heads(conn)
    if json:
        dump_json([_key_json(k, None if k.own else heads.get(k.site)) for k in all_keys])
        return
    for k in all_keys:
        if k.own and k.revoked_at:
            continue
        status = (
            L.t("sites.this_site")
            if k.own
            else L.t("sites.revoked_on", day=k.revoked_at[:10])
            if k.revoked_at
            else L.t("sites.trusted_since", day=k.added_at[:10])
        )
        line = f"{k.key_id}  {k.fingerprint}  {k.name} ({k.site})  {status}"
        h = None if k.own else heads.get(k.site)
        if h is not None and h.key_id == k.key_id:
            line += "  " + L.t("sites.last_head", head=h.head[:16], n=h.position, day=h.received_at[:10])
        print(safe(line, oneline=True))
    if not any(not k.own for k in all_keys):
        say(L.t("sites.none_trusted"))


@app.command("revoke")
def revoke(
    site: Annotated[
        str,
        typer.Argument(
            metavar="SITE", help="The site's name, site id, key id or fingerprint.", show_default=False
        ),
    ],  # fmt: skip
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the trust list).")] = None,
    json: Json = False,
) -> None:
    """Stop accepting bundles signed by a site's key (a lost laptop, a key replaced)."""
    k = identity.revoke(state.conn(), site, state.user(), dates.now_utc(), reason)
    if json:
        dump_json(_key_json(k))
        return
    say(L.t("sites.revoked", name=repr(k.name), key_id=k.key_id))
    print(k.key_id)
