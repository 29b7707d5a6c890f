from django import template

from compliance.services.consent import contact_mask

register = template.Library()


@register.filter
def masked(contact_point) -> str:
    """A contact point's value masked for display (``+55 11 9****-7777``)."""
    return contact_mask(contact_point.value, contact_point.kind)
