"""End to end: an inbound WhatsApp message is extracted on the ai queue and merged into the lead with provenance;
the lead page shows it; the consultant gets reply suggestions, edits and sends one (learned against the prompt
version), or discards them; a conversion is credited; campaign drafts pass or fail the anti-ban content rules."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ai_middleware import services
from ai_middleware.models import (
    Extraction,
    LearningEvent,
    MessageDraft,
    Prompt,
    Suggestion,
    SuggestionOutcome,
)
from config.celery import app as celery_app
from leads.models import EventKind, Lead, LeadEvent
from leads.services.lead import lead_change_stage
from tests.factories import LeadFactory, consultant, supervisor
from tests.whatsapp.conftest import NUMBER_ID, cloud, number  # noqa: F401  (the WhatsApp simulator fixtures)
from whatsapp.models import EventStatus, ServiceWindow, WebhookEvent
from whatsapp.services import webhook_event_process

pytestmark = pytest.mark.django_db
PHONE = "+5511987654321"


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def inbound(client, cloud, number, eager, django_capture_on_commit_callbacks):  # noqa: F811
    def _inbound(text: str):
        body = cloud.inbound_notification(NUMBER_ID, PHONE.lstrip("+"), {"type": "text", "text": {"body": text}})
        with django_capture_on_commit_callbacks(execute=True):  # the request's drain task runs eagerly here
            client.post(
                "/webhooks/whatsapp/",
                body,
                content_type="application/json",
                HTTP_X_HUB_SIGNATURE_256=cloud.signature(body),
            )
        for event_id in WebhookEvent.objects.filter(status=EventStatus.PENDING).values_list("pk", flat=True):
            with django_capture_on_commit_callbacks(execute=True):
                webhook_event_process(event_id=event_id)

    return _inbound


@pytest.fixture
def lead_and_owner(number):  # noqa: F811
    owner = consultant(username="carol", first_name="Carol")
    lead = LeadFactory(owner=owner, full_name="Ana Lima", city="", state="", budget_min=None, budget_max=None)
    lead.contact_points.all().delete()
    lead.contact_points.create(kind="phone", value=PHONE, is_primary=True)
    return lead, owner


def test_an_inbound_message_is_extracted_and_merged_into_the_lead_with_provenance(inbound, lead_and_owner, client):
    lead, owner = lead_and_owner
    inbound("oi, tenho uns 400 mil e quero apto em bh, mas achei caro o de 3 quartos")
    extraction = Extraction.objects.get(lead_id=lead.pk)
    assert extraction.result["intent"] == "interested" and extraction.provider == "local"
    assert extraction.result["objections"] == ["price"]
    lead.refresh_from_db()
    assert (lead.budget_min, lead.budget_max, lead.city, lead.state) == (400000, 400000, "Belo Horizonte", "MG")
    assert set(extraction.applied) == {"budget_min", "budget_max", "city", "state", "interest_type"}
    assert lead.attributes["ai"]["intent"] == "interested"
    assert lead.attributes["ai_provenance"]["budget_max"]["extraction"] == extraction.pk
    update = LeadEvent.objects.get(lead=lead, kind=EventKind.UPDATED)
    assert update.payload["changes"]["city"] == {"from": "", "to": "Belo Horizonte"}

    # what a person entered is never overwritten, and objections accumulate
    inbound("na verdade prefiro em curitiba, preciso ver com minha esposa")
    lead.refresh_from_db()
    assert lead.city == "Belo Horizonte" and lead.attributes["ai"]["city"] == "Curitiba"
    assert lead.attributes["ai"]["objections"] == ["price", "spouse_decision"]

    # the redelivered task changes nothing
    event_id = extraction.event_id
    assert services.extraction_for_event(event_id=event_id).pk == extraction.pk
    assert Extraction.objects.filter(lead_id=lead.pk).count() == 2

    client.force_login(owner)
    page = client.get(reverse("ai:lead_insights", args=[lead.pk])).content.decode()
    assert (
        'data-value="interested"' in page
        and "Cônjuge também decide" in page
        and "spouse_decision" not in page
        and "Curitiba" in page
    )
    # who read it, in words: the local engine is not "local" (read as a typo in the user test), no "(prompt —)"
    assert "Lido por Fluxo (motor próprio, sem IA externa)" in page and "prompt —" not in page


def test_the_ai_card_is_only_shown_to_people_who_see_the_lead(client, lead_and_owner):
    lead, _owner = lead_and_owner
    client.force_login(consultant(username="other"))
    assert client.get(reverse("ai:lead_insights", args=[lead.pk])).status_code == 404


def test_suggestions_are_edited_and_sent_by_the_consultant_and_learned_against_the_prompt(
    client,
    inbound,
    lead_and_owner,
    llm,
    cloud,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    lead, owner = lead_and_owner
    inbound("achei caro, vcs parcelam?")  # also opens the 24 h window
    assert ServiceWindow.objects.filter(contact=PHONE).exists()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):  # the ai queue (eager here) writes the drafts
        writing = client.post(reverse("ai:lead_suggestions", args=[lead.pk]), HTTP_HX_REQUEST="true")
    assert b'data-testid="suggestions-writing"' in writing.content  # the page polls until they are written
    suggestion = Suggestion.objects.get(lead_id=lead.pk)
    page = client.get(reverse("ai:suggestion", args=[lead.pk, suggestion.pk]), HTTP_HX_REQUEST="true")
    page = page.content.decode()
    assert suggestion.provider == "llm" and suggestion.prompt.key == "suggestions"
    assert 2 <= len(suggestion.drafts) <= 3 and not cloud.sent  # nothing is sent by the middleware
    assert suggestion.drafts[0]["text"] in page and f'name="suggestion" value="{suggestion.pk}"' in page
    edited = suggestion.drafts[0]["text"] + " Posso te ligar às 15h?"
    with django_capture_on_commit_callbacks(execute=True):  # lead_message_sent goes out once the send commits
        response = client.post(
            reverse("leads:whatsapp_text", args=[lead.pk]),
            {"number": cloud_number_pk(), "to": PHONE, "body": edited, "suggestion": suggestion.pk},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200 and cloud.sent[-1]["payload"]["text"]["body"] == edited
    suggestion.refresh_from_db()
    assert suggestion.outcome == SuggestionOutcome.EDITED and suggestion.chosen == 0
    assert 0.7 < suggestion.similarity < 0.95
    learned = LearningEvent.objects.get(suggestion=suggestion)
    assert (learned.kind, learned.prompt_id) == ("edited", suggestion.prompt_id)

    with django_capture_on_commit_callbacks(execute=True):
        lead_change_stage(lead=lead, actor=owner, stage="won")
    assert LearningEvent.objects.filter(kind="converted", lead_id=lead.pk, prompt=suggestion.prompt).count() == 1

    client.force_login(supervisor(username="sup"))
    screen = client.get(reverse("ai:learning")).content.decode()
    assert suggestion.prompt.label in screen and "100%" in screen  # edited share of that variant


def cloud_number_pk() -> int:
    from whatsapp.models import PhoneNumber

    return PhoneNumber.objects.get(phone_number_id=NUMBER_ID).pk


def test_offline_suggestions_answer_objections_from_the_library_and_can_be_discarded(client, lead_and_owner):
    lead, owner = lead_and_owner
    lead.attributes = {"ai": {"intent": "interested", "objections": ["financing"]}}
    lead.save()
    client.force_login(owner)
    client.post(reverse("ai:lead_suggestions", args=[lead.pk]), HTTP_HX_REQUEST="true")
    suggestion = Suggestion.objects.get(lead_id=lead.pk)
    assert suggestion.provider == "local" and suggestion.objections == ["financing"]
    assert any("FGTS" in draft["text"] and draft["handles"] == ["financing"] for draft in suggestion.drafts)
    assert suggestion.drafts[0]["text"].startswith("Que ótimo, Ana!")
    page = client.post(reverse("ai:suggestion_discard", args=[lead.pk, suggestion.pk]), HTTP_HX_REQUEST="true")
    assert b"suggestions-discarded" in page.content
    suggestion.refresh_from_db()
    assert suggestion.outcome == SuggestionOutcome.DISCARDED


def test_campaign_drafts_are_usable_only_when_the_content_rules_pass(client, llm):
    client.force_login(supervisor(username="sup"))
    client.post(reverse("ai:drafts"), {"goal": "convidar para o lançamento do Residencial Aurora", "tone": "formal"})
    draft = MessageDraft.objects.get()
    assert draft.status == "usable" and "{{1}}" in draft.text and "SAIR" in draft.text
    assert draft.provider == "llm" and draft.prompt == Prompt.objects.get(key="draft")
    assert all(check["passed"] for check in draft.checks if check["fatal"])
    blocked = services.draft_create(
        goal="ver as fotos em https://bit.ly/x1", tone="direto", user=None, provider_name="local"
    )
    assert blocked.status == "blocked"
    assert any(check["name"] == "url_shortener" and not check["passed"] for check in blocked.checks)
    page = client.get(reverse("ai:drafts")).content.decode()
    assert f'data-testid="draft-{blocked.pk}" data-status="blocked"' in page


def test_backfill_lists_only_inbound_messages_not_extracted_yet(lead_and_owner):
    lead, _owner = lead_and_owner
    from leads.services.timeline import timeline_event_record

    old = timeline_event_record(lead=lead, kind=EventKind.MESSAGE_IN, payload={"text": "tem foto?"})
    new = timeline_event_record(lead=lead, kind=EventKind.MESSAGE_IN, payload={"text": "qto custa?"})
    timeline_event_record(
        lead=lead,
        kind=EventKind.MESSAGE_IN,
        payload={"text": "antigo"},
        occurred_at=timezone.now() - timedelta(days=60),
    )
    services.extraction_for_event(event_id=old.pk)
    assert services.extraction_backfill(days=30) == [new.pk]
    assert Lead.objects.get(pk=lead.pk).attributes["ai"]["intent"] == "wants_info"


def test_integrators_read_what_the_ai_read_and_extract_a_text(inbound, lead_and_owner, integrator):
    from conftest import api_client_for

    lead, _owner = lead_and_owner
    inbound("quero casa em curitiba até 900 mil")
    api = api_client_for(integrator, scopes=("leads:read",))
    body = api.get(f"/api/v1/leads/{lead.pk}/ai/").json()
    assert body["profile"]["intent"] == "interested" and body["profile"]["budget_max"] == 900000
    assert body["provenance"]["city"]["extraction"] == body["extractions"][0]["id"]
    assert set(body["extractions"][0]["applied"]) >= {"city", "budget_max"}
    extracted = api.post("/api/v1/ai/extract/", {"text": "qto custa o ap?"}, format="json").json()
    assert extracted["result"]["intent"] == "price_question" and extracted["provider"] == "local"
    assert api.post("/api/v1/ai/extract/", {}, format="json").status_code == 400
    assert api_client_for(integrator, scopes=("privacy:write",)).get(f"/api/v1/leads/{lead.pk}/ai/").status_code == 403
