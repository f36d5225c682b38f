"""The append-only evidence ledger: write entries, retract them, read them as known at an instant."""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plantrack import files
from plantrack.core.dates import utc_stamp, zone
from plantrack.core.lang import AnyOf, Message
from plantrack.core.progress import (
    EPOCH,
    AssessmentFacts,
    EvidenceFacts,
    Facts,
    IndicatorFacts,
    MilestoneFacts,
    Sums,
    reached,
)
from plantrack.core.text import from_os
from plantrack.errors import DatabaseDamaged, PlantrackError, UnknownId
from plantrack.models import Attachment, Draft, Entry, Kind, Level, Plan, State, Verify, build
from plantrack.store import clauses, db
from plantrack.store.revisions import plan_timezone

if TYPE_CHECKING:
    from plantrack.core.progress import Facts, IndicatorFacts

GENESIS = "0" * 64
KNOWN_E, KNOWN_R = clauses.KNOWN_E, clauses.KNOWN_R
MAX_TEXT = 1_000_000
MAX_URL = 4096
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\x00-\x1f\x7f]+")
TAG = re.compile(r"[\w][\w.-]{0,63}")

ACTIONS: dict[str, State] = {
    "start": State.IN_PROGRESS,
    "done": State.DONE,
    "block": State.BLOCKED,
    "cancel": State.CANCELLED,
    "reopen": State.IN_PROGRESS,
}


def new_uid() -> str:
    """A 128-bit id that sorts by creation time (48-bit milliseconds, then 80 random bits).

    Time-ordered ids keep the unique index on uid appending at its end, which matters for bulk
    loads of a million rows; the random part keeps ids from two sites apart.
    """
    import time

    return f"{int(time.time() * 1000):012x}{os.urandom(10).hex()}"


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical(content: dict[str, Any]) -> str:
    return _CANONICAL(content)


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """sha256 of the previous entry's hash followed by this entry's canonical content."""
    import hashlib

    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def hashed_content(e: Entry) -> dict[str, Any]:
    """The fields the hash chain covers (everything but the row id and derived flags).

    ``level`` is covered only where there is one (assessments), so the hashes of entries written
    before assessments existed are unchanged.
    """
    content = {
        "uid": e.uid, "kind": e.kind.value, "target": e.target, "on": e.on.isoformat(),
        "recorded_at": e.recorded_at, "user": e.user, "site": e.site, "text": e.text,
        "value": e.value, "state": e.state.value if e.state else None, "url": e.url,
        "attachment": e.attachment.to_json() if e.attachment else None,
        "tags": list(e.tags), "retracts": e.retracts,
    }  # fmt: skip
    if e.level is not None:
        content["level"] = e.level.value
    return content


# --- validation of user input ----------------------------------------------------------------


def clean_text(text: str | None, what: str = "text", required: bool = False) -> str | None:
    if text is None:
        if required:
            raise PlantrackError(f"{what} is required")
        return None
    text = from_os(text)
    if "\x00" in text:
        raise PlantrackError(f"{what} contains a NUL character", hint="remove it")
    if required and not text.strip():
        raise PlantrackError(f"{what} is empty", hint="say what happened")
    if len(text) > MAX_TEXT:
        raise PlantrackError(
            f"{what} is {len(text)} characters long", hint=f"keep it under {MAX_TEXT}; attach a file"
        )
    return text


URL_SCHEMES = ("http", "https", "ftp", "ftps", "sftp")  # addresses of documents, nothing that runs


def clean_url(url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip()
    if len(url) > MAX_URL or not URL.fullmatch(url) or from_os(url) != url:
        raise PlantrackError(
            f"{url[:80]!r} is not a URL", hint="give a full address such as https://example.org/page"
        )
    scheme = url.split(":", 1)[0].lower()
    if scheme not in URL_SCHEMES:
        raise PlantrackError(
            f"{url[:80]!r} is not a URL of a document ({scheme}: addresses are not kept)",
            hint=f"give an address that starts with {', '.join(s + '://' for s in URL_SCHEMES)}",
        )
    return url


def is_internal(tags: Iterable[str]) -> bool:
    """An entry kept from publication: tagged internal, in any case (Internal, INTERNAL)."""
    return any(t.casefold() == "internal" for t in tags)


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored: trimmed, valid, each once; ``internal`` always in lower case."""
    out: list[str] = []
    for t in tags:
        t = from_os(t).strip()
        if t.casefold() == "internal":
            t = "internal"
        if not TAG.fullmatch(t):
            raise PlantrackError(
                f"{t[:40]!r} is not a valid tag", hint="use letters, digits, '.', '_' or '-'"
            )
        if t not in out:
            out.append(t)
    if len(out) > 32:
        raise PlantrackError("too many tags", hint="use at most 32")
    return tuple(out)


def parse_value(text: str) -> float:
    """A measured value: a finite number (thousands separators such as 1,500 allowed)."""
    s = str(text).strip().replace("_", "")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    try:
        value = float(s)
    except ValueError:
        raise PlantrackError(f"{str(text)[:40]!r} is not a number", hint="e.g. 7, 12.5 or 1,500") from None
    if not math.isfinite(value):
        raise PlantrackError(f"{text!r} is not a finite number", hint="give a real measurement")
    return value


# --- targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    id: str
    kind: str
    parent: str | None
    data: dict[str, Any]
    archived: bool


def a_noun(noun: str) -> str:
    """``noun`` with its article: "an objective", "a milestone"."""
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def closest(word: str, ids: Sequence[str]) -> str | None:
    """The id ``word`` most likely meant, ignoring case: one equal but for case first, else the
    closest spelling (difflib), else None."""
    import difflib

    folded = word.casefold()
    by_fold: dict[str, str] = {}
    for i in ids:
        by_fold.setdefault(i.casefold(), i)
    if folded in by_fold:
        return by_fold[folded]
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)
    return by_fold[close[0]] if close else None


def find_target(conn: sqlite3.Connection, target_id: str, kinds: Sequence[str] = (
        "plan", "objective", "milestone", "indicator"), allow_archived: bool = False) -> Target:  # fmt: skip
    """The plan object called ``target_id``, or UnknownId with a suggestion."""
    marks = ",".join("?" * len(kinds))
    row = conn.execute(
        f"SELECT id, kind, parent, data_json, archived_rev FROM plan_object WHERE id = ?"
        f" AND kind IN ({marks}) ORDER BY archived_rev IS NOT NULL LIMIT 1",
        (target_id, *kinds),
    ).fetchone()
    named = [k for k in kinds if k != "plan"] if len(kinds) == 4 else list(kinds)
    if row is None:
        ids = [r[0] for r in conn.execute(
            f"SELECT id FROM plan_object WHERE kind IN ({marks}) AND archived_rev IS NULL", kinds)]  # fmt: skip
        close = closest(target_id, ids)
        hint = Message("errors.did_you_mean", id=repr(close)) if close else Message("errors.see_ids")
        other = conn.execute("SELECT kind FROM plan_object WHERE id = ?", (target_id,)).fetchone()
        if other:
            what_a = AnyOf(
                (Message(f"errors.a.{named[0]}"), *(Message(f"views.object.{k}") for k in named[1:]))
            )
            raise UnknownId(Message("errors.is_not", id=repr(target_id), other=Message(f"errors.a.{other[0]}"),
                                    what=what_a), hint=hint)  # fmt: skip
        what = AnyOf(Message(f"views.object.{k}") for k in named)
        raise UnknownId(Message("errors.unknown_id", what=what, id=repr(target_id)), hint=hint)
    t = Target(row[0], row[1], row[2], json.loads(row[3]), row[4] is not None)
    if t.archived and not allow_archived:
        raise PlantrackError(
            f"{t.kind} {target_id!r} was removed from the plan (archived)",
            hint="its history is kept; add it back to objectives.toml to record against it",
        )
    return t


def target_family(conn: sqlite3.Connection, target_id: str) -> list[str]:
    """The target and, for an objective, its milestones and indicators; the plan: everything."""
    row = conn.execute("SELECT kind FROM plan_object WHERE id = ?", (target_id,)).fetchone()
    if row and row[0] == "plan":
        return []  # no filter
    ids = [target_id]
    ids += [r[0] for r in conn.execute("SELECT id FROM plan_object WHERE parent = ?", (target_id,))]
    return ids


# --- attachments -----------------------------------------------------------------------------


def store_attachment(store: Path, source: str) -> tuple[Attachment, Path | None]:
    """Copy ``source`` into the content-addressed store; return it and the path if newly made."""
    import hashlib
    import mimetypes

    src = Path(source)
    if not src.is_file():
        raise PlantrackError(f"cannot attach {source!r}: no such file", hint="check the path")
    digest = hashlib.sha256()
    size = 0
    try:
        with src.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as e:
        raise PlantrackError(f"cannot read {source!r}: {e.strerror}") from e
    sha = digest.hexdigest()
    dest = store / sha[:2] / sha
    made = None
    if not dest.exists():
        try:
            files.private_folder(store)
            files.copy(src, dest, mode=files.STORED_FILE)
            made = dest
        except OSError as e:
            raise PlantrackError(f"cannot store attachment {source!r}: {e.strerror}") from e
    media = mimetypes.guess_type(src.name)[0] or "application/octet-stream"
    return Attachment(from_os(src.name), sha, size, media), made


def attachment_path(store: Path, sha: str) -> Path:
    return store / sha[:2] / sha


def file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verified_attachment(store: Path, attachment: Attachment) -> Path:
    """The stored file of an attachment, after checking that its bytes are still the ones recorded."""
    path = attachment_path(store, attachment.sha256)
    if not path.is_file():
        raise PlantrackError(
            f"the stored copy of {attachment.name!r} is missing ({path})",
            hint="restore the attachments folder from a backup; run plantrack db doctor",
        )
    try:
        actual = file_sha256(path)
    except OSError as e:
        raise PlantrackError(f"cannot read the stored copy of {attachment.name!r}: {e.strerror}") from e
    if actual != attachment.sha256:
        raise PlantrackError(
            f"the stored copy of {attachment.name!r} has changed (sha256 {actual[:12]}…, recorded {attachment.sha256[:12]}…)",
            hint="restore it from a backup; run plantrack db doctor",
        )
    return path


def safe_file_name(name: str, sha: str) -> str:
    """A stored attachment's name as a file name in a folder of the user's: no folder parts (of
    either slash), no leading dots (no hidden or parent names), no control characters; the
    sha256's start when nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch >= " " and not 0x7F <= ord(ch) <= 0x9F).strip().lstrip(".").strip()
    return base[:200] or f"attachment-{sha[:12]}"


def out_path(out: str, name: str, sha: str = "") -> Path:
    """Where ``attachment --out OUT`` writes a file stored as ``name``: inside OUT when it is a
    folder or is written as one (``dir/``, created if missing), else OUT itself."""
    if not out.strip():
        raise PlantrackError("--out is empty", hint="name a file or a folder (dir/)")
    dest = Path(out).expanduser()
    as_folder = out.endswith(("/", os.sep)) or (os.altsep is not None and out.endswith(os.altsep))
    if as_folder and dest.exists() and not dest.is_dir():
        raise PlantrackError(f"{out!r} is a file, not a folder", hint="drop the trailing slash to replace it")
    if as_folder and not dest.exists():
        try:
            dest.mkdir(parents=True)
        except OSError as e:
            raise PlantrackError(
                f"cannot create the folder {out!r}: {e.strerror}", hint="choose a writable place"
            ) from e
    if dest.is_dir():
        # The stored name, without any folder part or leading dot it may carry from another site.
        return dest / safe_file_name(name, sha)
    return dest


def copy_out(path: Path, dest: Path, force: bool = False) -> None:
    """Copy a stored attachment out as an ordinary, writable file (atomically); an existing file
    is replaced only with ``force``."""
    if (dest.exists() or dest.is_symlink()) and not force:  # a dangling link is something there too
        raise PlantrackError(
            f"{str(dest)!r} already exists; nothing was written",
            hint="choose another --out, or add --force to replace it",
        )
    try:
        files.copy(path, dest)
    except OSError as e:
        raise PlantrackError(
            f"cannot write {str(dest)!r}: {e.strerror}", hint="choose a writable place"
        ) from e


# --- writing ---------------------------------------------------------------------------------


_INSERT = (
    "INSERT INTO entry (uid, kind, target, on_date, recorded_at, user, site, text, value,"
    " state, url, attachment_name, attachment_sha256, attachment_size, attachment_type,"
    " tags, retracts, hash, received_at, level) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _row_values(e: Entry, h: str, received_at: str | None = None) -> tuple[Any, ...]:
    """An entry as the row the INSERT above takes, with its hash (and arrival, if imported)."""
    a = e.attachment
    return (
        e.uid, e.kind.value, e.target, e.on.isoformat(), e.recorded_at, e.user, e.site,
        e.text, e.value, e.state.value if e.state else None, e.url,
        a.name if a else None, a.sha256 if a else None, a.size if a else None,
        a.media_type if a else None, json.dumps(list(e.tags), ensure_ascii=False),
        e.retracts, h, received_at, e.level.value if e.level else None,
    )  # fmt: skip


def _last_hash(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT hash FROM entry ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def write_chain(conn: sqlite3.Connection, items: Iterable[Entry], received_at: str | None = None,
                batch: int = 50_000, after_batch: Callable[[int], None] | None = None) -> int:  # fmt: skip
    """The one hash-chain writer: chain each entry to the last one stored and insert it.

    Single writes, CSV loads and bundle imports all come through here, so the chain is built
    one way. Rows go in by ``batch``; ``after_batch(n)`` is called after each full batch. The
    caller holds the write transaction. Returns how many entries were written.
    """
    prev = _last_hash(conn)
    rows: list[tuple[Any, ...]] = []
    n = 0
    for e in items:
        h = entry_hash(prev, hashed_content(e))
        rows.append(_row_values(e, h, received_at))
        prev = h
        n += 1
        if len(rows) >= batch:
            conn.executemany(_INSERT, rows)
            rows = []
            if after_batch is not None:
                after_batch(n)
    if rows:
        conn.executemany(_INSERT, rows)
    return n


def append(conn: sqlite3.Connection, drafts: Sequence[Draft], user: str, now: datetime,
           ) -> list[Entry]:  # fmt: skip
    """Chain and insert drafts written here; the caller holds the write transaction."""
    site = db.site(conn)
    stamp = utc_stamp(now)
    before = conn.execute("SELECT coalesce(max(id), 0) FROM entry").fetchone()[0]
    out = [
        Entry(
            id=0,
            uid=new_uid(),
            kind=d.kind,
            target=d.target,
            on=d.on,
            recorded_at=stamp,
            user=user,
            site=site,
            text=d.text,
            value=d.value,
            state=d.state,
            url=d.url,
            attachment=d.attachment,
            tags=d.tags,
            retracts=d.retracts,
            level=d.level,
        )  # fmt: skip
        for d in drafts
    ]
    write_chain(conn, out)
    stored = conn.execute("SELECT id, hash FROM entry WHERE id > ? ORDER BY id", (before,)).fetchall()
    return [replace(e, id=i, hash=h) for e, (i, h) in zip(out, stored, strict=True)]


def append_verbatim(conn: sqlite3.Connection, items: Sequence[Entry], received_at: str,
                    progress: Callable[[int, int], None] | None = None) -> None:  # fmt: skip
    """Append entries from another site as they are (uid, user, site, times), chained here.

    The caller holds the write transaction.
    """
    after = None if progress is None else (lambda n: progress(n, len(items)))
    write_chain(conn, items, received_at, batch=20_000, after_batch=after)


def verify_chain(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Recompute the hash chain from the first entry to the last; describe every break."""
    problems: list[str] = []
    prev = GENESIS
    total = conn.execute("SELECT count(*) FROM entry").fetchone()[0]
    last_id = 0
    done = 0
    while True:
        ids = [
            r[0] for r in conn.execute("SELECT id FROM entry WHERE id > ? ORDER BY id LIMIT 5000", (last_id,))
        ]
        if not ids:
            break
        for e in entries_by_id(conn, ids):
            expected = entry_hash(prev, hashed_content(e))
            if expected != e.hash:
                problems.append(
                    f"entry {e.id} ({e.uid[:12]}…) does not match its hash: changed after it was recorded"
                )
                if len(problems) >= 20:
                    return problems
            prev = e.hash
        last_id = ids[-1]
        done += len(ids)
        if progress is not None:
            progress(done, total)
    return problems


class NeedsForce(PlantrackError):
    """An entry that is likely a mistake (dated after today, before its indicator's baseline, or
    the same as one already recorded); recorded only when the user insists (--force)."""


def doubt(on: date, today: date, baseline_date: date | None = None) -> str | None:
    """Why an entry dated ``on`` needs --force, or None: it is dated after today (in the plan's
    time zone), or it is a measurement dated before its indicator's baseline date."""
    if on > today:
        return f"{on} is after today ({today})"
    if baseline_date is not None and on < baseline_date:
        return f"{on} is before the indicator's baseline date ({baseline_date})"
    return None


SameKey = tuple[str, date, float | None, str | None, str | None]  # target, on, value, state/level, text


def same_key(target: str, on: date, value: float | None, state: str | None, text: str | None) -> SameKey:
    """What makes two entries of one kind the same: target, date, value or state or level, text."""
    return (target, on, value, state, text)


def already_recorded(conn: sqlite3.Connection, kind: Kind, keys: Collection[SameKey]) -> dict[SameKey, int]:
    """The live entries of ``kind`` that are the same as any of ``keys``: key -> entry id.

    One indexed question per target over the dates asked about, so a load of many rows about
    few targets costs few questions.
    """
    ranges: dict[str, tuple[date, date]] = {}
    wanted = keys
    for target, on, *_rest in wanted:
        lo, hi = ranges.get(target, (on, on))
        ranges[target] = (min(lo, on), max(hi, on))
    column = "level" if kind == Kind.ASSESSMENT else "state"
    found: dict[SameKey, int] = {}
    for target, (lo, hi) in ranges.items():
        for entry_id, on, value, state, text in conn.execute(
            f"SELECT e.id, e.on_date, e.value, e.{column}, e.text FROM entry e WHERE e.target = ?"
            f" AND e.on_date >= ? AND e.on_date <= ? AND e.kind = ? AND {clauses.LIVE} ORDER BY e.id",
            (target, lo.isoformat(), hi.isoformat(), kind.value),
        ):
            key = (target, date.fromisoformat(on), value, state, text)
            if key in wanted:
                found.setdefault(key, entry_id)
    return found


def _baseline_date(conn: sqlite3.Connection, draft: Draft) -> date | None:
    if draft.kind != Kind.MEASUREMENT:
        return None
    row = conn.execute(
        "SELECT json_extract(data_json, '$.baseline_date') FROM plan_object WHERE id = ? AND kind = 'indicator'",
        (draft.target,),
    ).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def check_draft(conn: sqlite3.Connection, draft: Draft, today: date) -> None:
    """NeedsForce when ``draft`` is dated after ``today``, is a measurement dated before its
    baseline, or repeats a live entry exactly; retractions are never questioned."""
    if draft.kind == Kind.RETRACTION:
        return
    why = doubt(draft.on, today, _baseline_date(conn, draft))
    if why is not None:
        raise NeedsForce(f"not recorded: {why}", hint="check --on, or add --force to record it anyway")
    state = draft.level.value if draft.level else draft.state.value if draft.state else None
    key = same_key(draft.target, draft.on, draft.value, state, draft.text)
    same = already_recorded(conn, draft.kind, [key]).get(key)
    if same is not None:
        raise NeedsForce(
            f"not recorded: entry {same} already records the same {draft.kind.value} of"
            f" {draft.target!r} on {draft.on}",
            hint="add --force to record it a second time",
        )


def record(conn: sqlite3.Connection, draft: Draft, user: str, now: datetime, force: bool = False) -> Entry:
    """Write one entry in its own transaction; one that is likely a mistake (``check_draft``)
    only with ``force``. "Today" is ``now``'s date in the plan's time zone."""
    with db.write(conn):
        return _record(conn, draft, user, now, force)


def _record(conn: sqlite3.Connection, draft: Draft, user: str, now: datetime, force: bool) -> Entry:
    if not force:
        check_draft(conn, draft, now.astimezone(zone(plan_timezone(conn))).date())
    return append(conn, [draft], user, now)[0]


def record_attached(conn: sqlite3.Connection, store: Path, source: str | None,
                    make: Callable[[Attachment | None], Draft], user: str, now: datetime,
                    force: bool = False) -> Entry:  # fmt: skip
    """Store ``source`` (if any) and write the entry ``make`` builds with it, in one write
    transaction: a file enters the store only under the write lock, so a file no entry refers to
    while the lock is held was left by a command that was killed (see ``sweep_store``)."""
    with db.write(conn):
        attachment, fresh = store_attachment(store, source) if source else (None, None)
        try:
            return _record(conn, make(attachment), user, now, force)
        except BaseException:
            if fresh is not None:
                fresh.unlink(missing_ok=True)
            raise


def sweep_store(conn: sqlite3.Connection, store: Path, also_referenced: Collection[str] = ()) -> list[Path]:
    """Remove what killed commands left in the attachment store: files no entry refers to and
    temporary files. Call with the write lock held (every file enters the store under it, so none
    of these belongs to a command still running). Returns what was removed."""
    if not store.is_dir():
        return []
    referenced = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT attachment_sha256 FROM entry WHERE attachment_sha256 IS NOT NULL"
        )
    }
    referenced.update(also_referenced)
    removed = []
    for f in store.rglob("*"):
        if f.is_file() and (f.name.startswith(".") or f.name not in referenced):
            f.unlink(missing_ok=True)
            removed.append(f)
    return removed


# --- reading ---------------------------------------------------------------------------------

_COLUMNS = (
    "e.id, e.uid, e.kind, e.target, e.on_date, e.recorded_at, e.user, e.site, e.text, e.value,"
    " e.state, e.url, e.attachment_name, e.attachment_sha256, e.attachment_size,"
    " e.attachment_type, e.tags, e.retracts, e.hash, e.received_at, e.level,"
    " (SELECT o.signed_by FROM entry_signer o WHERE o.entry_id = e.id)"
)


def _retraction_clause(known_at: str | None) -> tuple[str, tuple[Any, ...]]:
    sql = "(SELECT min(r.id) FROM entry r WHERE r.retracts = e.uid"
    if known_at is not None:
        return sql + f" AND {KNOWN_R} <= ?)", (known_at,)
    return sql + ")", ()


def _row(row: Sequence[Any]) -> Entry:
    try:
        return _entry_of(row)
    except (ValueError, TypeError) as e:  # a row damaged on disk (SQLite's own check can pass)
        raise DatabaseDamaged(
            f"the database is damaged: entry {row[0]} cannot be read ({str(e)[:80]})"
        ) from e


def _entry_of(row: Sequence[Any]) -> Entry:
    att = Attachment(row[12], row[13], row[14], row[15]) if row[13] else None
    return Entry(
        id=row[0], uid=row[1], kind=Kind(row[2]), target=row[3], on=date.fromisoformat(row[4]),
        recorded_at=row[5], user=row[6], site=row[7], text=row[8], value=row[9],
        state=State(row[10]) if row[10] else None, url=row[11], attachment=att,
        tags=tuple(json.loads(row[16])), retracts=row[17], hash=row[18], received_at=row[19],
        level=Level(row[20]) if row[20] else None, signed_by=row[21],
        retracted=row[22] is not None, retracted_by=row[22],
    )  # fmt: skip


def entries(conn: sqlite3.Connection, targets: Sequence[str] | None = None,
            since: date | None = None, until: date | None = None, known_at: str | None = None,
            kinds: Sequence[str] | None = None, newest_first: bool = True,
            limit: int | None = None) -> list[Entry]:  # fmt: skip
    """Entries as known at ``known_at`` (a UTC stamp; None: everything recorded)."""
    rsql, rparams = _retraction_clause(known_at)
    sql = f"SELECT {_COLUMNS}, {rsql} FROM entry e WHERE 1=1"
    params: list[Any] = list(rparams)
    if targets:
        sql += f" AND e.target IN ({','.join('?' * len(targets))})"
        params += list(targets)
    if since is not None:
        sql += " AND e.on_date >= ?"
        params.append(since.isoformat())
    if until is not None:
        sql += " AND e.on_date <= ?"
        params.append(until.isoformat())
    if known_at is not None:
        sql += f" AND {KNOWN_E} <= ?"
        params.append(known_at)
    if kinds:
        sql += f" AND e.kind IN ({','.join('?' * len(kinds))})"
        params += list(kinds)
    order = "DESC" if newest_first else "ASC"
    sql += f" ORDER BY e.on_date {order}, e.id {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_row(r) for r in conn.execute(sql, params)]


def entries_by_id(conn: sqlite3.Connection, ids: Sequence[int], known_at: str | None = None) -> list[Entry]:
    """Entries with these ids, in the order given (retracted as known at ``known_at``)."""
    if not ids:
        return []
    rsql, rparams = _retraction_clause(known_at)
    found: dict[int, Entry] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = list(ids[chunk_start : chunk_start + 500])
        rows = conn.execute(
            f"SELECT {_COLUMNS}, {rsql} FROM entry e WHERE e.id IN ({','.join('?' * len(chunk))})",
            (*rparams, *chunk),
        )
        found.update((r[0], _row(r)) for r in rows)
    return [found[i] for i in ids if i in found]


def entries_by_uid(conn: sqlite3.Connection, uids: Sequence[str]) -> list[Entry]:
    if not uids:
        return []
    rsql, rparams = _retraction_clause(None)
    out: list[Entry] = []
    for start in range(0, len(uids), 500):
        chunk = list(uids[start : start + 500])
        rows = conn.execute(
            f"SELECT {_COLUMNS}, {rsql} FROM entry e WHERE e.uid IN ({','.join('?' * len(chunk))})",
            (*rparams, *chunk),
        )
        out += [_row(r) for r in rows]
    return out


def get(conn: sqlite3.Connection, ref: str) -> Entry:
    """One entry by its id or by its uid (or a unique uid prefix of at least 6 characters)."""
    rsql, rparams = _retraction_clause(None)
    ref = str(ref).strip().lstrip("#")
    base = f"SELECT {_COLUMNS}, {rsql} FROM entry e"
    if ref.isascii() and ref.isdigit():
        # An id beyond SQLite's integer range names no entry (and must not overflow the query).
        number = int(ref) if len(ref) <= 19 else 2**63
        rows = conn.execute(base + " WHERE e.id = ?", (*rparams, number)).fetchall() if number < 2**63 else []
    elif re.fullmatch(r"[0-9a-f]{6,32}", ref):
        rows = conn.execute(base + " WHERE e.uid LIKE ? LIMIT 2", (*rparams, ref + "%")).fetchall()
    else:
        raise PlantrackError(f"{ref[:40]!r} is not an entry id", hint="give the number 'plantrack evidence' shows")  # fmt: skip
    if not rows:
        raise UnknownId(f"no entry {ref!r}", hint="see 'plantrack evidence' for entry ids")
    if len(rows) > 1:
        raise PlantrackError(f"{ref!r} matches several entries", hint="give more of the uid")
    return _row(rows[0])


def milestone_state(conn: sqlite3.Connection, milestone: str, on: date,
                    known_at: str | None = None) -> tuple[State, Entry | None]:  # fmt: skip
    """A milestone's state at ``on``: its last non-retracted state change dated on or before it."""
    for e in entries(conn, [milestone], until=on, known_at=known_at, kinds=["milestone"]):
        if not e.retracted:
            return e.state or State.PLANNED, e
    return State.PLANNED, None


# --- the write commands' logic ---------------------------------------------------------------


def milestone_draft(conn: sqlite3.Connection, milestone_id: str, action: str, on: date,
                    note: str | None, url: str | None, attachment: Attachment | None,
                    tags: tuple[str, ...] = ()) -> Draft:  # fmt: skip
    """Validate a milestone state change and return the entry to write."""
    t = find_target(conn, milestone_id, ("milestone",))
    if action not in ACTIONS:
        raise PlantrackError(
            f"{action!r} is not a milestone action", hint="use start, done, block, cancel or reopen"
        )
    new = ACTIONS[action]
    current, last = milestone_state(conn, milestone_id, on)
    if action == "reopen" and current not in (State.DONE, State.CANCELLED, State.BLOCKED):
        raise PlantrackError(
            f"milestone {milestone_id!r} is {current.value} on {on}, not closed",
            hint="reopen applies to a done, cancelled or blocked milestone",
        )
    if action == "start" and current in (State.DONE, State.CANCELLED):
        raise PlantrackError(
            f"milestone {milestone_id!r} is {current.value} on {on}",
            hint=f"to work on it again, use: plantrack milestone reopen {milestone_id}",
        )
    if action == "cancel" and (note is None or not note.strip()):
        raise PlantrackError(
            f"cancelling milestone {milestone_id!r} needs a reason",
            hint=f'add --reason "why it is cancelled" (plantrack milestone cancel {milestone_id} --reason ...)',
        )
    if action != "reopen" and current == new and last is not None:
        raise PlantrackError(
            f"milestone {milestone_id!r} is already {current.value} on {on} (entry {last.id})",
            hint="nothing to record; retract that entry if it was wrong",
        )
    if new == State.DONE:
        verify = t.data.get("verify")
        missing = None
        if verify == Verify.URL and not url:
            missing = "a --url to the evidence"
        elif verify == Verify.ATTACHMENT and attachment is None:
            missing = "an --attach FILE with the evidence"
        elif verify == Verify.ANY and not url and attachment is None:
            missing = "evidence: a --url or an --attach FILE"
        if missing:
            raise PlantrackError(
                f"milestone {milestone_id!r} needs {missing} to be marked done (verify = {verify!r} in the plan)",  # fmt: skip
                hint=f"e.g. plantrack milestone done {milestone_id} --url https://...",
            )
    return Draft(Kind.MILESTONE, milestone_id, on, text=clean_text(note, "note"), state=new,
                 url=clean_url(url), attachment=attachment, tags=tags)  # fmt: skip


def measurement_draft(conn: sqlite3.Connection, indicator_id: str, value: float, on: date,
                      note: str | None, url: str | None, attachment: Attachment | None,
                      tags: tuple[str, ...] = ()) -> Draft:  # fmt: skip
    find_target(conn, indicator_id, ("indicator",))
    if not math.isfinite(value):
        raise PlantrackError(f"{value!r} is not a finite number", hint="give a real measurement")
    return Draft(Kind.MEASUREMENT, indicator_id, on, text=clean_text(note, "note"), value=value,
                 url=clean_url(url), attachment=attachment, tags=tags)  # fmt: skip


LEVELS = ", ".join(level.value for level in Level)


def parse_level(text: str) -> Level:
    """A delivery-confidence level: green, amber-green, amber, amber-red or red."""
    word = str(text).strip().lower().replace("_", "-").replace("/", "-").replace(" ", "-")
    try:
        return Level(word)
    except ValueError:
        raise PlantrackError(
            f"{str(text)[:40]!r} is not a confidence level", hint=f"use one of {LEVELS}"
        ) from None


def assessment_draft(conn: sqlite3.Connection, objective_id: str, level: str, on: date, note: str | None,
                     url: str | None, attachment: Attachment | None,
                     tags: tuple[str, ...] = ()) -> Draft:  # fmt: skip
    """A dated, reasoned judgement of an objective's delivery confidence (the note is its rationale)."""
    chosen = parse_level(level)
    find_target(conn, objective_id, ("objective",))
    if note is None or not note.strip():
        raise PlantrackError(
            "an assessment needs its rationale", hint=f'add --note "why {chosen.value}: ..."'
        )
    return Draft(Kind.ASSESSMENT, objective_id, on, text=clean_text(note, "the note", required=True),
                 level=chosen, url=clean_url(url), attachment=attachment, tags=tags)  # fmt: skip


def note_draft(conn: sqlite3.Connection, target_id: str, text: str, on: date, url: str | None,
               attachment: Attachment | None, tags: tuple[str, ...] = ()) -> Draft:  # fmt: skip
    find_target(conn, target_id)
    return Draft(Kind.NOTE, target_id, on, text=clean_text(text, "the note", required=True),
                 url=clean_url(url), attachment=attachment, tags=tags)  # fmt: skip


def retract(conn: sqlite3.Connection, ref: str, reason: str, user: str, now: datetime,
            on: date) -> Entry:  # fmt: skip
    """Withdraw an entry: append a retraction naming it, inside one transaction."""
    reason_text = clean_text(reason, "the reason", required=True)
    with db.write(conn):
        e = get(conn, ref)
        if e.kind == Kind.RETRACTION:
            raise PlantrackError(
                f"entry {e.id} is itself a retraction",
                hint="record the withdrawn entry again instead",
            )
        if e.retracted:
            raise PlantrackError(f"entry {e.id} is already retracted (by entry {e.retracted_by})")
        draft = Draft(Kind.RETRACTION, e.target, on, text=reason_text, retracts=e.uid)
        return append(conn, [draft], user, now)[0]


# --- facts for the progress engine -----------------------------------------------------------


def facts(conn: sqlite3.Connection, plan: Plan, as_of: date, known_at: str | None = None) -> Facts:
    """What the ledger says at ``as_of`` (counting only entries recorded by ``known_at``).

    For everything recorded (no ``known_at``) the per-target summary kept by triggers answers
    for every target whose entries are all dated on or before ``as_of``; the others, and every
    known-at question, are answered from the entries themselves in SQL: latest values and
    states by window functions, regression sums by aggregates. ``progress.facts_from_entries``
    is the reference both must agree with.
    """
    if known_at is not None:
        return _facts_from_entries(conn, plan, as_of, known_at, None)

    day = as_of.isoformat()
    owner = plan.owners()
    fromiso = date.fromisoformat
    states = {st.value: st for st in State}
    indicators: dict[str, IndicatorFacts] = {}
    milestones: dict[str, MilestoneFacts] = {}
    counts: dict[str, tuple[int, str | None]] = {}
    stale: list[tuple[str, int, str | None]] = []
    stale_ids: set[str] = set()
    for (
        target,
        n,
        last_on,
        max_on,
        m_n,
        sx,
        sy,
        sxx,
        sxy,
        v_on,
        v_id,
        v_value,
        s_on,
        s_id,
        s_state,
        syy,
        m_first,
        m_min,
        m_frac,
        m_max,
    ) in conn.execute(
        "SELECT target, entries, last_on, max_on, m_n, m_sx, m_sy, m_sxx, m_sxy, v_on, v_id, v_value,"
        " s_on, s_id, s_state, m_syy, m_first, m_min, m_frac, m_max FROM target_stats"
    ):
        if target not in owner:
            continue
        if max_on is not None and max_on > day:
            stale.append((target, n, last_on))
            stale_ids.add(target)
            continue
        if m_n and v_on is not None:
            indicators[target] = build(
                IndicatorFacts, value=v_value, value_on=fromiso(v_on), value_entry=v_id,
                sums=build(Sums, n=m_n, sx=sx, sy=sy, sxx=sxx, sxy=sxy, syy=syy),
                first_on=fromiso(m_first) if m_first else None, min_value=m_min, max_value=m_max,
                fractional=m_frac, reached_on=None,
            )  # fmt: skip
        if s_state is not None and s_on is not None:
            milestones[target] = build(MilestoneFacts, state=states[s_state], since=fromiso(s_on), entry=s_id)
        if n:
            counts[target] = (n, last_on)
    if stale:
        # Many stale targets: one pass over the (indexed) measurements and states beats a long IN list.
        part = _facts_from_entries(
            conn,
            plan,
            as_of,
            None,
            [t for t, _n, _l in stale] if len(stale) <= 200 else None,
            with_evidence=False,
        )
        indicators.update((t, f) for t, f in part.indicators.items() if t in stale_ids)
        milestones.update((t, f) for t, f in part.milestones.items() if t in stale_ids)
        for target, n, last_on in stale:
            count, last = _evidence_before(conn, target, day, n, last_on)
            if count:
                counts[target] = (count, last)
    evidence: dict[str, EvidenceFacts] = {}
    for target, (count, last) in counts.items():
        obj = owner[target]
        cur = evidence.get(obj, EvidenceFacts())
        last_day = date.fromisoformat(last) if last else None
        best = cur.last if last_day is None or (cur.last is not None and cur.last >= last_day) else last_day
        evidence[obj] = EvidenceFacts(cur.count + count, best)
    _add_reached_on(conn, plan, indicators, day, None)
    return Facts(indicators, milestones, evidence, _assessments(conn, day, None, None))


def _add_reached_on(conn: sqlite3.Connection, plan: Plan, indicators: dict[str, IndicatorFacts],
                    day: str, known_at: str | None) -> None:  # fmt: skip
    """For each indicator any of whose values has reached its target: the first day one did.

    The smallest and largest values tell which indicators can have reached their targets; few
    have, so one indexed question each is cheap.
    """
    from dataclasses import replace

    known = "" if known_at is None else f" AND {KNOWN_E} <= ?"
    rknown = "" if known_at is None else f" AND {KNOWN_R} <= ?"
    for o in plan.objectives:
        for ind in o.indicators:
            f = indicators.get(ind.id)
            if f is None or ind.target is None:
                continue
            extreme = f.min_value if ind.direction.value == "decrease" else f.max_value
            if extreme is None or not reached(ind, extreme):
                continue
            cmp = "<=" if ind.direction.value == "decrease" else ">="
            params: list[Any] = [ind.id, day, ind.target]
            if known_at is not None:
                params += [known_at, known_at]
            row = conn.execute(
                f"SELECT min(e.on_date) FROM entry e WHERE e.kind = 'measurement' AND e.target = ?"
                f" AND e.on_date <= ? AND e.value {cmp} ?{known}"
                f" AND {clauses.live(rknown)}",
                params,
            ).fetchone()
            if row and row[0]:
                indicators[ind.id] = replace(f, reached_on=date.fromisoformat(row[0]))


def _assessments(conn: sqlite3.Connection, day: str, known_at: str | None,
                 targets: Sequence[str] | None) -> dict[str, Any]:  # fmt: skip
    """The latest live assessment of each objective dated on or before ``day`` (as known at)."""
    known = "" if known_at is None else f" AND {KNOWN_E} <= :known"
    rknown = "" if known_at is None else f" AND {KNOWN_R} <= :known"
    params: dict[str, Any] = {"day": day, "known": known_at}
    only = ""
    if targets is not None:
        names = [f"t{n}" for n in range(len(targets))]
        only = f" AND e.target IN ({','.join(':' + x for x in names)})"
        params.update(zip(names, targets, strict=True))
    levels = {level.value: level for level in Level}
    return {
        target: AssessmentFacts(levels[level], date.fromisoformat(on_date), entry_id)
        for target, level, on_date, entry_id in conn.execute(
            "SELECT target, level, on_date, id FROM (SELECT e.target, e.level, e.on_date, e.id,"
            " row_number() OVER (PARTITION BY e.target ORDER BY e.on_date DESC, e.id DESC) AS rn"
            f" FROM entry e WHERE e.kind = 'assessment' AND e.on_date <= :day{known}{only}"
            f" AND {clauses.live(rknown)}) WHERE rn = 1",
            params,
        )
    }


def _evidence_before(conn: sqlite3.Connection, target: str, day: str, n_all: int,
                     last_all: str | None) -> tuple[int, str | None]:  # fmt: skip
    """Live entries of a target dated on or before ``day``: its summary minus the later ones.

    Both questions walk the (target, on_date) index from ``day`` onwards or backwards, so the
    cost follows the entries after ``day``, not all of them.
    """
    later = conn.execute(
        f"SELECT count(*) FROM entry e WHERE e.target = ? AND e.on_date > ? AND e.kind != 'retraction' AND {clauses.LIVE}",
        (target, day),
    ).fetchone()[0]
    if last_all is not None and last_all <= day:
        return n_all - later, last_all
    row = conn.execute(
        f"SELECT e.on_date FROM entry e WHERE e.target = ? AND e.on_date <= ? AND e.kind != 'retraction' AND {clauses.LIVE}"
        " ORDER BY e.on_date DESC LIMIT 1",
        (target, day),
    ).fetchone()
    return n_all - later, row[0] if row else None


def _evidence_counts(conn: sqlite3.Connection, day: str, known_at: str | None,
                     targets: Sequence[str] | None) -> list[tuple[str, int, str]]:  # fmt: skip
    known = "" if known_at is None else f" AND {KNOWN_E} <= :known"
    rknown = "" if known_at is None else f" AND {KNOWN_R} <= :known"
    only = "" if targets is None else f" AND e.target IN ({','.join('?' * len(targets))})"
    sql = (
        f"SELECT e.target, count(*), max(e.on_date) FROM entry e WHERE e.kind != 'retraction'"
        f" AND e.on_date <= ?{known.replace(':known', '?')}"
        f" AND {clauses.live(rknown.replace(':known', '?'))}{only}"
        " GROUP BY e.target"
    )
    params: list[Any] = [day]
    if known_at is not None:
        params += [known_at, known_at]
    params += list(targets or [])
    return [(t, c, last) for t, c, last in conn.execute(sql, params)]


def _facts_from_entries(conn: sqlite3.Connection, plan: Plan, as_of: date, known_at: str | None,
                        targets: Sequence[str] | None, with_evidence: bool = True) -> Facts:  # fmt: skip
    """Facts computed from the entries (optionally only for ``targets``)."""
    day = as_of.isoformat()
    known = "" if known_at is None else f" AND {KNOWN_E} <= :known"
    rknown = "" if known_at is None else f" AND {KNOWN_R} <= :known"
    live = f"{clauses.live(rknown)}"
    params: dict[str, Any] = {"day": day, "known": known_at, "epoch": EPOCH.isoformat()}
    only = ""
    if targets is not None:
        names = [f"t{n}" for n in range(len(targets))]
        only = f" AND e.target IN ({','.join(':' + x for x in names)})"
        params.update(zip(names, targets, strict=True))
    base = f"e.on_date <= :day{known} AND {live}{only}"

    indicators: dict[str, IndicatorFacts] = {}
    latest = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT target, value, on_date, id FROM (SELECT e.target, e.value, e.on_date, e.id,"
            " row_number() OVER (PARTITION BY e.target ORDER BY e.on_date DESC, e.id DESC) AS rn"
            f" FROM entry e WHERE e.kind = 'measurement' AND {base}) WHERE rn = 1",
            params,
        )
    }
    for target, n, sx, sy, sxx, sxy, syy, first_on, min_value, frac, max_value in conn.execute(
        "SELECT target, count(*), sum(x), sum(value), sum(x * x), sum(x * value), sum(value * value),"
        " min(on_date), min(value), sum(value != round(value)), max(value) FROM"
        " (SELECT e.target, e.value, e.on_date, julianday(e.on_date) - julianday(:epoch) AS x"
        f" FROM entry e WHERE e.kind = 'measurement' AND {base}) GROUP BY target",
        params,
    ):
        value, on_date, entry_id = latest[target]
        indicators[target] = IndicatorFacts(
            value=value,
            value_on=date.fromisoformat(on_date),
            value_entry=entry_id,
            sums=Sums(n, sx, sy, sxx, sxy, syy),
            first_on=date.fromisoformat(first_on),
            min_value=min_value,
            max_value=max_value,
            fractional=frac,
        )
    milestones = {
        target: MilestoneFacts(State(state), date.fromisoformat(on_date), entry_id)
        for target, state, on_date, entry_id in conn.execute(
            "SELECT target, state, on_date, id FROM (SELECT e.target, e.state, e.on_date, e.id,"
            " row_number() OVER (PARTITION BY e.target ORDER BY e.on_date DESC, e.id DESC) AS rn"
            f" FROM entry e WHERE e.kind = 'milestone' AND {base}) WHERE rn = 1",
            params,
        )
    }
    owner = plan.owners()
    evidence: dict[str, EvidenceFacts] = {}
    if targets is None and with_evidence:
        for target, count, last in _evidence_counts(conn, day, known_at, None):
            obj = owner.get(target)
            if obj is None:
                continue
            cur = evidence.get(obj, EvidenceFacts())
            last_day = date.fromisoformat(last)
            evidence[obj] = EvidenceFacts(
                cur.count + count, last_day if cur.last is None or last_day > cur.last else cur.last
            )
    if not with_evidence:  # a part of the summary path, which adds the rest itself
        return Facts(indicators, milestones, evidence)
    _add_reached_on(conn, plan, indicators, day, known_at)
    return Facts(indicators, milestones, evidence, _assessments(conn, day, known_at, targets))


def all_ids(conn: sqlite3.Connection) -> list[int]:
    """Every entry's row id, in chain order."""
    return [r[0] for r in conn.execute("SELECT id FROM entry ORDER BY id")]


def all_uids(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT uid FROM entry")}


def measurement_series(
    conn: sqlite3.Connection, day: date, stamp: str | None
) -> dict[str, list[tuple[date, float]]]:
    """Every live measurement dated on or before ``day`` (as known at ``stamp``), by indicator, oldest first."""
    series: dict[str, list[tuple[date, float]]] = {}
    for tid, on_date, value in conn.execute(
        "SELECT e.target, e.on_date, e.value FROM entry e WHERE e.kind = 'measurement' AND e.on_date <= ?"
        + (f" AND {KNOWN_E} <= ?" if stamp else "")
        + f" AND {clauses.live(f' AND {KNOWN_R} <= ?' if stamp else '')}"
        + " ORDER BY e.target, e.on_date, e.id",
        (day.isoformat(), stamp, stamp) if stamp else (day.isoformat(),),
    ):
        series.setdefault(tid, []).append((date.fromisoformat(on_date), value))
    return series


PeriodPart = tuple[int, list[Entry]]


def period_entries(conn: sqlite3.Connection, start: date, end: date, stamp: str | None, cap: int,
                   ) -> tuple[PeriodPart, PeriodPart, PeriodPart, int, PeriodPart, PeriodPart]:  # fmt: skip
    """One pass over the entries dated in [start, end]: exact counts by kind and the latest ``cap`` of each.

    Returns measurements, notes, milestones marked done (and not withdrawn), the number of
    milestone state changes, assessments and retractions.
    """
    sql = (
        f"SELECT e.id, e.kind, e.state, {clauses.retracted(f' AND {KNOWN_R} <= ?' if stamp else '')}"
        " FROM entry e WHERE e.on_date >= ? AND e.on_date <= ?"
        + (f" AND {KNOWN_E} <= ?" if stamp else "")
        + " ORDER BY e.on_date, e.id"
    )
    params: list[str] = [start.isoformat(), end.isoformat()]
    if stamp:
        params = [stamp, *params, stamp]
    ids: dict[str, list[int]] = {
        "measurement": [],
        "note": [],
        "done": [],
        "retraction": [],
        "assessment": [],
    }
    states = 0
    for entry_id, kind, state, withdrawn in conn.execute(sql, params):
        if kind == "milestone":
            states += 1
            if state == "done" and not withdrawn:
                ids["done"].append(entry_id)
        else:
            ids.setdefault(kind, []).append(entry_id)

    def part(key: str) -> PeriodPart:
        found = ids[key]
        return len(found), entries_by_id(conn, found[-cap:], known_at=stamp)

    return part("measurement"), part("note"), part("done"), states, part("assessment"), part("retraction")


def last_id(conn: sqlite3.Connection) -> int:
    """The row id of the newest entry (0 for an empty ledger)."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM entry").fetchone()[0])
