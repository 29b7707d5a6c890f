"""The anti-ban metrics API: health and the outbox."""

import pytest

from antiban.health import numbers_health_refresh
from conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_the_metrics_api_reports_health_and_the_outbox(cloud, number, integrator):
    numbers_health_refresh()
    response = api_client_for(integrator, scopes=("whatsapp:read",)).get("/api/v1/antiban/metrics/")
    assert response.status_code == 200
    body = response.json()
    assert body["numbers"][0]["display_number"] == "+5511955550000" and body["numbers"][0]["health"] == 90
    assert set(body["outbox"]) >= {"queued", "sent", "unknown"}
    assert api_client_for(integrator, scopes=("leads:read",)).get("/api/v1/antiban/metrics/").status_code == 403
