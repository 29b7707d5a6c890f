from django import template

from qualification.models import Category

register = template.Library()


@register.filter
def class_label(value: str) -> str:
    """``"warm"`` → "Morno": a class stored as its code elsewhere (an assignment's copy of it)."""
    try:
        return Category(value).label
    except ValueError:
        return value or ""
