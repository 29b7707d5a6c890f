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
