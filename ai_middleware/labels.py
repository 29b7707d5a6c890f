"""pt-BR labels for what the AI reads: the extraction's values are stable codes (part of the API), people see these."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ai_middleware.models import Objection
from leads.selectors import interest_type_choices

LABELS: dict[str, dict[str, object]] = {
    "intent": {
        "interested": _("Interested"),
        "wants_info": _("Wants information"),
        "schedule_meeting": _("Wants to schedule a visit"),
        "price_question": _("Asks about the price"),
        "not_interested": _("Not interested"),
        "opt_out": _("Asks not to be contacted"),
        "already_bought": _("Already bought"),
        "wrong_person": _("Wrong person"),
        "other": pgettext_lazy("intent", "Other"),
    },
    "sentiment": {
        "positive": pgettext_lazy("sentiment", "Positive"),
        "neutral": pgettext_lazy("sentiment", "Neutral"),
        "negative": pgettext_lazy("sentiment", "Negative"),
    },
    "urgency": {
        "high": pgettext_lazy("urgency", "High"),
        "medium": pgettext_lazy("urgency", "Medium"),
        "low": pgettext_lazy("urgency", "Low"),
        "unknown": pgettext_lazy("urgency", "Unknown"),
    },
    "buying_stage": {
        "awareness": _("Getting to know the options"),
        "consideration": _("Comparing options"),
        "decision": _("Ready to decide"),
        "unknown": pgettext_lazy("buying stage", "Unknown"),
    },
    "property_type": dict(interest_type_choices()),
    "objection": dict(Objection.choices),
    "field": {
        "intent": _("intent"),
        "sentiment": _("sentiment"),
        "urgency": _("urgency"),
        "budget_min": _("minimum budget"),
        "budget_max": _("maximum budget"),
        "city": _("city"),
        "state": _("state"),
        "property_type": _("interest type"),
        "interest_type": _("interest type"),
        "objections": _("objections"),
        "buying_stage": _("buying stage"),
        "questions": _("questions"),
    },
}


def ai_label(value, kind: str) -> str:
    """``("price_question", "intent")`` → "Pergunta o preço"; an unknown value is shown as it came."""
    if value in (None, ""):
        return ""
    return str(LABELS.get(kind, {}).get(value, value))
