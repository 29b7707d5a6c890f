"""Issue #19, break 1 — "An inbound SAIR suppresses nothing": a lead replies SAIR on WhatsApp (a signed webhook,
drained by the task beat runs) and from then on the contact is on the do-not-contact list, the lead's timeline
says so, and the consultant's next message from the lead page is refused with the reason in Portuguese. README:
"Inbound: every type is stored … opt-out keywords (SAIR, PARAR…) suppress the contact at once"."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from tests.scenarios.conftest import BUSINESS_NUMBER, NUMBER_ID, WABA_ID, inbound_text_body

pytestmark = pytest.mark.django_db

WA_ID = "5511987654321"
PHONE = "+5511987654321"


@pytest.fixture
def lead_of_consultant(wa):
    from tests.factories import LeadFactory, consultant

    user = consultant(username="carol")
    lead = LeadFactory(owner=user, full_name="Ana Lima")
    lead.contact_points.all().delete()
    lead.contact_points.create(kind="phone", value=PHONE, is_primary=True)
    return lead, user


def _send_from_lead_page(browser, lead, number, body):
    return browser.post(
        reverse("leads:whatsapp_text", args=[lead.pk]),
        {"number": number.pk, "to": PHONE, "body": body},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )


def _interactive_body(reply: dict, kind: str) -> bytes:
    message = {
        "from": WA_ID,
        "id": f"wamid.scn{time.monotonic_ns()}",
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "interactive": {"type": kind, kind: reply},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": BUSINESS_NUMBER.lstrip("+"), "phone_number_id": NUMBER_ID},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": WA_ID}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def test_an_inbound_sair_suppresses_the_contact_shows_on_the_timeline_and_refuses_the_next_send(
    wa, meta_post, login, lead_of_consultant
):
    """Break 1: signed webhook "SAIR" → contact suppressed (do-not-contact list and consent ledger), the lead page
    shows the opt-out and the timeline entry, no AI reply draft is written for them, and the consultant's reply from
    the lead page is refused in pt-BR; nothing reaches Meta."""
    from compliance.models import ConsentRecord, ConsentStatus, SuppressionEntry
    from leads.models import EventKind, LeadEvent

    lead, user = lead_of_consultant
    browser = login(user)

    assert meta_post(inbound_text_body(wa_id=WA_ID, text="SAIR")).status_code == 200

    assert SuppressionEntry.objects.filter(reason="keyword", details={"keyword": "sair"}).count() == 1
    assert set(ConsentRecord.objects.values_list("status", flat=True)) == {ConsentStatus.REVOKED}
    opt_out = LeadEvent.objects.get(lead=lead, kind=EventKind.CONSENT)
    assert opt_out.payload["opt_out"] is True and opt_out.payload["keyword"] == "sair"
    page = browser.get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="opted-out"' in page
    assert "kind-consent" in page
    assert "Descadastro pelo WhatsApp (“sair”): este número não será mais contatado." in page

    drafts = browser.post(
        reverse("ai:lead_suggestions", args=[lead.pk]), HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="pt-br"
    ).content.decode()
    assert 'role="alert"' in drafts and "A pessoa pediu descadastro" in drafts  # no AI draft for them
    from ai_middleware.models import Suggestion

    assert not Suggestion.objects.filter(lead_id=lead.pk).exists()

    refused = _send_from_lead_page(browser, lead, wa.number, "Tudo bem, Ana! Você não vai mais receber mensagens.")
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'role="alert"' in html
    assert "A pessoa pediu descadastro: nunca mais entre em contato." in html
    assert wa.sent == []  # nothing went to Meta
    assert not LeadEvent.objects.filter(lead=lead, kind=EventKind.MESSAGE_OUT).exists()
    # The panel itself says so and offers no send box (a consultant would otherwise type in vain).
    panel = browser.get(reverse("leads:whatsapp_panel", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="wa-suppressed"' in panel and "pediu descadastro" in panel
    assert 'name="body"' not in panel


def test_the_outbox_itself_refuses_a_suppressed_contact(wa, meta_post, lead_of_consultant):
    """Break 1: whatever calls the anti-ban outbox (bulk sends, the API) after an inbound "PARAR" gets a refusal
    with the reason, and Meta receives nothing."""
    from antiban.services import OutboxState, Priority, outbox_enqueue
    from whatsapp import payloads

    lead, _user = lead_of_consultant
    meta_post(inbound_text_body(wa_id=WA_ID, text="Parar!"))
    row = outbox_enqueue(
        contact=PHONE,
        priority=Priority.REPLY,
        payload=payloads.text_payload(PHONE, "Oi de novo"),
        text="Oi de novo",
        lead_id=lead.pk,
        kick=False,
    )
    assert row.state == OutboxState.REFUSED
    assert row.last_reason
    assert wa.sent == []


@pytest.mark.parametrize(
    ("kind", "reply"),
    [
        ("button_reply", {"id": "SAIR", "title": "Não quero mais"}),
        ("list_reply", {"id": "opt-3", "title": "Sair da lista", "description": ""}),
    ],
)
def test_a_button_or_list_answer_that_opts_out_suppresses_too(wa, meta_post, lead_of_consultant, kind, reply):
    """Break 1: interactive answers are screened by their title and by their payload/id."""
    from compliance.models import SuppressionEntry

    meta_post(_interactive_body(reply, kind))
    assert SuppressionEntry.objects.count() == 1


def test_a_normal_message_suppresses_nothing_and_the_consultant_answers(wa, meta_post, login, lead_of_consultant):
    """Break 1 (no false alarm): "vou sair mais cedo hoje" is a message, not an opt-out: no suppression, no
    opt-out on the timeline, and the consultant's reply goes out."""
    from compliance.models import SuppressionEntry
    from leads.models import EventKind, LeadEvent

    lead, user = lead_of_consultant
    browser = login(user)
    meta_post(inbound_text_body(wa_id=WA_ID, text="vou sair mais cedo hoje, me liga amanhã"))

    assert not SuppressionEntry.objects.exists()
    assert not LeadEvent.objects.filter(lead=lead, kind=EventKind.CONSENT).exists()
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.MESSAGE_IN).count() == 1
    sent = _send_from_lead_page(browser, lead, wa.number, "Combinado, Ana, ligo amanhã.")
    assert 'role="alert"' not in sent.content.decode()
    assert [m["payload"]["text"]["body"] for m in wa.sent] == ["Combinado, Ana, ligo amanhã."]
