"""Chinese text in either script: OpenCC conversion for display, and one folded form for search.

Plan text is written once, in whichever script its author uses; a zh-Hans reader sees it in
Simplified and a zh-Hant reader in Traditional (OpenCC's Hong Kong variant). OpenCC is imported
only when Chinese text is actually converted, so English views never pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

# Any Han character: text without one needs no conversion (and OpenCC is not loaded for it).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_han(text: str | None) -> bool:
    return bool(text) and _HAN.search(text or "") is not None


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def to_hans(text: str) -> str:
    """Simplified Chinese (from Traditional of any region); text without Han characters unchanged."""
    return _converted("t2s", text) if has_han(text) else text


def to_hant(text: str) -> str:
    """Traditional Chinese as written in Hong Kong; text without Han characters unchanged."""
    return _converted("s2hk", text) if has_han(text) else text


# Conversions already made, kept between runs by the caller (the CLI keeps them in the status
# cache): loading OpenCC's Simplified-to-Traditional phrase tables takes about 120 ms, paid on
# every Traditional dashboard otherwise, while the titles it converts rarely change.
MEMO_LIMIT = 50_000
_memo: dict[str, str] = {}
_memo_grew = False
_memo_loader: list[Callable[[], dict[str, str] | None]] = []


def _converted(config: str, text: str) -> str:
    global _memo_grew
    key = f"{config}\x00{text}"
    found = _memo.get(key)
    if found is None and _memo_loader:
        loaded = _memo_loader.pop()()  # the kept conversions, read once and only when needed
        if loaded:
            _memo.update(loaded)
        found = _memo.get(key)
    if found is None:
        found = _converter(config).convert(text)
        if len(_memo) < MEMO_LIMIT:
            _memo[key] = found
            _memo_grew = True
    return found


def keep_conversions(loader: Callable[[], dict[str, str] | None]) -> None:
    """Give the conversions kept from earlier runs, read by ``loader`` at the first conversion."""
    _memo_loader[:] = [loader]


def new_conversions() -> dict[str, str] | None:
    """Every conversion known, when this run made one not kept before (else None)."""
    return dict(_memo) if _memo_grew else None


# --- search: one folded form for either script ----------------------------------------------------

# The Han blocks _HAN names, as code point ranges (the folding table covers each character in them).
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
GLOSSARY = Path(__file__).resolve().parent.parent / "locale" / "glossary.toml"


def _convert_each(config: str, chars: list[str]) -> list[str]:
    """Each character converted on its own (no phrase context): one OpenCC call for all of them."""
    out: list[str] = _converter(config).convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # never seen; kept so that a changed OpenCC cannot misalign the table
        out = [_converter(config).convert(c) for c in chars]
    return out


@cache
def _fold_table() -> dict[int, int]:
    """Every Han character that Simplified text writes otherwise, to that one character.

    Built once per process from OpenCC's own dictionaries: t2s first, then the Hong Kong and
    Taiwan variant characters (hk2s, tw2s: 衞 → 卫, 痺 → 痹) that t2s leaves alone, except where
    the character is itself one Simplified text writes (tw2s would turn 么 into 幺). Character by
    character, not phrase by phrase, so that a word folds the same alone as inside a sentence and
    the folded text has the original's length (highlights map back by position).
    """
    chars = [chr(c) for lo, hi in _HAN_RANGES for c in range(lo, hi + 1)]
    table: dict[int, int] = {}
    for c, s in zip(chars, _convert_each("t2s", chars), strict=True):
        if s != c and len(s) == 1:
            table[ord(c)] = ord(s)
    simplified = set(table.values())
    for config in ("hk2s", "tw2s"):
        for c, s in zip(chars, _convert_each(config, chars), strict=True):
            if s != c and len(s) == 1 and ord(c) not in table and ord(c) not in simplified:
                table[ord(c)] = ord(s)
    for k in list(table):  # follow chains (薴 → 苧 → 苎) so that folding twice changes nothing
        v, steps = table[k], 0
        while v in table and steps < 8:
            v, steps = table[v], steps + 1
        if v == k:
            del table[k]
        else:
            table[k] = v
    return table


@cache
def _preimages() -> dict[str, frozenset[str]]:
    inverse: dict[str, set[str]] = {}
    for k, v in _fold_table().items():
        inverse.setdefault(chr(v), {chr(v)}).add(chr(k))
    return {c: frozenset(s) for c, s in inverse.items()}


def fold_chars(text: str) -> str:
    """Han characters in Simplified, one for one (the length is kept); other text unchanged."""
    return text.translate(_fold_table()) if has_han(text) else text


def spellings(char: str) -> frozenset[str]:
    """Every character that folds to the same one as ``char`` (关 → {关, 關}), for a plain scan."""
    c = fold_chars(char)
    return _preimages().get(c, frozenset({c})) | {char}


@cache
def _glossary() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The glossary's forms, folded, each to its folded mainland form; longest forms first."""
    with GLOSSARY.open("rb") as f:
        import tomllib  # only where search folds text: every other command is spared its import

        rows = tomllib.load(f)
    mapping: dict[str, str] = {}
    for mainland, others in rows.items():
        for other in others:
            mapping[fold_chars(other)] = fold_chars(mainland)
    if not mapping:
        return None, mapping
    forms = sorted(mapping, key=lambda s: (-len(s), s))
    return re.compile("|".join(map(re.escape, forms))), mapping


def fold_terms(folded: str) -> str:
    """Text already folded by :func:`fold_chars` with the glossary's terms in their mainland form."""
    if not has_han(folded):
        return folded
    pattern, mapping = _glossary()
    return folded if pattern is None else pattern.sub(lambda m: mapping[m.group(0)], folded)


def fold(text: str) -> str:
    """The one searchable form of ``text``: Simplified characters, mainland terms (軟體 → 软件)."""
    return fold_terms(fold_chars(text))


def _caseless(text: str) -> str:
    """Case folded without changing the length (a character that would grow, like ß, is kept)."""
    low = text.casefold()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.casefold()) != 1 else c.casefold() for c in text)


def _occurrences(hay: str, needle: str) -> list[int]:
    found: list[int] = []
    i = hay.find(needle) if needle else -1
    while i >= 0:
        found.append(i)
        i = hay.find(needle, i + len(needle))
    return found


def _rewritten(folded: str) -> tuple[str, list[tuple[int, int]]]:
    """:func:`fold_terms` of ``folded``, and for each of its characters the span of ``folded`` it
    comes from (a rewritten term's characters all come from the whole original term)."""
    pattern, mapping = _glossary()
    pieces: list[str] = []
    origin: list[tuple[int, int]] = []
    pos = 0
    for m in pattern.finditer(folded) if pattern is not None else ():
        pieces.append(folded[pos : m.start()])
        origin += [(i, i + 1) for i in range(pos, m.start())]
        pieces.append(mapping[m.group(0)])
        origin += [(m.start(), m.end())] * len(mapping[m.group(0)])
        pos = m.end()
    pieces.append(folded[pos:])
    origin += [(i, i + 1) for i in range(pos, len(folded))]
    return "".join(pieces), origin


def find(text: str, term: str) -> list[tuple[int, int]]:
    """Where ``term`` occurs in ``text`` in either script, any case, or as a glossary equivalent:
    spans of the original ``text``, sorted, for highlighting what the reader wrote."""
    hay, needle = _caseless(fold_chars(text)), _caseless(fold_chars(term))
    spans = {(i, i + len(needle)) for i in _occurrences(hay, needle)}
    if has_han(hay) and has_han(needle):
        # Rewritten terms may change the length: positions map back through each character's origin.
        rewritten, origin = _rewritten(hay)
        want = fold_terms(needle)
        if rewritten != hay or want != needle:
            for i in _occurrences(rewritten, want):
                spans.add((origin[i][0], origin[i + len(want) - 1][1]))
    return sorted(spans)
