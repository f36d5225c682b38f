"""Read the database as of a date and as known at an instant, and run the progress engine."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime

from plantrack.core import progress, scripts
from plantrack.core.dates import utc_stamp
from plantrack.errors import PlantrackError
from plantrack.models import Objective, Plan, Revision
from plantrack.store import cache, ledger, revisions


def plan_known_at(conn: sqlite3.Connection, known_at: datetime | None) -> tuple[Plan, Revision]:
    """The plan as it stood at ``known_at`` (default: the latest revision)."""
    stamp = utc_stamp(known_at) if known_at is not None else None
    rev = revisions.latest_revision(conn, stamp)
    if rev is None:
        first = revisions.latest_revision(conn)
        if first is None:
            raise PlantrackError("the database holds no plan yet", hint="run 'plantrack init'")
        first_at = revisions.first_applied_at(conn)
        raise PlantrackError(
            f"nothing was known at {stamp}: the plan was first applied at {first_at}",
            hint="give a later --known-at",
        )
    if known_at is None:
        return current_plan(conn)
    return revisions.load_plan(conn, rev.rev), rev


def status(conn: sqlite3.Connection, as_of: date, known_at: datetime | None = None) -> progress.Status:
    """The plan's status as of a date, every objective listed worst first.

    A look back (``known_at``) is always computed afresh; the current view comes from what the
    cache kept, recomputing only the objectives whose entries changed (see ``_current``).
    """
    if known_at is not None:
        return status_and_facts(conn, as_of, known_at)[0]
    return _current(conn, as_of, None)[0]


def dashboard(conn: sqlite3.Connection, as_of: date, rows: int) -> tuple[progress.Status, int, int]:
    """What the default dashboard prints: the status with only its ``rows`` worst objectives, the
    number left out, and the plan revision. Its cost is what it prints, not the plan's size."""
    s, total, rev = _current(conn, as_of, rows)
    return s, max(0, total - rows), rev


def current_plan(conn: sqlite3.Connection) -> tuple[Plan, Revision]:
    """The latest plan revision, parsed (kept in the cache once parsed)."""
    rev = _latest(conn)
    c = cache.Cache(cache.folder(conn))
    try:
        return _plan_of(conn, rev, c), rev
    finally:
        c.close()


def _plan_of(conn: sqlite3.Connection, rev: Revision, c: cache.Cache) -> Plan:
    k = cache.key(rev.rev, rev.sha256)
    plan = c.get("plan", k)
    if plan is None:
        plan = revisions.load_plan(conn, rev.rev)
        c.put({"plan": (k, plan)})
    return plan


def _latest(conn: sqlite3.Connection) -> Revision:
    rev = revisions.latest_revision(conn)
    if rev is None:
        raise PlantrackError("the database holds no plan yet", hint="run 'plantrack init'")
    return rev


def _current(conn: sqlite3.Connection, as_of: date, top: int | None) -> tuple[progress.Status, int, int]:
    """Today's status, listing the ``top`` worst objectives (all if None); with the number of
    objectives and the plan revision.

    The cache keeps a brief of every objective (what the roll-ups read) and each full result. When
    entries were written since, only the objectives they touch are recomputed; after a plan
    apply, a restore or on a new day, everything is. Full results are read back only for the
    objectives listed. Anything odd about what was kept means computing afresh.
    """
    rev = _latest(conn)
    chain = cache.head(conn)
    c = cache.Cache(cache.folder(conn))
    try:
        k = cache.key(rev.rev, rev.sha256, as_of.isoformat())
        try:
            kept = _from_cache(conn, c, k, chain, as_of, top)
        except Exception:  # a cache from other code, or damaged: never worth a wrong figure
            kept = None
        if kept is None:
            return _recomputed(conn, rev, chain, c, k, as_of, top)
        return kept[0], kept[1], rev.rev
    finally:
        c.close()


def _from_cache(conn: sqlite3.Connection, c: cache.Cache, k: str, chain: tuple[int, str], as_of: date,
                top: int | None) -> tuple[progress.Status, int] | None:  # fmt: skip
    """The status from what was kept (recomputing the objectives new entries touch), or None."""
    kept = c.get("briefs", k)
    if kept is None:
        return None
    kept_chain, head, briefs = kept
    fresh: dict[str, progress.ObjectiveResult] = {}
    if kept_chain != chain:
        if not cache.still_chained(conn, *kept_chain):
            return None
        touched = revisions.owning_objectives(conn, cache.targets_after(conn, kept_chain[0]))
        touched = [oid for oid in touched if oid in briefs]
        before = c.results(k, touched) if touched else {}
        if before is None:
            return None
        briefs = dict(briefs)
        for oid in touched:
            # The objective as the kept result has it: this plan revision's, children in plan order.
            one = replace(head, objectives=(before[oid].objective,))
            fresh[oid] = _objective_now(conn, one, one.objectives[0], as_of, None)
            briefs[oid] = progress.brief_of(fresh[oid])
        c.put({"briefs": (k, (chain, head, briefs))}, fresh.items(), results_key=k)
    order = list(briefs.values())
    listed = [b.objective.id for b in progress.worst_first(order)][:top]
    wanted = [oid for oid in listed if oid not in fresh]
    found = c.results(k, wanted) if wanted else {}
    if found is None:
        return None
    full = fresh | found
    shown = [full[oid] for oid in listed]
    plan = replace(head, objectives=tuple(r.objective for r in shown))
    return progress.assemble(plan, order, shown, as_of, None), len(order)


def _recomputed(conn: sqlite3.Connection, rev: Revision, chain: tuple[int, str], c: cache.Cache, k: str,
                as_of: date, top: int | None) -> tuple[progress.Status, int, int]:  # fmt: skip
    """Every objective computed from the ledger, and kept."""
    plan = _plan_of(conn, rev, c)
    facts = ledger.facts(conn, plan, as_of, None)
    results = [progress.objective_result(plan, o, facts, as_of) for o in plan.objectives]
    briefs = {r.objective.id: progress.brief_of(r) for r in results}
    head = replace(plan, objectives=())
    c.put({"briefs": (k, (chain, head, briefs))}, ((r.objective.id, r) for r in results), results_key=k,
          replace_all=True)  # fmt: skip
    shown = progress.worst_first(results)[:top]
    listed = replace(plan, objectives=tuple(r.objective for r in shown)) if top is not None else plan
    return progress.assemble(listed, results, shown, as_of, None), len(results), rev.rev


def status_and_facts(conn: sqlite3.Connection, as_of: date, known_at: datetime | None = None,
                     ) -> tuple[progress.Status, progress.Facts]:  # fmt: skip
    """The status computed from the ledger (never the cache), with the facts it rests on."""
    plan, _rev = plan_known_at(conn, known_at)
    stamp = utc_stamp(known_at) if known_at is not None else None
    facts = ledger.facts(conn, plan, as_of, stamp)
    return progress.compute(plan, facts, as_of, stamp), facts


def one_objective(conn: sqlite3.Connection, objective_id: str, as_of: date,
                  known_at: datetime | None = None) -> progress.ObjectiveResult | None:  # fmt: skip
    """One objective's figures, reading only that objective and its own entries."""
    if known_at is None:
        plan = revisions.current_objective_plan(conn, objective_id)
    else:
        plan, _rev = plan_known_at(conn, known_at)
        plan = replace(plan, objectives=tuple(o for o in plan.objectives if o.id == objective_id))
    if plan is None or not plan.objectives:
        return None
    stamp = utc_stamp(known_at) if known_at is not None else None
    return _objective_now(conn, plan, plan.objectives[0], as_of, stamp)


def _objective_now(conn: sqlite3.Connection, plan: Plan, objective: Objective, as_of: date,
                   stamp: str | None) -> progress.ObjectiveResult:  # fmt: skip
    """One objective's figures from its own entries only (its family of targets)."""
    family = [objective.id] + [m.id for m in objective.milestones] + [i.id for i in objective.indicators]
    facts = ledger._facts_from_entries(conn, plan, as_of, stamp, family)
    counts = ledger._evidence_counts(conn, as_of.isoformat(), stamp, family)
    if counts:
        last = max(date.fromisoformat(c[2]) for c in counts)
        facts = progress.Facts(
            facts.indicators,
            facts.milestones,
            {objective.id: progress.EvidenceFacts(sum(c[1] for c in counts), last)},
            facts.assessments,
        )
    return progress.objective_result(plan, objective, facts, as_of)


def keep_conversions(conn: sqlite3.Connection) -> None:
    """Chinese titles converted in earlier runs come from the cache (read only if one is needed)."""

    def load() -> dict[str, str] | None:
        try:
            c = cache.Cache(cache.folder(conn))
        except Exception:  # the database is closed or gone: convert afresh
            return None
        try:
            kept = c.get("conversions", cache.code_stamp())
            return kept if isinstance(kept, dict) else None
        finally:
            c.close()

    scripts.keep_conversions(load)


def save_conversions(conn: sqlite3.Connection) -> None:
    """Keep this run's new conversions for the next run (nothing when there were none)."""
    made = scripts.new_conversions()
    scripts.keep_conversions(lambda: None)  # the next command (in this process) brings its own
    if made is None:
        return
    c = cache.Cache(cache.folder(conn))
    try:
        c.put({"conversions": (cache.code_stamp(), made)})
    finally:
        c.close()
