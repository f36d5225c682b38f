"""Bulk CSV loads of measurements, notes, milestone states and assessments: all rows or none."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from plantrack.core.dates import parse_date, utc_stamp
from plantrack.core.text import decode_legacy
from plantrack.errors import PlantrackError
from plantrack.limits import PROBLEMS_SHOWN
from plantrack.models import Entry, Kind, Level, State, Verify
from plantrack.store import db, fts, ledger

# For each kind of load: required columns, optional columns.
LAYOUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "measurement": (("id", "value", "on"), ("note", "url", "tag")),
    "note": (("id", "text", "on"), ("url", "tag")),
    "milestone": (("id", "state", "on"), ("note", "url", "tag")),
    "assessment": (("id", "level", "on", "note"), ("url", "tag")),
}
STATE_WORDS = {
    "planned": State.PLANNED,
    "start": State.IN_PROGRESS,
    "started": State.IN_PROGRESS,
    "in-progress": State.IN_PROGRESS,
    "in progress": State.IN_PROGRESS,
    "done": State.DONE,
    "block": State.BLOCKED,
    "blocked": State.BLOCKED,
    "cancel": State.CANCELLED,
    "cancelled": State.CANCELLED,
    "canceled": State.CANCELLED,
    "reopen": State.IN_PROGRESS,
}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Loaded:
    kind: str
    rows: int
    first_id: int | None
    last_id: int | None
    encoding: str = "UTF-8"  # what the file was read as


class CsvInvalid(PlantrackError):
    """One or more rows are wrong; nothing was recorded."""

    def __init__(self, path: str, problems: list[str], total: int) -> None:
        more = f" (first {len(problems)} shown)" if total > len(problems) else ""
        super().__init__(
            f"{path}: {total} problem{'s' if total != 1 else ''}; nothing was recorded{more}",
            hint="fix the rows and load the file again",
        )
        self.problems = problems


# What a CSV file that is not UTF-8 was most likely saved as, in the order tried: Excel on a
# mainland Windows writes GBK (GB18030 is its superset), in Hong Kong and Taiwan Big5 (Windows'
# cp950; HKSCS adds the Hong Kong characters).
_CHUNK = 1 << 20


MAX_CSV = 2 * 2**30  # bytes: a CSV load larger than this is refused before it is read


def _regular(path: Path, what: str, limit: int) -> None:
    """Refuse, before reading, what is not an ordinary file (a FIFO, /dev/zero, a folder) or is
    larger than ``limit``."""
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        raise PlantrackError(f"{what} {str(path)!r} does not exist", hint="check the path") from None
    except OSError as e:
        raise PlantrackError(f"cannot read {str(path)!r}: {e.strerror}") from e
    if stat.S_ISDIR(info.st_mode):
        raise PlantrackError(f"{str(path)!r} is a directory", hint=f"name a {what.split()[0]} file")
    if not stat.S_ISREG(info.st_mode):
        raise PlantrackError(
            f"{str(path)!r} is not a regular file (a device or a pipe)",
            hint=f"save the data to a {what.split()[0]} file first",
        )
    if info.st_size > limit:
        raise PlantrackError(
            f"{what} {str(path)!r} is {info.st_size:,} bytes, more than the {limit:,} a load takes",
            hint="split it into several files",
        )


def _codec(name: str) -> tuple[str, str]:
    """A codec for ``--encoding NAME`` and the name to show; an unknown or non-text codec is an error."""
    import codecs

    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError):  # ValueError: a name with a NUL in it
        info = None
    # "undefined" is a codec that refuses everything; rot13, base64 and the like are not for text.
    if info is None or info.name == "undefined" or not getattr(info, "_is_text_encoding", True):
        raise PlantrackError(f"unknown encoding {name[:40]!r}", hint="e.g. --encoding utf-8, gb18030 or big5")
    # UTF-8 as Excel writes it may start with a byte-order mark; it is not part of the first column.
    return ("utf-8-sig" if info.name == "utf-8" else info.name), info.name


def _first_bad(raw: BinaryIO, codec: str) -> tuple[int, str] | None:
    """The offset of the first byte that does not decode in ``codec`` and the codec's reason (None:
    all of it decodes), read in chunks so that a large UTF-8 file is checked without holding it in
    memory."""
    import codecs

    # Plain UTF-8 for the check: its offsets count a byte-order mark, utf-8-sig's do not.
    decoder = codecs.getincrementaldecoder("utf-8" if codec == "utf-8-sig" else codec)("strict")
    done = 0
    while True:
        chunk = raw.read(_CHUNK)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as e:
            return done - pending + e.start, e.reason
        except UnicodeError as e:  # some codecs (utf-16 without a BOM, idna) say no position
            return max(0, done - pending), str(e)
        if not chunk:
            return None
        done += len(chunk)


def _where(raw: BinaryIO, offset: int, codec: str) -> str:
    """Line and byte of ``offset``, for a message (lines counted as the file's own encoding has them)."""
    raw.seek(0)
    before = raw.read(offset)
    bad = raw.read(1)
    try:
        line = before.decode(codec, errors="replace").count("\n") + 1
    except (UnicodeError, LookupError):  # a codec without "replace" (idna): count the bytes
        line = before.count(b"\n") + 1
    return f"line {line}, byte {offset + 1}" + (
        f" (0x{bad[0]:02x})" if bad else " (the file ends mid-character)"
    )


def _open(path: Path, encoding: str | None) -> tuple[TextIO, str]:
    """The CSV file as text and the name of the encoding it was read in: ``encoding`` when given,
    else UTF-8 (with or without a byte-order mark), else GB18030 or Big5."""
    import io

    forced = _codec(encoding) if encoding is not None else None
    _regular(path, "CSV file", MAX_CSV)
    try:
        raw = path.open("rb")
    except FileNotFoundError as e:
        raise PlantrackError(f"CSV file {str(path)!r} does not exist", hint="check the path") from e
    except IsADirectoryError as e:
        raise PlantrackError(f"{str(path)!r} is a directory", hint="name a CSV file") from e
    except OSError as e:
        raise PlantrackError(f"cannot read {str(path)!r}: {e.strerror}") from e
    try:
        codec, label = forced or ("utf-8-sig", "UTF-8")
        found = _first_bad(raw, codec)
        if found is None:
            raw.seek(0)
            return io.TextIOWrapper(raw, encoding=codec, newline=""), label
        if forced is not None:
            raise PlantrackError(
                f"{str(path)!r} is not valid {label}: {_where(raw, found[0], codec)} does not decode ({found[1]})",
                hint="name the file's real encoding, or leave --encoding out to have it detected",
            )
        # Not UTF-8: a file saved by Excel in a Chinese locale, small enough to read whole.
        raw.seek(0)
        decoded = decode_legacy(raw.read())
        if decoded is None:
            raise PlantrackError(
                f"{str(path)!r} is not UTF-8, GB18030 or Big5 text ({_where(raw, found[0], 'utf-8')} is not UTF-8)",
                hint="save it from Excel as 'CSV UTF-8', or name its encoding with --encoding",
            )
        text, label = decoded
    except BaseException:
        raw.close()
        raise
    raw.close()
    return io.StringIO(text, newline=""), label


def read_rows(
    path: Path, encoding: str | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]], Any, str]:
    """A CSV file's column names (lower case), its rows with their line numbers, the open file (to
    close) and the encoding it was read in."""
    f, label = _open(path, encoding)
    import csv  # only CSV loads need it

    reader = csv.reader(f)
    try:
        header = next(reader)
    except StopIteration:
        f.close()
        raise PlantrackError(f"{str(path)!r} is empty", hint="the first row names the columns") from None
    except csv.Error as e:
        f.close()
        raise PlantrackError(f"{str(path)!r} is not a CSV file: {e}") from e

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as e:
            raise PlantrackError(f"{str(path)!r} line {reader.line_num}: {e}") from e

    # A byte-order mark the codec kept (GB18030 has one too) is not part of the first column's name.
    return [h.strip().lstrip("\ufeff").strip().lower() for h in header], rows(), f, label


def _targets(conn: sqlite3.Connection, kinds: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    marks = ",".join("?" * len(kinds))
    return {
        oid: json.loads(data)
        for oid, data in conn.execute(
            f"SELECT id, data_json FROM plan_object WHERE kind IN ({marks}) AND archived_rev IS NULL", kinds
        )
    }


def load(conn: sqlite3.Connection, kind: str, path: Path, user: str, now: datetime, today: date,
         progress: Progress | None = None, encoding: str | None = None,
         force: bool = False) -> Loaded:  # fmt: skip
    """Validate every row of ``path``, then write them all in one transaction (or none).

    A row that a single entry would need ``--force`` for (``ledger.check_draft``: dated after
    ``today``, before its indicator's baseline, the same as an entry already recorded or as an
    earlier row) is a problem unless ``force``.

    The file is read in ``encoding`` when given, else detected (see :func:`_open`); the result
    names the encoding used."""

    required, optional = LAYOUTS[kind]
    header, rows, handle, label = read_rows(path, encoding)
    try:
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in required + optional]
        if missing or unknown or len(set(header)) != len(header):
            what = []
            if missing:
                what.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
            if unknown:
                what.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
            if len(set(header)) != len(header):
                what.append("a column is named twice")
            raise PlantrackError(
                f"{path}: {'; '.join(what)}",
                hint=f"the columns are {','.join(required)}[,{','.join(optional)}]",
            )
        col = {name: header.index(name) for name in header}
        kinds = {
            "measurement": ("indicator",),
            "milestone": ("milestone",),
            "assessment": ("objective",),
        }.get(kind, ("plan", "objective", "milestone", "indicator"))
        valid = _targets(conn, kinds)
        drafts, problems, total = _validate(kind, rows, col, valid, today, len(header), progress,
                                            None if force else conn)  # fmt: skip
    finally:
        handle.close()
    if total:
        raise CsvInvalid(str(path), problems, total)
    if not drafts:
        raise PlantrackError(f"{path}: no rows to load", hint="the file has a header and nothing else")
    return dataclasses.replace(_write(conn, kind, drafts, user, now, progress), encoding=label)


def _validate(kind: str, rows: Iterator[tuple[int, list[str]]], col: dict[str, int],
              valid: dict[str, dict[str, Any]], today: date, width: int, progress: Progress | None,
              doubting: sqlite3.Connection | None = None) -> tuple[list[tuple[Any, ...]], list[str], int]:  # fmt: skip
    """The rows as drafts, and the problems; with ``doubting`` (the database), rows that would need
    --force are problems too."""
    drafts: list[tuple[Any, ...]] = []
    seen: dict[ledger.SameKey, int] = {}  # each row's sameness key -> its first row
    problems: list[str] = []
    total = 0
    day_cache: dict[str, date] = {}

    def problem(line: int, column: str | None, what: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < PROBLEMS_SHOWN:
            where = f"row {line}" + (f", column {column!r}" if column else "")
            problems.append(f"{where}: {what}")

    def cell(row: list[str], name: str) -> str | None:
        i = col.get(name)
        if i is None or i >= len(row):
            return None
        v = row[i]
        return v if v.strip() != "" else None

    for n, (line, row) in enumerate(rows, start=1):
        if progress is not None and n % 5000 == 0:
            progress(n, 0)
        if n == 1000:
            db.checkpoint("bulk-validating")
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) > width:
            problem(line, None, f"{len(row)} cells but {width} columns")
            continue
        tid = (cell(row, "id") or "").strip()
        if not tid:
            problem(line, "id", "is empty")
            continue
        target = valid.get(tid)
        if target is None:
            what = {"measurement": "indicator", "milestone": "milestone", "assessment": "objective"}.get(
                kind, "objective, milestone or indicator"
            )
            close = ledger.closest(tid, list(valid)) if len(problems) < PROBLEMS_SHOWN else None
            also = f" (did you mean {close!r}?)" if close else ""
            problem(line, "id", f"{tid[:60]!r} is not {ledger.a_noun(what)} of the plan{also}")
            continue
        raw_on = (cell(row, "on") or "").strip()
        if not raw_on:
            problem(line, "on", "is empty (give the date the entry refers to)")
            continue
        on = day_cache.get(raw_on)
        if on is None:
            # Each distinct date string is parsed once (the cache), by the one date parser.
            try:
                on = parse_date(raw_on, today)
            except PlantrackError as e:
                problem(line, "on", e.message)
                continue
            day_cache[raw_on] = on
        try:
            url = ledger.clean_url(cell(row, "url"))
        except PlantrackError as e:
            problem(line, "url", e.message)
            continue
        raw_tags = cell(row, "tag")
        tags: tuple[str, ...] = ()
        if raw_tags:
            try:
                tags = ledger.clean_tags(raw_tags.replace(";", " ").split())
            except PlantrackError as e:
                problem(line, "tag", e.message)
                continue
        value: float | None = None
        state: str | None = None
        if kind == "measurement":
            raw = cell(row, "value")
            if raw is None:
                problem(line, "value", "is empty")
                continue
            try:
                value = ledger.parse_value(raw)
            except PlantrackError as e:
                problem(line, "value", e.message)
                continue
            text_col = "note"
        elif kind == "milestone":
            raw = (cell(row, "state") or "").strip().lower()
            st = STATE_WORDS.get(raw)
            if st is None:
                problem(
                    line,
                    "state",
                    f"{raw[:30]!r} is not a state (use planned, in-progress, done, blocked or cancelled)",
                )
                continue
            state = st.value
            if st == State.DONE:
                verify = target.get("verify")
                if verify == Verify.ATTACHMENT:
                    problem(
                        line,
                        "state",
                        f"milestone {tid!r} needs an attached file to be done; use plantrack milestone done {tid} --attach FILE",
                    )
                    continue
                if verify in (Verify.URL, Verify.ANY) and not url:
                    problem(line, "url", f"milestone {tid!r} needs a url to be done (verify = {verify!r})")
                    continue
            text_col = "note"
        elif kind == "assessment":
            try:
                state = ledger.parse_level(cell(row, "level") or "").value
            except PlantrackError as e:
                problem(line, "level", e.message)
                continue
            text_col = "note"
        else:
            text_col = "text"
        text = cell(row, text_col)
        try:
            text = ledger.clean_text(text, text_col, required=kind in ("note", "assessment"))
        except PlantrackError as e:
            problem(line, text_col, e.message)
            continue
        if kind == "milestone" and state == State.CANCELLED.value and text is None:
            problem(line, "note", "a cancelled milestone needs the reason here")
            continue
        if doubting is not None:
            baseline = target.get("baseline_date") if kind == "measurement" else None
            why = ledger.doubt(on, today, date.fromisoformat(baseline) if baseline else None)
            if why is not None:
                problem(line, "on", f"{why}; --force loads it anyway")
                continue
            key = ledger.same_key(tid, on, value, state, text)
            if key in seen:
                problem(line, None, f"the same as row {seen[key]}; --force loads both")
                continue
            seen[key] = line
        drafts.append((tid, on, text, value, state, url, tags))
    if doubting is not None and seen:
        found = ledger.already_recorded(doubting, Kind(kind), seen)
        for key, entry_id in sorted(found.items(), key=lambda kv: seen[kv[0]]):
            problem(seen[key], None, f"the same as entry {entry_id}; --force loads it again")
    return drafts, problems, total


def _write(conn: sqlite3.Connection, kind: str, drafts: list[tuple[Any, ...]], user: str, now: datetime,
           progress: Progress | None) -> Loaded:  # fmt: skip
    import os
    import time

    site = db.site(conn)
    stamp = utc_stamp(now)
    total = len(drafts)
    millis = int(time.time() * 1000)
    entry_kind = Kind(kind)
    # An assessment's level travels in the draft's state slot; it is stored and hashed as level.
    assessing = kind == "assessment"
    levels = {level.value: level for level in Level}
    states = {s.value: s for s in State}

    def entries() -> Iterator[Entry]:
        for n, (tid, on, text, value, state, url, tags) in enumerate(drafts, start=1):
            # Time, then the row's number, then randomness: increasing within the load.
            uid = f"{millis:012x}{n:08x}{os.urandom(6).hex()}"
            yield Entry(
                id=0, uid=uid, kind=entry_kind, target=tid, on=on, recorded_at=stamp, user=user,
                site=site, text=text, value=value, url=url, tags=tuple(tags),
                state=None if assessing or state is None else states[state],
                level=levels[state] if assessing else None,
            )  # fmt: skip

    def after_batch(n: int) -> None:
        db.checkpoint("bulk-writing")  # rows written, the transaction still open
        if progress is not None:
            progress(n, total)

    # A large page cache keeps the indexes' pages in memory for the whole load.
    conn.execute("PRAGMA cache_size = -262144")
    with db.write(conn), fts.paused_index(conn) as index:
        first = ledger.last_id(conn) + 1
        ledger.write_chain(conn, entries(), after_batch=after_batch)
        if progress is not None:
            progress(total, total)
        index.catch_up()
        last = ledger.last_id(conn)
    return Loaded(kind, total, first, last)
