"""Opt-out keyword matching: pure functions, no ORM.

``SAIR``, ``Sair!``, ``saír 🙏`` are opt-outs; ``vou sair mais cedo`` is not. Whole-message keywords must be the
entire message once case, accents, punctuation and emoji are stripped; phrases must appear as whole words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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


# What an inbound text asks of us about being contacted (issue #20's layered decision). ``action``:
#   "stop"       stop contacting: ``scope`` {"channels": ["any"|"whatsapp"|"phone"|"email"|"sms"], "purposes": ["any"|
#                "marketing"|"service"…]} ("não me liga" stops calls only: channels ["phone"])
#   "confirm"    uncertain: ask the person, one tap ("Quer parar de receber nossas mensagens? [Sim, parar] [Não]")
#   "preference" not a stop: ``scope`` {"no_audio": True} | {"contact_days": [5, 6]} |
#                {"contact_hours": ["18:00", "21:00"]}
#   "resume"     a new consent: ``scope`` {"purposes": ["marketing"]}
#   "none"       nothing of the kind
# ``evidence`` says which layer decided and how, never the message: {"layer": "keyword"|"meta"|"model"|"llm"|
# "confirmation", "rule": …, "model_version": …, "score": …}.
STOP, CONFIRM, PREFERENCE, RESUME, NONE = "stop", "confirm", "preference", "resume", "none"


@dataclass(frozen=True)
class OptOutDecision:
    action: str = NONE
    scope: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)

    @property
    def is_stop(self) -> bool:
        return self.action == STOP


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


def optout_decide(text: str, rules: Iterable[KeywordRule]) -> OptOutDecision:
    """The layered decision for one inbound text. Today: the explicit keywords (stop on every channel and purpose)."""
    hit = optout_match(text, rules)
    if hit is None:
        return OptOutDecision()
    return OptOutDecision(
        STOP,
        {"channels": ["any"], "purposes": ["any"]},
        {"layer": "keyword", "rule": hit.phrase, "whole_message": hit.whole_message},
    )
