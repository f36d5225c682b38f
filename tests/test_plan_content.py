"""The embedded plan keeps itself honest: every value traceable, the plan's structure whole."""

from __future__ import annotations

import re
from pathlib import Path

from plantrack.plan import planfile

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "objectives.toml").read_text(encoding="utf-8")
MARK = re.compile(r"#.*\b(source|inferred)\b")


def _cited(lines: list[str], n: int) -> bool:
    """A `# source:` or `# inferred:` on line n or in the comment block right above it."""
    if MARK.search(lines[n]):
        return True
    k = n - 1
    while k >= 0 and lines[k].strip().startswith("#"):
        if MARK.search(lines[k]):
            return True
        k -= 1
    return False


def _values(kind: str) -> list[tuple[int, str]]:
    """(line index, line) of every `baseline =`, `target =` or milestone `due =` line."""
    out = []
    table = ""
    for n, line in enumerate(TEXT.splitlines()):
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped
        elif kind == "due" and table == "[[objective.milestone]]" and stripped.startswith("due ="):
            out.append((n, line))
        elif kind != "due" and stripped.startswith(f"{kind} ="):
            out.append((n, line))
    return out


def test_every_baseline_target_and_milestone_date_says_where_it_comes_from() -> None:
    lines = TEXT.splitlines()
    uncited = [
        f"line {n + 1}: {line.strip()}"
        for kind in ("baseline", "target", "due")
        for n, line in _values(kind)
        if not _cited(lines, n)
    ]
    assert uncited == []


def test_nothing_in_the_plan_is_illustrative() -> None:
    assert "illustrative" not in TEXT.lower()


def test_no_target_date_is_invented() -> None:
    # The plan sets the 15 % rate without a date (plan-audit): no target_date anywhere unless cited.
    lines = TEXT.splitlines()
    for n, line in _values("target_date"):
        assert _cited(lines, n), line


def test_the_plan_structure_is_whole() -> None:
    plan = planfile.load(planfile.read_source(ROOT / "objectives.toml"))
    ids = {o.id for o in plan.objectives}
    positionings = [o for o in plan.objectives if o.theme == "positioning"]
    assert len(positionings) == 3
    assert {"regional-linkage", "huanggang-port", "customs-supervision", "research-space"} <= ids  # 4 layouts
    safeguards = {"safeguard-party-leadership", "safeguard-cooperation-mechanism", "safeguard-implementation",
                  "park-regulations"}  # fmt: skip
    assert safeguards <= ids
    for sector in ("life-sciences", "information-sciences", "materials-sciences"):
        assert any(o.sector == sector for o in plan.objectives), sector
    for flow in ("people", "funds", "data", "goods"):
        assert any(o.theme == flow and (o.indicators or o.milestones) for o in plan.objectives), flow
    goals_2025 = [o for o in plan.objectives if o.due.isoformat() == "2025-12-31"]
    assert len(goals_2025) >= 8  # each clause of the 2025 goal an objective
    hub = next(o for o in plan.objectives if o.id == "world-class-research-hub-2035")
    assert len(hub.milestones) == 6  # each clause of the 2035 goal a milestone


def test_whose_commitment_is_said() -> None:
    plan = planfile.load(planfile.read_source(ROOT / "objectives.toml"))
    assert plan.committed_by == "State Council"
    hk = next(o for o in plan.objectives if o.id == "hk-park-phase-1")
    assert hk.committed_by == "HKSAR" and all(m.committed_by == "HKSAR" for m in hk.milestones)


def test_outcome_milestones_need_evidence_to_close() -> None:
    plan = planfile.load(planfile.read_source(ROOT / "objectives.toml"))
    two_thousand_25 = [m for o in plan.objectives for m in o.milestones if m.due.isoformat() == "2025-12-31"]
    assert two_thousand_25 and all(m.verify is not None for m in two_thousand_25)
    words = " ".join(m.title.lower() for o in plan.objectives for m in o.milestones)
    assert "briefing" not in words and "made public" not in words and "publishes" not in words
