"""The anti-ban dashboard: each number's health, refreshed, for supervisors only."""

import pytest
from django.urls import reverse

from antiban.health import numbers_health_refresh
from antiban.models import Incident
from tests.factories import consultant, supervisor

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_each_number_and_refreshes_and_only_supervisors_see_it(client, cloud, number):
    numbers_health_refresh()
    Incident.objects.create(number=number, severity="critical", reason="Spam rate limit")
    client.force_login(supervisor(username="sup"))
    page = client.get(reverse("antiban:dashboard")).content.decode()
    assert f'data-testid="health-{number.pk}"' in page and 'hx-trigger="every 10s"' in page
    assert "Spam rate limit" in page
    partial = client.get(reverse("antiban:dashboard"), HTTP_HX_REQUEST="true").content.decode()
    assert f'data-testid="health-{number.pk}"' in partial and "<html" not in partial
    client.force_login(consultant(username="c1"))
    assert client.get(reverse("antiban:dashboard")).status_code == 404
