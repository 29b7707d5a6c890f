"""Pure normalization functions (no ORM). The ingestion issue extends these; keep them side-effect free."""

from __future__ import annotations

import re

import phonenumbers

from common.contacts import (  # noqa: F401  (re-exported: leads code imports them from here)
    DEFAULT_REGION,
    NormalizedEmail,
    NormalizedPhone,
    contact_normalize,
    email_normalize,
    phone_normalize,
)

_SPACES = re.compile(r"\s+")


_PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e", "di", "del", "la", "van", "von"})


def _word_is_badly_cased(word: str, first: bool) -> bool:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return False
    if word.lower() in _PARTICLES and not first:
        return word != word.lower()
    return (len(letters) > 1 and word.isupper()) or not letters[0].isupper()


def _capitalize(word: str) -> str:
    for sep in ("-", "'"):
        if sep in word:
            return sep.join(_capitalize(part) for part in word.split(sep))
    return word[:1].upper() + word[1:].lower()


def name_clean(raw: str) -> str:
    """Collapse spaces and fix capitalization when it is off (``maria DA silva`` → ``Maria da Silva``);
    names already well cased (``João McDonald``) and accents are kept."""
    words = _SPACES.sub(" ", (raw or "").strip()).split(" ")
    if not any(_word_is_badly_cased(w, i == 0) for i, w in enumerate(words)):
        return " ".join(words)
    return " ".join(w.lower() if i and w.lower() in _PARTICLES else _capitalize(w) for i, w in enumerate(words))


def phone_display(e164: str) -> str:
    """``+5511988887777`` → ``+55 11 98888-7777`` for people."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def cpf_digits(raw: str) -> str:
    return re.sub(r"\D", "", raw or "")


def cpf_is_valid(raw: str) -> bool:
    """Brazilian CPF check digits (mod 11); repeated-digit numbers like 111.111.111-11 are invalid."""
    digits = cpf_digits(raw)
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    for position in (9, 10):
        total = sum(int(digits[i]) * (position + 1 - i) for i in range(position))
        check = (total * 10) % 11 % 10
        if check != int(digits[position]):
            return False
    return True
