from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from common.money import money_short
from leads.ingest.dedup import reason_label
from leads.ingest.mapping import field_label
from leads.models import Lead, LeadStage

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
    try:
        return str(WEEKDAYS_ABBR[int(value)])
    except (TypeError, ValueError, KeyError):
        return ""


@register.filter
def lead_field_label(value: str) -> str:
    """``"full_name"`` → "Nome completo": a timeline change names the field as people know it."""
    if value == "contacts":
        return gettext("Contact points")
    try:
        label = str(Lead._meta.get_field(value).verbose_name)
        return label if label.isupper() else label.capitalize()  # "UF" stays "UF" (was "Uf")
    except FieldDoesNotExist:
        return value


@register.filter
def lead_field_value(value, field: str) -> str:
    """A changed field's value as the lead page shows it: a choice's label ("apartment" → "Apartamento"), money as
    "R$ 1,2 mi"; "—" when empty (the timeline stores the codes and the plain numbers)."""
    if value in (None, "", []):
        return "—"
    try:
        model_field = Lead._meta.get_field(field)
    except FieldDoesNotExist:
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if field.startswith("budget"):
        try:
            return money_short(value)
        except (TypeError, ValueError, ArithmeticError):
            return str(value)
    return str(value)


@register.filter
def mapping_label(target: str) -> str:
    """An import column's target (``"phone2"``) → its label ("Segundo telefone")."""
    return field_label(target)


@register.filter
def dedup_reason(reason: str) -> str:
    """A duplicate's stored reason (``"same phone, different name"``) → its pt-BR sentence."""
    return reason_label(reason)


_MESSAGE_KINDS = {
    "text": _lazy("text message"),
    "template": _lazy("template message"),
    "image": _lazy("image"),
    "audio": _lazy("audio"),
    "video": _lazy("video"),
    "document": _lazy("document"),
    "sticker": _lazy("sticker"),
    "interactive": _lazy("interactive message"),
    "button": _lazy("button reply"),
    "location": _lazy("location"),
    "contacts": _lazy("contact card"),
    "reaction": _lazy("reaction"),
}
_MEDIA_FAMILIES = (
    ("application/pdf", _lazy("PDF")),
    ("image/", _lazy("image")),
    ("audio/", _lazy("audio")),
    ("video/", _lazy("video")),
    ("application/vnd.ms-excel", _lazy("spreadsheet")),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml", _lazy("spreadsheet")),
    ("text/csv", _lazy("spreadsheet")),
    ("application/msword", _lazy("text document")),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml", _lazy("text document")),
    ("text/", _lazy("text document")),
)


@register.filter
def message_kind_label(value: str) -> str:
    """A WhatsApp message type as people say it ("template" → "mensagem de modelo"); never the API's code."""
    return str(_MESSAGE_KINDS.get(value, _MESSAGE_KINDS["text"] if not value else _lazy("message")))


@register.filter
def media_label(value: str) -> str:
    """A file's MIME type as people say it ("application/pdf" → "PDF", "image/jpeg" → "imagem")."""
    value = (value or "").lower()
    for prefix, label in _MEDIA_FAMILIES:
        if value.startswith(prefix):
            return str(label)
    return str(_lazy("file"))
