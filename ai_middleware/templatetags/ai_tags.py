from django import template

from ai_middleware.labels import ai_label

register = template.Library()


@register.filter(name="ai_label")
def ai_label_filter(value, kind: str) -> str:
    """``{{ profile.intent|ai_label:"intent" }}``; lists (objections, fields) are joined with ", "."""
    if isinstance(value, list | tuple):
        return ", ".join(ai_label(v, kind) for v in value)
    return ai_label(value, kind)
