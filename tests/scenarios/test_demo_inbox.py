"""Issue #21, demo user test: "the demo inbox (/leads/whatsapp/) is nearly empty". ``seed_demo`` writes WhatsApp
conversations of the last days for the consultants' leads in the rows the webhook path writes (messages in and out,
the 24 h window each inbound message opens, the lead's timeline): consultant1's inbox shows their conversations,
and each of its filters finds some — unread, waiting for us, window closing — and the lead page's timeline holds
the same messages. Seeding again adds none."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from leads.models import EventKind, LeadEvent
from whatsapp.models import Message, ServiceWindow

pytestmark = pytest.mark.django_db


def test_the_demo_inbox_has_conversations_in_every_state(login):
    call_command("seed_demo", "--leads", "200", "--force", stdout=StringIO())
    seeded = Message.objects.filter(wamid__startswith="wamid.demo-chat-")
    count = seeded.count()
    call_command("seed_demo", "--leads", "200", "--force", stdout=StringIO())
    assert seeded.count() == count and count > 50  # idempotent
    assert seeded.filter(direction="in").exists() and seeded.filter(direction="out").exists()
    assert ServiceWindow.objects.filter(contact__in=seeded.values("contact")).exists()

    consultant = get_user_model().objects.get(username="consultant1")
    browser = login(consultant)
    inbox = browser.get("/leads/whatsapp/").content.decode()
    assert inbox.count('data-testid="conversation"') >= 8
    for view, marker in (("unread", 'data-testid="unread"'), ("waiting", 'data-testid="waiting"')):
        page = browser.get(f"/leads/whatsapp/?view={view}").content.decode()
        assert page.count('data-testid="conversation"') >= 1 and marker in page, view
    closing = browser.get("/leads/whatsapp/?view=closing").content.decode()
    assert 'data-testid="closing"' in closing and "janela fecha em" in closing

    # The same messages are on the lead's timeline, as the webhook's receiver writes them.
    message = seeded.filter(direction="in", contact__in=_phones_of(consultant)).first()
    event = LeadEvent.objects.get(kind=EventKind.MESSAGE_IN, payload__message_id=message.pk)
    assert event.lead.owner == consultant and event.payload["text"] == message.text
    assert message.text in browser.get(f"/leads/{event.lead_id}/").content.decode()


def _phones_of(user):
    from leads.models import ContactPoint

    return ContactPoint.objects.filter(lead__owner=user, kind="phone").values("value")
