"""What the report renderers share: labels, number formats, safe links, list caps."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plantrack.ledger import Entry
    from plantrack.report import Report

LIST_CAP = 200  # entries listed per stocktake section; the counts stay exact
TREND_MARK = {"up": "▲", "down": "▼", "flat": "▶", "new": "•", "none": "–"}
TREND_WORD = {"up": "up", "down": "down", "flat": "unchanged", "new": "new", "none": "no data"}
_SAFE_SCHEME = re.compile(r"(?i)^(https?|ftp)://")


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def num(x: float | None) -> str:
    if x is None:
        return "—"
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.2f}"


def linkable(url: str | None) -> bool:
    """Only web addresses become links; anything else (javascript:, data:, file:) stays text."""
    return bool(url) and bool(_SAFE_SCHEME.match(url or ""))


def one_line(text: str | None, limit: int = 400) -> str:
    s = " ".join((text or "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def entry_summary(e: Entry) -> str:
    if e.kind.value == "measurement":
        head = f"= {num(e.value)}"
    elif e.kind.value == "milestone":
        head = f"→ {e.state.value if e.state else '?'}"
    else:
        head = ""
    return " ".join(p for p in (head, one_line(e.text)) if p)


def footer_lines(r: Report) -> list[str]:
    known = r.known_at or "everything recorded when the report was generated"
    return [
        f"As of {r.as_of.isoformat()} · known at {known} · plan revision {r.revision} (sha256 {r.revision_sha[:12]})",
    ]


def file_stem(r: Report) -> str:
    return f"{r.plan_id}-{r.period.label.replace('/', '-')}"
