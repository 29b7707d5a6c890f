from django import template

from leads.models import LeadStage

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    """``"contacted"`` → the stage's translated label (timeline payloads keep the stable value)."""
    try:
        return LeadStage(value).label
    except ValueError:
        return value
