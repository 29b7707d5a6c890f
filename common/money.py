"""Money as people in Brazil read it: "R$ 400 mil", "R$ 1,2 mi", "R$ 850" — one helper for every page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


def _number(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _decimal_comma(value: float, places: int) -> str:
    text = f"{value:,.{places}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def money_short(value) -> str:
    """``400000`` → "R$ 400 mil", ``1200000`` → "R$ 1,2 mi", ``850`` → "R$ 850"; empty for no value."""
    number = _number(value)
    if number is None:
        return ""
    if abs(number) >= 1_000_000:
        return _("R$ %(v)s mi") % {"v": _decimal_comma(number / 1_000_000, 2)}
    if abs(number) >= 1000:
        return _("R$ %(v)s mil") % {"v": _decimal_comma(number / 1000, 1)}
    if number.is_integer():
        return "R$ " + _decimal_comma(number, 0)
    return "R$ " + f"{number:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def money_range(low, high) -> str:
    """A budget: "R$ 400 mil", "R$ 300 mil – R$ 400 mil", "até R$ 400 mil", "a partir de R$ 300 mil" or ""."""
    low_text, high_text = money_short(low), money_short(high)
    if low_text and high_text:
        return low_text if low_text == high_text else f"{low_text} – {high_text}"
    if high_text:
        return _("up to %(v)s") % {"v": high_text}
    if low_text:
        return _("from %(v)s") % {"v": low_text}
    return ""
