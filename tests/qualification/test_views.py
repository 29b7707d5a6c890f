"""The lead card, the overview and the API explain the score."""

from __future__ import annotations

import pytest

from qualification.models import LeadScore
from tests.factories import UserFactory
from tests.qualification.builders import HOT_AI, _lead

pytestmark = pytest.mark.django_db


# --- screens and API ------------------------------------------------------------------------------------------------
def test_lead_card_and_api_explain_the_score(client, api_for, integrator):
    lead = _lead(ai=HOT_AI, budget=900_000)
    admin = UserFactory(role="Admin")
    client.force_login(admin)
    page = client.get(f"/qualificacao/leads/{lead.pk}/")
    assert page.status_code == 200 and b'data-testid="dimensions"' in page.content
    score = LeadScore.objects.get(lead=lead)
    assert f'data-value="{score.category}"'.encode() in page.content
    body = api_for(integrator).get(f"/api/v1/leads/{lead.pk}/qualification/").json()
    assert body["score"] == pytest.approx(score.score)
    assert sum(d["points"] for d in body["dimensions"]) == pytest.approx(body["score"], abs=0.05)
    assert body["up"] and body["history"] and body["category"] in ("hot", "warm", "cold")
    overview = client.get("/qualificacao/?class=" + score.category)
    assert overview.status_code == 200 and lead.full_name.encode() in overview.content
