"""A logging filter that masks personal data (phones, e-mails, CPFs) in every record before it is written."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
    (re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"), "<cpf>"),
    (re.compile(r"(?<![\w/])\+?\(?\d{2,3}\)?[\s.-]?\d{4,5}[\s.-]?\d{4}\b"), "<phone>"),
    (re.compile(r"\+?\b55\d{10,11}\b"), "<phone>"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PIIRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
