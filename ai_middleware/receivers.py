"""Subscriptions to the leads app's domain signals (connected in AiMiddlewareConfig.ready)."""

from __future__ import annotations

import logging

from django.conf import settings

from common.tasks import task_send
from compliance.services.consent import training_use_recorded
from leads import selectors as lead_selectors

from . import services
from .models import LabelledExample

logger = logging.getLogger(__name__)


def on_lead_message_received(sender, *, lead_id: int, event_id: int, **kwargs) -> None:
    if not settings.AI_AUTO_EXTRACT:
        return
    task_send("ai_middleware.extract_event", event_id)


def on_lead_message_sent(sender, *, lead_id: int, text: str, suggestion_id: int | None = None, **kwargs) -> None:
    if suggestion_id:
        services.suggestion_used(suggestion_id=suggestion_id, lead_id=lead_id, text=text)


def on_lead_stage_changed(sender, *, lead_id: int, stage: str, **kwargs) -> None:
    if stage == "won":
        services.lead_converted(lead_id=lead_id)


def on_optout_confirmation_declined(
    sender, *, contact: str, lead_id: int, original_event_id: int | None, **kwargs
) -> None:
    """The person answered "Não" to "Quer parar de receber nossas mensagens?": the message that raised the question
    is a labelled "not an opt-out" example (``field`` "opt_out", ``value`` false) for training and evaluation. Its
    text is kept only while the records of processing list that use; otherwise the example is kept without it (it
    still counts)."""
    event = lead_selectors.lead_event(event_id=original_event_id) if original_event_id else None
    text = str((event.payload or {}).get("text") or "") if event is not None and event.lead_id == lead_id else ""
    LabelledExample.objects.create(
        text=text if training_use_recorded() else "",
        field="opt_out",
        value=False,
        source="optout_confirmation",
        lead_id=lead_id,
    )


def on_lead_event_saved(sender, *, instance, created: bool, **kwargs) -> None:
    """A person (not the system) changed the lead's profile: corrections of what the AI filled are labelled."""
    if not created or instance.kind != "updated" or instance.actor_id is None:
        return
    changes = (instance.payload or {}).get("changes") or {}
    if changes:
        services.ai_corrections_record(lead_id=instance.lead_id, changes=changes)
