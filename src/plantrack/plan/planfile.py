"""Read and validate objectives.toml into a Plan, reporting every problem with its line."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from plantrack.core import recurrence
from plantrack.core.dates import zone
from plantrack.core.text import plain_num
from plantrack.errors import PlanInvalid, PlantrackError
from plantrack.models import (
    Direction,
    Group,
    Indicator,
    Milestone,
    Objective,
    Park,
    Plan,
    TrajectoryPoint,
    Verify,
)
from plantrack.plan.plansource import PlanSource as PlanSource
from plantrack.plan.plansource import default_plan_path as default_plan_path
from plantrack.plan.plansource import embedded_plan_path as embedded_plan_path
from plantrack.plan.plansource import read_source as read_source

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_TEXT = 10_000


# --- line numbers ----------------------------------------------------------------------------

_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*(\.\s*[A-Za-z0-9_\-]+\s*)*=")


def _bracket_delta(fragment: str) -> int:
    code = re.sub(r"\"(\\.|[^\"\\])*\"|'[^']*'", "", fragment).split("#", 1)[0]
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")


def line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map table paths (and keys within them) to 1-based line numbers.

    Keys look like ``("objective", 2)``, ``("objective", 2, "due")``,
    ``("objective", 2, "milestone", 0, "due")``, ``("plan", "rag", "amber")``.
    tomllib gives no positions, so the file is scanned for headers and keys.
    """
    index: dict[tuple[Any, ...], int] = {}
    counts: dict[tuple[Any, ...], int] = {}
    current: tuple[Any, ...] = ()
    last_array: dict[str, tuple[Any, ...]] = {}
    in_string: str | None = None
    depth = 0
    for n, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if in_string in line:
                in_string = None
            continue
        if depth > 0:
            depth = max(0, depth + _bracket_delta(line))
            continue
        if line.lstrip().startswith("[") and (m := _HEADER.match(line)):
            parts = [p.strip().strip('"') for p in m[2].split(".")]
            parent: tuple[Any, ...] = ()
            if len(parts) > 1:
                parent = last_array.get(".".join(parts[:-1]), tuple(parts[:-1]))
            if m[1] == "[[":
                key = parent + (parts[-1],)
                i = counts.get(key, 0)
                counts[key] = i + 1
                current = key + (i,)
                last_array[".".join(parts)] = current
            else:
                current = parent + (parts[-1],)
            index.setdefault(current, n)
            continue
        if m := _KEY.match(line):
            index.setdefault(current + (m[1].strip("\"'"),), n)
            value = line[m.end() :]
            for quote in ('"""', "'''"):
                if value.count(quote) % 2 == 1:
                    in_string = quote
            if not in_string:
                depth = max(0, _bracket_delta(value))
    return index


# --- validation ------------------------------------------------------------------------------


class _Checker:
    def __init__(self, source: PlanSource, lines: dict[tuple[Any, ...], int]) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[tuple[int, str]] = []
        self.warnings: list[tuple[int, str]] = []  # worth a look, not a reason to refuse the plan

    def line(self, path: tuple[Any, ...]) -> int:
        p = path
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return 1

    def add(self, path: tuple[Any, ...], what: str) -> None:
        self.problems.append((self.line(path), what))

    def warn(self, path: tuple[Any, ...], what: str) -> None:
        self.warnings.append((self.line(path), what))

    # field readers: each returns the value or None and records a problem
    def text(self, table: dict[str, Any], key: str, path: tuple[Any, ...], where: str,
             required: bool = False) -> str | None:  # fmt: skip
        value = table.get(key)
        if value is None:
            if required:
                self.add(path, f"{where}: missing required key {key!r}")
            return None
        if not isinstance(value, str):
            self.add(path + (key,), f"{where}: {key} must be a string, not {_tname(value)}")
            return None
        if required and not value.strip():
            self.add(path + (key,), f"{where}: {key} must not be empty")
            return None
        if len(value) > MAX_TEXT:
            self.add(path + (key,), f"{where}: {key} is longer than {MAX_TEXT} characters")
            return None
        return value

    def day(self, table: dict[str, Any], key: str, path: tuple[Any, ...], where: str,
            required: bool = False) -> date | None:  # fmt: skip
        value = table.get(key)
        if value is None:
            if required:
                self.add(path, f"{where}: missing required key {key!r}")
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            hint = " (write a TOML date without quotes, e.g. 2025-12-31)"
            self.add(path + (key,), f"{where}: {key} must be a date, not {_tname(value)}{hint}")
            return None
        return value

    def number(self, table: dict[str, Any], key: str, path: tuple[Any, ...], where: str,
               required: bool = False, positive: bool = False) -> float | None:  # fmt: skip
        value = table.get(key)
        if value is None:
            if required:
                self.add(path, f"{where}: missing required key {key!r}")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(path + (key,), f"{where}: {key} must be a number, not {_tname(value)}")
            return None
        if not math.isfinite(value):
            self.add(path + (key,), f"{where}: {key} must be a finite number")
            return None
        if positive and value <= 0:
            self.add(path + (key,), f"{where}: {key} must be greater than 0")
            return None
        return float(value)

    def choice(self, table: dict[str, Any], key: str, path: tuple[Any, ...], where: str,
               allowed: list[str]) -> str | None:  # fmt: skip
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:
            self.add(
                path + (key,),
                f"{where}: {key} must be one of {', '.join(allowed)}, not {value!r}",
            )
            return None
        return value

    def keys(self, table: dict[str, Any], allowed: set[str], path: tuple[Any, ...],
             where: str) -> None:  # fmt: skip
        for key in table:
            if key not in allowed:
                close = _closest(key, allowed)
                hint = f" (did you mean {close!r}?)" if close else ""
                self.add(path + (key,), f"{where}: unknown key {key!r}{hint}")

    def ident(self, table: dict[str, Any], path: tuple[Any, ...], where: str,
              pattern: re.Pattern[str] = ITEM_ID) -> str | None:  # fmt: skip
        value = self.text(table, "id", path, where, required=True)
        if value is None:
            return None
        if not pattern.fullmatch(value) or len(value) > 200:
            rule = "[a-z0-9][a-z0-9-]*" if pattern is SLUG else "letters, digits, '.', '_', '-'"
            self.add(path + ("id",), f"{where}: id {value!r} is not valid (use {rule})")
            return None
        return value


def _tname(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _closest(word: str, options: set[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.75)
    return found[0] if found else None


PLAN_KEYS = {"id", "title", "title_zh", "adopted", "horizon", "timezone", "source", "review",
             "rag", "description", "trend", "assessment_days", "committed_by"}  # fmt: skip
GROUP_KEYS = {"id", "name", "name_zh", "description", "source", "committed_by"}
OBJECTIVE_KEYS = {"id", "title", "title_zh", "description", "source", "sector", "theme", "park",
                  "owner", "start", "due", "weight", "milestone", "indicator", "committed_by"}  # fmt: skip
MILESTONE_KEYS = {"id", "title", "title_zh", "due", "weight", "verify", "description", "source",
                  "owner", "committed_by"}  # fmt: skip
INDICATOR_KEYS = {"id", "name", "name_zh", "unit", "baseline", "baseline_date", "target",
                  "target_date", "direction", "trajectory", "weight", "description", "source",
                  "range", "decimals", "committed_by"}  # fmt: skip
MAX_DECIMALS = 6
TOP_KEYS = {"plan", "sector", "theme", "objective"}


def parse(source: PlanSource) -> tuple[Plan | None, list[str]]:
    """Validate a plan file; return the Plan (None when there are problems) and the problems."""
    plan, problems, _warnings = check(source)
    return plan, problems


def check(source: PlanSource) -> tuple[Plan | None, list[str], list[str]]:
    """Validate a plan file: the Plan (None when there are problems), the problems, and the
    warnings (things to look at that do not make the plan wrong, such as a milestone that slipped
    past its objective's due date), each as ``path:line: what``."""
    import tomllib

    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m[1]) if m else 1
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        if m is None and "end of document" in msg:
            line = source.text.count("\n") + 1
        return None, [f"{source.path}:{line}: not valid TOML: {what}"], []
    c = _Checker(source, line_index(source.text))
    plan = _build(c, data)

    def lines(found: list[tuple[int, str]]) -> list[str]:
        seen: set[tuple[int, str]] = set()
        out = []
        for line, what in sorted(found, key=lambda p: p[0]):
            if (line, what) not in seen:
                seen.add((line, what))
                out.append(f"{source.path}:{line}: {what}")
        return out

    if c.problems:
        return None, lines(c.problems), lines(c.warnings)
    return plan, [], lines(c.warnings)


def load(source: PlanSource) -> Plan:
    """The Plan in ``source``, or PlanInvalid listing every problem."""
    plan, problems = parse(source)
    if plan is None:
        raise PlanInvalid(problems, source.path)
    return plan


def _tables(c: _Checker, data: dict[str, Any], key: str, path: tuple[Any, ...],
            where: str) -> list[dict[str, Any]]:  # fmt: skip
    value = data.get(key, [])
    if isinstance(value, dict):
        c.add(path + (key,), f"{where}: [{key}] must be an array of tables: write [[{key}]]")
        return []
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        c.add(path + (key,), f"{where}: {key} must be written as [[{key}]] tables")
        return []
    return value


def _build(c: _Checker, data: dict[str, Any]) -> Plan | None:
    for key in data:
        if key not in TOP_KEYS:
            close = _closest(key, TOP_KEYS)
            hint = f" (did you mean {close!r}?)" if close else ""
            c.add((key,), f"unknown top-level key {key!r}{hint}")
    raw_plan = data.get("plan")
    if not isinstance(raw_plan, dict):
        c.add((), "missing [plan] table")
        return None
    pp: tuple[Any, ...] = ("plan",)
    c.keys(raw_plan, PLAN_KEYS, pp, "[plan]")
    pid = c.ident(raw_plan, pp, "[plan]", SLUG)
    title = c.text(raw_plan, "title", pp, "[plan]", required=True)
    title_zh = c.text(raw_plan, "title_zh", pp, "[plan]")
    description = c.text(raw_plan, "description", pp, "[plan]")
    psource = c.text(raw_plan, "source", pp, "[plan]")
    adopted = c.day(raw_plan, "adopted", pp, "[plan]", required=True)
    horizon = c.day(raw_plan, "horizon", pp, "[plan]", required=True)
    if adopted and horizon and adopted >= horizon:
        c.add(pp + ("horizon",), "[plan]: horizon must be after adopted")
    tz = c.text(raw_plan, "timezone", pp, "[plan]") or "Asia/Shanghai"
    if "timezone" in raw_plan and isinstance(raw_plan["timezone"], str):
        try:
            zone(tz)
        except PlantrackError:
            c.add(pp + ("timezone",), f"[plan]: unknown time zone {tz!r} (use an IANA name such as Asia/Shanghai)")  # fmt: skip
    review = c.text(raw_plan, "review", pp, "[plan]")
    if review is not None:
        problem = recurrence.problem(review, adopted or date(2000, 1, 1))
        if problem:
            c.add(pp + ("review",), f"[plan]: review {review!r} is not a valid RRULE: {problem}")
    amber, red = _pair(c, raw_plan, "rag", ("amber", "red"), (0.05, 0.15), pp)
    if not (0 <= amber <= 1 and 0 <= red <= 1):
        c.add(pp + ("rag",), "[plan.rag]: amber and red must lie between 0 and 1")
    elif amber > red:
        c.add(pp + ("rag",), "[plan.rag]: amber must not be greater than red")
    strong, moderate = _pair(c, raw_plan, "trend", ("strong", "moderate"), (0.015, 0.005), pp)
    if moderate < 0 or strong < 0:
        c.add(
            pp + ("trend",),
            "[plan.trend]: strong and moderate are annual growth rates and must not be negative",
        )
    elif moderate > strong:
        c.add(pp + ("trend",), "[plan.trend]: moderate must not be greater than strong")
    assessment_days = 120
    if "assessment_days" in raw_plan:
        raw_days = raw_plan["assessment_days"]
        if isinstance(raw_days, bool) or not isinstance(raw_days, int) or raw_days < 1:
            c.add(pp + ("assessment_days",), f"[plan]: assessment_days must be a whole number of days, at least 1, not {_tname(raw_days)}")  # fmt: skip
        else:
            assessment_days = raw_days
    committed_by = c.text(raw_plan, "committed_by", pp, "[plan]")

    groups: dict[str, list[Group]] = {}
    for kind in ("sector", "theme"):
        seen: set[str] = set()
        out = []
        for n, t in enumerate(_tables(c, data, kind, (), f"[[{kind}]]")):
            gp: tuple[Any, ...] = (kind, n)
            where = f"[[{kind}]] #{n + 1}"
            c.keys(t, GROUP_KEYS, gp, where)
            gid = c.ident(t, gp, where)
            if gid:
                where = f"{kind} {gid!r}"
            name = c.text(t, "name", gp, where, required=True)
            name_zh = c.text(t, "name_zh", gp, where)
            desc = c.text(t, "description", gp, where)
            src = c.text(t, "source", gp, where)
            by = c.text(t, "committed_by", gp, where)
            if gid and gid in seen:
                c.add(gp + ("id",), f"duplicate {kind} id {gid!r}")
            elif gid and name:
                seen.add(gid)
                out.append(Group(kind, gid, name, name_zh, desc, src, by))
        groups[kind] = out
    sector_ids = {g.id for g in groups["sector"]}
    theme_ids = {g.id for g in groups["theme"]}

    ids: dict[str, str] = {}
    if pid:
        ids[pid] = "the plan"
    objectives: list[Objective] = []
    for n, t in enumerate(_tables(c, data, "objective", (), "[[objective]]")):
        o = _objective(c, t, ("objective", n), n, adopted, horizon, sector_ids, theme_ids, ids)
        if o is not None:
            objectives.append(o)
    if not objectives and not c.problems and not data.get("objective"):
        c.add((), "the plan has no [[objective]]")

    if c.problems or pid is None or title is None or adopted is None or horizon is None:
        return None
    objectives = [_inherit_commitment(o, committed_by) for o in objectives]
    return Plan(
        id=pid, title=title, adopted=adopted, horizon=horizon, timezone=tz, title_zh=title_zh,
        description=description, source=psource, review=review, rag_amber=amber, rag_red=red,
        trend_strong=strong, trend_moderate=moderate, assessment_days=assessment_days,
        committed_by=committed_by, sectors=tuple(groups["sector"]), themes=tuple(groups["theme"]),
        objectives=tuple(objectives),
    )  # fmt: skip


def _inherit_commitment(o: Objective, by: str | None) -> Objective:
    """``committed_by`` defaults to the parent's: milestone and indicator to objective to plan."""
    from dataclasses import replace

    own = o.committed_by or by
    return replace(
        o,
        committed_by=own,
        milestones=tuple(replace(m, committed_by=m.committed_by or own) for m in o.milestones),
        indicators=tuple(replace(i, committed_by=i.committed_by or own) for i in o.indicators),
    )


def _pair(c: _Checker, raw_plan: dict[str, Any], key: str, names: tuple[str, str],
          defaults: tuple[float, float], pp: tuple[Any, ...]) -> tuple[float, float]:  # fmt: skip
    """Two numbers of a [plan.KEY] table (rag: amber, red; trend: strong, moderate), defaults kept."""
    table = raw_plan.get(key)
    if table is None:
        return defaults
    tp = pp + (key,)
    if not isinstance(table, dict):
        c.add(tp, f"[plan]: {key} must be a table with {names[0]} and {names[1]}")
        return defaults
    c.keys(table, set(names), tp, f"[plan.{key}]")
    got = [c.number(table, name, tp, f"[plan.{key}]") for name in names]
    return (
        got[0] if got[0] is not None else defaults[0],
        got[1] if got[1] is not None else defaults[1],
    )


def _claim(c: _Checker, ids: dict[str, str], oid: str, what: str, path: tuple[Any, ...]) -> bool:
    if oid in ids:
        c.add(path + ("id",), f"duplicate id {oid!r}: already used by {ids[oid]}")
        return False
    ids[oid] = what
    return True


def _objective(c: _Checker, t: dict[str, Any], op: tuple[Any, ...], n: int,
               adopted: date | None, horizon: date | None, sector_ids: set[str],
               theme_ids: set[str], ids: dict[str, str]) -> Objective | None:  # fmt: skip
    where = f"[[objective]] #{n + 1}"
    c.keys(t, OBJECTIVE_KEYS, op, where)
    oid = c.ident(t, op, where)
    if oid:
        where = f"objective {oid!r}"
        if not _claim(c, ids, oid, f"objective #{n + 1}", op):
            oid = None
    title = c.text(t, "title", op, where, required=True)
    fields = {
        k: c.text(t, k, op, where) for k in ("title_zh", "description", "source", "owner", "committed_by")
    }
    sector = c.text(t, "sector", op, where)
    if sector is not None and sector not in sector_ids:
        close = _closest(sector, sector_ids)
        hint = f" (did you mean {close!r}?)" if close else " (declare it with [[sector]])"
        c.add(op + ("sector",), f"{where}: sector {sector!r} is not a declared sector{hint}")
    theme = c.text(t, "theme", op, where)
    if theme is not None and theme not in theme_ids:
        close = _closest(theme, theme_ids)
        hint = f" (did you mean {close!r}?)" if close else " (declare it with [[theme]])"
        c.add(op + ("theme",), f"{where}: theme {theme!r} is not a declared theme{hint}")
    park = c.choice(t, "park", op, where, [p.value for p in Park]) or "both"
    start = c.day(t, "start", op, where) or adopted
    due = c.day(t, "due", op, where) or horizon
    weight = c.number(t, "weight", op, where, positive=True)
    if start and due and start > due:
        c.add(op + ("due",), f"{where}: due {due} is before start {start}")
    if horizon and "due" in t and due and due > horizon:
        c.add(op + ("due",), f"{where}: due {due} is after the plan's horizon {horizon}")

    milestones: list[Milestone] = []
    for j, mt in enumerate(_tables(c, t, "milestone", op, where)):
        m = _milestone(c, mt, op + ("milestone", j), j, oid, due, where, ids)
        if m is not None:
            milestones.append(m)
    indicators: list[Indicator] = []
    for j, it in enumerate(_tables(c, t, "indicator", op, where)):
        i = _indicator(c, it, op + ("indicator", j), j, oid, start, due, where, ids)
        if i is not None:
            indicators.append(i)
    if oid is None or title is None or start is None or due is None:
        return None
    return Objective(
        id=oid, title=title, start=start, due=due, park=Park(park), sector=sector, theme=theme,
        weight=weight if weight is not None else 1.0, milestones=tuple(milestones),
        indicators=tuple(indicators), **fields,
    )  # fmt: skip


def _milestone(c: _Checker, t: dict[str, Any], mp: tuple[Any, ...], j: int, oid: str | None,
               obj_due: date | None, owhere: str, ids: dict[str, str]) -> Milestone | None:  # fmt: skip
    where = f"{owhere}, milestone #{j + 1}"
    c.keys(t, MILESTONE_KEYS, mp, where)
    mid = c.ident(t, mp, where)
    if mid:
        where = f"milestone {mid!r}"
        if not _claim(c, ids, mid, f"a milestone of {owhere}", mp):
            mid = None
    title = c.text(t, "title", mp, where, required=True)
    fields = {
        k: c.text(t, k, mp, where) for k in ("title_zh", "description", "source", "owner", "committed_by")
    }
    due = c.day(t, "due", mp, where, required=True)
    weight = c.number(t, "weight", mp, where, positive=True)
    verify = c.choice(t, "verify", mp, where, [v.value for v in Verify])
    if due and obj_due and due > obj_due:
        # A real slip: the plan must still load so that the slip can be recorded.
        c.warn(mp + ("due",), f"{where}: due {due} is after its objective's due date {obj_due}")
    if mid is None or oid is None or title is None or due is None:
        return None
    return Milestone(
        id=mid, objective=oid, title=title, due=due,
        weight=weight if weight is not None else 1.0,
        verify=Verify(verify) if verify else None, **fields,
    )  # fmt: skip


def _indicator(c: _Checker, t: dict[str, Any], ip: tuple[Any, ...], j: int, oid: str | None,
               obj_start: date | None, obj_due: date | None, owhere: str,
               ids: dict[str, str]) -> Indicator | None:  # fmt: skip
    where = f"{owhere}, indicator #{j + 1}"
    c.keys(t, INDICATOR_KEYS, ip, where)
    iid = c.ident(t, ip, where)
    if iid:
        where = f"indicator {iid!r}"
        if not _claim(c, ids, iid, f"an indicator of {owhere}", ip):
            iid = None
    name = c.text(t, "name", ip, where, required=True)
    fields = {k: c.text(t, k, ip, where) for k in ("name_zh", "description", "source", "committed_by")}
    unit = c.text(t, "unit", ip, where) or ""
    baseline = c.number(t, "baseline", ip, where, required=True)
    baseline_date = c.day(t, "baseline_date", ip, where) or obj_start
    target = c.number(t, "target", ip, where)
    target_date = c.day(t, "target_date", ip, where)
    if target is not None and target_date is None:
        target_date = obj_due
    direction = c.choice(t, "direction", ip, where, [d.value for d in Direction]) or "increase"
    weight = c.number(t, "weight", ip, where, positive=True)
    if target is not None and baseline is not None:
        if target == baseline:
            c.add(ip + ("target",), f"{where}: target equals baseline ({plain_num(target)}); progress cannot be measured")  # fmt: skip
        elif direction == "increase" and target < baseline:
            c.add(ip + ("target",), f"{where}: target {plain_num(target)} is below baseline {plain_num(baseline)} but direction is increase (set direction = \"decrease\")")  # fmt: skip
        elif direction == "decrease" and target > baseline:
            c.add(ip + ("target",), f"{where}: target {plain_num(target)} is above baseline {plain_num(baseline)} but direction is decrease")  # fmt: skip
    if "target_date" in t and target is None and target_date is not None:
        c.add(ip + ("target_date",), f"{where}: target_date without a target")
    if baseline_date and target_date and baseline_date >= target_date:
        c.add(ip + ("target_date",), f"{where}: target_date {target_date} is not after baseline_date {baseline_date}")  # fmt: skip
    points: list[TrajectoryPoint] = []
    raw = t.get("trajectory")
    if raw is not None:
        tp = ip + ("trajectory",)
        if not isinstance(raw, list):
            c.add(tp, f"{where}: trajectory must be a list of {{ date = ..., value = ... }}")
        else:
            if target is None:
                c.add(tp, f"{where}: a trajectory needs a target")
            for k, point in enumerate(raw):
                pw = f"{where}, trajectory point #{k + 1}"
                if not isinstance(point, dict):
                    c.add(tp, f"{pw}: must be {{ date = ..., value = ... }}")
                    continue
                c.keys(point, {"date", "value"}, tp, pw)
                pd = c.day(point, "date", tp, pw, required=True)
                pv = c.number(point, "value", tp, pw, required=True)
                if pd is None or pv is None:
                    continue
                if points and pd <= points[-1].date:
                    c.add(tp, f"{pw}: date {pd} is not after the previous point's {points[-1].date} (trajectory out of date order)")  # fmt: skip
                if baseline_date and pd <= baseline_date:
                    c.add(tp, f"{pw}: date {pd} is not after baseline_date {baseline_date}")
                if target_date and pd >= target_date:
                    c.add(tp, f"{pw}: date {pd} is not before target_date {target_date}")
                points.append(TrajectoryPoint(pd, pv))
    bounds = _range(c, t, ip, where, baseline, target, points)
    decimals = None
    if "decimals" in t:
        raw_dec = t["decimals"]
        if isinstance(raw_dec, bool) or not isinstance(raw_dec, int) or not 0 <= raw_dec <= MAX_DECIMALS:
            c.add(ip + ("decimals",), f"{where}: decimals must be a whole number from 0 to {MAX_DECIMALS}, not {_tname(raw_dec)}")  # fmt: skip
        else:
            decimals = raw_dec
    if iid is None or oid is None or name is None or baseline is None or baseline_date is None:
        return None
    return Indicator(
        id=iid, objective=oid, name=name, baseline=baseline, baseline_date=baseline_date,
        unit=unit, target=target, target_date=target_date if target is not None else None,
        direction=Direction(direction), trajectory=tuple(points),
        weight=weight if weight is not None else 1.0, range=bounds, decimals=decimals, **fields,
    )  # fmt: skip


def _range(c: _Checker, t: dict[str, Any], ip: tuple[Any, ...], where: str, baseline: float | None,
           target: float | None, points: list[TrajectoryPoint]) -> tuple[float, float] | None:  # fmt: skip
    """``range = [low, high]``: finite numbers, low below high, holding baseline, target and path."""
    raw = t.get("range")
    if raw is None:
        return None
    rp = ip + ("range",)
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) for x in raw)
    ):
        c.add(rp, f"{where}: range must be two numbers, [low, high], e.g. [0, 100]")
        return None
    low, high = float(raw[0]), float(raw[1])
    if low >= high:
        c.add(
            rp,
            f"{where}: range [{plain_num(low)}, {plain_num(high)}] must have its low bound below its high bound",
        )
        return None
    named = [("baseline", baseline), ("target", target)] + [
        (f"trajectory value on {p.date}", p.value) for p in points
    ]
    for what, value in named:
        if value is not None and not low <= value <= high:
            c.add(
                rp,
                f"{where}: {what} {plain_num(value)} lies outside range [{plain_num(low)}, {plain_num(high)}]",
            )
    return (low, high)
