"""The scheduled report as one neutral object: status, stocktake of the period, citations.

Every renderer (Markdown, HTML, JSON, CSV) takes a :class:`Report` and nothing else, so the
formats cannot disagree about a figure. ``service.reports`` fills it from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from plantrack.core import progress
from plantrack.core.dates import Period, last_complete_quarter
from plantrack.models import Entry

CHANGE_EPS = 0.0005  # progress changes smaller than this (0.05 points) read as flat


@dataclass(frozen=True)
class ObjectiveRow:
    result: progress.ObjectiveResult
    previous: progress.ObjectiveResult | None
    change: str  # progress since the previous period: up | down | flat | new | none
    sources: tuple[Entry, ...]  # the entries behind the figures
    assessment: Entry | None = None  # the entry behind the confidence: its rationale
    indicator_sources: dict[str, Entry] = field(default_factory=dict)  # indicator -> its value's entry

    @property
    def rag_changed(self) -> bool:
        return self.previous is not None and self.previous.rag != self.result.rag


@dataclass(frozen=True)
class Slip:
    revision: int
    applied_at: str
    user: str
    kind: str
    object_id: str
    old: str
    new: str


@dataclass(frozen=True)
class Stocktake:
    # Lists hold the latest LIST_CAP entries of each kind dated in the period; counts are exact.
    counts: dict[str, int]
    measurements: tuple[Entry, ...]
    completed: tuple[Entry, ...]  # milestones marked done in the period
    notes: tuple[Entry, ...]
    assessments: tuple[Entry, ...]  # judgements of delivery confidence dated in the period
    rag_changes: tuple[ObjectiveRow, ...]
    slips: tuple[Slip, ...]
    retractions: tuple[tuple[Entry, Entry | None], ...]  # (retraction, what it withdrew)
    overdue: tuple[tuple[progress.ObjectiveResult, progress.MilestoneResult], ...]
    upcoming: tuple[tuple[progress.ObjectiveResult, progress.MilestoneResult], ...]


@dataclass(frozen=True)
class Report:
    plan_title: str
    plan_title_zh: str | None
    period: Period
    as_of: date
    known_at: str | None
    revision: int
    revision_sha: str
    generated_at: str
    status: progress.Status
    previous: progress.Status
    rows: tuple[ObjectiveRow, ...]
    stocktake: Stocktake
    series: dict[str, tuple[tuple[date, float], ...]] = field(
        default_factory=dict
    )  # indicator -> measurements
    entries_by_id: dict[int, Entry] = field(default_factory=dict)
    # The period had not ended on the as-of date: the report covers the period to date.
    to_date: bool = False
    # The ledger head the report was made from: the hash of the last entry it counts (None: an
    # empty ledger), and how many entries the ledger held up to it.
    ledger_head: str | None = None
    ledger_entries: int = 0

    @property
    def plan_id(self) -> str:
        return self.status.plan.id

    @cached_property
    def units(self) -> dict[str, str]:
        """Each indicator's unit, by indicator id ("" where it has none), for its measurements."""
        return {i.id: i.unit for o in self.status.plan.objectives for i in o.indicators}

    def unit_of(self, entry: Entry) -> str:
        """The unit of a measurement (its indicator's); "" for any other entry."""
        return self.units.get(entry.target, "") if entry.kind.value == "measurement" else ""


def change_of(now: float | None, before: float | None) -> str:
    if now is None:
        return "none"
    if before is None:
        return "new"
    if now > before + CHANGE_EPS:
        return "up"
    if now < before - CHANGE_EPS:
        return "down"
    return "flat"


def default_period(today: date) -> Period:
    """The last complete quarter: a scheduled report covers a period that is over."""
    return last_complete_quarter(today)


def as_of_for(period: Period, today: date) -> date:
    """Where no as-of date is given: the period's end, or today while the period is not over (a
    report never dates itself in the future)."""
    return min(period.end, today)


@dataclass(frozen=True)
class QuarterChanges:
    """What happened in one quarter, for the site: public entries dated in it, slips applied in it."""

    label: str
    start: date
    end: date
    completed: tuple[Entry, ...]
    measurements: tuple[Entry, ...]
    notes: tuple[Entry, ...]
    slips: tuple[tuple[str, str, str, str], ...]  # (applied on, object id, old due, new due)


@dataclass(frozen=True)
class Portal:
    """What the published site shows: the report as of a day, each objective's public evidence,
    and the ids whose figures rest on evidence that is not published."""

    report: Report
    evidence: dict[str, tuple[Entry, ...]]  # objective id -> its public entries, newest first
    withheld: frozenset[str]  # indicator and objective ids whose figure rests on internal evidence
    completed: tuple[Entry, ...] = ()  # milestones marked done in the report's period (public ones)
    slips: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)  # id -> (on, old, new)
    quarters: tuple[QuarterChanges, ...] = ()  # the latest quarters, newest first
