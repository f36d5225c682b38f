"""Bulk CSV loads of measurements, notes, milestone states and assessments: all rows or none."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from plantrack.core.dates import parse_date, utc_stamp
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


class CsvInvalid(PlantrackError):
    """One or more rows are wrong; nothing was recorded."""

    def __init__(self, path: str, problems: list[str], total: int) -> None:
        more = f" (first {len(problems)} shown)" if total > len(problems) else ""
        super().__init__(
            f"{path}: {total} problem{'s' if total != 1 else ''}; nothing was recorded{more}",
            hint="fix the rows and load the file again",
        )
        self.problems = problems


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]], Any]:
    try:
        f = path.open("r", encoding="utf-8-sig", newline="")
    except FileNotFoundError as e:
        raise PlantrackError(f"CSV file {str(path)!r} does not exist", hint="check the path") from e
    except IsADirectoryError as e:
        raise PlantrackError(f"{str(path)!r} is a directory", hint="name a CSV file") from e
    except OSError as e:
        raise PlantrackError(f"cannot read {str(path)!r}: {e.strerror}") from e
    import csv  # only CSV loads need it

    reader = csv.reader(f)
    try:
        header = next(reader)
    except StopIteration:
        f.close()
        raise PlantrackError(f"{str(path)!r} is empty", hint="the first row names the columns") from None
    except (UnicodeDecodeError, csv.Error) as e:
        f.close()
        raise PlantrackError(f"{str(path)!r} is not a UTF-8 CSV file: {e}") from e

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError as e:
            raise PlantrackError(
                f"{str(path)!r} line {reader.line_num + 1} is not UTF-8", hint="save the file as UTF-8"
            ) from e
        except csv.Error as e:
            raise PlantrackError(f"{str(path)!r} line {reader.line_num}: {e}") from e

    return [h.strip().lower() for h in header], rows(), f


def _targets(conn: sqlite3.Connection, kinds: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    marks = ",".join("?" * len(kinds))
    return {
        oid: json.loads(data)
        for oid, data in conn.execute(
            f"SELECT id, data_json FROM plan_object WHERE kind IN ({marks}) AND archived_rev IS NULL", kinds
        )
    }


def load(conn: sqlite3.Connection, kind: str, path: Path, user: str, now: datetime, today: date,
         progress: Progress | None = None) -> Loaded:  # fmt: skip
    """Validate every row of ``path``, then write them all in one transaction (or none)."""

    required, optional = LAYOUTS[kind]
    header, rows, handle = _rows(path)
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
        drafts, problems, total = _validate(kind, rows, col, valid, today, len(header), progress)
    finally:
        handle.close()
    if total:
        raise CsvInvalid(str(path), problems, total)
    if not drafts:
        raise PlantrackError(f"{path}: no rows to load", hint="the file has a header and nothing else")
    return _write(conn, kind, drafts, user, now, progress)


def _validate(kind: str, rows: Iterator[tuple[int, list[str]]], col: dict[str, int],
              valid: dict[str, dict[str, Any]], today: date, width: int,
              progress: Progress | None) -> tuple[list[tuple[Any, ...]], list[str], int]:  # fmt: skip
    drafts: list[tuple[Any, ...]] = []
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
            problem(line, "id", f"{tid[:60]!r} is not a {what} of the plan")
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
        drafts.append((tid, on, text, value, state, url, tags))
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
