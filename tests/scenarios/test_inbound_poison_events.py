"""Issue #19, break 6 — "One bad event stops all inbound WhatsApp processing". Meta delivers signed events; some
cannot be processed as they are (a NUL byte in a text, a 300-character profile name, a timestamp past what a date
holds, a malformed envelope). Each is processed on its own: the good ones behind it are processed in the same
drain, a poison one is parked as failed with a reason free of personal data, retried with backoff, and shown in
the admin with "Process again". README: "Admin → webhook events shows unknown types and errors; "Process again"
re-runs one" and "a worker outage delays events and loses none"."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.scenarios.conftest import BUSINESS_NUMBER, NUMBER_ID, WABA_ID, inbound_text_body

pytestmark = pytest.mark.django_db


def _malformed_envelope() -> bytes:
    """Signed, valid JSON, but the change's value is a list: processing it raises (AttributeError)."""
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": ["Maria", "+5511988887777"]}]}],
    }
    return json.dumps(body).encode()


def _text_with_timestamp(wa_id: str, text: str, timestamp: str) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": BUSINESS_NUMBER.lstrip("+"), "phone_number_id": NUMBER_ID},
        "contacts": [{"profile": {"name": "Zé"}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id,
                "id": f"wamid.ts{time.monotonic_ns()}",
                "timestamp": timestamp,
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def test_poison_events_never_block_the_ones_behind_them(wa, meta_post):
    """Break 6: a NUL text, a 300-character name, an absurd timestamp and a malformed envelope are delivered first,
    then good messages; one drain processes every good one; the NUL text and the long name are stored (root causes
    fixed: NUL stripped, name cut to the column); the malformed one is failed with a reason that names the error
    and where, never the content, and is due for a retry later."""
    from leads.models import EventKind, Lead, LeadEvent
    from whatsapp.models import Message, WebhookEvent
    from whatsapp.tasks import webhook_events_drain_task

    long_name = "Maria " + "da Silva " * 33  # ~300 characters
    first = [
        inbound_text_body(wa_id="5511900000001", text="oi\u0000tudo bem"),
        inbound_text_body(wa_id="5511900000002", text="quero saber do apartamento", name=long_name),
        _text_with_timestamp("5511900000003", "oi, chegou?", "1" + "0" * 20),
        _malformed_envelope(),
    ]
    good = [inbound_text_body(wa_id=f"55119000001{i:02d}", text=f"mensagem boa {i}") for i in range(5)]
    for body in first + good:
        assert meta_post(body, drain=False).status_code == 200
    assert WebhookEvent.objects.filter(status="pending").count() == 9

    webhook_events_drain_task()

    assert WebhookEvent.objects.filter(status="done").count() == 8
    for i in range(5):
        assert Message.objects.filter(contact=f"+55119000001{i:02d}", text=f"mensagem boa {i}").exists()
    assert Message.objects.get(contact="+5511900000001").text == "oitudo bem"
    named = Lead.objects.get(contact_points__value="+5511900000002")
    assert named.full_name.startswith("Maria da Silva") and len(named.full_name) <= 200
    assert LeadEvent.objects.filter(kind=EventKind.MESSAGE_IN).count() == 8

    failed = WebhookEvent.objects.get(status="failed")
    assert failed.attempts == 1
    assert failed.error.startswith("AttributeError in whatsapp/services.py:")
    assert "Maria" not in failed.error and "8888" not in failed.error  # no personal data in the reason
    assert failed.next_attempt_at > failed.processed_at


def test_a_failed_event_is_retried_with_backoff_until_the_limit_and_stays_visible(wa, meta_post, login, settings):
    """Break 6: the parked event is not retried before its time, then after 1×, 2×, 4×… the base delay, up to
    WHATSAPP_EVENT_MAX_ATTEMPTS; past the limit it waits for a person: the admin lists it with status, attempts
    and the last error, and its "Process again" action runs it once more."""
    from compliance.roles import Role
    from tests.factories import UserFactory
    from whatsapp.models import WebhookEvent
    from whatsapp.tasks import webhook_events_drain_task

    settings.WHATSAPP_EVENT_MAX_ATTEMPTS, settings.WHATSAPP_EVENT_RETRY_S = 3, 60
    meta_post(_malformed_envelope())
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts) == ("failed", 1)
    assert event.next_attempt_at - event.processed_at == timedelta(seconds=60)

    webhook_events_drain_task(now=(event.next_attempt_at - timedelta(seconds=1)).isoformat())  # not yet due
    event.refresh_from_db()
    assert event.attempts == 1

    clock = event.next_attempt_at
    webhook_events_drain_task(now=clock.isoformat())
    event.refresh_from_db()
    assert event.attempts == 2 and event.next_attempt_at - clock == timedelta(seconds=120)

    webhook_events_drain_task(now=event.next_attempt_at.isoformat())
    event.refresh_from_db()
    assert (event.status, event.attempts, event.next_attempt_at) == ("failed", 3, None)  # no retry left
    webhook_events_drain_task(now=(timezone.now() + timedelta(days=30)).isoformat())
    event.refresh_from_db()
    assert event.attempts == 3

    admin = UserFactory(username="root", is_staff=True, is_superuser=True, role=Role.ADMIN)
    browser = login(admin)
    listing = browser.get("/admin/whatsapp/webhookevent/", {"status__exact": "failed"}).content.decode()
    assert "AttributeError in whatsapp/services.py" in listing
    assert "reprocess_events" in listing  # the "Process again" action
    answer = browser.post(
        "/admin/whatsapp/webhookevent/",
        {"action": "reprocess_events", "_selected_action": [event.pk]},
        follow=True,
    )
    assert answer.status_code == 200
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("failed", 1)  # tried again now, counting afresh
    assert "AttributeError" in answer.content.decode()
