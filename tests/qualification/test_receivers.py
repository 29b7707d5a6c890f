"""Re-scoring triggers: a lead created, a message, a stage change, an extraction."""

from __future__ import annotations

import pytest

from leads.models import LeadStage
from qualification.models import LeadScore, ScoreHistory, Trigger
from tests.factories import LeadSourceFactory
from tests.qualification.builders import HOT_AI, _messages

pytestmark = pytest.mark.django_db


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
