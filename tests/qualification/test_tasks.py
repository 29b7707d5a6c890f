"""Issue #21 ("waiting where there should be none"): after ``make run`` ~370 one-lead ``score_leads`` tasks queued
up. Events now put their leads in a Redis set per trigger and one ``score_pending`` task scores them in batches."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from qualification import receivers
from qualification.models import LeadScore, Trigger
from qualification.tasks import KICK_KEY, PENDING_KEY, _redis, score_pending_task
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_many_events_wait_for_one_batch_and_are_scored_together():
    leads = [LeadFactory() for _ in range(5)]
    LeadScore.objects.filter(lead__in=leads).delete()

    for lead in leads:  # five inbound messages, as a burst of webhooks or an AI backfill sends them
        receivers.on_lead_message(sender=None, lead_id=lead.pk)  # what leads.signals calls

    waiting = {int(i) for i in _redis().smembers(PENDING_KEY + Trigger.MESSAGE)}
    assert waiting == {lead.pk for lead in leads}  # all in one set, behind a single kick
    assert cache.get(KICK_KEY) is not None
    assert not LeadScore.objects.filter(lead__in=leads).exists()

    assert score_pending_task() == 5  # what the one queued task does

    assert LeadScore.objects.filter(lead__in=leads).count() == 5
    assert not _redis().scard(PENDING_KEY + Trigger.MESSAGE)
    assert cache.get(KICK_KEY) is None  # the next event kicks a new batch


def test_with_eager_celery_an_event_is_scored_at_once(celery_eager):
    lead = LeadFactory()
    LeadScore.objects.filter(lead=lead).delete()
    receivers.on_lead_message(sender=None, lead_id=lead.pk)  # what leads.signals calls
    assert LeadScore.objects.filter(lead=lead).exists()
