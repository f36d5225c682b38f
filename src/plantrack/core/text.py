"""Plain words for values: numbers, percentages, one-line entries, and search terms and snippets.

Pure functions (no markup, no I/O), so the terminal, the reports and the full-text index all say
a figure or an entry the same way.

FTS5's tokenizers find nothing inside a Chinese sentence (no spaces between words), and the
trigram tokenizer needs three characters while Chinese words are mostly two. So the indexed
text has every run of CJK characters rewritten as its overlapping bigrams ("通關安排" ->
"通關 關安 安排"), and a query term is rewritten the same way into a phrase: any CJK word of two
or more characters is then an indexed phrase match. A one-character CJK term falls back to a
substring scan. User input is never passed to FTS5 as syntax: every term becomes a quoted
phrase, so a query with broken FTS syntax is simply searched as plain words.

Both the index and the query are folded to one script first (core.scripts): 通關 and 通关 are
the same word to search, and a glossary term (資訊) is also indexed in its mainland form (信息).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from plantrack.core import scripts
from plantrack.errors import PlantrackError
from plantrack.models import Entry

# Han (incl. extension A and compatibility), kana, Hangul, CJK punctuation excluded.
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{CJK}]+")


def fmt_num(value: float | None, decimals: int | None = None) -> str:
    """A figure with thousands separators; with ``decimals``, exactly that many places."""
    if value is None:
        return "—"
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) >= 1e6 else f"{value:,.2f}".rstrip("0").rstrip(".")


def plain_num(x: float) -> str:
    """A plan figure as written in the plan file (no separators, no rounding), for messages about it."""
    return str(int(x)) if float(x).is_integer() else str(x)


def pct(x: float | None, places: int = 1) -> str:
    """A share as a percentage: one decimal place in reports, whole points on the dashboard."""
    return "—" if x is None else f"{x * 100:.{places}f}%"


def describe(e: Entry) -> str:
    parts: list[str] = []
    if e.kind.value == "measurement":
        parts.append(f"= {fmt_num(e.value)}")
    if e.kind.value == "milestone" and e.state:
        parts.append(f"→ {e.state.value}")
    if e.kind.value == "retraction":
        parts.append(f"retracts {e.retracts[:8] if e.retracts else '?'}:")
    if e.kind.value == "assessment" and e.level:
        parts.append(f"confidence {e.level.value}:")
    if e.text:
        parts.append(e.text)
    if e.url:
        parts.append(f"<{e.url}>")
    if e.attachment:
        parts.append(f"[attached {e.attachment.name}, sha256 {e.attachment.sha256[:12]}]")
    if e.tags:
        parts.append(" ".join(f"#{t}" for t in e.tags))
    if e.retracted:
        parts.append("(retracted)")
    return " ".join(parts)


# --- search terms ------------------------------------------------------------------------


def bigrams(run: str) -> str:
    if len(run) < 2:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def segment(text: str | None) -> str:
    """Text as indexed: CJK runs become their bigrams, set apart by spaces."""
    if not text:
        return ""
    return _CJK_RUN.sub(lambda m: f" {bigrams(m.group(0))} ", text)


# Between the folded text and its glossary rewrite in the index: a token (a private-use character)
# that no query can contain, so that no phrase matches across the two.
APART = "\ue000"


def index_form(text: str | None) -> str:
    """Text as indexed: folded to Simplified and segmented; when the glossary rewrites a term,
    the rewritten text follows (set apart), so both the words as written and their mainland
    equivalents are found."""
    if not text:
        return ""
    chars = scripts.fold_chars(text)
    terms = scripts.fold_terms(chars)
    if terms == chars:
        return segment(chars)
    return f"{segment(chars)} {APART} {segment(terms)}"


@dataclass(frozen=True)
class Query:
    match: str | None  # an FTS5 expression made only of quoted phrases (and ORs of a term's forms)
    substrings: tuple[str, ...]  # one-character CJK terms, folded, matched by a scan
    terms: tuple[str, ...]  # what to highlight


def _split_terms(query: str) -> list[str]:
    terms: list[str] = []
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', query):
        term = (quoted or bare).strip()
        if term and term.upper() not in ("AND", "OR", "NOT", "NEAR"):
            terms.append(term)
    return terms


def _phrase(words: Sequence[str]) -> str:
    tokens = " ".join(bigrams(w) if _CJK_RUN.fullmatch(w) else w for w in words)
    return '"' + tokens.replace('"', '""') + '"'


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
            substrings.append(scripts.fold_chars(words[0]))
            continue
        # The term as folded character by character, and with glossary terms in their mainland
        # form: either is found (the index holds both forms of a text that has a glossary term).
        chars = tuple(scripts.fold_chars(w) for w in words)
        forms = dict.fromkeys([chars, tuple(scripts.fold_terms(w) for w in chars)])
        alternatives = [_phrase(form) for form in forms]
        phrase = alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
        phrases.append(phrase + (" *" if prefix else ""))
    if not phrases and not substrings:
        raise PlantrackError(
            f"nothing to search for in {query[:60]!r}", hint="give a word, e.g. plantrack search 通關"
        )
    return Query(" AND ".join(phrases) or None, tuple(substrings), tuple(shown))


def snippet(text: str, terms: Sequence[str], width: int = 80) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first match, and the spans to highlight in it."""
    flat = " ".join(text.split())
    # Matches are found in either script (通关 marks 通關) and on glossary terms, and always
    # mark the characters as written.
    found = sorted({span for t in terms for span in scripts.find(flat, t)})
    start = 0 if not found else max(0, found[0][0] - width // 3)
    end = min(len(flat), start + width)
    window = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    out = prefix + window + suffix
    shift = len(prefix) - start
    spans = [(max(a, start) + shift, min(b, end) + shift) for a, b in found if a < end and b > start]
    return out, spans
