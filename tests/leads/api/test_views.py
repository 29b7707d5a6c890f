"""REST API v1: token auth, create/update/stage/timeline/notes, JSON errors with a code and a message; POST
/api/v1/leads/ingest/: per-item results, dedup like spreadsheets, idempotent by key."""

import pytest

from leads.models import EventChannel, EventKind, Lead, LeadEvent, LeadStage
from leads.services import lead_create

pytestmark = pytest.mark.django_db


def test_integrator_creates_a_lead_with_token_auth(integrator, api_for, world):
    payload = {
        "full_name": "Fernanda Lima",
        "source": world["source"].pk,
        "phones": ["+55 11 9 8765 4321"],
        "emails": ["Fer@Lima.com"],
        "city": "São Paulo",
        "state": "SP",
        "budget_min": "250000.00",
        "budget_max": "400000.00",
        "interest_type": "apartment",
        "external_ref": "crm-123",
        "attributes": {"campanha": "black-friday"},
        "tags": ["perfil/investidor"],
    }

    response = api_for(integrator).post("/api/v1/leads/", payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [c["value"] for c in body["contact_points"]] == ["fer@lima.com", "+5511987654321"]
    assert body["tags"] == ["perfil/investidor"]
    assert body["attributes"] == {"campanha": "black-friday"}
    event = LeadEvent.objects.get(lead_id=body["id"])
    assert (event.kind, event.channel, event.actor) == (EventKind.CREATED, EventChannel.API, integrator)


def test_create_errors_name_the_field_and_keep_nothing(integrator, api_for, world):
    client = api_for(integrator)
    no_contact = client.post("/api/v1/leads/", {"full_name": "X", "source": world["source"].pk}, format="json")
    bad_budget = client.post(
        "/api/v1/leads/",
        {"full_name": "X", "source": world["source"].pk, "phones": ["11999990000"], "budget_min": 9, "budget_max": 1},
        format="json",
    )
    assert no_contact.status_code == bad_budget.status_code == 400
    assert no_contact.json()["code"] == "invalid"
    assert "phones" in no_contact.json()["details"]
    assert "budget_max" in bad_budget.json()["details"]
    assert LeadEvent.objects.filter(kind=EventKind.CREATED).count() == 0


def test_a_consultant_creating_a_lead_owns_it_and_can_see_it(world, api_for):
    ana = world["ana"]
    client = api_for(ana)
    created = client.post(
        "/api/v1/leads/", {"full_name": "Indicado", "source": world["source"].pk, "phones": ["21988887777"]}
    )
    assert created.status_code == 201
    assert created.json()["owner"]["id"] == ana.pk
    assert client.get(f"/api/v1/leads/{created.json()['id']}/").status_code == 200


def test_update_stage_timeline_and_notes(world, api_for):
    lead = world["leads"]["ana"][0]
    client = api_for(world["ana"])

    patched = client.patch(f"/api/v1/leads/{lead.pk}/", {"city": "Campinas"}, format="json")
    staged = client.post(f"/api/v1/leads/{lead.pk}/stage/", {"stage": "contacted", "reason": "whats"}, format="json")
    noted = client.post(f"/api/v1/leads/{lead.pk}/notes/", {"text": "quer visitar sábado"}, format="json")
    again = client.post(f"/api/v1/leads/{lead.pk}/stage/", {"stage": "contacted"}, format="json")
    timeline = client.get(f"/api/v1/leads/{lead.pk}/timeline/").json()

    assert patched.json()["city"] == "Campinas"
    assert staged.json()["stage"] == LeadStage.CONTACTED
    assert noted.status_code == 201
    assert noted.json()["payload"] == {"text": "quer visitar sábado"}
    assert again.status_code == 400
    assert again.json()["code"] == "lead_stage_unchanged"
    assert [e["kind"] for e in timeline["results"]] == ["note", "stage_changed", "updated"]


def test_unknown_stage_is_a_clear_validation_error(world, api_for):
    lead = world["leads"]["ana"][0]
    response = api_for(world["ana"]).post(f"/api/v1/leads/{lead.pk}/stage/", {"stage": "sold"}, format="json")
    assert response.status_code == 400
    assert "stage" in response.json()["details"]


URL = "/api/v1/leads/ingest/"


def _batch(source):
    return {
        "source": source.pk,
        "leads": [
            {
                "full_name": "Rita Carioca",
                "phones": ["(21) 98765-4321"],
                "emails": ["rita@x.com"],
                "budget": "350 mil",
                "city": "rio de janeiro",
                "attributes": {"formulario": "lp-jardins"},
            },
            {"full_name": "Rita Carioca", "phones": ["21987654321"]},  # the same person twice in one batch
            {"full_name": "Sem Contato", "phones": ["123"]},
            {"full_name": "José de Lima", "emails": ["jose@lima.com"]},  # already in the base
        ],
    }


def test_a_batch_is_normalized_deduplicated_and_answered_item_by_item(integrator, api_for, world):
    existing = lead_create(actor=None, source=world["source"], full_name="José Lima", emails=["jose@lima.com"])
    client = api_for(integrator)

    response = client.post(URL, _batch(world["source"]), format="json", HTTP_IDEMPOTENCY_KEY="lote-001")

    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "merged", "rejected", "merged"]
    assert results[1]["lead_id"] == results[0]["lead_id"]
    assert results[3]["lead_id"] == existing.pk
    rita = Lead.objects.get(pk=results[0]["lead_id"])
    assert (rita.city, rita.budget_max, rita.attributes["formulario"]) == ("Rio de Janeiro", 350000, "lp-jardins")
    assert "123" in results[2]["reason"]


def test_repeating_the_key_returns_the_first_answer_and_writes_nothing(integrator, api_for, world):
    client = api_for(integrator)
    first = client.post(URL, _batch(world["source"]), format="json", HTTP_IDEMPOTENCY_KEY="lote-002")
    counts = (Lead.objects.count(), LeadEvent.objects.count())

    again = client.post(URL, _batch(world["source"]), format="json", HTTP_IDEMPOTENCY_KEY="lote-002")

    assert again.json() == first.json()
    assert again.headers["Idempotent-Replay"] == "true"
    assert (Lead.objects.count(), LeadEvent.objects.count()) == counts


def test_a_batch_needs_a_key_and_the_write_scope(integrator, api_for, world):
    missing = api_for(integrator).post(URL, _batch(world["source"]), format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "idempotency_key_missing"
    read_only = api_for(integrator, scopes=["leads:read"]).post(
        URL, _batch(world["source"]), format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert read_only.status_code == 403
