"""Chinese text in either script: OpenCC conversion for display, and one folded form for search.

Plan text is written once, in whichever script its author uses; a zh-Hans reader sees it in
Simplified and a zh-Hant reader in Traditional (OpenCC's Hong Kong variant). OpenCC is imported
only when Chinese text is actually converted, so English views never pay for it.
"""

from __future__ import annotations

import re
from functools import lru_cache
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
    return _converter("t2s").convert(text) if has_han(text) else text


def to_hant(text: str) -> str:
    """Traditional Chinese as written in Hong Kong; text without Han characters unchanged."""
    return _converter("s2hk").convert(text) if has_han(text) else text
