"""REST API v1: token auth, create/update/stage/timeline/notes, JSON errors with a code and a message."""

import pytest

from leads.models import EventChannel, EventKind, LeadEvent, LeadStage

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
