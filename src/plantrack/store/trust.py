"""The site's trust list: its own public key, the keys it accepts bundles from, partners' heads."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from plantrack.store import db


@dataclass(frozen=True)
class SiteKey:
    key_id: str
    site: str
    name: str
    public_key: str  # base64
    fingerprint: str
    own: bool
    added_at: str
    added_by: str
    revoked_at: str | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None


@dataclass(frozen=True)
class PartnerHead:
    site: str
    position: int
    head: str
    key_id: str
    received_at: str


_COLUMNS = "key_id, site, name, public_key, fingerprint, own, added_at, added_by, revoked_at, revoked_by, revoke_reason"


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _key(row: tuple[object, ...]) -> SiteKey:
    return SiteKey(
        str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), bool(row[5]), str(row[6]),
        str(row[7]), _opt(row[8]), _opt(row[9]), _opt(row[10]),
    )  # fmt: skip


def keys(conn: sqlite3.Connection) -> list[SiteKey]:
    """Every key, this site's first, then by when it was trusted."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM site_key ORDER BY own DESC, added_at, key_id").fetchall()
    return [_key(r) for r in rows]


def own_key(conn: sqlite3.Connection) -> SiteKey | None:
    """This site's current key (the newest of its own not revoked), or None before it has one."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM site_key WHERE own = 1 AND revoked_at IS NULL ORDER BY added_at DESC LIMIT 1"
    ).fetchone()
    return _key(row) if row else None


def key(conn: sqlite3.Connection, key_id: str) -> SiteKey | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM site_key WHERE key_id = ?", (key_id,)).fetchone()
    return _key(row) if row else None


def add_key(conn: sqlite3.Connection, k: SiteKey) -> None:
    """Insert a key (inside the caller's write transaction)."""
    conn.execute(
        f"INSERT INTO site_key ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (k.key_id, k.site, k.name, k.public_key, k.fingerprint, int(k.own), k.added_at, k.added_by,
         k.revoked_at, k.revoked_by, k.revoke_reason),
    )  # fmt: skip


def rename(conn: sqlite3.Connection, key_id: str, name: str) -> None:
    conn.execute("UPDATE site_key SET name = ? WHERE key_id = ?", (name, key_id))


def revoke(conn: sqlite3.Connection, key_id: str, when: str, user: str, reason: str | None) -> None:
    conn.execute(
        "UPDATE site_key SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE key_id = ?",
        (when, user, reason, key_id),
    )


def site_name(conn: sqlite3.Connection) -> str | None:
    return db.meta(conn, "site_name")


def set_site_name(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('site_name', ?)", (name,))


def partner_head(conn: sqlite3.Connection, site: str) -> PartnerHead | None:
    row = conn.execute(
        "SELECT site, position, head, key_id, received_at FROM partner_head WHERE site = ?", (site,)
    ).fetchone()
    return PartnerHead(str(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4])) if row else None


def partner_heads(conn: sqlite3.Connection) -> dict[str, PartnerHead]:
    rows = conn.execute("SELECT site, position, head, key_id, received_at FROM partner_head").fetchall()
    return {str(r[0]): PartnerHead(str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows}


def set_partner_head(conn: sqlite3.Connection, h: PartnerHead) -> None:
    """Remember a partner's head (inside the caller's write transaction)."""
    conn.execute(
        "INSERT OR REPLACE INTO partner_head (site, position, head, key_id, received_at) VALUES (?,?,?,?,?)",
        (h.site, h.position, h.head, h.key_id, h.received_at),
    )


def forget_partner_head(conn: sqlite3.Connection, site: str) -> None:
    conn.execute("DELETE FROM partner_head WHERE site = ?", (site,))


def mark_signed(conn: sqlite3.Connection, after_id: int, signed_by: str) -> None:
    """Record who vouched for the entries just imported (ids above ``after_id``)."""
    conn.execute(
        "INSERT INTO entry_signer (entry_id, signed_by) SELECT id, ? FROM entry WHERE id > ?",
        (signed_by, after_id),
    )
