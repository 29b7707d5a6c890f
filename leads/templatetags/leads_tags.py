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


@register.filter
def weekday_abbr(value) -> str:
    """``5`` (0 = Monday) → "sáb": a person's own contact days, as stored in their preference."""
    from django.utils.dates import WEEKDAYS_ABBR

    try:
        return str(WEEKDAYS_ABBR[int(value)])
    except (TypeError, ValueError, KeyError):
        return ""


@register.filter
def lead_field_label(value: str) -> str:
    """``"full_name"`` → "Nome completo": a timeline change names the field as people know it."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.translation import gettext

    from leads.models import Lead

    if value == "contacts":
        return gettext("Contact points")
    try:
        return str(Lead._meta.get_field(value).verbose_name).capitalize()
    except FieldDoesNotExist:
        return value


@register.filter
def mapping_label(target: str) -> str:
    """An import column's target (``"phone2"``) → its label ("Segundo telefone")."""
    from leads.ingest.mapping import field_label

    return field_label(target)


@register.filter
def dedup_reason(reason: str) -> str:
    """A duplicate's stored reason (``"same phone, different name"``) → its pt-BR sentence."""
    from leads.ingest.dedup import reason_label

    return reason_label(reason)
