"""Issue #20, "What to build" 1 — what Fluxo does with an opt-out decision: for the uncertain middle a
confirmation the person answers with one tap ("Quer parar de receber nossas mensagens? [Sim, parar] [Não]"), sent
through the anti-ban outbox as a reply; "Sim, parar" stops like a keyword; "Não" suppresses nothing and becomes a
labelled example (issue 5, "Everything the AI reads feeds back"); partial requests honoured as what they are:
"não quero receber áudio" refuses audio, "só no fim de semana" moves marketing and utility sends to the person's
own days, "não me liga" shows "Não ligar" on the lead page.

The decision itself is another layer's (compliance.optout); where the path starts at a decision, the test hands
the leads app's inbound receiver a constructed ``OptOutDecision`` for a message that really arrived by a signed
webhook. The answers come back as Meta-shaped signed webhooks; the question reaches the Cloud API simulator."""

from __future__ import annotations

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.scenarios.conftest import BUSINESS_NUMBER, NUMBER_ID, WABA_ID, inbound_text_body

pytestmark = pytest.mark.django_db

WA_ID = "5511987654321"
PHONE = "+5511987654321"
SP = ZoneInfo("America/Sao_Paulo")
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 4000


@pytest.fixture
def ana(wa):
    """A consultant and her lead Ana, whose phone is on WhatsApp."""
    from tests.factories import LeadFactory, consultant

    user = consultant(username="carol")
    lead = LeadFactory(owner=user, full_name="Ana Lima")
    lead.contact_points.all().delete()
    lead.contact_points.create(kind="phone", value=PHONE, is_primary=True, is_valid=True)
    return lead, user


def _button_reply_body(button_id: str, title: str) -> bytes:
    """A Meta-shaped inbound tap on one of our reply buttons."""
    message = {
        "from": WA_ID,
        "id": f"wamid.scn{time.monotonic_ns()}",
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
        "context": {"from": BUSINESS_NUMBER.lstrip("+"), "id": "wamid.question"},
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


def _uncertain(meta_post, text: str, django_capture_on_commit_callbacks):
    """A message arrives by signed webhook; the opt-out layer was unsure about it: the leads app's inbound receiver
    gets the "confirm" decision. The default text is one the real layers leave uncertain (``optout_check``); the
    decision is also handed over explicitly so that the flow is pinned whatever the model's next version says."""
    from compliance.optout import CONFIRM, OptOutDecision
    from leads.receivers import whatsapp_inbound_received
    from whatsapp.models import Message

    meta_post(inbound_text_body(wa_id=WA_ID, text=text))
    message = Message.objects.filter(contact=PHONE, direction="in").latest("id")
    decision = OptOutDecision(CONFIRM, {}, {"layer": "model", "model_version": "test", "score": 0.55})
    with django_capture_on_commit_callbacks(execute=True):  # the outbox kick runs the dispatcher (eager Celery)
        whatsapp_inbound_received(sender=Message, message=message, optout_decision=decision)
    return message


def _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks, text="hmm melhor não"):
    from antiban.tasks import outbox_dispatch_task

    _uncertain(meta_post, text, django_capture_on_commit_callbacks)
    outbox_dispatch_task()
    return [m for m in wa.sent if m["payload"]["type"] == "interactive"]


def test_an_uncertain_message_gets_the_one_tap_question_through_the_outbox_once_a_day(
    wa, meta_post, login, ana, django_capture_on_commit_callbacks
):
    """Issue 1: "for the uncertain middle, a confirmation the person can answer with one tap … sent through the
    outbox as a reply": an outbox row of priority REPLY reaches the simulator as reply buttons "Sim, parar" /
    "Não"; a second uncertain message within 24 hours does not ask again; nothing is suppressed meanwhile."""
    from antiban.models import OutboxMessage, Priority
    from compliance.models import SuppressionEntry
    from leads.models import EventKind, LeadEvent

    lead, _user = ana
    (question,) = _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks)

    interactive = question["payload"]["interactive"]
    assert question["payload"]["to"] == WA_ID
    assert interactive["body"]["text"] == "Quer parar de receber nossas mensagens?"
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in interactive["action"]["buttons"]] == [
        ("optout_confirm_yes", "Sim, parar"),
        ("optout_confirm_no", "Não"),
    ]
    row = OutboxMessage.objects.get(lead_id=lead.pk)
    assert (row.priority, row.kind, row.state) == (Priority.REPLY, "buttons", "sent")
    # the consultant sees the question with the buttons the person was offered
    browser = login(_user)
    panel = browser.get(reverse("leads:whatsapp_panel", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="reply-buttons"' in panel and "Sim, parar" in panel
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.CONSENT, payload__optout_question=True).count() == 1
    assert not SuppressionEntry.objects.exists()

    again = _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks, text="sei lá, acho que não")
    assert len(again) == 1  # still only the first question
    assert OutboxMessage.objects.filter(lead_id=lead.pk).count() == 1


def test_the_question_about_stopping_is_not_a_first_contact(wa, meta_post, ana, django_capture_on_commit_callbacks):
    """User tour (#22): Fluxo's own "Quer parar de receber…?" moved a new lead to "Contatado" ("Primeira mensagem
    enviada") as if a consultant had written. It is no contact: the lead stays "Novo"; a real message still counts."""
    from leads.models import LeadStage

    lead, _user = ana
    assert lead.stage == LeadStage.NEW
    (question,) = _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks)
    assert question["payload"]["type"] == "interactive"  # it went out (Meta took it: "sent")
    lead.refresh_from_db()
    assert lead.stage == LeadStage.NEW


def test_sim_parar_suppresses_the_contact_and_the_timeline_says_so(
    wa, meta_post, login, ana, django_capture_on_commit_callbacks
):
    """Issue 1: the tap "Sim, parar" (a signed webhook, button id ``optout_confirm_yes``) is a stop: the contact is
    on the do-not-contact list, every purpose revoked in the ledger with the evidence {"layer": "confirmation"}, the
    lead page shows the opt-out, and the consultant's next message is refused."""
    from compliance.models import ConsentRecord, ConsentStatus, SuppressionEntry

    lead, user = ana
    _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks)
    meta_post(_button_reply_body("optout_confirm_yes", "Sim, parar"))

    assert SuppressionEntry.objects.count() == 1
    records = ConsentRecord.objects.filter(evidence={"layer": "confirmation"})
    assert records.count() == 4 and {r.status for r in records} == {ConsentStatus.REVOKED}
    browser = login(user)
    page = browser.get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="opted-out"' in page
    assert "Confirmou pelo WhatsApp que quer parar: este número não será mais contatado." in page
    panel = browser.get(reverse("leads:whatsapp_panel", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="window-opted-out"' in panel and 'data-testid="window-open"' not in panel
    refused = browser.post(
        reverse("leads:whatsapp_text", args=[lead.pk]),
        {"number": wa.number.pk, "to": PHONE, "body": "Ana, só mais uma coisa"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="pt-br",
    ).content.decode()
    assert "A pessoa pediu descadastro: nunca mais entre em contato." in refused


def test_the_answer_typed_instead_of_tapped_counts_as_the_tap(wa, meta_post, ana, django_capture_on_commit_callbacks):
    """Found trying it as a lead: someone who types "Sim, parar" (the button's words) instead of tapping it was not
    stopped. A short yes or no typed after the question, while it is unanswered, is the answer: "Sim, parar"
    suppresses like the tap; a later "sim" after the answer, or one with no question asked, is just a message."""
    from compliance.models import SuppressionEntry
    from leads.models import EventKind, LeadEvent

    lead, _user = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="sim"))  # nothing asked yet: an ordinary "sim"
    assert not SuppressionEntry.objects.exists()
    _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks)
    meta_post(inbound_text_body(wa_id=WA_ID, text="Sim, parar"))
    assert SuppressionEntry.objects.count() == 1
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.CONSENT, payload__evidence={"layer": "confirmation"})


def test_a_typed_nao_releases_the_hold_like_the_tap(wa, meta_post, ana, django_capture_on_commit_callbacks):
    from compliance.models import ContactPreference, SuppressionEntry
    from compliance.services.consent import optout_hold
    from leads.models import EventKind, LeadEvent

    lead, _user = ana
    _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks)
    optout_hold(contact=PHONE, kind="phone", evidence={"layer": "model"})  # marketing held while the question waits
    assert ContactPreference.objects.filter(marketing_held_at__isnull=False).exists()
    meta_post(inbound_text_body(wa_id=WA_ID, text="não, pode continuar"))
    assert not SuppressionEntry.objects.exists()
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.CONSENT, payload__optout_declined=True).count() == 1
    assert not ContactPreference.objects.filter(marketing_held_at__isnull=False).exists()


def test_nao_suppresses_nothing_and_keeps_the_message_as_a_labelled_example(
    wa, meta_post, login, ana, django_capture_on_commit_callbacks
):
    """Issue 1 and 5: "Não" (button id ``optout_confirm_no``) suppresses nothing, the timeline notes it, and the
    message that raised the question becomes a labelled "not an opt-out" example (the records of processing list
    the training use, so its text is kept) — what ``ai_eval`` reads."""
    from ai_middleware.models import LabelledExample
    from compliance.models import SuppressionEntry

    lead, user = ana
    _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks, text="vcs pararam de mandar os lançamentos?")
    meta_post(_button_reply_body("optout_confirm_no", "Não"))

    assert not SuppressionEntry.objects.exists()
    (example,) = LabelledExample.objects.all()
    assert (example.text, example.field, example.value, example.source) == (
        "vcs pararam de mandar os lançamentos?",
        "opt_out",
        False,
        "optout_confirmation",
    )
    page = login(user).get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "Respondeu que não quer parar: nada foi bloqueado" in page
    assert 'data-testid="opted-out"' not in page


def test_without_a_record_of_processing_for_training_the_example_keeps_no_text(
    wa, meta_post, ana, django_capture_on_commit_callbacks
):
    """Issue 5: "with consent to use them for training recorded per the records of processing": with the training
    activity removed from the records of processing (Art. 37), the "Não" still counts but no text is stored."""
    from ai_middleware.models import LabelledExample
    from compliance.models import ProcessingActivity
    from compliance.services.consent import TRAINING_ACTIVITY

    ProcessingActivity.objects.filter(name=TRAINING_ACTIVITY).delete()
    _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks, text="não sei se quero continuar")
    meta_post(_button_reply_body("optout_confirm_no", "Não"))

    (example,) = LabelledExample.objects.all()
    assert example.text == "" and example.value is False


def test_a_person_who_asked_for_text_gets_no_audio_and_the_lead_page_says_why(
    wa, meta_post, login, ana, django_capture_on_commit_callbacks
):
    """Issue 1: ""não quero receber áudio" sets a preference, not a suppression": the consultant's audio from the
    lead page is refused with the reason in Portuguese and nothing reaches Meta, a text still goes, and the lead
    page shows the preference."""
    from compliance.services.consent import contact_preference_set

    lead, user = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="para de mandar áudio, não consigo ouvir aqui, manda por escrito"))
    contact_preference_set(contact=PHONE, kind="phone", evidence={"layer": "model"}, no_audio=True)
    browser = login(user)

    with django_capture_on_commit_callbacks(execute=False):
        refused = browser.post(
            f"/leads/{lead.pk}/whatsapp/rich/",
            {"number": wa.number.pk, "to": PHONE, "kind": "file", "file": SimpleUploadedFile("recado.mp3", MP3)},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="pt-br",
        ).content.decode()
    assert 'role="alert"' in refused and "A pessoa pediu mensagens escritas em vez de áudio." in refused
    from antiban.models import OutboxMessage

    assert not OutboxMessage.objects.filter(lead_id=lead.pk).exists()
    assert wa.sent == []

    page = browser.get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="pref-no-audio"' in page and "Só texto, sem áudio" in page
    assert 'data-testid="opted-out"' not in page
    panel = browser.get(reverse("leads:whatsapp_panel", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'value="audio"' not in panel and 'value="document"' in panel  # audio is not offered at all


def test_a_weekend_only_person_gets_marketing_and_utility_on_the_weekend_and_replies_at_once(wa, settings, ana):
    """Issue 1: ""só no fim de semana" sets contact hours for that person": on a Tuesday morning (an injected
    clock) a utility and a marketing send to her wait for Saturday 09:00, while the same send to someone without
    a preference goes now and a reply to her is not held."""
    from antiban.models import OutboxState, Priority
    from antiban.services import outbox_enqueue
    from compliance.models import ConsentChannel, ConsentPurpose, ConsentSource, ConsentStatus, LegalBasis
    from compliance.services.consent import consent_record, consent_text_current, contact_preference_set
    from whatsapp import payloads

    settings.ANTIBAN_CONTACT_HOURS = ["09:00", "20:00"]
    settings.ANTIBAN_CONTACT_DAYS = [0, 1, 2, 3, 4, 5]
    settings.ANTIBAN_SKIP_HOLIDAYS = True
    other = "+5511987650000"
    for contact in (PHONE, other):
        consent_record(
            contact=contact,
            kind="phone",
            purpose=ConsentPurpose.MARKETING,
            channel=ConsentChannel.ANY,
            legal_basis=LegalBasis.CONSENT,
            status=ConsentStatus.GRANTED,
            source=ConsentSource.FORM,
            text=consent_text_current(ConsentPurpose.MARKETING),
        )
    contact_preference_set(contact=PHONE, kind="phone", evidence={"layer": "model"}, contact_days=[5, 6])
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=SP)

    def send(contact, priority, text="Olá! Novidades da Fluxo Imóveis. Responda SAIR para não receber mais."):
        return outbox_enqueue(
            contact=contact,
            priority=priority,
            payload=payloads.template_payload(contact, name="novidades", language="pt_BR", components=[], params={}),
            text=text,
            template_name="novidades",
            kick=False,
            now=tuesday,
        )

    saturday = datetime(2026, 3, 14, 9, 0, tzinfo=SP)
    for priority in (Priority.UTILITY, Priority.MARKETING):
        row = send(PHONE, priority)
        assert row.state == OutboxState.QUEUED, row.last_reason
        assert row.not_before == saturday
        assert row.last_reason == "Aguardando o horário de contato."
        assert send(other, priority).not_before == tuesday

    reply = outbox_enqueue(
        contact=PHONE,
        priority=Priority.REPLY,
        payload=payloads.text_payload(PHONE, "Claro, Ana!"),
        text="Claro, Ana!",
        kick=False,
        now=tuesday,
    )
    assert reply.not_before == tuesday


def test_nao_me_liga_shows_nao_ligar_on_the_lead_page_and_keeps_whatsapp(
    wa, meta_post, login, ana, django_capture_on_commit_callbacks
):
    """Issue 1: ""não me liga" stops calls, not WhatsApp": a stop for phone calls only (its ledger record, and the
    decision handed to the leads app) puts "Não ligar" on the lead page and a note on the timeline; the contact is
    not suppressed and the consultant's WhatsApp reply goes out."""
    from compliance.models import ConsentChannel, ConsentPurpose, ConsentSource, ConsentStatus, LegalBasis
    from compliance.optout import STOP, OptOutDecision
    from compliance.services.consent import consent_record
    from leads.receivers import whatsapp_inbound_received
    from whatsapp.models import Message

    lead, user = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="pode mandar whats, só não me liga"))
    decision = OptOutDecision(STOP, {"channels": ["phone"], "purposes": ["any"]}, {"layer": "keyword", "rule": "test"})
    for purpose in ConsentPurpose:
        consent_record(
            contact=PHONE,
            kind="phone",
            purpose=purpose,
            channel=ConsentChannel.PHONE,
            legal_basis=LegalBasis.CONSENT,
            status=ConsentStatus.REVOKED,
            source=ConsentSource.WHATSAPP,
            evidence=dict(decision.evidence),
        )
    message = Message.objects.filter(contact=PHONE, direction="in").latest("id")
    # as the gateway sends it for any stop: the rule in ``opt_out``, the scope in the decision
    whatsapp_inbound_received(sender=Message, message=message, opt_out="test", optout_decision=decision)

    browser = login(user)
    page = browser.get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="no-calls"' in page and "Não ligar" in page
    assert 'data-testid="opted-out"' not in page
    assert "Pediu para não receber ligações: as mensagens pelo WhatsApp podem continuar." in page
    sent = browser.post(
        reverse("leads:whatsapp_text", args=[lead.pk]),
        {"number": wa.number.pk, "to": PHONE, "body": "Combinado, Ana, só por aqui então."},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'role="alert"' not in sent
    assert [m["payload"]["text"]["body"] for m in wa.sent] == ["Combinado, Ana, só por aqui então."]


def test_no_question_goes_to_a_contact_already_on_the_do_not_contact_list(
    wa, meta_post, ana, django_capture_on_commit_callbacks
):
    """Issue 1, the question goes "through the outbox": for a person a consultant already put on the do-not-contact
    list, the outbox refuses the question (kept with its reason), Meta receives nothing and the timeline says why."""
    from antiban.models import OutboxMessage, OutboxState
    from compliance.services.consent import suppression_add_by_consultant
    from leads.models import EventKind, LeadEvent

    lead, user = ana
    suppression_add_by_consultant(contact=PHONE, kind="phone", actor_id=user.pk, note="pediu por telefone")
    assert _ask_and_send(wa, meta_post, django_capture_on_commit_callbacks) == []

    rows = list(OutboxMessage.objects.filter(lead_id=lead.pk))
    assert rows and all(row.state == OutboxState.REFUSED and row.last_reason for row in rows)
    note = LeadEvent.objects.filter(lead=lead, kind=EventKind.CONSENT).latest("id")
    assert "optout_question" not in note.payload and note.payload["outbox_id"] in {row.pk for row in rows}


def test_a_utility_template_from_the_lead_page_waits_for_the_persons_own_day_while_a_reply_goes(
    wa, meta_post, login, ana, settings
):
    """Issue 1, own days through the screens: the person wrote (a signed webhook, the window is open) and stated
    a contact day that is neither today nor tomorrow (whatever the real clock says); the consultant's utility
    template from the lead page is held for that day with the reason shown, the lead page shows her days, and a
    plain reply inside the window goes at once."""
    from django.utils import timezone

    from antiban.models import OutboxMessage, OutboxState
    from compliance.services.consent import contact_preference_set
    from whatsapp.models import Template

    settings.ANTIBAN_CONTACT_HOURS = ["00:00", "00:00"]  # the business's own hours: all day, every day
    settings.ANTIBAN_CONTACT_DAYS = [0, 1, 2, 3, 4, 5, 6]
    settings.ANTIBAN_SKIP_HOLIDAYS = False
    lead, user = ana
    template = Template.objects.create(
        account=wa.number.account,
        name="lembrete_visita",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Sua visita está confirmada."}],
    )
    meta_post(inbound_text_body(wa_id=WA_ID, text="pode me mandar as coisas, mas só no dia que eu disse"))
    own_day = (timezone.localtime().weekday() + 2) % 7
    contact_preference_set(contact=PHONE, kind="phone", evidence={"layer": "model"}, contact_days=[own_day])
    browser = login(user)

    held = browser.post(
        reverse("leads:whatsapp_template", args=[lead.pk]),
        {"number": wa.number.pk, "to": PHONE, "template": template.pk},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="pt-br",
    ).content.decode()
    row = OutboxMessage.objects.get(lead_id=lead.pk, template_name="lembrete_visita")
    assert row.state == OutboxState.QUEUED
    assert timezone.localtime(row.not_before).weekday() == own_day
    assert "Aguardando o horário de contato." in held
    assert _templates(wa) == []

    browser.post(
        reverse("leads:whatsapp_text", args=[lead.pk]),
        {"number": wa.number.pk, "to": PHONE, "body": "Combinado!"},
        HTTP_HX_REQUEST="true",
    )
    assert [m["payload"]["text"]["body"] for m in wa.sent if m["payload"]["type"] == "text"] == ["Combinado!"]
    page = browser.get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert 'data-testid="pref-days"' in page and "Dias escolhidos:" in page


def _templates(wa) -> list[str]:
    return [m["payload"]["template"]["name"] for m in wa.sent if m["payload"]["type"] == "template"]


def test_the_persons_own_hours_are_read_in_one_batch_whatever_the_audience_size(db, settings):
    """Issue 1, at dispatch scale: the recipient checks of a whole claim read every person's own days and hours in
    one query — 3 or 30 recipients, the same number of queries — and each gets her own opening (18:00–21:00 here)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from antiban.filters import recipient_checks_many
    from antiban.models import Priority
    from compliance.services.consent import contact_preference_set

    settings.ANTIBAN_CONTACT_HOURS = ["09:00", "20:00"]
    settings.ANTIBAN_CONTACT_DAYS = [0, 1, 2, 3, 4, 5]
    settings.ANTIBAN_SKIP_HOLIDAYS = True
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=SP)
    contacts = [f"+55119876510{i:02d}" for i in range(30)]
    for contact in contacts:
        contact_preference_set(
            contact=contact, kind="phone", evidence={"layer": "model"}, contact_hours=["18:00", "21:00"]
        )

    def run(n):
        with CaptureQueriesContext(connection) as queries:
            checks = recipient_checks_many([(c, Priority.UTILITY) for c in contacts[:n]], now=tuesday)
        return len(queries), checks

    few, _checks = run(3)
    many, checks = run(30)
    assert few == many
    evening = datetime(2026, 3, 10, 18, 0, tzinfo=SP)
    for person in checks:
        (hours,) = [c for c in person if c.name == "contact_hours"]
        assert hours.wait_until == evening
