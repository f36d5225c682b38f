"""Exchange bundles between sites: export a verified zip of entries, import it by uid.

A bundle is a zip file holding ``manifest.json`` (format, site, plan, counts and the sha256 of
every other member), ``entries.jsonl`` (one entry a line, with the exporting site's hash chain),
``plan.json`` (the plan as applied there) and ``attachments/<sha256>``. Import verifies all of it
before it writes anything, and merges by uid, so a bundle imported twice adds nothing and two
sites that exchange bundles both ways end with the same entries.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import zipfile

from plantrack import files, models
from plantrack.core.dates import now_utc, utc_stamp
from plantrack.errors import PlantrackError
from plantrack.models import Kind, Level, State
from plantrack.store import db, fts, ledger, revisions

FORMAT = "plantrack-bundle"
VERSION = 1
MAX_MEMBER = 2 * 2**30  # 2 GiB uncompressed per member
MAX_TOTAL = 8 * 2**30
MAX_RATIO = 200  # uncompressed / compressed: refuses zip bombs
_ATTACHMENT = re.compile(r"attachments/([0-9a-f]{64})")
_KNOWN = {"manifest.json", "entries.jsonl", "plan.json"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Exported:
    path: Path
    entries: int
    attachments: int


@dataclass(frozen=True)
class Imported:
    added: int
    present: int
    attachments: int
    site: str


class BundleInvalid(PlantrackError):
    """The bundle failed a check; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(
            f"bundle refused: {message}; nothing was written", hint="ask the sender for a new export"
        )


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# --- export ----------------------------------------------------------------------------------


def export(conn: sqlite3.Connection, store: Path, out: Path, since: str | None = None,
           objectives: Sequence[str] = (), public: bool = False, now: datetime | None = None,
           progress: Progress | None = None) -> Exported:  # fmt: skip
    """Write a bundle of the chosen entries (and the files they reference) to ``out``."""
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
    # Walk the whole chain once: each line carries the hash of the entry before it.
    chosen: list[tuple[models.Entry, str]] = []
    prev = ledger.GENESIS
    all_by_uid: dict[str, tuple[models.Entry, str]] = {}
    ids = ledger.all_ids(conn)
    for start in range(0, len(ids), 5000):
        for e in ledger.entries_by_id(conn, ids[start : start + 5000]):
            pair = (e, prev)
            prev = e.hash
            all_by_uid[e.uid] = pair
            if targets is not None and e.target not in targets:
                continue
            if since is not None and e.recorded_at < since:
                continue
            if public and "internal" in e.tags:
                continue
            chosen.append(pair)
    # A retraction travels with what it withdraws (unless that was left out for the public).
    chosen_uids = {e.uid for e, _ in chosen}
    extra: list[tuple[models.Entry, str]] = []
    for e, _ in chosen:
        if e.kind == Kind.RETRACTION and e.retracts and e.retracts not in chosen_uids:
            withdrawn = all_by_uid.get(e.retracts)
            if withdrawn is not None and not (public and "internal" in withdrawn[0].tags):
                extra.append(withdrawn)
                chosen_uids.add(e.retracts)
    chosen += extra
    chosen.sort(key=lambda pair: pair[0].id)
    chosen = [(e, p) for e, p in chosen if e.kind != Kind.RETRACTION or (e.retracts in chosen_uids)]
    complete = targets is None and since is None and not public
    lines = []
    for e, p in chosen:
        lines.append(json.dumps(_entry_line(e, p), ensure_ascii=False, sort_keys=True))
    entries_bytes = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    plan_bytes = json.dumps(
        {"revision": rev.rev, "sha256": rev.sha256, "plan": json.loads(revisions.plan_json(conn, rev.rev))},
        ensure_ascii=False, sort_keys=True, indent=1,
    ).encode("utf-8")  # fmt: skip
    shas = sorted({e.attachment.sha256 for e, _ in chosen if e.attachment is not None})
    members = {"entries.jsonl": _sha(entries_bytes), "plan.json": _sha(plan_bytes)}
    for sha in shas:
        path = ledger.attachment_path(store, sha)
        if not path.is_file():
            raise PlantrackError(
                f"attachment {sha[:12]}… is missing from {store}", hint="run plantrack db doctor"
            )
        members[f"attachments/{sha}"] = sha
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "site": db.site(conn),
        "plan": {"id": plan_id, "revision": rev.rev, "sha256": rev.sha256},
        "created_at": utc_stamp(now or now_utc()),
        "complete": complete,
        "filters": {"since": since, "objectives": sorted(objectives), "public": public},
        "counts": {"entries": len(chosen), "attachments": len(shas)},
        "members": members,
    }
    try:
        import zipfile  # only bundles need it

        with files.replacing(out) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1))
            z.writestr("entries.jsonl", entries_bytes)
            z.writestr("plan.json", plan_bytes)
            for n, sha in enumerate(shas, start=1):
                z.write(ledger.attachment_path(store, sha), f"attachments/{sha}")
                if progress is not None:
                    progress(n, len(shas))
    except OSError as e:
        raise PlantrackError(
            f"cannot write {str(out)!r}: {e.strerror}", hint="choose a writable place with --out"
        ) from e
    return Exported(out, len(chosen), len(shas))


def _entry_line(e: models.Entry, prev_hash: str) -> dict[str, Any]:
    line = ledger.hashed_content(e)
    line["prev_hash"] = prev_hash
    line["hash"] = e.hash
    return line


# --- import ----------------------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    import zipfile

    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as e:
        raise PlantrackError(f"bundle {str(path)!r} does not exist", hint="check the path") from e
    except IsADirectoryError as e:
        raise PlantrackError(f"{str(path)!r} is a directory", hint="give the bundle file") from e
    except (zipfile.BadZipFile, OSError) as e:
        raise BundleInvalid(f"{str(path)!r} is not a plantrack bundle (not a zip file)") from e


def _check_members(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in z.infolist():
        name = info.filename
        if name.endswith("/") and info.file_size == 0 and name.rstrip("/") in ("attachments",):
            continue
        if (
            not name
            or name.startswith(("/", "\\"))
            or "\\" in name
            or re.match(r"^[A-Za-z]:", name)
            or any(part in ("", ".", "..") for part in name.split("/"))
        ):
            raise BundleInvalid(f"member {name[:80]!r} would land outside the bundle's folder")
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind and kind != stat.S_IFREG:
            raise BundleInvalid(f"member {name[:80]!r} is a link or special file")
        if name not in _KNOWN and not _ATTACHMENT.fullmatch(name):
            raise BundleInvalid(f"unexpected member {name[:80]!r}")
        if name in infos:
            raise BundleInvalid(f"member {name[:80]!r} appears twice")
        if info.file_size > MAX_MEMBER or (
            info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20
        ):
            raise BundleInvalid(f"member {name[:80]!r} is implausibly large")
        total += info.file_size
        if total > MAX_TOTAL:
            raise BundleInvalid("the bundle is larger than 8 GiB uncompressed")
        infos[name] = info
    for required in ("manifest.json", "entries.jsonl", "plan.json"):
        if required not in infos:
            raise BundleInvalid(f"it has no {required}")
    return infos


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    import zipfile

    try:
        with z.open(info) as f:
            data = f.read(MAX_MEMBER + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as e:
        raise BundleInvalid(f"member {info.filename!r} cannot be read: {e}") from e
    if len(data) > MAX_MEMBER:
        raise BundleInvalid(f"member {info.filename!r} is too large")
    return data


def _entry_from_line(n: int, line: dict[str, Any]) -> models.Entry:
    try:
        kind = Kind(line["kind"])
        att = line.get("attachment")
        attachment = None
        if att is not None:
            attachment = models.Attachment(
                str(att["name"]), str(att["sha256"]), int(att["size"]), str(att["type"])
            )
            if not re.fullmatch(r"[0-9a-f]{64}", attachment.sha256):
                raise ValueError("bad attachment sha256")
        value = line.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("value is not a number")
        if value is not None and not math.isfinite(value):
            raise ValueError("value is not a finite number")
        if kind == Kind.MEASUREMENT and value is None:
            raise ValueError("a measurement without a value")
        e = models.Entry(
            id=0, uid=str(line["uid"]), kind=kind, target=str(line["target"]), on=date.fromisoformat(line["on"]),
            recorded_at=str(line["recorded_at"]), user=str(line["user"]), site=str(line["site"]),
            text=line.get("text"), value=float(value) if value is not None else None,
            state=State(line["state"]) if line.get("state") else None, url=line.get("url"),
            attachment=attachment, tags=tuple(str(t) for t in line.get("tags") or ()),
            retracts=line.get("retracts"), hash=str(line["hash"]),
            level=Level(line["level"]) if line.get("level") else None,
        )  # fmt: skip
    except (KeyError, ValueError, TypeError) as exc:
        raise BundleInvalid(f"entry on line {n} is malformed ({exc})") from exc
    if not re.fullmatch(r"[0-9a-f]{32}", e.uid):
        raise BundleInvalid(f"entry on line {n} has a malformed uid")
    if (
        (e.kind == Kind.MILESTONE) != (e.state is not None)
        or (e.kind == Kind.RETRACTION) != (e.retracts is not None)
        or (e.kind == Kind.ASSESSMENT) != (e.level is not None)
    ):
        raise BundleInvalid(f"entry on line {n} is inconsistent ({e.kind.value})")
    return e


def verify(path: Path, plan_id: str | None) -> tuple[dict[str, Any], list[models.Entry], dict[str, bytes]]:
    """Check everything; return the manifest, the entries and the attachment bytes."""
    with _open(path) as z:
        infos = _check_members(z)
        try:
            manifest = json.loads(_read(z, infos["manifest.json"]))
        except ValueError as e:
            raise BundleInvalid("manifest.json is not JSON") from e
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleInvalid("it is not a plantrack bundle")
        if manifest.get("version") != VERSION:
            raise BundleInvalid(
                f"bundle format version {manifest.get('version')!r} is not supported (this plantrack reads {VERSION})"
            )
        bundle_plan = (manifest.get("plan") or {}).get("id")
        if plan_id is not None and bundle_plan != plan_id:
            raise BundleInvalid(f"it is for plan {bundle_plan!r}, this database holds {plan_id!r}")
        members = manifest.get("members")
        if not isinstance(members, dict) or set(members) != set(infos) - {"manifest.json"}:
            raise BundleInvalid("its members do not match the manifest")
        blobs: dict[str, bytes] = {}
        for name, expected in members.items():
            data = _read(z, infos[name])
            if _sha(data) != expected:
                raise BundleInvalid(f"member {name!r} has changed (sha256 mismatch)")
            m = _ATTACHMENT.fullmatch(name)
            if m and m.group(1) != expected:
                raise BundleInvalid(f"attachment {name!r} is not named by its sha256")
            blobs[name] = data
    entries: list[models.Entry] = []
    prev_hashes: list[str] = []
    try:
        text = blobs["entries.jsonl"].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleInvalid("entries.jsonl is not UTF-8") from exc
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError as exc:
            raise BundleInvalid(f"entry on line {n} is not JSON") from exc
        if not isinstance(line, dict):
            raise BundleInvalid(f"entry on line {n} is not an object")
        item = _entry_from_line(n, line)
        prev = str(line.get("prev_hash", ""))
        if ledger.entry_hash(prev, ledger.hashed_content(item)) != item.hash:
            raise BundleInvalid(
                f"entry {item.uid[:12]}… (line {n}) was changed after it was recorded (hash mismatch)"
            )
        entries.append(item)
        prev_hashes.append(prev)
    if manifest.get("complete"):
        expected_prev = ledger.GENESIS
        for item, prev in zip(entries, prev_hashes, strict=True):
            if prev != expected_prev:
                raise BundleInvalid(f"the hash chain is broken before entry {item.uid[:12]}…")
            expected_prev = item.hash
    counts = manifest.get("counts") or {}
    if counts.get("entries") != len(entries):
        raise BundleInvalid("the entry count does not match the manifest")
    attachments = {m.group(1): data for name, data in blobs.items() if (m := _ATTACHMENT.fullmatch(name))}
    return manifest, entries, attachments


def import_bundle(conn: sqlite3.Connection, store: Path, path: Path,
                  progress: Progress | None = None) -> Imported:  # fmt: skip
    """Verify the bundle, then add the entries this database lacks, in one transaction."""
    plan_id = revisions.current_plan_id(conn)
    manifest, entries, attachments = verify(path, plan_id)
    known_targets = revisions.object_ids(conn)
    local = ledger.all_uids(conn) if entries else set()
    bundle_uids = {e.uid for e in entries}
    for e in entries:
        if e.target not in known_targets:
            raise BundleInvalid(
                f"entry {e.uid[:12]}… is about {e.target!r}, which this plan does not have (apply the same plan first)"
            )
        if e.attachment is not None and e.attachment.sha256 not in attachments:
            if not ledger.attachment_path(store, e.attachment.sha256).is_file():
                raise BundleInvalid(f"entry {e.uid[:12]}… references an attachment the bundle lacks")
        if e.retracts and e.retracts not in bundle_uids and e.retracts not in local:
            raise BundleInvalid(f"retraction {e.uid[:12]}… withdraws an entry neither side has")
    new = [e for e in entries if e.uid not in local]
    written: list[Path] = []
    try:
        for sha, data in attachments.items():
            dest = ledger.attachment_path(store, sha)
            if not dest.exists():
                files.write_bytes(dest, data, mode=0o444)
                written.append(dest)
        with db.write(conn), fts.paused_index(conn) as index:
            ledger.append_verbatim(conn, new, utc_stamp(now_utc()), progress)
            index.catch_up()
    except BaseException:
        for p in written:
            ledger.discard_unreferenced(conn, p)
        raise
    return Imported(len(new), len(entries) - len(new), len(attachments), str(manifest.get("site")))
