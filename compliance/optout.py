"""Opt-out keyword matching: pure functions, no ORM.

``SAIR``, ``Sair!``, ``saír 🙏`` are opt-outs; ``vou sair mais cedo`` is not. Whole-message keywords must be the
entire message once case, accents, punctuation and emoji are stripped; phrases must appear as whole words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from common.text import fold

_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def text_fold(text: str) -> str:
    """Lower-case, strip accents, punctuation and emoji, collapse spaces."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(text or ""))).strip()


@dataclass(frozen=True)
class KeywordRule:
    phrase: str
    whole_message: bool


@dataclass(frozen=True)
class OptOutHit:
    phrase: str
    whole_message: bool


# Courtesy words around a whole-message keyword ("SAIR, obrigado") do not change its meaning.
_COURTESY = frozenset(
    {
        "obrigado",
        "obrigada",
        "obg",
        "grato",
        "grata",
        "valeu",
        "ok",
        "por",
        "favor",
        "pf",
        "pfv",
        "please",
        "thanks",
        "bom",
        "dia",
        "boa",
        "tarde",
        "noite",
        "ola",
        "oi",
    }
)


def _without_courtesy(folded: str) -> str:
    words = folded.split(" ")
    while words and words[0] in _COURTESY:
        words.pop(0)
    while words and words[-1] in _COURTESY:
        words.pop()
    return " ".join(words)


def optout_match(text: str, rules: Iterable[KeywordRule]) -> OptOutHit | None:
    folded = text_fold(text)
    if not folded:
        return None
    core = _without_courtesy(folded)
    padded = f" {folded} "
    for rule in rules:
        phrase = text_fold(rule.phrase)
        if not phrase:
            continue
        if rule.whole_message:
            if core == phrase:
                return OptOutHit(rule.phrase, True)
        elif f" {phrase} " in padded:
            return OptOutHit(rule.phrase, False)
    return None
