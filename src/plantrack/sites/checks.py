"""An imported entry is checked as a local write is: the same limits, the same rules.

Every problem is a ``BundleRefused`` naming the entry; the bundle is refused whole.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from plantrack import models
from plantrack.errors import PlantrackError
from plantrack.models import Kind, Level, State, Verify
from plantrack.store import ledger

HEX64 = re.compile(r"[0-9a-f]{64}")
UID = re.compile(r"[0-9a-f]{32}")
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
CLOCK_SKEW = timedelta(minutes=10)  # how far ahead of this machine's clock a partner's clock may run
MAX_LINE = 16 * 2**20  # an entry's JSON line (a text of a million characters, escaped, fits)
MAX_NAME = 255
MAX_FILE = 2**50  # bytes: an attachment's stated size beyond this is not a file
MAX_INT_DIGITS = 19  # beyond SQLite's integer range is not an entry's number

# The fields an entry line carries, and no others.
_FIELDS = {
    "uid", "kind", "target", "on", "recorded_at", "user", "site", "text", "value", "state", "url",
    "attachment", "tags", "retracts", "level", "hash", "prev_hash", "position",
}  # fmt: skip
_TARGET_KINDS = {
    Kind.MEASUREMENT: ("indicator",),
    Kind.MILESTONE: ("milestone",),
    Kind.ASSESSMENT: ("objective",),
    Kind.NOTE: ("plan", "objective", "milestone", "indicator"),
    Kind.RETRACTION: ("plan", "objective", "milestone", "indicator"),
}


class BundleRefused(PlantrackError):
    """The bundle failed a check; nothing was written."""

    def __init__(self, message: str, hint: str = "ask the sender for a new export") -> None:
        super().__init__(f"bundle refused: {message}; nothing was written", hint=hint)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is not a finite number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"the integer {text[:12]}… is too large")
    return int(text)


def loads(raw: str | bytes, what: str) -> Any:
    """Strict JSON: no NaN or Infinity, no overflowing numbers, no nesting deep enough to crash,
    no text that is not Unicode (a lone surrogate such as \\ud800 cannot be stored or hashed)."""
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_float=_finite, parse_int=_bounded_int)
    except RecursionError:
        raise BundleRefused(f"{what} is nested too deeply") from None
    except (ValueError, TypeError) as e:
        raise BundleRefused(f"{what} is not valid JSON ({str(e)[:120]})") from None
    if not _unicode(value):
        raise BundleRefused(f"{what} holds text that is not valid Unicode (a lone surrogate)")
    return value


def _unicode(value: Any) -> bool:
    """True when every string in ``value`` (keys included) encodes as UTF-8."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return True


def _str(
    line: dict[str, Any], key: str, where: str, optional: bool = False, limit: int | None = None
) -> str | None:
    value = line.get(key)
    if value is None:
        if optional:
            return None
        raise BundleRefused(f"{where} has no {key}")
    if not isinstance(value, str):
        raise BundleRefused(f"{where}: {key} is not text")
    if limit is not None and len(value) > limit:
        raise BundleRefused(f"{where}: {key} is longer than {limit} characters")
    return value


def _fix(where: str, call: Callable[[], Any]) -> Any:
    """Run a local-write check; its message becomes the bundle's refusal."""
    try:
        return call()
    except PlantrackError as e:
        raise BundleRefused(f"{where}: {e.message}") from None


def _choice(enum: Any, value: str | None, what: str, where: str) -> Any:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise BundleRefused(f"{where}: {what} {value[:40]!r} is not one of {allowed}") from None


def parse_line(raw: str, n: int) -> tuple[models.Entry, str, int]:
    """An entry line as (entry, prev_hash, position), with every field's type and form checked."""
    where = f"entry on line {n}"
    line = loads(raw, where)
    if not isinstance(line, dict):
        raise BundleRefused(f"{where} is not an object")
    extra = set(line) - _FIELDS
    if extra:
        raise BundleRefused(f"{where} has unknown fields {sorted(extra)[:3]}")
    uid = _str(line, "uid", where) or ""
    if not UID.fullmatch(uid):
        raise BundleRefused(f"{where} has a malformed uid")
    where = f"entry {uid[:12]}… (line {n})"
    kind = _choice(Kind, _str(line, "kind", where), "kind", where)
    state = _choice(State, _str(line, "state", where, optional=True), "state", where)
    level = _choice(Level, _str(line, "level", where, optional=True), "level", where)
    try:
        on = date.fromisoformat(_str(line, "on", where) or "")
    except ValueError:
        raise BundleRefused(f"{where}: its date is not an ISO date") from None
    recorded_at = _str(line, "recorded_at", where) or ""
    if not STAMP.fullmatch(recorded_at):
        raise BundleRefused(f"{where}: recorded_at {recorded_at[:40]!r} is not a UTC time")
    try:
        datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
    except ValueError:
        raise BundleRefused(f"{where}: recorded_at {recorded_at!r} is not a real instant") from None
    value = line.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise BundleRefused(f"{where}: value is not a number")
    if value is not None:
        value = float(value)
        if not math.isfinite(value):
            raise BundleRefused(f"{where}: value is not a finite number")
    tags = line.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BundleRefused(f"{where}: tags are not a list of text")
    attachment = None
    att = line.get("attachment")
    if att is not None:
        if not isinstance(att, dict) or set(att) != {"name", "sha256", "size", "type"}:
            raise BundleRefused(f"{where}: its attachment is malformed")
        name, sha, size, media = att["name"], att["sha256"], att["size"], att["type"]
        if not (isinstance(name, str) and isinstance(sha, str) and isinstance(media, str)):
            raise BundleRefused(f"{where}: its attachment is malformed")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < MAX_FILE:
            raise BundleRefused(f"{where}: its attachment's size is not a byte count")
        if not HEX64.fullmatch(sha) or len(name) > MAX_NAME or len(media) > 255 or "\x00" in name + media:
            raise BundleRefused(f"{where}: its attachment is malformed")
        attachment = models.Attachment(name, sha, size, media)
    retracts = _str(line, "retracts", where, optional=True)
    if retracts is not None and not UID.fullmatch(retracts):
        raise BundleRefused(f"{where}: retracts is not an entry uid")
    entry_hash = _str(line, "hash", where) or ""
    prev = _str(line, "prev_hash", where) or ""
    if not HEX64.fullmatch(entry_hash) or not HEX64.fullmatch(prev):
        raise BundleRefused(f"{where}: its hashes are malformed")
    position = line.get("position")
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        raise BundleRefused(f"{where}: its position in the sender's ledger is missing")
    e = models.Entry(
        id=0, uid=uid, kind=kind, target=_str(line, "target", where, limit=200) or "", on=on,
        recorded_at=recorded_at, user=_str(line, "user", where, limit=1000) or "",
        site=_str(line, "site", where, limit=64) or "",
        text=_str(line, "text", where, optional=True), value=value, state=state,
        url=_str(line, "url", where, optional=True), attachment=attachment, tags=tuple(tags),
        retracts=retracts, hash=entry_hash, level=level,
    )  # fmt: skip
    return e, prev, position


def check_entry(e: models.Entry, targets: dict[str, tuple[str, dict[str, Any]]], now: datetime) -> None:
    """The rules a local write keeps, applied to an entry from another site."""
    where = f"entry {e.uid[:12]}…"
    known = targets.get(e.target)
    if known is None:
        raise BundleRefused(
            f"{where} is about {e.target!r}, which this plan does not have (apply the same plan first)"
        )
    target_kind, data = known
    if target_kind not in _TARGET_KINDS[e.kind]:
        raise BundleRefused(
            f"{where}: a {e.kind.value} cannot be about {ledger.a_noun(target_kind)} ({e.target!r})"
        )
    if (e.kind == Kind.MEASUREMENT) != (e.value is not None):
        raise BundleRefused(f"{where}: only a measurement carries a value, and it must")
    if (e.kind == Kind.MILESTONE) != (e.state is not None):
        raise BundleRefused(f"{where}: only a milestone change carries a state, and it must")
    if (e.kind == Kind.ASSESSMENT) != (e.level is not None):
        raise BundleRefused(f"{where}: only an assessment carries a level, and it must")
    if (e.kind == Kind.RETRACTION) != (e.retracts is not None):
        raise BundleRefused(f"{where}: only a retraction names an entry it withdraws, and it must")
    if e.retracts is not None and e.retracts == e.uid:
        raise BundleRefused(f"{where} withdraws itself")
    required = e.kind in (Kind.NOTE, Kind.RETRACTION, Kind.ASSESSMENT)
    _fix(where, lambda: ledger.clean_text(e.text, "its text", required=required))
    if e.url is not None and _fix(where, lambda: ledger.clean_url(e.url)) != e.url:
        raise BundleRefused(f"{where}: its URL is not written as a URL is")
    # Tags as a local write stores them (an older release kept "Internal" as typed: still fine).
    as_typed = tuple("internal" if t.casefold() == "internal" else t for t in e.tags)
    if _fix(where, lambda: ledger.clean_tags(e.tags)) != as_typed:
        raise BundleRefused(f"{where}: its tags are not written as tags are")
    name = e.user.strip()
    if (
        not name
        or name != e.user
        or len(name) > 100
        or any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in name)
    ):
        raise BundleRefused(f"{where}: {e.user[:40]!r} is not a usable user name")
    recorded = datetime.fromisoformat(e.recorded_at.replace("Z", "+00:00"))
    if recorded > now + CLOCK_SKEW:
        raise BundleRefused(f"{where} was recorded at {e.recorded_at}, in the future")
    if e.kind == Kind.MILESTONE and e.state == State.DONE:
        verify = data.get("verify")
        has_url, has_file = e.url is not None, e.attachment is not None
        if (
            (verify == Verify.URL and not has_url)
            or (verify == Verify.ATTACHMENT and not has_file)
            or (verify == Verify.ANY and not (has_url or has_file))
        ):
            raise BundleRefused(
                f"{where} marks milestone {e.target!r} done without the evidence its plan requires"
                f" (verify = {verify!r})"
            )
