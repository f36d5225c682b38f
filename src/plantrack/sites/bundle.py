"""Exchange bundles between sites: a signed zip of a site's own entries, imported by uid.

A bundle is a zip file holding ``manifest.json`` (format, the signing site, plan, counts, the
sending ledger's head, and the sha256 and size of every other member), its minisign signature
``manifest.json.minisig``, ``entries.jsonl`` (one entry a line, each with its place in the
sender's hash chain), ``chain.bin`` (the sender's whole chain: 32 bytes per entry), ``plan.json``
(the plan as applied there) and ``attachments/<sha256>``.

Import checks the signature against the trust list before it reads anything else, then
streams every member to disk under a size cap, checks each against the signed manifest, each
entry as a local write is checked, each entry's place in the signed chain, and that the chain
still passes through the head the sender showed last time; only then does it write, in one
transaction. A site exports its own entries only: entries are accepted from the site that
signed them and no other, so no one can speak for a site without its key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import zipfile

from plantrack import files, models
from plantrack.core.dates import now_utc, utc_stamp
from plantrack.errors import PlantrackError
from plantrack.models import Kind
from plantrack.sites import checks, identity, keys
from plantrack.sites.checks import BundleRefused
from plantrack.store import db, fts, ledger, maintenance, revisions, trust

FORMAT = "plantrack-bundle"
VERSION = 2
MAX_TOTAL = 4 * 2**30  # bytes a bundle may unpack to, all members together (import --max-size)
MAX_MANIFEST = 4 * 2**20
MAX_SIGNATURE = 4096
UNVERIFIED = "unverified"
_ATTACHMENT = re.compile(r"attachments/([0-9a-f]{64})")
_KNOWN = {"manifest.json", "manifest.json.minisig", "entries.jsonl", "plan.json", "chain.bin"}
_CHUNK = 1 << 20

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Exported:
    path: Path
    entries: int
    attachments: int
    left_out: int  # entries of other sites, which those sites export themselves
    site: str
    key_id: str
    head: str | None


@dataclass(frozen=True)
class Imported:
    added: int
    present: int
    attachments: int
    site: str
    name: str
    verified: bool
    key_id: str | None
    head: str | None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


is_internal = ledger.is_internal


# --- export ----------------------------------------------------------------------------------


def export(conn: sqlite3.Connection, db_path: Path, out: Path, signer: identity.Own,
           since: str | None = None, objectives: Sequence[str] = (), public: bool = False,
           now: datetime | None = None, progress: Progress | None = None) -> Exported:  # fmt: skip
    """Write a signed bundle of this site's chosen entries (and the files they reference)."""
    store = db.attachment_dir(db_path)
    secret = keys.load_secret(db_path, signer.key.key_id)
    plan_id = revisions.current_plan_id(conn)
    rev = revisions.latest_revision(conn)
    if plan_id is None or rev is None:
        raise PlantrackError("the database holds no plan yet", hint="run 'plantrack init'")
    targets: set[str] | None = None
    if objectives:
        targets = set()
        for oid in objectives:
            ledger.find_target(conn, oid, ("objective",), allow_archived=True)
            targets.update(ledger.target_family(conn, oid))
    # Walk the whole chain once: every hash goes into chain.bin; this site's chosen entries are
    # noted by row id and place (only small values are kept: a ledger may be millions long).
    chain = bytearray()
    chosen: dict[int, int] = {}  # row id -> place in the chain (1-based)
    own: dict[str, tuple[int, int, bool]] = {}  # uid -> (row id, place, internal)
    retractions: list[tuple[int, str]] = []  # chosen retractions: (row id, uid withdrawn)
    left_out = 0
    ids = ledger.all_ids(conn)
    for start in range(0, len(ids), 5000):
        for e in ledger.entries_by_id(conn, ids[start : start + 5000]):
            chain += bytes.fromhex(e.hash)
            if e.site != signer.site:
                left_out += 1
                continue
            place = len(chain) // 32
            internal = is_internal(e.tags)
            own[e.uid] = (e.id, place, internal)
            if targets is not None and e.target not in targets:
                continue
            if since is not None and e.recorded_at < since:
                continue
            if public and internal:
                continue
            chosen[e.id] = place
            if e.kind == Kind.RETRACTION and e.retracts:
                retractions.append((e.id, e.retracts))
    # A retraction travels with what it withdraws (unless that is kept from the public); a
    # public bundle does not show that something was withdrawn from it.
    for rid, withdrawn_uid in retractions:
        withdrawn = own.get(withdrawn_uid)
        if withdrawn is not None and not (public and withdrawn[2]):
            chosen.setdefault(withdrawn[0], withdrawn[1])
        elif public:
            del chosen[rid]
    del own
    order = sorted(chosen)
    places = (min(chosen.values()), max(chosen.values())) if chosen else None
    chain_bytes = bytes(chain)
    del chain
    plan_bytes = json.dumps(
        {"revision": rev.rev, "sha256": rev.sha256, "plan": json.loads(revisions.plan_json(conn, rev.rev))},
        ensure_ascii=False, sort_keys=True, indent=1,
    ).encode("utf-8")  # fmt: skip
    import tempfile

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        spool = tempfile.NamedTemporaryFile(
            dir=out.parent, prefix=f".{out.name}.", suffix=".entries", delete=False
        )
    except OSError as exc:
        raise PlantrackError(
            f"cannot write {str(out)!r}: {exc.strerror}", hint="choose a writable place with --out"
        ) from exc
    spool_path = Path(spool.name)
    try:
        # Stream the chosen entries to a spool file, hashing as they go.
        digest = hashlib.sha256()
        size = 0
        shas: set[str] = set()
        with spool:
            for start in range(0, len(order), 5000):
                for e in ledger.entries_by_id(conn, order[start : start + 5000]):
                    place = chosen[e.id]
                    prev = (
                        chain_bytes[(place - 2) * 32 : (place - 1) * 32].hex()
                        if place > 1
                        else ledger.GENESIS
                    )
                    line = (
                        json.dumps(_entry_line(e, prev, place), ensure_ascii=False, sort_keys=True) + "\n"
                    ).encode()
                    digest.update(line)
                    size += len(line)
                    spool.write(line)
                    if e.attachment is not None:
                        shas.add(e.attachment.sha256)
        return _write_bundle(out, spool_path, digest.hexdigest(), size, len(order), sorted(shas), plan_bytes,
                             chain_bytes, store, signer, secret, plan_id, rev, since, objectives, public, now,
                             progress, left_out, places)  # fmt: skip
    except OSError as exc:
        raise PlantrackError(
            f"cannot write {str(out)!r}: {exc.strerror}", hint="choose a writable place with --out"
        ) from exc
    finally:
        spool_path.unlink(missing_ok=True)


def _write_bundle(out: Path, spool: Path, entries_sha: str, entries_size: int, n_entries: int,
                  shas: list[str], plan_bytes: bytes, chain_bytes: bytes, store: Path,
                  signer: identity.Own, secret: keys.Secret, plan_id: str, rev: models.Revision,
                  since: str | None, objectives: Sequence[str], public: bool, now: datetime | None,
                  progress: Progress | None, left_out: int,
                  places: tuple[int, int] | None) -> Exported:  # fmt: skip
    members: dict[str, dict[str, Any]] = {
        "entries.jsonl": {"sha256": entries_sha, "size": entries_size},
        "plan.json": {"sha256": _sha(plan_bytes), "size": len(plan_bytes)},
        "chain.bin": {"sha256": _sha(chain_bytes), "size": len(chain_bytes)},
    }
    for sha in shas:
        path = ledger.attachment_path(store, sha)
        if not path.is_file():
            raise PlantrackError(
                f"attachment {sha[:12]}… is missing from {store}", hint="run plantrack db doctor"
            )
        members[f"attachments/{sha}"] = {"sha256": sha, "size": path.stat().st_size}
    head = chain_bytes[-32:].hex() if chain_bytes else None
    created = utc_stamp(now or now_utc())
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "site": {"id": signer.site, "name": signer.name, "key_id": signer.key.key_id,
                 "fingerprint": signer.key.fingerprint},
        "plan": {"id": plan_id, "revision": rev.rev, "sha256": rev.sha256},
        "created_at": created,
        "head": {"hash": head, "position": len(chain_bytes) // 32},
        "filters": {"since": since, "objectives": sorted(objectives), "public": public},
        "counts": {"entries": n_entries, "attachments": len(shas)},
        # The places in the sender's chain of the first and the last entry the bundle carries.
        "range": {"first": places[0], "last": places[1]} if places else None,
        "members": members,
    }  # fmt: skip
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    signature = keys.sign(
        secret, manifest_bytes, f"plantrack bundle from site {signer.site}, {created}, head {head or 'none'}"
    )
    try:
        import zipfile  # only bundles need it

        with files.replacing(out) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", manifest_bytes)
            z.writestr("manifest.json.minisig", signature)
            z.write(spool, "entries.jsonl")
            z.writestr("plan.json", plan_bytes)
            z.writestr("chain.bin", chain_bytes, compress_type=zipfile.ZIP_STORED)
            for n, sha in enumerate(shas, start=1):
                z.write(ledger.attachment_path(store, sha), f"attachments/{sha}")
                if progress is not None:
                    progress(n, len(shas))
    except OSError as e:
        raise PlantrackError(
            f"cannot write {str(out)!r}: {e.strerror}", hint="choose a writable place with --out"
        ) from e
    return Exported(out, n_entries, len(shas), left_out, signer.site, signer.key.key_id, head)


def _entry_line(e: models.Entry, prev_hash: str, position: int) -> dict[str, Any]:
    line = ledger.hashed_content(e)
    line["prev_hash"] = prev_hash
    line["hash"] = e.hash
    line["position"] = position
    return line


# --- import: open, verify the signature, unpack under a cap -----------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    import zipfile

    try:
        info = path.stat()
    except FileNotFoundError:
        raise PlantrackError(f"bundle {str(path)!r} does not exist", hint="check the path") from None
    except OSError as e:
        raise PlantrackError(f"cannot read bundle {str(path)!r}: {e.strerror}", hint="check the path") from e
    if stat.S_ISDIR(info.st_mode):
        raise PlantrackError(f"{str(path)!r} is a directory", hint="give the bundle file")
    if not stat.S_ISREG(info.st_mode):
        raise PlantrackError(f"{str(path)!r} is not a regular file", hint="give the bundle file")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise BundleRefused(f"{str(path)!r} is not a plantrack bundle (not a zip file)") from e


def _check_names(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in z.infolist():
        name = info.filename
        if name.endswith("/") and info.file_size == 0 and name.rstrip("/") == "attachments":
            continue
        if (
            not name
            or name.startswith(("/", "\\"))
            or "\\" in name
            or re.match(r"^[A-Za-z]:", name)
            or any(part in ("", ".", "..") for part in name.split("/"))
        ):
            raise BundleRefused(f"member {name[:80]!r} would land outside the bundle's folder")
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind and kind != stat.S_IFREG:
            raise BundleRefused(f"member {name[:80]!r} is a link or special file")
        if name not in _KNOWN and not _ATTACHMENT.fullmatch(name):
            raise BundleRefused(f"unexpected member {name[:80]!r}")
        if name in infos:
            raise BundleRefused(f"member {name[:80]!r} appears twice")
        infos[name] = info
    for required in ("manifest.json", "entries.jsonl", "plan.json"):
        if required not in infos:
            raise BundleRefused(f"it has no {required}")
    return infos


def _unreadable() -> tuple[type[BaseException], ...]:
    """What reading a damaged or crafted zip member raises: the compressed bytes are not covered
    by the signature (only what they decompress to is), so any of these is a refusal."""
    import lzma
    import zipfile
    import zlib

    return (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, RuntimeError, EOFError, ValueError,
            NotImplementedError, OverflowError)  # fmt: skip


def _read_small(z: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    try:
        with z.open(info) as f:
            data = f.read(cap + 1)
    except _unreadable() as e:
        raise BundleRefused(f"member {info.filename!r} cannot be read: {e}") from e
    if len(data) > cap:
        raise BundleRefused(f"member {info.filename!r} is larger than {cap} bytes")
    return data


@dataclass(frozen=True)
class Signer:
    site: str
    name: str
    key_id: str | None  # None: unverified
    why_unverified: str | None = None


def _signer(conn: sqlite3.Connection, z: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo],
            manifest_bytes: bytes, allow_unsigned: bool) -> Signer | None:  # fmt: skip
    """The trusted key that signed the manifest, or None where unsigned bundles are allowed."""
    how = "import it only if you know where it came from, with --allow-unsigned"
    if "manifest.json.minisig" not in infos:
        if allow_unsigned:
            return None
        raise BundleRefused("it is not signed", hint=how)
    try:
        sig = keys.parse_signature(_read_small(z, infos["manifest.json.minisig"], MAX_SIGNATURE))
    except keys.BadSignature as e:
        if allow_unsigned:
            return None
        raise BundleRefused(f"its signature is unreadable: {e}") from None
    k = trust.key(conn, sig.key_id)
    if k is None:
        if allow_unsigned:
            return None
        raise BundleRefused(
            f"it is signed by key {sig.key_id}, which this site does not trust",
            hint="if it is a partner's, compare its fingerprint with them by phone, then:"
            " plantrack site trust THEIR.pub --name NAME",
        )
    if k.own:
        raise BundleRefused("it was exported by this site itself")
    if k.revoked_at:  # --allow-unsigned is for bundles of unknown origin, not for a revoked key
        raise BundleRefused(
            f"it is signed by the key of {k.name!r} ({k.key_id}), revoked on {k.revoked_at[:10]}"
        )
    import base64

    try:
        keys.verify(base64.b64decode(k.public_key), sig, manifest_bytes)
    except keys.BadSignature:  # a trusted key's signature that fails: altered, flag or no flag
        raise BundleRefused(
            f"its signature by {k.name!r} ({k.key_id}) does not match: it was altered"
        ) from None
    return Signer(k.site, k.name, k.key_id)


def _members(manifest: dict[str, Any], infos: dict[str, zipfile.ZipInfo]) -> dict[str, tuple[str, int]]:
    members = manifest.get("members")
    if not isinstance(members, dict):
        raise BundleRefused("its manifest lists no members")
    out: dict[str, tuple[str, int]] = {}
    for name, spec in members.items():
        if not isinstance(spec, dict) or set(spec) != {"sha256", "size"}:
            raise BundleRefused(f"the manifest's entry for {name[:80]!r} is malformed")
        sha, size = spec["sha256"], spec["size"]
        if not isinstance(sha, str) or not checks.HEX64.fullmatch(sha):
            raise BundleRefused(f"the manifest's sha256 of {name[:80]!r} is malformed")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise BundleRefused(f"the manifest's size of {name[:80]!r} is malformed")
        m = _ATTACHMENT.fullmatch(name)
        if m and m.group(1) != sha:
            raise BundleRefused(f"attachment {name!r} is not named by its sha256")
        out[name] = (sha, size)
    if set(out) != set(infos) - {"manifest.json", "manifest.json.minisig"}:
        raise BundleRefused("its members do not match the manifest")
    return out


@contextmanager
def _incoming(store: Path) -> Iterator[Path]:
    """A private folder beside the attachment store to unpack into; removed whatever happens."""
    import tempfile

    parent = store.parent
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".incoming-{store.name}-", dir=parent))
    except OSError as e:
        raise PlantrackError(f"cannot unpack the bundle in {str(parent)!r}: {e.strerror}") from e
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _unpack(z: zipfile.ZipFile, info: zipfile.ZipInfo, expected: tuple[str, int], dest: Path) -> None:
    """Stream one member to ``dest``, never past its signed size; check its sha256."""
    sha, size = expected
    digest = hashlib.sha256()
    written = 0
    try:
        out = open(dest, "wb")  # noqa: SIM115 - closed below, apart from the member's reader
    except OSError as e:
        raise PlantrackError(
            f"cannot unpack {info.filename!r}: {e.strerror}", hint="check the free space"
        ) from e
    with out:
        try:
            src = z.open(info)
        except _unreadable() as e:
            raise BundleRefused(f"member {info.filename!r} cannot be read: {e}") from e
        with src:
            while True:
                try:
                    chunk = src.read(_CHUNK)
                except _unreadable() as e:
                    raise BundleRefused(f"member {info.filename!r} cannot be read: {e}") from e
                if not chunk:
                    break
                written += len(chunk)
                if written > size:
                    raise BundleRefused(f"member {info.filename!r} is larger than its manifest says")
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as e:
                    raise PlantrackError(
                        f"cannot unpack {info.filename!r}: {e.strerror}", hint="free some disk space"
                    ) from e
    if written != size or digest.hexdigest() != sha:
        raise BundleRefused(f"member {info.filename!r} has changed (sha256 mismatch)")


def _lines(f: IO[bytes]) -> Iterator[tuple[int, str]]:
    for n, raw in enumerate(iter(lambda: f.readline(checks.MAX_LINE + 1), b""), start=1):
        if len(raw) > checks.MAX_LINE:
            raise BundleRefused(f"entry on line {n} is longer than {checks.MAX_LINE} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BundleRefused(f"entry on line {n} is not UTF-8") from None
        if text.strip():
            yield n, text


@dataclass
class Verified:
    manifest: dict[str, Any]
    signer: Signer
    entries: list[models.Entry]
    chain: bytes
    folder: Path  # where the attachments were unpacked (removed after the import)


def _manifest(raw: bytes, plan_id: str | None) -> dict[str, Any]:
    manifest = checks.loads(raw, "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != "plantrack-bundle":
        raise BundleRefused("it is not a plantrack bundle")
    if manifest.get("version") != VERSION:
        raise BundleRefused(
            f"bundle format version {str(manifest.get('version'))[:20]!r} is not supported"
            f" (this plantrack reads {VERSION}; ask the sender to export with the same release)"
        )
    site, plan, head, counts = (manifest.get(k) for k in ("site", "plan", "head", "counts"))
    if not (
        isinstance(site, dict)
        and isinstance(plan, dict)
        and isinstance(head, dict)
        and isinstance(counts, dict)
    ):
        raise BundleRefused("its manifest is malformed")
    if not isinstance(site.get("id"), str) or not keys.SITE_ID.fullmatch(site["id"]):
        raise BundleRefused("its manifest names no valid site")
    if not isinstance(site.get("name"), str):
        raise BundleRefused("its manifest names no site")
    if plan_id is not None and plan.get("id") != plan_id:
        raise BundleRefused(f"it is for plan {str(plan.get('id'))[:80]!r}, this database holds {plan_id!r}")
    position, hash_ = head.get("position"), head.get("hash")
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise BundleRefused("its manifest's head is malformed")
    if (position == 0) != (hash_ is None) or (
        hash_ is not None and not (isinstance(hash_, str) and checks.HEX64.fullmatch(hash_))
    ):
        raise BundleRefused("its manifest's head is malformed")
    n = counts.get("entries")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise BundleRefused("its manifest's counts are malformed")
    return manifest


def _mapped(path: Path) -> bytes:
    """A file's bytes, mapped rather than read: a partner's chain may be long."""
    import mmap

    size = path.stat().st_size
    if size == 0:
        return b""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # type: ignore[return-value]


def _entries(conn: sqlite3.Connection, folder: Path, manifest: dict[str, Any],
             members: dict[str, tuple[str, int]], signer: Signer, signed: bool,
             own_site: str) -> tuple[list[models.Entry], bytes]:  # fmt: skip
    """Parse and check every entry line against the sender's signed chain; nothing is written."""
    claimed = signer.site
    if "chain.bin" not in members:
        raise BundleRefused("it carries no chain.bin (made by an older plantrack: export it again)")
    chain = _mapped(folder / "chain.bin")
    head = manifest["head"]
    if (
        len(chain) % 32
        or len(chain) // 32 != head["position"]
        or (chain and chain[-32:].hex() != head["hash"])
    ):
        raise BundleRefused("its chain does not end at the head its manifest names")
    entries: list[models.Entry] = []
    seen: set[str] = set()
    first_position = last_position = 0
    with open(folder / "entries.jsonl", "rb") as f:
        for n, raw in _lines(f):
            e, prev, position = checks.parse_line(raw, n)
            where = f"entry {e.uid[:12]}… (line {n})"
            if e.uid in seen:
                raise BundleRefused(f"{where} repeats a uid")
            seen.add(e.uid)
            if e.site != claimed:
                if e.site == own_site:
                    raise BundleRefused(f"{where} claims to be from this site")
                raise BundleRefused(
                    f"{where} claims site {e.site[:64]!r}, but the bundle is from {signer.name!r}"
                    " (each site exports its own entries)"
                )
            if not entries:
                first_position = position
            if position <= last_position or position > len(chain) // 32:
                raise BundleRefused(f"{where} is out of its place in the sender's ledger")
            last_position = position
            expected_prev = (
                chain[(position - 2) * 32 : (position - 1) * 32].hex() if position > 1 else ledger.GENESIS
            )
            if prev != expected_prev or chain[(position - 1) * 32 : position * 32].hex() != e.hash:
                raise BundleRefused(f"{where} is not where the sender's chain says it is")
            if ledger.entry_hash(prev, ledger.hashed_content(e)) != e.hash:
                raise BundleRefused(f"{where} was changed after it was recorded (hash mismatch)")
            entries.append(e)
    if manifest["counts"]["entries"] != len(entries):
        raise BundleRefused("the entry count does not match the manifest")
    expected_range = {"first": first_position, "last": last_position} if entries else None
    if manifest.get("range") != expected_range:
        raise BundleRefused("the range of entries does not match the manifest")
    attachment_names = {name.split("/")[-1] for name in members if name.startswith("attachments/")}
    referenced = {e.attachment.sha256 for e in entries if e.attachment is not None}
    if attachment_names - referenced:
        raise BundleRefused("it carries files no entry refers to")
    for e in entries:
        if e.attachment is not None and e.attachment.sha256 in attachment_names:
            if members[f"attachments/{e.attachment.sha256}"][1] != e.attachment.size:
                raise BundleRefused(f"entry {e.uid[:12]}…: its attachment's size is not the file's")
    # The sender's history must still pass through the head it showed last time.
    if signed:
        _check_partner_head(conn, signer, chain)
    return entries, chain


def _check_partner_head(conn: sqlite3.Connection, signer: Signer, chain: bytes) -> None:
    """The sender's chain must still pass through the head it showed last time."""
    known = trust.partner_head(conn, signer.site)
    if known is None:
        return
    p = known.position
    if p > len(chain) // 32:
        raise BundleRefused(
            f"this bundle from {signer.name!r} holds {len(chain) // 32} entries of its ledger, fewer than the"
            f" {p} of the bundle received on {known.received_at[:10]}: it is older than that one, or their"
            " history was cut short",
            hint="import their newest bundle; if they restored an older backup on purpose, accept it with:"
            " plantrack site trust THEIR.pub --name NAME --reset-head",
        )
    if p > len(chain) // 32 or chain[(p - 1) * 32 : p * 32].hex() != known.head:
        raise BundleRefused(
            f"the ledger of {signer.name!r} no longer passes through the head it showed on"
            f" {known.received_at[:10]} (entry {p}, {known.head[:12]}…): its history was rewritten or"
            " shortened",
            hint="ask them to run 'plantrack db doctor'; only if they restored an older backup on purpose,"
            " accept it with: plantrack site trust THEIR.pub --name NAME --reset-head",
        )


def verify(conn: sqlite3.Connection, path: Path, folder: Path, allow_unsigned: bool = False,
           max_size: int = MAX_TOTAL) -> Verified:  # fmt: skip
    """Check the signature first, then unpack and check every member and entry; write nothing."""
    plan_id = revisions.current_plan_id(conn)
    own_site = db.site(conn)
    with _open(path) as z:
        infos = _check_names(z)
        manifest_bytes = _read_small(z, infos["manifest.json"], MAX_MANIFEST)
        signed = _signer(conn, z, infos, manifest_bytes, allow_unsigned)
        manifest = _manifest(manifest_bytes, plan_id)
        claimed = manifest["site"]["id"]
        if signed is None:
            if any(k.site == claimed and not k.own for k in trust.keys(conn)):
                raise BundleRefused(
                    f"it claims site {claimed!r}, which signs its bundles, but carries no valid signature of it"
                )
            signer = Signer(claimed, str(manifest["site"]["name"])[:100], None, "not signed by a trusted key")
        else:
            signer = signed
            if claimed != signed.site:
                raise BundleRefused(
                    f"its manifest claims site {claimed!r}, but it is signed by {signed.name!r}"
                )
        if claimed == own_site:
            raise BundleRefused("it claims to come from this site")
        members = _members(manifest, infos)
        total = sum(size for _, size in members.values())
        if total > max_size:
            raise BundleRefused(
                f"it unpacks to {total:,} bytes, more than the {max_size:,} allowed (import --max-size raises it)"
            )
        for name, expected in members.items():
            if not name.startswith("attachments/"):
                _unpack(z, infos[name], expected, folder / name)
        entries, chain = _entries(conn, folder, manifest, members, signer, signed is not None, own_site)
        # Files last, and only those the checked entries refer to, at the sizes they state.
        for name, expected in members.items():
            if name.startswith("attachments/"):
                _unpack(z, infos[name], expected, folder / name.split("/")[-1])
    return Verified(manifest, signer, entries, chain, folder)


# --- import: write -------------------------------------------------------------------------------


def import_bundle(conn: sqlite3.Connection, db_path: Path, path: Path, allow_unsigned: bool = False,
                  max_size: int = MAX_TOTAL, now: datetime | None = None,
                  progress: Progress | None = None) -> Imported:  # fmt: skip
    """Verify the bundle, then add the entries this database lacks, in one transaction."""
    store = db.attachment_dir(db_path)
    moment = now or now_utc()  # for the checks; arrival is stamped inside the write transaction
    with _incoming(store) as folder:
        v = verify(conn, path, folder, allow_unsigned, max_size)
        targets = revisions.objects_by_id(conn)
        for e in v.entries:
            checks.check_entry(e, targets, moment)
        bundle = {e.uid: e for e in v.entries}
        db.checkpoint("import-verified")  # for the test of two imports of one bundle at once
        with db.write(conn), fts.paused_index(conn) as index:
            written: list[Path] = []
            try:
                new = _write(conn, store, folder, v, bundle, written, now, progress)
                index.catch_up()
            except BaseException:
                # Still under the write lock: no other command can have come to use these files.
                for f in written:
                    f.unlink(missing_ok=True)
                raise
    return Imported(
        len(new), len(v.entries) - len(new), len(written), v.signer.site, v.signer.name,
        v.signer.key_id is not None, v.signer.key_id, v.manifest["head"]["hash"],
    )  # fmt: skip


def _write(conn: sqlite3.Connection, store: Path, folder: Path, v: Verified, bundle: dict[str, models.Entry],
           written: list[Path], now: datetime | None, progress: Progress | None) -> list[models.Entry]:  # fmt: skip
    """The import's writes, inside its transaction; files it installs are listed in ``written``."""
    # What a killed import or attach left behind (files a copy kept by a restore needs stay).
    ledger.sweep_store(
        conn, store, maintenance.kept_references(store.with_name(store.name.removesuffix("-attachments")))
    )
    if v.signer.key_id is not None:  # again under the lock: another import may have moved it on
        _check_partner_head(conn, v.signer, v.chain)
    # What is here is read inside the write transaction: a concurrent import of the same bundle
    # waits, then finds every entry present.
    local = {e.uid: e for e in ledger.entries_by_uid(conn, list(bundle))}
    for uid, e in bundle.items():
        mine = local.get(uid)
        if mine is not None and ledger.hashed_content(mine) != ledger.hashed_content(e):
            raise BundleRefused(f"entry {uid[:12]}… is already here (entry {mine.id}) with different content")
    new = [e for e in v.entries if e.uid not in local]
    _check_retractions(conn, new, bundle)
    for e in new:
        a = e.attachment
        if a is None:
            continue
        dest = ledger.attachment_path(store, a.sha256)
        if dest.exists():
            if dest.stat().st_size != a.size:
                raise BundleRefused(f"entry {e.uid[:12]}… states a size its file here does not have")
            continue
        src = folder / a.sha256
        if not src.exists():
            raise BundleRefused(f"entry {e.uid[:12]}… refers to a file the bundle lacks")
        _install(src, dest)
        written.append(dest)
    db.checkpoint("import-files-installed")  # for the kill test: files in, nothing committed
    arrived = utc_stamp(now or now_utc())
    before = ledger.last_id(conn)
    ledger.append_verbatim(conn, new, arrived, progress)
    trust.mark_signed(conn, before, v.signer.key_id or UNVERIFIED)
    if v.signer.key_id is not None:
        head = v.manifest["head"]
        known = trust.partner_head(conn, v.signer.site)
        if head["hash"] is not None and (known is None or head["position"] >= known.position):
            trust.set_partner_head(
                conn,
                trust.PartnerHead(v.signer.site, head["position"], head["hash"], v.signer.key_id, arrived),
            )
    return new


def _install(src: Path, dest: Path) -> None:
    """Move an unpacked file into the attachment store, read-only, atomically."""
    try:
        files.private_folder(dest.parent.parent)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(src, files.STORED_FILE)
        os.replace(src, dest)
        files.fsync_folder(dest.parent)
    except OSError as e:
        raise PlantrackError(f"cannot store an attachment in {str(dest.parent)!r}: {e.strerror}") from e


def _check_retractions(
    conn: sqlite3.Connection, new: list[models.Entry], bundle: dict[str, models.Entry]
) -> None:
    withdrawn_uids = [e.retracts for e in new if e.retracts is not None and e.retracts not in bundle]
    here = {e.uid: e for e in ledger.entries_by_uid(conn, withdrawn_uids)}
    for e in new:
        if e.retracts is None:
            continue
        withdrawn = bundle.get(e.retracts) or here.get(e.retracts)
        if withdrawn is None:
            raise BundleRefused(f"retraction {e.uid[:12]}… withdraws an entry neither side has")
        if withdrawn.kind == Kind.RETRACTION:
            raise BundleRefused(
                f"retraction {e.uid[:12]}… withdraws a retraction (record the entry again instead)"
            )
        if withdrawn.target != e.target:
            raise BundleRefused(
                f"retraction {e.uid[:12]}… is about another target than the entry it withdraws"
            )
