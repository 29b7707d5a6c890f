"""The same filters in the consultant list (HTML and its HTMX partial) and in the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import LeadStage
from tests.factories import LeadFactory, LeadSourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world):
    ana = world["ana"]
    team = world["team_a"]
    ads = LeadSourceFactory(name="Facebook Ads", kind="ads")
    old = timezone.now() - timedelta(days=40)
    return {
        "ana": ana,
        "ads": ads,
        "rj": LeadFactory(
            owner=ana,
            team=team,
            full_name="Rita Carioca",
            city="Rio de Janeiro",
            state="RJ",
            stage=LeadStage.QUALIFIED,
            source=ads,
            tags=["interesse/apartamento/alto-padrão"],
            phone="+5521987654321",
            email="rita@exemplo.com.br",
            created_at=old,
        ),
        "bh": LeadFactory(
            owner=ana,
            team=team,
            full_name="Otávio Mineiro",
            city="Belo Horizonte",
            state="MG",
            stage=LeadStage.MEETING,
            tags=["interesse/casa"],
            phone="+5531991112222",
        ),
    }


CASES = [
    ({"stage": "qualified"}, {"rj"}),
    ({"stage": ["qualified", "meeting"]}, {"rj", "bh"}),
    ({"city": "rio de janeiro"}, {"rj"}),
    ({"state": "MG"}, {"bh"}),
    ({"tag": "interesse/apartamento"}, {"rj"}),  # a parent tag includes its sub-tags
    ({"tag": "interesse"}, {"rj", "bh"}),
    ({"q": "carioca"}, {"rj"}),
    ({"q": "(31) 99111-2222"}, {"bh"}),  # digits match whatever the formatting
    ({"q": "RITA@exemplo"}, {"rj"}),
]


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_filters_select_the_same_leads_in_html_and_api(client, api_for, catalogue, params, expected):
    client.force_login(catalogue["ana"])
    want = {catalogue[key].pk for key in expected}

    html = client.get(reverse("leads:list"), params, headers={"HX-Request": "true", "HX-Target": "lead-results"})
    api = api_for(catalogue["ana"]).get("/api/v1/leads/", params)

    assert {lead.pk for lead in html.context_data["page"]} == want
    assert "<html" not in html.content.decode()  # the HTMX request got the partial only
    assert {row["id"] for row in api.json()["results"]} == want


def test_source_owner_and_created_range_filters(client, api_for, catalogue, world):
    ana = catalogue["ana"]
    api = api_for(ana)
    assert {r["id"] for r in api.get("/api/v1/leads/", {"source": catalogue["ads"].pk}).json()["results"]} == {
        catalogue["rj"].pk
    }
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    recent = {r["id"] for r in api.get("/api/v1/leads/", {"created_after": since}).json()["results"]}
    assert catalogue["rj"].pk not in recent
    assert catalogue["bh"].pk in recent
    until = (timezone.now() - timedelta(days=30)).date().isoformat()
    assert {r["id"] for r in api.get("/api/v1/leads/", {"created_before": until}).json()["results"]} == {
        catalogue["rj"].pk
    }
    supervisor_api = api_for(world["sup_a"])
    by_owner = supervisor_api.get("/api/v1/leads/", {"owner": world["bruno"].pk}).json()
    assert {r["id"] for r in by_owner["results"]} == {lead.pk for lead in world["leads"]["bruno"]}
    unassigned = supervisor_api.get("/api/v1/leads/", {"unassigned": "true"}).json()
    assert {r["id"] for r in unassigned["results"]} == {world["unassigned_a"].pk}


def test_filtering_by_an_owner_one_may_not_see_is_a_clear_400(api_for, world):
    response = api_for(world["sup_a"]).get("/api/v1/leads/", {"owner": world["carla"].pk})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert "owner" in body["details"]
