from django import template

from whatsapp.models import messaging_limit_label

register = template.Library()


@register.filter
def messaging_limit(value: str) -> str:
    """``{{ number.messaging_limit|messaging_limit }}`` → "1.000 pessoas por dia"."""
    return messaging_limit_label(value)
