"""/webhooks/whatsapp/: handshake, signatures, raw storage, every message type, statuses, template and number
updates — with payloads shaped like Meta's documented examples (built by the simulator)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import EventKind, Lead, LeadEvent, SourceKind
from tests.factories import LeadFactory
from tests.whatsapp.conftest import NUMBER_ID, WABA_ID
from whatsapp.models import (
    Message,
    MessageStatus,
    NumberStatus,
    ServiceWindow,
    Template,
    WebhookEvent,
)
from whatsapp.services import StatusNotYetMatched, webhook_event_process

pytestmark = pytest.mark.django_db
URL = "/webhooks/whatsapp/"


def test_the_handshake_answers_only_our_verify_token(client, cloud):
    ok = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "wa-verify", "hub.challenge": "42"})
    assert (ok.status_code, ok.content) == (200, b"42")
    assert client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"}).status_code == 403


def test_forged_or_missing_signatures_are_refused_and_nothing_is_stored(client, cloud, number):
    body = cloud.inbound_notification(NUMBER_ID, "5511987654321", {"type": "text", "text": {"body": "Oi"}})
    assert client.post(URL, body, content_type="application/json").status_code == 403
    forged = client.post(URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256="sha256=" + "ab" * 32)
    assert forged.status_code == 403
    other = body.replace(b"Oi", b"Ol")
    tampered = client.post(URL, other, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=cloud.signature(body))
    assert tampered.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_an_unknown_number_becomes_a_lead_matched_with_the_ninth_digit_and_opens_the_window(cloud, number, deliver):
    # 12-digit wa_id: a Brazilian mobile registered before the ninth digit
    body = cloud.inbound_notification(
        NUMBER_ID, "551187654321", {"type": "text", "text": {"body": "Quero saber do lançamento"}}, name="Ana Paula"
    )
    (response,) = deliver(body)
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.full_name, lead.source.kind) == ("Ana Paula", SourceKind.WHATSAPP_INBOUND)
    assert list(lead.contact_points.values_list("value", flat=True)) == ["+5511987654321"]
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.MESSAGE_IN)
    assert event.payload["text"] == "Quero saber do lançamento"
    window = ServiceWindow.objects.get()
    assert window.contact == "+5511987654321"
    # 24 h from the message's own time (Meta's timestamp), however long the machine took to process it
    assert window.expires_at - window.last_inbound_at == timedelta(hours=24)

    again = cloud.inbound_notification(NUMBER_ID, "5511987654321", {"type": "text", "text": {"body": "Oi?"}})
    deliver(again)
    assert Lead.objects.count() == 1
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.MESSAGE_IN).count() == 2


def test_a_known_lead_is_found_by_phone(cloud, number, deliver):
    lead = LeadFactory(full_name="Carlos Lima")
    lead.contact_points.create(kind="phone", value="+5521998887777", is_primary=False)
    deliver(cloud.inbound_notification(NUMBER_ID, "5521998887777", {"type": "text", "text": {"body": "Bom dia"}}))
    assert Lead.objects.count() == 1
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.MESSAGE_IN).exists()


def test_a_redelivered_event_is_a_no_op(client, cloud, number, deliver):
    body = cloud.inbound_notification(NUMBER_ID, "5511987654321", {"type": "text", "text": {"body": "Oi"}})
    deliver(body, body)
    assert (WebhookEvent.objects.count(), Message.objects.count()) == (1, 1)
    assert LeadEvent.objects.filter(kind=EventKind.MESSAGE_IN).count() == 1


@pytest.mark.parametrize(
    ("part", "expected_text"),
    [
        ({"type": "button", "button": {"payload": "SIM", "text": "Sim, quero"}}, "Sim, quero"),
        (
            {
                "type": "interactive",
                "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Agendar"}},
            },
            "Agendar",
        ),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "list_reply",
                    "list_reply": {"id": "r2", "title": "2 quartos", "description": ""},
                },
            },
            "2 quartos",
        ),
        ({"type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "👍"}}, "👍"),
        (
            {"type": "location", "location": {"latitude": -23.56, "longitude": -46.65, "name": "Av. Paulista"}},
            "Av. Paulista -23.56 -46.65",
        ),
        (
            {
                "type": "contacts",
                "contacts": [{"name": {"formatted_name": "Bia Souza"}, "phones": [{"phone": "+5511"}]}],
            },
            "Bia Souza",
        ),
        (
            {"type": "image", "image": {"id": "1479", "mime_type": "image/jpeg", "sha256": "x", "caption": "Planta"}},
            "Planta",
        ),
        ({"type": "audio", "audio": {"id": "1480", "mime_type": "audio/ogg; codecs=opus", "voice": True}}, ""),
        ({"type": "video", "video": {"id": "1481", "mime_type": "video/mp4"}}, ""),
        ({"type": "document", "document": {"id": "1482", "mime_type": "application/pdf", "filename": "rg.pdf"}}, ""),
        ({"type": "sticker", "sticker": {"id": "1483", "mime_type": "image/webp", "animated": False}}, ""),
    ],
)
def test_every_inbound_type_is_stored_with_its_text(cloud, number, deliver, part, expected_text):
    deliver(cloud.inbound_notification(NUMBER_ID, "5511987654321", part))
    message = Message.objects.get()
    assert (message.kind, message.text, message.direction) == (part["type"], expected_text, "in")
    assert WebhookEvent.objects.get().unknown_types == []


def test_an_unknown_type_is_stored_and_flagged_never_dropped(cloud, number, deliver):
    part = {"type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]}
    deliver(cloud.inbound_notification(NUMBER_ID, "5511987654321", part))
    assert Message.objects.get().kind == "unsupported"
    assert WebhookEvent.objects.get().unknown_types == ["message:unsupported"]


def test_a_click_to_whatsapp_referral_opens_72_hours_and_is_kept_on_the_new_lead(cloud, number, deliver):
    referral = {
        "source_url": "https://fb.me/abc",
        "source_id": "120210000000001",
        "source_type": "ad",
        "headline": "Lançamento Vila Nova",
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ",
    }
    body = cloud.inbound_notification(
        NUMBER_ID, "5511987654321", {"type": "text", "text": {"body": "Vi o anúncio"}}, referral=referral
    )
    deliver(body)
    lead = Lead.objects.get()
    assert lead.ad_ref == "120210000000001"
    assert lead.attributes["whatsapp_referral_headline"] == "Lançamento Vila Nova"
    window = ServiceWindow.objects.get()
    assert window.entry_point == "ctwa"
    assert window.expires_at - timezone.now() > timedelta(hours=71)


def _outbound(number, wamid="wamid.OUT1"):
    return Message.objects.create(
        number=number, contact="+5511987654321", direction="out", wamid=wamid, kind="text", status="sent"
    )


def test_statuses_apply_forward_only_whatever_their_order_and_duplicates(cloud, number, deliver):
    message = _outbound(number)
    read = cloud.status_notification(NUMBER_ID, "5511987654321", "wamid.OUT1", "read")
    delivered = cloud.status_notification(NUMBER_ID, "5511987654321", "wamid.OUT1", "delivered")
    deliver(read)
    deliver(delivered, delivered)
    message.refresh_from_db()
    assert message.status == MessageStatus.READ
    assert message.read_at and message.delivered_at


def test_a_failed_status_keeps_metas_error_and_explains_it(cloud, number, deliver):
    message = _outbound(number, "wamid.OUT2")
    error = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {"details": "Message failed to send because more than 24 hours have passed"},
    }
    deliver(cloud.status_notification(NUMBER_ID, "5511987654321", "wamid.OUT2", "failed", error=error))
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, 131047)
    assert message.error_raw["retryable"] is False
    assert "24 hours" in message.error_title


def test_a_status_that_beats_the_wamid_waits_and_is_applied_later(cloud, number, deliver):
    body = cloud.status_notification(NUMBER_ID, "5511987654321", "wamid.LATE", "delivered")
    with pytest.raises(StatusNotYetMatched):
        deliver(body)
    event = WebhookEvent.objects.get()
    assert event.status == "pending"
    message = _outbound(number, "wamid.LATE")
    webhook_event_process(event_id=event.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def _change(field, value):
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "time": 1, "changes": [{"field": field, "value": value}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def test_template_status_and_number_quality_updates(cloud, number, deliver):
    template = Template.objects.create(
        account=number.account, name="boas_vindas", language="pt_BR", category="MARKETING", status="APPROVED"
    )
    deliver(
        _change(
            "message_template_status_update",
            {
                "event": "PAUSED",
                "message_template_id": 12345678,
                "message_template_name": "boas_vindas",
                "message_template_language": "pt_BR",
                "reason": "LOW_QUALITY",
            },
        ),
        _change(
            "phone_number_quality_update",
            {"display_phone_number": "5511955550000", "event": "FLAGGED", "current_limit": "TIER_1K"},
        ),
    )
    template.refresh_from_db()
    number.refresh_from_db()
    assert (template.status, template.status_reason) == ("PAUSED", "LOW_QUALITY")
    assert (number.status, number.messaging_limit) == (NumberStatus.FLAGGED, "TIER_1K")


def test_an_unknown_field_is_kept_and_flagged(cloud, number, deliver):
    deliver(_change("account_alerts", {"entity_type": "WABA"}))
    assert WebhookEvent.objects.get().unknown_types == ["field:account_alerts"]
