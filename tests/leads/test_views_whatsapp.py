"""The lead page's WhatsApp panel: thread with ticks, send inside the window, template outside, errors, retry."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import EventKind, LeadEvent
from tests.factories import LeadFactory, consultant
from whatsapp.models import Message, ServiceWindow, Template

pytestmark = pytest.mark.django_db
PHONE = "+5511987654321"


@pytest.fixture
def lead_and_user(number):
    user = consultant(username="carol")
    lead = LeadFactory(owner=user, full_name="Ana Lima")
    lead.contact_points.all().delete()
    lead.contact_points.create(kind="phone", value=PHONE, is_primary=True)
    return lead, user


def _open(number):
    now = timezone.now()
    ServiceWindow.objects.create(number=number, contact=PHONE, last_inbound_at=now, expires_at=now + timedelta(hours=3))


def test_inside_the_window_the_consultant_sends_text_and_sees_it_with_a_tick(client, cloud, number, lead_and_user):
    lead, user = lead_and_user
    _open(number)
    client.force_login(user)
    panel = client.get(reverse("leads:whatsapp_panel", args=[lead.pk]))
    assert b'data-testid="window-open"' in panel.content
    response = client.post(
        reverse("leads:whatsapp_text", args=[lead.pk]),
        {"number": number.pk, "to": PHONE, "body": "Olá Ana, tudo bem?"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert cloud.sent[0]["payload"]["text"]["body"] == "Olá Ana, tudo bem?"
    assert 'data-status="sent"' in response.content.decode()
    assert "✓" in response.content.decode()
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.MESSAGE_OUT)
    assert (event.actor, event.payload["text"]) == (user, "Olá Ana, tudo bem?")


def test_outside_the_window_only_templates_are_offered_and_free_text_is_refused(
    client, cloud, number, lead_and_user, contact_hours_open
):
    lead, user = lead_and_user
    Template.objects.create(
        account=number.account,
        name="retomar_contato",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Olá {{1}}, aqui é {{2}}. Podemos continuar?"}],
    )
    client.force_login(user)
    panel = client.get(reverse("leads:whatsapp_panel", args=[lead.pk])).content.decode()
    assert 'data-testid="window-closed"' in panel and "retomar_contato" in panel and 'name="body"' not in panel
    refused = client.post(
        reverse("leads:whatsapp_text", args=[lead.pk]), {"number": number.pk, "to": PHONE, "body": "Oi"}
    ).content.decode()
    assert 'role="alert"' in refused and cloud.sent == []
    template = Template.objects.get()
    sent = client.post(
        reverse("leads:whatsapp_template", args=[lead.pk]),
        {"number": number.pk, "to": PHONE, "template": template.pk, "body_param": ["Ana", "Carol"]},
    ).content.decode()
    assert "Olá Ana, aqui é Carol. Podemos continuar?" in sent
    assert cloud.sent[0]["payload"]["template"]["name"] == "retomar_contato"
    assert cloud.sent[0]["payload"]["biz_opaque_callback_data"].startswith("outbox:")  # through the anti-ban pipeline


def test_a_failed_send_is_explained_and_retried_when_retrying_makes_sense(client, cloud, number, lead_and_user):
    lead, user = lead_and_user
    _open(number)
    client.force_login(user)
    cloud.fault_push(status=400, code=130429, message="Rate limit hit")
    page = client.post(
        reverse("leads:whatsapp_text", args=[lead.pk]), {"number": number.pk, "to": PHONE, "body": "Oi"}
    ).content.decode()
    message = Message.objects.get()
    assert message.status == "failed" and "(130429)" in page
    assert reverse("leads:whatsapp_retry", args=[lead.pk, message.pk]) in page
    client.post(reverse("leads:whatsapp_retry", args=[lead.pk, message.pk]))
    retried = Message.objects.exclude(pk=message.pk).get()  # a new attempt of the same outbox row
    assert retried.status == "sent" and len(cloud.sent) == 1
    assert retried.payload["biz_opaque_callback_data"] == message.payload["biz_opaque_callback_data"]
    client.post(reverse("leads:whatsapp_retry", args=[lead.pk, retried.pk]))
    assert len(cloud.sent) == 1  # a sent message is never sent again


def test_an_opted_out_phone_cannot_be_messaged(client, cloud, number, lead_and_user):
    from compliance.services.consent import suppression_add_by_consultant

    lead, user = lead_and_user
    _open(number)
    suppression_add_by_consultant(contact=PHONE, kind="phone", actor_id=user.pk, note="pediu para parar")
    client.force_login(user)
    page = client.post(
        reverse("leads:whatsapp_text", args=[lead.pk]), {"number": number.pk, "to": PHONE, "body": "Oi"}
    ).content.decode()
    assert 'role="alert"' in page and cloud.sent == []


def test_media_is_served_only_to_people_who_see_the_lead(client, cloud, number, lead_and_user, deliver):
    from whatsapp.services import media_fetch

    lead, user = lead_and_user
    media_id = cloud.media_add(b"\xff\xd8\xff planta", "image/jpeg")
    deliver(
        cloud.inbound_notification(
            "106540352242922", "5511987654321", {"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg"}}
        )
    )
    message = media_fetch(message_id=Message.objects.get().pk)
    url = reverse("leads:whatsapp_media", args=[lead.pk, message.pk])
    client.force_login(user)
    response = client.get(url)
    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"\xff\xd8\xff planta")
    assert url in client.get(reverse("leads:whatsapp_panel", args=[lead.pk])).content.decode()
    client.force_login(consultant(username="outsider"))
    assert client.get(url).status_code == 404


def test_the_owner_is_notified_of_new_messages_until_opening_the_conversation(
    client, cloud, number, lead_and_user, deliver, django_capture_on_commit_callbacks
):
    lead, user = lead_and_user
    deliver(cloud.inbound_notification("106540352242922", "5511987654321", {"type": "text", "text": {"body": "Oi?"}}))
    client.force_login(user)
    inbox = client.get(reverse("leads:whatsapp_inbox")).content.decode()
    assert reverse("leads:detail", args=[lead.pk]) in inbox
    assert '<span class="badge ok">1</span>' in inbox  # the menu badge
    with django_capture_on_commit_callbacks(execute=True):  # the badge's cache moves on once the read commits
        client.get(reverse("leads:whatsapp_panel", args=[lead.pk]))
    assert cloud.receipts == [{"number": "106540352242922", "wamid": Message.objects.get(direction="in").wamid}]
    # Opened: the conversation stays in the inbox (all conversations), leaves the unread view and the badge.
    assert reverse("leads:detail", args=[lead.pk]) in client.get(reverse("leads:whatsapp_inbox")).content.decode()
    inbox = client.get(reverse("leads:whatsapp_inbox") + "?view=unread").content.decode()
    assert reverse("leads:detail", args=[lead.pk]) not in inbox and '<span class="badge ok">' not in inbox


def test_a_document_without_caption_is_named_as_people_say_it_never_by_its_codes(
    client, cloud, number, lead_and_user, deliver
):
    """A PDF sent by the lead shows "documento" and "(PDF)" in the thread, not "document" or "application/pdf"."""
    from whatsapp.services import media_fetch

    lead, user = lead_and_user
    media_id = cloud.media_add(b"%PDF-1.4 planta", "application/pdf")
    deliver(
        cloud.inbound_notification(
            "106540352242922",
            "5511987654321",
            {"type": "document", "document": {"id": media_id, "mime_type": "application/pdf"}},
        )
    )
    media_fetch(message_id=Message.objects.get().pk)
    client.force_login(user)
    page = client.get(reverse("leads:whatsapp_panel", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    thread = page.split('<ol class="thread">', 1)[1].split("</ol>", 1)[0]
    assert "(PDF)" in thread and "documento" in thread, thread
    assert "application/pdf" not in thread and ">document<" not in thread
