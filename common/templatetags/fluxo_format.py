"""Display filters shared by every page: money in pt-BR."""

from django import template

from common.money import money_range, money_short

register = template.Library()


@register.filter
def money(value) -> str:
    """``{{ lead.budget_max|money }}`` → "R$ 400 mil"."""
    return money_short(value)


@register.simple_tag
def budget(low, high) -> str:
    """``{% budget lead.budget_min lead.budget_max %}`` → "R$ 300 mil – R$ 400 mil" (or "—")."""
    return money_range(low, high) or "—"


@register.filter
def hours_left(value) -> str:
    """``22.6`` (hours) → "22 h 36 min", ``0.7`` → "42 min": a WhatsApp window's time left as people read a clock."""
    try:
        minutes = max(0, round(float(value) * 60))
    except (TypeError, ValueError):
        return ""
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
