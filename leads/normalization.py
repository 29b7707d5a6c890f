"""Pure normalization functions (no ORM). The ingestion issue extends these; keep them side-effect free."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "BR"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class NormalizedPhone:
    raw: str
    e164: str  # the normalized number, or the cleaned raw text when it cannot be parsed
    is_valid: bool
    is_mobile: bool


def phone_normalize(raw: str, region: str = DEFAULT_REGION) -> NormalizedPhone:
    """Parse a phone in any common Brazilian or international format into E.164."""
    text = (raw or "").strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return NormalizedPhone(raw=text, e164=text, is_valid=False, is_mobile=False)
    candidate = text
    # "5511988887777" without the plus is an international number, not a local one.
    if not text.startswith("+") and digits.startswith("55") and len(digits) in (12, 13):
        candidate = "+" + digits
    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return NormalizedPhone(raw=text, e164=digits, is_valid=False, is_mobile=False)
    is_valid = phonenumbers.is_valid_number(parsed)
    number_type = phonenumbers.number_type(parsed)
    is_mobile = number_type in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return NormalizedPhone(raw=text, e164=e164, is_valid=is_valid, is_mobile=is_mobile)


@dataclass(frozen=True)
class NormalizedEmail:
    raw: str
    value: str
    is_valid: bool


def email_normalize(raw: str) -> NormalizedEmail:
    """Syntax check only (no DNS); the domain is lower-cased, the local part kept, the whole stored lower."""
    text = (raw or "").strip()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return NormalizedEmail(raw=text, value=text.lower(), is_valid=False)
    return NormalizedEmail(raw=text, value=result.normalized.lower(), is_valid=True)


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
