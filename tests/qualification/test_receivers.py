"""Re-scoring triggers: a lead created, a message, a stage change, an extraction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import EventChannel, EventKind, LeadEvent, LeadStage
from qualification.models import LeadScore, ScoreHistory, Trigger
from tests.factories import LeadSourceFactory

pytestmark = pytest.mark.django_db

HOT_AI = {
    "intent": "schedule_meeting",
    "urgency": "high",
    "buying_stage": "decision",
    "objections": [],
    "sentiment": "positive",
}


def _messages(lead, n_in: int, *, out: int = 1, ago_days: float = 0.1):
    now = timezone.now()
    events = [
        LeadEvent(
            lead=lead,
            kind=EventKind.MESSAGE_OUT,
            channel=EventChannel.WHATSAPP,
            occurred_at=now - timedelta(days=ago_days + 1),
            payload={"text": "Olá"},
        )
        for _ in range(out)
    ]
    events += [
        LeadEvent(
            lead=lead,
            kind=EventKind.MESSAGE_IN,
            channel=EventChannel.WHATSAPP,
            occurred_at=now - timedelta(days=ago_days),
            payload={"text": "oi"},
        )
        for _ in range(n_in)
    ]
    LeadEvent.objects.bulk_create(events)


# --- evolution ------------------------------------------------------------------------------------------------------
def test_rescoring_triggers_created_message_stage_and_extraction(
    django_capture_on_commit_callbacks, settings, celery_eager
):
    from ai_middleware.signals import extraction_recorded
    from leads import services as lead_services
    from leads.signals import lead_message_received

    settings.ASSIGNMENT_AUTO = False
    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_services.lead_create(
            actor=None, source=LeadSourceFactory(), full_name="Ana Souza", phones=["+5511987654321"]
        )
    assert ScoreHistory.objects.filter(lead=lead, trigger=Trigger.CREATED).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        lead_services.lead_change_stage(lead=lead, actor=None, stage=LeadStage.MEETING)
    assert ScoreHistory.objects.filter(lead=lead, trigger=Trigger.STAGE).count() == 1
    _messages(lead, 3)
    lead_message_received.send(sender=None, lead_id=lead.pk, event_id=0)
    assert ScoreHistory.objects.filter(lead=lead, trigger=Trigger.MESSAGE).count() == 1
    lead.attributes = {"ai": HOT_AI}
    lead.save(update_fields=["attributes"])
    extraction_recorded.send(sender=None, extraction_id=1, lead_id=lead.pk)
    history = list(ScoreHistory.objects.filter(lead=lead).order_by("created_at", "id"))
    assert history[-1].trigger == Trigger.EXTRACTION and history[-1].score > history[0].score
    assert LeadScore.objects.get(lead=lead).trend == "rising"
