"""Google Ads lead-form webhook, with payloads shaped like Google's documented schema."""

import json

import pytest
from django.urls import reverse

from leads.models import Lead, LeadSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return LeadSource.objects.create(name="Google Ads — Investidor", kind="ads", webhook_key="s3cr3t-google-key")


def _payload(**overrides):
    body = {
        "lead_id": "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEeFf",
        "api_version": "1.0",
        "form_id": 40000000000,
        "campaign_id": 12345678901,
        "google_key": "s3cr3t-google-key",
        "is_test": False,
        "gcl_id": "EAIaIQobChMI",
        "adgroup_id": 20000000000,
        "creative_id": 30000000000,
        "user_column_data": [
            {"column_name": "Full Name", "string_value": "FERNANDA LIMA", "column_id": "FULL_NAME"},
            {"column_name": "User Phone", "string_value": "+55 11 98765-0000", "column_id": "PHONE_NUMBER"},
            {"column_name": "User Email", "string_value": "Fernanda@Lima.com", "column_id": "EMAIL"},
            {"column_name": "City", "string_value": "sao paulo", "column_id": "CITY"},
            {"column_name": "Qual o seu orçamento?", "string_value": "500 mil", "column_id": "qual_orcamento"},
        ],
    }
    body.update(overrides)
    return json.dumps(body)


def test_a_verified_lead_is_ingested_with_its_ad_references(client, source):
    url = reverse("google_ads_webhook", args=[source.pk])
    response = client.post(url, _payload(), content_type="application/json")
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.full_name, lead.city, lead.campaign_ref, lead.ad_ref) == (
        "Fernanda Lima",
        "São Paulo",
        "12345678901",
        "30000000000",
    )
    assert set(lead.contact_points.values_list("value", flat=True)) == {"+5511987650000", "fernanda@lima.com"}
    assert lead.attributes["Qual o seu orçamento?"] == "500 mil"
    assert lead.attributes["google_form_id"] == "40000000000"
    assert client.post(url, _payload(), content_type="application/json").json() == {"status": "duplicate delivery"}
    assert Lead.objects.count() == 1


def test_a_wrong_or_missing_key_is_refused_and_changes_nothing(client, source):
    url = reverse("google_ads_webhook", args=[source.pk])
    assert client.post(url, _payload(google_key="guess"), content_type="application/json").status_code == 403
    assert client.post(url, _payload(google_key=""), content_type="application/json").status_code == 403
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert not Lead.objects.exists()
