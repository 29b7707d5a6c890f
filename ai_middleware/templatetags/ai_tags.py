from django import template
from django.utils.translation import gettext

from ai_middleware.labels import ai_label

register = template.Library()


@register.filter(name="ai_label")
def ai_label_filter(value, kind: str) -> str:
    """``{{ profile.intent|ai_label:"intent" }}``; lists (objections, fields) are joined with ", "."""
    if isinstance(value, list | tuple):
        return ", ".join(ai_label(v, kind) for v in value)
    return ai_label(value, kind)


@register.filter
def provider_label(value) -> str:
    """Who read or wrote it, as a consultant says it: "local" is the engine in Fluxo itself (no outside AI), other
    providers by their name ("por local" read as a typo in the user test)."""
    name = str(value or "")
    if name in ("", "local"):
        return gettext("Fluxo's own engine")
    return name
