"""Webhook events stored while the worker is down are all processed by the drain."""

import pytest

from leads.models import Lead
from tests.whatsapp.conftest import NUMBER_ID
from whatsapp.models import WebhookEvent

pytestmark = pytest.mark.django_db


def test_events_stored_while_the_worker_is_down_are_all_processed_by_the_drain(cloud, number, deliver):
    bodies = [
        cloud.inbound_notification(NUMBER_ID, f"55119876500{i:02d}", {"type": "text", "text": {"body": f"m{i}"}})
        for i in range(25)
    ]
    deliver(*bodies, process=False)  # stored and acknowledged; nothing processed (no worker)
    assert WebhookEvent.objects.filter(status="pending").count() == 25
    from whatsapp.tasks import webhook_events_drain_task

    assert webhook_events_drain_task() == 25
    assert WebhookEvent.objects.filter(status="done").count() == 25
    assert Lead.objects.count() == 25
