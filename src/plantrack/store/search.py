"""Full-text search over entries and the plan's titles, Chinese included.

FTS5's tokenizers find nothing inside a Chinese sentence (no spaces between words), and the
trigram tokenizer needs three characters while Chinese words are mostly two. So the indexed
text has every run of CJK characters rewritten as its overlapping bigrams ("通關安排" ->
"通關 關安 安排"), and a query term is rewritten the same way into a phrase: any CJK word of two
or more characters is then an indexed phrase match. A one-character CJK term falls back to a
substring scan. User input is never passed to FTS5 as syntax: every term becomes a quoted
phrase, so a query with broken FTS syntax is simply searched as plain words.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plantrack.errors import PlantrackError

if TYPE_CHECKING:
    from plantrack.ledger import Entry

# Han (incl. extension A and compatibility), kana, Hangul, CJK punctuation excluded.
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{CJK}]+")
_LIVE = [True]  # bulk loads switch the per-row trigger off and index once at the end


def bigrams(run: str) -> str:
    if len(run) < 2:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def segment(text: str | None) -> str:
    """Text as indexed: CJK runs become their bigrams, set apart by spaces."""
    if not text:
        return ""
    return _CJK_RUN.sub(lambda m: f" {bigrams(m.group(0))} ", text)


def entry_body(text: str | None, tags: str | None, attachment_name: str | None) -> str:
    parts = [text or ""]
    if tags and tags != "[]":
        try:
            parts += [str(t) for t in json.loads(tags)]
        except ValueError:
            pass
    if attachment_name:
        parts.append(attachment_name)
    return segment(" ".join(parts))


def _fts_live() -> int:
    return 1 if _LIVE[0] else 0


def register(conn: sqlite3.Connection) -> None:
    """The SQL functions the FTS triggers call; every plantrack connection has them."""
    conn.create_function("plantrack_fts_body", 3, entry_body, deterministic=True)
    conn.create_function("plantrack_fts_live", 0, _fts_live)


class paused_index:  # noqa: N801 - used as a context manager, reads like a statement
    """Switch the per-row FTS trigger off for a bulk load; index the new rows at the end."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.after = 0

    def __enter__(self) -> paused_index:
        self.after = self.conn.execute("SELECT coalesce(max(id), 0) FROM entry").fetchone()[0]
        _LIVE[0] = False
        return self

    def __exit__(self, *exc: object) -> None:
        _LIVE[0] = True

    def catch_up(self) -> None:
        """Index the rows written while paused and recount their targets' summaries.

        Call inside the load's transaction.
        """
        from plantrack.migrations import recount_sql

        self.conn.execute(
            "INSERT INTO entry_fts (rowid, body) SELECT id, plantrack_fts_body(text, tags, attachment_name)"
            " FROM entry WHERE id > ?",
            (self.after,),
        )
        self.conn.execute("DROP TABLE IF EXISTS temp.plantrack_touched")
        self.conn.execute(
            "CREATE TEMP TABLE plantrack_touched AS SELECT DISTINCT target FROM entry WHERE id > ?",
            (self.after,),
        )
        self.conn.execute(recount_sql("SELECT target FROM temp.plantrack_touched"))
        self.conn.execute("DROP TABLE temp.plantrack_touched")


def rebuild_plan_index(conn: sqlite3.Connection) -> None:
    """The plan's titles and names (all objects, archived ones too), re-indexed after an apply."""
    conn.execute("DELETE FROM plan_fts")
    rows = conn.execute("SELECT id, kind, data_json FROM plan_object").fetchall()
    out = []
    for oid, kind, data_json in rows:
        d = json.loads(data_json)
        words = [oid] + [
            str(d[k]) for k in ("title", "title_zh", "name", "name_zh", "description") if d.get(k)
        ]
        out.append((oid, kind, segment(" ".join(words))))
    conn.executemany("INSERT INTO plan_fts (object_id, kind, body) VALUES (?, ?, ?)", out)


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    match: str | None  # an FTS5 expression made only of quoted phrases
    substrings: tuple[str, ...]  # one-character CJK terms, matched by LIKE
    terms: tuple[str, ...]  # what to highlight


def _split_terms(query: str) -> list[str]:
    terms: list[str] = []
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', query):
        term = (quoted or bare).strip()
        if term and term.upper() not in ("AND", "OR", "NOT", "NEAR"):
            terms.append(term)
    return terms


def parse_query(query: str) -> Query:
    """Turn what a person typed into a safe FTS5 expression."""
    if len(query) > 1000:
        raise PlantrackError("the query is too long", hint="use fewer than 1000 characters")
    phrases: list[str] = []
    substrings: list[str] = []
    shown: list[str] = []
    for term in _split_terms(query):
        prefix = term.endswith("*") and not _CJK_RUN.search(term)
        core = term.rstrip("*") if prefix else term
        words = re.findall(rf"[{CJK}]+|[^\W_]+", core)
        if not words:
            continue
        shown.append(core)
        if len(words) == 1 and _CJK_RUN.fullmatch(words[0]) and len(words[0]) == 1:
            substrings.append(words[0])
            continue
        tokens = " ".join(bigrams(w) if _CJK_RUN.fullmatch(w) else w for w in words)
        phrase = '"' + tokens.replace('"', '""') + '"'
        phrases.append(phrase + (" *" if prefix else ""))
    if not phrases and not substrings:
        raise PlantrackError(
            f"nothing to search for in {query[:60]!r}", hint="give a word, e.g. plantrack search 通關"
        )
    return Query(" AND ".join(phrases) or None, tuple(substrings), tuple(shown))


@dataclass(frozen=True)
class PlanHit:
    id: str
    kind: str
    title: str


def search(conn: sqlite3.Connection, query: str, limit: int = 50,
           targets: Sequence[str] | None = None) -> tuple[list[PlanHit], list[Entry], bool]:  # fmt: skip
    """Plan objects and entries matching ``query``, newest recorded first; and whether more matched."""
    from plantrack import ledger

    q = parse_query(query)
    plan_hits: list[PlanHit] = []
    if q.match is not None:
        rows = conn.execute(
            "SELECT p.id, p.kind, p.data_json FROM plan_fts f JOIN plan_object p"
            " ON p.id = f.object_id AND p.kind = f.kind WHERE plan_fts MATCH ? ORDER BY p.kind, p.id",
            (q.match,),
        ).fetchall()
        for oid, kind, data_json in rows:
            d = json.loads(data_json)
            if all(s in data_json for s in q.substrings):
                plan_hits.append(PlanHit(oid, kind, d.get("title") or d.get("name") or oid))
    where: list[str] = []
    params: list[object] = []
    if q.match is not None:
        where.append("e.id IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?)")
        params.append(q.match)
    for s in q.substrings:
        where.append("instr(e.text, ?) > 0")
        params.append(s)
    if targets:
        where.append(f"e.target IN ({','.join('?' * len(targets))})")
        params += list(targets)
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT e.id FROM entry e WHERE {' AND '.join(where)} ORDER BY e.id DESC LIMIT ?",
            (*params, limit + 1),
        )
    ]
    more = len(ids) > limit
    entries = ledger.entries_by_id(conn, ids[:limit])
    return plan_hits, entries, more


def snippet(text: str, terms: Sequence[str], width: int = 80) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first match, and the spans to highlight in it."""
    flat = " ".join(text.split())
    low = flat.casefold()
    first = None
    for t in terms:
        i = low.find(t.casefold())
        if i >= 0 and (first is None or i < first):
            first = i
    start = 0 if first is None else max(0, first - width // 3)
    end = min(len(flat), start + width)
    window = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    out = prefix + window + suffix
    spans: list[tuple[int, int]] = []
    low_out = out.casefold()
    for t in terms:
        tl = t.casefold()
        i = low_out.find(tl)
        while i >= 0 and tl:
            spans.append((i, i + len(tl)))
            i = low_out.find(tl, i + len(tl))
    return out, sorted(spans)
