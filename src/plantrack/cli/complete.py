"""Shell completion of plan ids: read the database's current plan read-only, else the plan file.

A completion runs on every Tab press, so it must be quick and silent: it never creates or
migrates a database, never prints, and answers nothing rather than fail.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from plantrack.plan import plansource
from plantrack.store import db, revisions

Choice = tuple[str, str]  # id, title (shells that show help beside a choice show the title)


def _root_params(ctx: Any) -> dict[str, Any]:
    try:
        return dict(ctx.find_root().params or {})
    except Exception:  # a context of another shape: no global options then
        return {}


def _from_file(path: Path, kinds: Sequence[str]) -> list[Choice]:
    """Ids of ``kinds`` in a plan file, read without validating it."""
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: list[Choice] = []
    plan = data.get("plan", {})
    if "plan" in kinds and isinstance(plan, dict) and "id" in plan:
        out.append((str(plan["id"]), str(plan.get("title", ""))))
    for o in data.get("objective", []):
        if "objective" in kinds and "id" in o:
            out.append((str(o["id"]), str(o.get("title", ""))))
        for key, kind, title in (("milestone", "milestone", "title"), ("indicator", "indicator", "name")):
            if kind in kinds:
                out += [(str(x["id"]), str(x.get(title, ""))) for x in o.get(key, []) if "id" in x]
    return out


def ids(ctx: Any, incomplete: str, kinds: Sequence[str]) -> list[Choice]:
    """The ids of ``kinds`` that start with ``incomplete`` (ignoring case), with their titles."""
    try:
        params = _root_params(ctx)
        found = None
        if not params.get("demo"):
            found = revisions.current_titles(db.resolve_path(params.get("db")), kinds)
        if found is None:
            plan = params.get("plan") or os.environ.get("PLANTRACK_PLAN")
            found = _from_file(plansource.default_plan_path(plan), kinds)
    except Exception:  # Tab must never print a traceback: no completions instead
        return []
    start = incomplete.casefold()
    return [(i, _short(t)) for i, t in found if i.casefold().startswith(start)]


def _short(title: str) -> str:
    """A title on one line, short enough to sit beside its id in a shell's menu."""
    line = " ".join(title.split())
    return line if len(line) <= 70 else line[:69] + "…"


def objectives(ctx: Any, incomplete: str) -> list[Choice]:
    return ids(ctx, incomplete, ("objective",))


def milestones(ctx: Any, incomplete: str) -> list[Choice]:
    return ids(ctx, incomplete, ("milestone",))


def indicators(ctx: Any, incomplete: str) -> list[Choice]:
    return ids(ctx, incomplete, ("indicator",))


def items(ctx: Any, incomplete: str) -> list[Choice]:
    """Objectives, milestones and indicators (what `show` takes)."""
    return ids(ctx, incomplete, ("objective", "milestone", "indicator"))


def any_id(ctx: Any, incomplete: str) -> list[Choice]:
    """Anything evidence can be about: the plan too."""
    return ids(ctx, incomplete, ("plan", "objective", "milestone", "indicator"))
