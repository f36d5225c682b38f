"""Frozen dataclasses and enums shared by every layer: the plan's structure and ledger entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

_T = TypeVar("_T")


class Park(StrEnum):
    SHENZHEN = "shenzhen"
    HONG_KONG = "hong-kong"
    BOTH = "both"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class Verify(StrEnum):
    URL = "url"
    ATTACHMENT = "attachment"
    ANY = "any"


class State(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class Kind(StrEnum):
    NOTE = "note"
    MEASUREMENT = "measurement"
    MILESTONE = "milestone"
    RETRACTION = "retraction"
    ASSESSMENT = "assessment"


class Level(StrEnum):
    """Delivery confidence on the five-level scale of the UK Infrastructure and Projects Authority."""

    GREEN = "green"  # highly likely to deliver
    AMBER_GREEN = "amber-green"  # probable
    AMBER = "amber"  # feasible, significant issues
    AMBER_RED = "amber-red"  # in doubt
    RED = "red"  # unachievable unless acted on


# Each level's step on the five-level scale (0 best); progress RAG green, amber, red map to 0, 2, 4.
LEVEL_STEP = {Level.GREEN: 0, Level.AMBER_GREEN: 1, Level.AMBER: 2, Level.AMBER_RED: 3, Level.RED: 4}


@dataclass(frozen=True)
class Group:
    """A sector or a theme."""

    kind: str
    id: str
    name: str
    name_zh: str | None = None
    description: str | None = None
    source: str | None = None
    committed_by: str | None = None


@dataclass(frozen=True)
class TrajectoryPoint:
    date: date
    value: float


@dataclass(frozen=True)
class Milestone:
    id: str
    objective: str
    title: str
    due: date
    title_zh: str | None = None
    weight: float = 1.0
    verify: Verify | None = None
    description: str | None = None
    source: str | None = None
    owner: str | None = None
    committed_by: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    objective: str
    name: str
    baseline: float
    baseline_date: date
    name_zh: str | None = None
    unit: str = ""
    target: float | None = None
    target_date: date | None = None
    direction: Direction = Direction.INCREASE
    trajectory: tuple[TrajectoryPoint, ...] = ()
    weight: float = 1.0
    description: str | None = None
    source: str | None = None
    range: tuple[float, float] | None = None  # bounds for forecasts (a rate, a share)
    decimals: int | None = None  # how figures are shown (None: 0 when every value is whole, else 2)
    committed_by: str | None = None


@dataclass(frozen=True)
class Objective:
    id: str
    title: str
    start: date
    due: date
    park: Park = Park.BOTH
    title_zh: str | None = None
    description: str | None = None
    source: str | None = None
    sector: str | None = None
    theme: str | None = None
    owner: str | None = None
    weight: float = 1.0
    committed_by: str | None = None
    milestones: tuple[Milestone, ...] = ()
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    adopted: date
    horizon: date
    timezone: str = "Asia/Shanghai"
    title_zh: str | None = None
    description: str | None = None
    source: str | None = None
    review: str | None = None
    rag_amber: float = 0.05
    rag_red: float = 0.15
    trend_strong: float = 0.015
    trend_moderate: float = 0.005
    assessment_days: int = 120
    committed_by: str | None = None
    sectors: tuple[Group, ...] = ()
    themes: tuple[Group, ...] = ()
    objectives: tuple[Objective, ...] = ()

    def group(self, kind: str, gid: str) -> Group | None:
        for g in self.sectors if kind == "sector" else self.themes:
            if g.id == gid:
                return g
        return None

    def owners(self) -> dict[str, str]:
        """The objective each objective, milestone and indicator id belongs to."""
        owner: dict[str, str] = {}
        for o in self.objectives:
            owner[o.id] = o.id
            for m in o.milestones:
                owner[m.id] = o.id
            for i in o.indicators:
                owner[i.id] = o.id
        return owner


# --- plain-data round trip (stored in the database as JSON) -----------------------------------


def build(cls: type[_T], **fields: Any) -> _T:
    """Make a frozen dataclass without its generated __init__ (about 3x faster).

    Used where tens of thousands are made per command (a large plan, its results); every field
    must be given, exactly as the constructor would take it.
    """
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pd(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def group_to_dict(g: Group) -> dict[str, Any]:
    return {k: v for k, v in vars(g).items() if v is not None}


def milestone_to_dict(m: Milestone) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": m.id, "objective": m.objective, "title": m.title, "title_zh": m.title_zh,
        "due": _d(m.due), "weight": m.weight, "verify": m.verify.value if m.verify else None,
        "description": m.description, "source": m.source, "owner": m.owner,
        "committed_by": m.committed_by,
    }  # fmt: skip
    return {k: v for k, v in d.items() if v is not None}


def indicator_to_dict(i: Indicator) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": i.id, "objective": i.objective, "name": i.name, "name_zh": i.name_zh,
        "unit": i.unit, "baseline": i.baseline, "baseline_date": _d(i.baseline_date),
        "target": i.target, "target_date": _d(i.target_date), "direction": i.direction.value,
        "trajectory": [{"date": _d(p.date), "value": p.value} for p in i.trajectory],
        "weight": i.weight, "description": i.description, "source": i.source,
        "range": list(i.range) if i.range is not None else None, "decimals": i.decimals,
        "committed_by": i.committed_by,
    }  # fmt: skip
    return {k: v for k, v in d.items() if v is not None}


def objective_to_dict(o: Objective, nested: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": o.id, "title": o.title, "title_zh": o.title_zh, "description": o.description,
        "source": o.source, "sector": o.sector, "theme": o.theme, "park": o.park.value,
        "owner": o.owner, "start": _d(o.start), "due": _d(o.due), "weight": o.weight,
        "committed_by": o.committed_by,
    }  # fmt: skip
    if nested:
        d["milestones"] = [milestone_to_dict(m) for m in o.milestones]
        d["indicators"] = [indicator_to_dict(i) for i in o.indicators]
    return {k: v for k, v in d.items() if v is not None}


def plan_to_dict(p: Plan, nested: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": p.id, "title": p.title, "title_zh": p.title_zh, "adopted": _d(p.adopted),
        "horizon": _d(p.horizon), "timezone": p.timezone, "description": p.description,
        "source": p.source, "review": p.review, "rag": {"amber": p.rag_amber, "red": p.rag_red},
        "committed_by": p.committed_by,
    }  # fmt: skip
    # Written only when they differ from the defaults, so plans stored before these keys existed
    # compare equal to the same file read today.
    if (p.trend_strong, p.trend_moderate) != (0.015, 0.005):
        d["trend"] = {"strong": p.trend_strong, "moderate": p.trend_moderate}
    if p.assessment_days != 120:
        d["assessment_days"] = p.assessment_days
    if nested:
        d["sectors"] = [group_to_dict(g) for g in p.sectors]
        d["themes"] = [group_to_dict(g) for g in p.themes]
        d["objectives"] = [objective_to_dict(o) for o in p.objectives]
    return {k: v for k, v in d.items() if v is not None}


def plan_from_dict(d: dict[str, Any]) -> Plan:
    def ms(x: dict[str, Any]) -> Milestone:
        return build(
            Milestone, id=x["id"], objective=x["objective"], title=x["title"], due=date.fromisoformat(x["due"]),
            title_zh=x.get("title_zh"), weight=x.get("weight", 1.0),
            verify=Verify(x["verify"]) if x.get("verify") else None,
            description=x.get("description"), source=x.get("source"), owner=x.get("owner"),
            committed_by=x.get("committed_by"),
        )  # fmt: skip

    def ind(x: dict[str, Any]) -> Indicator:
        return build(
            Indicator,
            id=x["id"], objective=x["objective"], name=x["name"], baseline=x["baseline"],
            baseline_date=date.fromisoformat(x["baseline_date"]), name_zh=x.get("name_zh"),
            unit=x.get("unit", ""), target=x.get("target"), target_date=_pd(x.get("target_date")),
            direction=Direction(x.get("direction", "increase")),
            trajectory=tuple(
                TrajectoryPoint(date.fromisoformat(p["date"]), p["value"])
                for p in x.get("trajectory", [])
            ),
            weight=x.get("weight", 1.0), description=x.get("description"), source=x.get("source"),
            range=(float(x["range"][0]), float(x["range"][1])) if x.get("range") else None,
            decimals=x.get("decimals"), committed_by=x.get("committed_by"),
        )  # fmt: skip

    def obj(x: dict[str, Any]) -> Objective:
        return build(
            Objective,
            id=x["id"], title=x["title"], start=date.fromisoformat(x["start"]),
            due=date.fromisoformat(x["due"]), park=Park(x.get("park", "both")),
            title_zh=x.get("title_zh"), description=x.get("description"), source=x.get("source"),
            sector=x.get("sector"), theme=x.get("theme"), owner=x.get("owner"),
            weight=x.get("weight", 1.0), committed_by=x.get("committed_by"),
            milestones=tuple(ms(m) for m in x.get("milestones", [])),
            indicators=tuple(ind(i) for i in x.get("indicators", [])),
        )  # fmt: skip

    rag = d.get("rag", {})
    trend = d.get("trend", {})
    return Plan(
        id=d["id"], title=d["title"], adopted=date.fromisoformat(d["adopted"]),
        horizon=date.fromisoformat(d["horizon"]), timezone=d.get("timezone", "Asia/Shanghai"),
        title_zh=d.get("title_zh"), description=d.get("description"), source=d.get("source"),
        review=d.get("review"), rag_amber=rag.get("amber", 0.05), rag_red=rag.get("red", 0.15),
        trend_strong=trend.get("strong", 0.015), trend_moderate=trend.get("moderate", 0.005),
        assessment_days=d.get("assessment_days", 120), committed_by=d.get("committed_by"),
        sectors=tuple(Group(**g) for g in d.get("sectors", [])),
        themes=tuple(Group(**g) for g in d.get("themes", [])),
        objectives=tuple(obj(o) for o in d.get("objectives", [])),
    )  # fmt: skip


# --- ledger entries: values every layer shares; only store/ knows they are rows ------------


@dataclass(frozen=True)
class Attachment:
    name: str
    sha256: str
    size: int
    media_type: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size, "type": self.media_type}


@dataclass(frozen=True)
class Entry:
    id: int
    uid: str
    kind: Kind
    target: str
    on: date
    recorded_at: str
    user: str
    site: str
    text: str | None = None
    value: float | None = None
    state: State | None = None
    url: str | None = None
    attachment: Attachment | None = None
    tags: tuple[str, ...] = ()
    retracts: str | None = None
    hash: str = ""
    retracted: bool = False
    retracted_by: int | None = field(default=None, compare=False)
    received_at: str | None = None  # set on entries imported from another site
    level: Level | None = None  # an assessment's delivery confidence
    # Imported entries: the key id that signed their bundle, or "unverified"; None: written here.
    signed_by: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """SPEC's evidence shape, plus the ledger fields that make it verifiable."""
        value: float | int | None = self.value
        if value is not None and float(value).is_integer() and abs(value) < 2**53:
            value = int(value)
        return {
            "id": self.id, "uid": self.uid, "kind": self.kind.value, "target": self.target,
            "on": self.on.isoformat(), "recorded_at": self.recorded_at, "user": self.user,
            "text": self.text, "value": value, "state": self.state.value if self.state else None,
            "url": self.url,
            "attachment": self.attachment.to_json() if self.attachment else None,
            "tags": list(self.tags), "retracted": self.retracted, "retracts": self.retracts,
            "site": self.site, "hash": self.hash, "received_at": self.received_at,
            "level": self.level.value if self.level else None,
            "signed_by": self.signed_by, "verified": self.signed_by != "unverified",
        }  # fmt: skip


@dataclass
class Draft:
    """An entry before it is chained and stored."""

    kind: Kind
    target: str
    on: date
    text: str | None = None
    value: float | None = None
    state: State | None = None
    url: str | None = None
    attachment: Attachment | None = None
    tags: tuple[str, ...] = ()
    retracts: str | None = None
    level: Level | None = None


# --- plan revisions and the audit trail ------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str
    object_id: str
    change: str  # added | updated | archived | restored
    field: str | None = None
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "id": self.object_id, "change": self.change,
            "field": self.field, "old": self.old, "new": self.new,
        }  # fmt: skip


@dataclass(frozen=True)
class Revision:
    rev: int
    plan_id: str
    applied_at: str
    user: str
    source_path: str
    sha256: str
    summary: str


@dataclass(frozen=True)
class Event:
    at: str  # UTC instant
    user: str
    source: str  # "plan" or "entry"
    kind: str  # added | updated | archived | restored | slip | renamed | note | measurement | ...
    target: str
    summary: str
    revision: int | None = None
    entry: Entry | None = None
    retracted: bool = False
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": self.at, "user": self.user, "source": self.source, "kind": self.kind,
            "target": self.target, "summary": self.summary, "revision": self.revision,
            "retracted": self.retracted, "reason": self.reason,
        }  # fmt: skip
        if self.entry is not None:
            out["entry"] = self.entry.to_json()
        return out
