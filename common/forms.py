"""Form fields shared by the apps' forms. Dates and times are accepted as people type them in Brazil (dd/mm/aaaa,
dd-mm-aaaa, 14h30) and as the browser's ``<input type=date>`` / ``datetime-local`` send them (ISO, yyyy-mm-dd and
yyyy-mm-ddThh:mm); a wrong one is refused with a message that says what is wrong and what to type."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y %H:%M",
    *DATE_FORMATS,  # a day alone: midnight
]
_BR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\b")


def _normalized(value):
    """``10-12-2026 14h30`` → ``10/12/2026 14:30`` (ISO dates keep their dashes)."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    text = re.sub(r"^(\d{1,2})[-.](\d{1,2})[-.](\d{2}|\d{4})\b", r"\1/\2/\3", text)
    return re.sub(r"\b(\d{1,2})h(\d{2})?\b", lambda m: f"{m.group(1)}:{m.group(2) or '00'}", text)


def _impossible_day(text: str) -> bool:
    """True when ``text`` starts with a well-formed day that is not on the calendar (31/02/2026, 2026-13-01)."""
    if match := _BR_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 else 0
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return True
    return False


class _Local:
    impossible_message = _("“%(value)s” is not a day on the calendar: check the day and the month.")

    def to_python(self, value):
        value = _normalized(value)
        try:
            return super().to_python(value)
        except ValidationError:
            if isinstance(value, str) and _impossible_day(value.strip()):
                raise ValidationError(
                    self.impossible_message, code="invalid", params={"value": value.strip()}
                ) from None
            raise


class LocalDateField(_Local, forms.DateField):
    """A day as dd/mm/aaaa or yyyy-mm-dd (``<input type=date>``)."""

    input_formats = DATE_FORMATS
    default_error_messages = {"invalid": _("Enter the date as dd/mm/yyyy, e.g. 10/12/2026.")}


class LocalDateTimeField(_Local, forms.DateTimeField):
    """A moment as dd/mm/aaaa hh:mm (or 14h30) or yyyy-mm-ddThh:mm (``<input type=datetime-local>``); rendered back
    in the ISO form the browser's datetime-local input shows."""

    input_formats = DATETIME_FORMATS
    default_error_messages = {"invalid": _("Enter the date and time as dd/mm/yyyy hh:mm, e.g. 10/12/2026 14:30.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        super().__init__(**kwargs)
