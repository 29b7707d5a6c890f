"""Issue #20, "What to build" 2 — Meta's own opt-out signals: "Handle the ``user_preferences`` webhook (a user stops
or resumes marketing messages: ``category: marketing_messages``, value stop/resume) and the marketing template's
"stop" quick-reply button payload: both update the marketing consent for that person at once, before any further
marketing send; error 131050 keeps doing so as today."

Meta posts signed webhooks (the shapes of the Cloud API reference); the anti-ban outbox is what every marketing
send goes through, and the Cloud API simulator is what receives — or does not receive — the template."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from tests.scenarios.conftest import BUSINESS_NUMBER, NUMBER_ID, WABA_ID, inbound_text_body

pytestmark = pytest.mark.django_db

WA_ID = "5511987654321"
PHONE = "+5511987654321"
OFFER = "Lançamento no Jardins: Fluxo Imóveis. Responda SAIR para não receber mais."


@pytest.fixture
def open_hours(settings):
    """Contact hours open all day, every day, stated for this test: the sends below are about consent, not the
    clock."""
    settings.ANTIBAN_CONTACT_HOURS = ["00:00", "00:00"]
    settings.ANTIBAN_CONTACT_DAYS = [0, 1, 2, 3, 4, 5, 6]
    settings.ANTIBAN_SKIP_HOLIDAYS = False


@pytest.fixture
def bia(wa, open_hours):
    """A lead who ticked the marketing box on the web form (consent to the current text), and the approved
    marketing template the team sends her."""
    from compliance.services.consent import consent_from_web_form, marketing_consent_text
    from tests.factories import LeadFactory, consultant
    from whatsapp.models import Template

    user = consultant(username="carol")
    lead = LeadFactory(owner=user, full_name="Bia Souza")
    lead.contact_points.all().delete()
    lead.contact_points.create(kind="phone", value=PHONE, is_primary=True, is_valid=True)
    consent_from_web_form(
        contacts=[(PHONE, "phone")],
        marketing_text=marketing_consent_text(),
        ip_address="203.0.113.7",
        user_agent="pytest",
        evidence={"form": "site"},
    )
    template = Template.objects.create(
        account=wa.number.account,
        name="lancamento_jardins",
        language="pt_BR",
        category="MARKETING",
        status="APPROVED",
        components=[
            {"type": "BODY", "text": "Lançamento no Jardins: Fluxo Imóveis."},
            {"type": "FOOTER", "text": "Responda SAIR para não receber mais."},
        ],
    )
    return lead, user, template


def _marketing_send(lead, template):
    from antiban.models import Priority
    from antiban.services import outbox_enqueue
    from whatsapp import payloads

    payload = payloads.template_payload(
        PHONE, name=template.name, language=template.language, components=template.components
    )
    return outbox_enqueue(
        contact=PHONE,
        priority=Priority.MARKETING,
        payload=payload,
        text=OFFER,
        template_name=template.name,
        lead_id=lead.pk,
        kick=False,
    )


def _user_preferences_body(value: str, *, category: str = "marketing_messages") -> bytes:
    """Meta's ``user_preferences`` webhook for one person."""
    change = {
        "field": "user_preferences",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": BUSINESS_NUMBER.lstrip("+"), "phone_number_id": NUMBER_ID},
            "contacts": [{"profile": {"name": "Bia"}, "wa_id": WA_ID}],
            "user_preferences": [
                {
                    "wa_id": WA_ID,
                    "detail": "User requested to stop marketing messages" if value == "stop" else "User resumed",
                    "category": category,
                    "value": value,
                    "timestamp": int(time.time()),
                }
            ],
        },
    }
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [change]}]}).encode()


def _button_body(payload: str, text: str) -> bytes:
    """A tap on a template's quick-reply button (inbound type ``button``)."""
    message = {
        "from": WA_ID,
        "id": f"wamid.scn{time.monotonic_ns()}",
        "timestamp": str(int(time.time())),
        "type": "button",
        "button": {"payload": payload, "text": text},
        "context": {"from": BUSINESS_NUMBER.lstrip("+"), "id": "wamid.offer"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": BUSINESS_NUMBER.lstrip("+"), "phone_number_id": NUMBER_ID},
        "contacts": [{"profile": {"name": "Bia"}, "wa_id": WA_ID}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def _templates_sent(wa) -> list[str]:
    return [m["payload"]["template"]["name"] for m in wa.sent if m["payload"]["type"] == "template"]


def test_user_preferences_stop_refuses_the_next_marketing_template_and_resume_allows_it(wa, meta_post, bia):
    """Meta's ``user_preferences`` stop: the WhatsApp marketing consent is revoked at once, recorded with the
    evidence {"layer": "meta", "signal": "user_preferences"}; a marketing template already queued is refused when
    the dispatcher re-checks, a new one is refused at the outbox, and nothing reaches Meta. A resume is a new
    consent: the next marketing template goes out."""
    from antiban.models import OutboxState
    from antiban.tasks import outbox_dispatch_task
    from compliance.models import ConsentRecord, ConsentSource, ConsentStatus, SuppressionEntry

    lead, _user, template = bia
    queued = _marketing_send(lead, template)
    assert queued.state == OutboxState.QUEUED, queued.last_reason

    response = meta_post(_user_preferences_body("stop"))
    assert response.status_code == 200

    stop = ConsentRecord.objects.get(source=ConsentSource.META, status=ConsentStatus.REVOKED)
    assert (stop.purpose, stop.channel) == ("marketing", "whatsapp")
    assert stop.evidence["layer"] == "meta" and stop.evidence["signal"] == "user_preferences"
    assert not SuppressionEntry.objects.exists()  # marketing only: she may still be served
    outbox_dispatch_task()
    queued.refresh_from_db()
    assert queued.state == OutboxState.REFUSED
    assert queued.last_reason == "A pessoa revogou ou se opôs a esta finalidade."
    refused = _marketing_send(lead, template)
    assert refused.state == OutboxState.REFUSED
    assert _templates_sent(wa) == []

    meta_post(_user_preferences_body("resume"))

    resumed = ConsentRecord.objects.filter(source=ConsentSource.META).latest("id")
    assert resumed.status == ConsentStatus.GRANTED and resumed.text is not None
    allowed = _marketing_send(lead, template)
    assert allowed.state == OutboxState.QUEUED, allowed.last_reason
    outbox_dispatch_task()
    assert _templates_sent(wa) == ["lancamento_jardins"]


def test_a_user_preferences_item_of_another_category_changes_nothing_and_is_kept_as_unknown(wa, meta_post, bia):
    """Bad or unexpected input is kept, never a 500: a category Fluxo does not act on leaves consent as it was and
    is listed among the event's unknown types."""
    from antiban.models import OutboxState
    from whatsapp.models import WebhookEvent

    lead, _user, template = bia
    assert meta_post(_user_preferences_body("stop", category="offers_and_announcements")).status_code == 200
    event = WebhookEvent.objects.latest("received_at")
    assert event.status == "done"
    assert event.unknown_types == ["user_preferences:offers_and_announcements:stop"]
    assert _marketing_send(lead, template).state == OutboxState.QUEUED


@pytest.mark.parametrize(("payload", "text"), [("Parar promoções", "Parar promoções"), ("", "Stop promotions")])
def test_the_marketing_templates_stop_button_revokes_marketing_only(
    wa, meta_post, login, bia, payload, text, django_capture_on_commit_callbacks
):
    """The marketing template's "stop" quick-reply button (payload or text in ``WHATSAPP_MARKETING_STOP_PAYLOADS``):
    marketing consent revoked at once with {"layer": "meta", "signal": "stop_button"}, the next marketing template
    refused, the consultant's reply still goes, and the lead page's timeline says marketing stopped."""
    from antiban.models import OutboxState
    from compliance.models import ConsentRecord, ConsentSource, SuppressionEntry

    lead, user, template = bia
    meta_post(_button_body(payload, text))

    record = ConsentRecord.objects.get(source=ConsentSource.META)
    assert record.evidence == {"layer": "meta", "signal": "stop_button"}
    assert (record.purpose, record.status) == ("marketing", "revoked")
    assert not SuppressionEntry.objects.exists()
    assert _marketing_send(lead, template).state == OutboxState.REFUSED

    browser = login(user)
    page = browser.get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "Parou as mensagens de marketing pelo WhatsApp: as de atendimento podem continuar." in page
    assert 'data-testid="opted-out"' not in page
    sent = browser.post(
        reverse("leads:whatsapp_text", args=[lead.pk]),
        {"number": wa.number.pk, "to": PHONE, "body": "Tudo bem, Bia, sem promoções."},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'role="alert"' not in sent
    assert [m["payload"]["text"]["body"] for m in wa.sent] == ["Tudo bem, Bia, sem promoções."]


def test_the_stop_payload_list_is_a_setting(wa, meta_post, bia, settings):
    """``WHATSAPP_MARKETING_STOP_PAYLOADS``: a business whose template's stop button carries its own payload lists
    it; an ordinary quick-reply ("Quero saber mais") revokes nothing."""
    from antiban.models import OutboxState
    from compliance.models import ConsentRecord, ConsentSource

    lead, _user, template = bia
    settings.WHATSAPP_MARKETING_STOP_PAYLOADS = ["OPTOUT_MKT"]
    meta_post(_button_body("QUERO_MAIS", "Quero saber mais"))
    assert not ConsentRecord.objects.filter(source=ConsentSource.META).exists()
    meta_post(_button_body("OPTOUT_MKT", "Não quero ofertas"))
    assert ConsentRecord.objects.filter(source=ConsentSource.META, status="revoked").count() == 1
    assert _marketing_send(lead, template).state == OutboxState.REFUSED


def test_error_131050_still_stops_marketing(wa, meta_post, bia):
    """ "error 131050 keeps doing so as today": a marketing template that Meta fails with 131050 (the person stopped
    marketing messages) makes the next marketing send refused."""
    from antiban.models import OutboxState
    from antiban.tasks import outbox_dispatch_task

    lead, _user, template = bia
    meta_post(inbound_text_body(wa_id=WA_ID, text="Oi"))
    first = _marketing_send(lead, template)
    outbox_dispatch_task()
    first.refresh_from_db()
    (sent,) = [m for m in wa.sent if m["payload"]["type"] == "template"]
    error = {"code": 131050, "title": "Unable to deliver the message: the user stopped marketing messages"}
    meta_post(wa.status_notification(NUMBER_ID, WA_ID, sent["wamid"], "failed", error=error))

    again = _marketing_send(lead, template)
    assert again.state == OutboxState.REFUSED
    assert again.last_reason == "A pessoa bloqueou mensagens de marketing (131050)."


def test_marketing_waits_while_the_stop_question_is_unanswered_and_nao_releases_it(
    wa, meta_post, bia, django_capture_on_commit_callbacks
):
    """A message the layers are unsure about ("hmm melhor não") gets the one-tap question; until the person
    answers, no marketing goes to her (a stop not yet sure is honoured where it matters): the next marketing template
    is refused at the outbox with the reason in Portuguese, while nothing is suppressed. "Não" releases the hold and
    the next marketing template is queued to go."""
    from antiban.models import OutboxState
    from antiban.tasks import outbox_dispatch_task
    from compliance.models import ContactPreference, SuppressionEntry
    from tests.scenarios.test_optout_flow import _button_reply_body

    lead, _user, template = bia
    with django_capture_on_commit_callbacks(execute=True):
        meta_post(inbound_text_body(wa_id=WA_ID, text="hmm melhor não"))
    outbox_dispatch_task()
    assert [m["payload"]["type"] for m in wa.sent] == ["interactive"]  # the question, as a reply

    held = _marketing_send(lead, template)
    assert held.state == OutboxState.REFUSED
    assert held.last_reason == (
        "A pessoa pode ter pedido para parar: nenhum marketing até ela responder à pergunta de confirmação."
    )
    assert not SuppressionEntry.objects.exists()
    assert ContactPreference.objects.get().marketing_held_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        meta_post(_button_reply_body("optout_confirm_no", "Não"))

    allowed = _marketing_send(lead, template)
    assert allowed.state == OutboxState.QUEUED, allowed.last_reason  # it waits only for the per-pair pacing now
    assert ContactPreference.objects.get().marketing_held_at is None
