"""Text helpers shared by every app. Pure functions."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)  # names, cities and headers repeat a lot across a file
def fold(text: str) -> str:
    """Lower-case without accents: ``São PAULO`` → ``sao paulo``. Punctuation is left to the caller."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
