"""A site's identity and its trust list: ``site init``, ``show``, ``trust``, ``list``, ``revoke``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from plantrack.core.dates import utc_stamp
from plantrack.errors import PlantrackError
from plantrack.sites import keys
from plantrack.store import db, trust


@dataclass(frozen=True)
class Own:
    site: str
    name: str
    key: trust.SiteKey
    created: bool  # made by this call (a database from before sites gets its key on first use)

    @property
    def public(self) -> keys.PublicKey:
        import base64

        return keys.PublicKey(self.site, self.key.key_id, base64.b64decode(self.key.public_key), self.name)


def _default_name(site: str) -> str:
    return f"site {site}"


def own(conn: sqlite3.Connection, db_path: Path, user: str, now: datetime) -> Own:
    """This site's identity, with a key pair made on first use."""
    site = db.site(conn)
    k = trust.own_key(conn)
    if k is not None:
        return Own(site, trust.site_name(conn) or k.name, k, False)
    return _new_key(conn, db_path, user, now, trust.site_name(conn) or _default_name(site), replace=False)


def _new_key(conn: sqlite3.Connection, db_path: Path, user: str, now: datetime, name: str,
             replace: bool) -> Own:  # fmt: skip
    site = db.site(conn)
    with db.write(conn):
        current = trust.own_key(conn)
        if current is not None and not replace:  # another command made it meanwhile
            return Own(site, trust.site_name(conn) or current.name, current, False)
        pk = keys.generate(db_path, site)
        stamp = utc_stamp(now)
        if current is not None:
            trust.revoke(conn, current.key_id, stamp, user, "replaced by a new key")
        k = trust.SiteKey(pk.key_id, site, name, pk.b64, pk.fingerprint, True, stamp, user)
        trust.add_key(conn, k)
        trust.set_site_name(conn, name)
    return Own(site, name, k, True)


def init(conn: sqlite3.Connection, db_path: Path, name: str, user: str, now: datetime,
         new_key: bool = False) -> Own:  # fmt: skip
    """Name this site (making its key pair if it has none, or a new one with ``new_key``)."""
    name = keys.check_name(name)
    current = trust.own_key(conn)
    if current is None or new_key:
        return _new_key(conn, db_path, user, now, name, replace=new_key)
    with db.write(conn):
        trust.set_site_name(conn, name)
        trust.rename(conn, current.key_id, name)
    k = trust.own_key(conn)
    assert k is not None
    return Own(db.site(conn), name, k, False)


def trust_file(conn: sqlite3.Connection, path: Path, name: str, user: str, now: datetime,
               expected_fingerprint: str | None = None, reset_head: bool = False) -> trust.SiteKey:  # fmt: skip
    """Add another site's public key to the trust list."""
    name = keys.check_name(name)
    import stat

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise PlantrackError(f"{str(path)!r} is not a regular file", hint="give the .pub file")
        if info.st_size > 64 * 1024:
            raise PlantrackError(f"{str(path)!r} is too large to be a public key file", hint="check the path")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlantrackError(f"{str(path)!r} does not exist", hint="check the path") from None
    except IsADirectoryError:
        raise PlantrackError(f"{str(path)!r} is a folder", hint="give the .pub file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise PlantrackError(f"cannot read {str(path)!r}: {e}", hint="check the path") from e
    pk = keys.parse_public_file(text, repr(str(path)))
    if expected_fingerprint is not None:
        given = "".join(expected_fingerprint.split()).upper().replace("-", "")
        if given != pk.fingerprint.replace(" ", ""):
            raise PlantrackError(
                f"the key's fingerprint is {pk.fingerprint}, not {expected_fingerprint.strip()!r}: not trusted",
                hint="do not trust this file; ask the other site to read out its fingerprint again",
            )
    if pk.site == db.site(conn):
        raise PlantrackError(
            f"{str(path)!r} is this site's own key (site {pk.site})",
            hint="trust the other site's file, not your own",
        )
    with db.write(conn):
        existing = trust.key(conn, pk.key_id)
        if existing is not None:
            if existing.public_key != pk.b64:
                raise PlantrackError(f"another key with id {pk.key_id} is already in the trust list")
            if existing.revoked_at:
                raise PlantrackError(
                    f"key {pk.key_id} of {existing.name!r} was revoked on {existing.revoked_at[:10]}",
                    hint="a revoked key is not trusted again; ask the site for a new key",
                )
            trust.rename(conn, pk.key_id, name)
        else:
            trust.add_key(
                conn,
                trust.SiteKey(pk.key_id, pk.site, name, pk.b64, pk.fingerprint, False, utc_stamp(now), user),
            )
        if reset_head:  # they restored an older backup on purpose: accept their history from here
            trust.forget_partner_head(conn, pk.site)
    k = trust.key(conn, pk.key_id)
    assert k is not None
    return k


def find(conn: sqlite3.Connection, ref: str) -> trust.SiteKey:
    """A trusted key by its key id, fingerprint, site id or name (case-insensitive)."""
    wanted = ref.strip()
    compact = "".join(wanted.split()).upper()
    hits = [
        k
        for k in trust.keys(conn)
        if not k.own
        and (
            k.key_id == compact
            or k.fingerprint.replace(" ", "") == compact
            or k.site == wanted
            or k.name.casefold() == wanted.casefold()
        )
    ]
    live = [k for k in hits if not k.revoked_at]
    if len(live) == 1:
        return live[0]
    if len(live) > 1:
        raise PlantrackError(
            f"{ref!r} names {len(live)} trusted keys", hint="give the key id that 'plantrack site list' shows"
        )
    if hits:
        raise PlantrackError(f"the key of {hits[0].name!r} ({hits[0].key_id}) is already revoked")
    raise PlantrackError(
        f"no trusted site is called {ref!r}", hint="'plantrack site list' shows the names and key ids"
    )


def revoke(conn: sqlite3.Connection, ref: str, user: str, now: datetime, reason: str | None) -> trust.SiteKey:
    k = find(conn, ref)
    with db.write(conn):
        trust.revoke(conn, k.key_id, utc_stamp(now), user, reason)
    out = trust.key(conn, k.key_id)
    assert out is not None
    return out
