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


# Legacy Chinese encodings, tried in this order when bytes are not UTF-8.
LEGACY = (("gb18030", "GB18030"), ("cp950", "Big5"), ("big5hkscs", "Big5-HKSCS"))


def _plausible(text: str, codec: str) -> float:
    """How much ``text`` reads like Chinese written in ``codec`` (0 to 1): the share of its non-ASCII
    characters that are common Han characters of that encoding or ordinary punctuation.

    GB18030 decodes almost any byte string, and most GB2312 text also decodes as Big5, so decoding
    cleanly does not settle it: a misread gives rare characters, kana, Cyrillic, box drawing or
    private-use characters in place of the common characters a real text is made of. Common means
    GB2312's Han rows for GB18030 and Big5's level 1 (frequently used characters) for Big5."""
    import re
    from collections import Counter

    # The first 200,000 non-ASCII characters are plenty to judge by, and keep a large file quick.
    sample = re.sub(r"[\x00-\x7f]+", "", text)[:200_000]
    score = 0.0
    total = 0
    for ch, n in Counter(sample).items():
        total += n
        o = ord(ch)
        if 0x4E00 <= o <= 0x9FFF:
            score += n * (1.0 if _common(ch, codec) else 0.5)
        elif 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or o > 0xFFFF:
            score += n * 0.1  # extension A, compatibility ideographs, beyond the BMP: rare
        elif 0xE000 <= o <= 0xF8FF or ch == "\ufffd":
            score -= n  # private use: user-defined characters are almost never what was meant
        elif (0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F
              or 0xA0 <= o <= 0xFF or 0x2100 <= o <= 0x218F or ch == "\ufeff"):  # fmt: skip
            score += n  # CJK and general punctuation, full-width forms, Latin-1 and unit signs
    return score / total if total else 1.0


def _common(ch: str, codec: str) -> bool:
    if codec == "gb18030":
        try:
            return ch.encode("gb2312")[0] >= 0xB0  # rows 16 to 87: the 6,763 Han characters
        except UnicodeEncodeError:
            return False
    try:
        code = int.from_bytes(ch.encode("big5"), "big")
    except UnicodeEncodeError:
        return False
    return 0xA440 <= code <= 0xC67E  # level 1: the 5,401 frequently used characters


def decode_legacy(data: bytes) -> tuple[str, str] | None:
    """Bytes that are not UTF-8 as text, and the encoding's name: GB18030 or Big5, whichever decodes
    cleanly and reads most like Chinese (ties go to GB18030, tried first); None when neither does."""
    readings: list[tuple[float, int, str, str]] = []
    for n, (codec, label) in enumerate(LEGACY):
        if label.startswith("Big5") and any(r[3].startswith("Big5") for r in readings):
            continue  # Big5-HKSCS only where Windows' Big5 does not decode
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append((_plausible(text, codec), -n, text, label))
    if not readings:
        return None
    _score, _n, text, label = max(readings)
    return text, label


def from_os(s: str) -> str:
    """Text the system handed over as bytes that were not UTF-8 (Python keeps such bytes as
    surrogate escapes, which cannot be stored): read as GB18030 or Big5 where that decodes cleanly
    (file names saved on Chinese Windows, a terminal in a Chinese locale), else with U+FFFD
    where a byte cannot be read. Other text is returned as it is."""
    if not any("\udc80" <= ch <= "\udcff" for ch in s):
        return s
    raw = s.encode("utf-8", "surrogateescape")
    decoded = decode_legacy(raw)
    if (
        decoded is not None
        and _plausible(decoded[0], "big5" if decoded[1].startswith("Big5") else "gb18030") > 0.5
    ):
        return decoded[0]
    return raw.decode("utf-8", "replace")
