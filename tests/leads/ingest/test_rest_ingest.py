"""POST /api/v1/leads/ingest/: per-item results, dedup like spreadsheets, idempotent by key."""

import pytest

from leads.models import Lead, LeadEvent
from leads.services import lead_create

pytestmark = pytest.mark.django_db
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
