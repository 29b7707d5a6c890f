"""Shared fixtures: people in each role, a two-team world, API clients. Real PostgreSQL and Redis."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from compliance.roles import Role
from config import embedded
from tests.factories import LeadFactory, LeadSourceFactory, TeamFactory, UserFactory, consultant, supervisor


def pytest_configure(config):
    """With DATABASE_URL / REDIS_URL unset (a fresh clone, `make test`, .ci/run) the suite runs against the embedded
    PostgreSQL and Redis: they are started here, before the test database is created (settings only name their
    addresses). Nothing starts when both URLs are set or FLUXO_EMBEDDED is false."""
    embedded.ensure_for_environment()


@pytest.fixture(autouse=True)
def _clean_redis():
    """Tests run against Redis DB 15 (see settings.TESTING); each starts with it empty."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def contact_hours_open(settings):
    """Contact hours as a business would set them, drawn around this moment so that they are open now: the product's
    own window check runs (start <= now < end, today a contact day, holidays honoured) whatever time the suite runs.
    Tests of the closed side set their own hours."""
    from datetime import timedelta

    from django.utils import timezone

    from antiban.filters import _national_holidays

    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - timedelta(hours=2), midnight)
    end = min(now + timedelta(hours=2), midnight + timedelta(hours=23, minutes=59, seconds=59))
    settings.ANTIBAN_CONTACT_HOURS = [start.strftime("%H:%M:%S"), end.strftime("%H:%M:%S")]
    settings.ANTIBAN_CONTACT_DAYS = [now.weekday()]
    if now.date() in _national_holidays(now.year):  # a holiday closes the day: a business open today says so
        settings.ANTIBAN_SKIP_HOLIDAYS = False


@pytest.fixture
def world(db):
    """Two teams, each with a supervisor and two consultants, and a few leads per consultant."""
    sup_a, sup_b = supervisor(username="sup_a"), supervisor(username="sup_b")
    ana, bruno = consultant(username="ana"), consultant(username="bruno")
    carla, diego = consultant(username="carla"), consultant(username="diego")
    team_a = TeamFactory(name="Equipe A", supervisor=sup_a, members=[ana, bruno])
    team_b = TeamFactory(name="Equipe B", supervisor=sup_b, members=[carla, diego])
    source = LeadSourceFactory(name="Site")
    leads = {
        person.username: [LeadFactory(owner=person, team=team, source=source) for _ in range(2)]
        for person, team in ((ana, team_a), (bruno, team_a), (carla, team_b), (diego, team_b))
    }
    unassigned_a = LeadFactory(owner=None, team=team_a, source=source)
    return {
        "sup_a": sup_a,
        "sup_b": sup_b,
        "ana": ana,
        "bruno": bruno,
        "carla": carla,
        "diego": diego,
        "team_a": team_a,
        "team_b": team_b,
        "source": source,
        "leads": leads,
        "unassigned_a": unassigned_a,
    }


@pytest.fixture
def integrator(db):
    return UserFactory(username="integrator", role=Role.INTEGRATOR)


def api_client_for(user, scopes=("leads:read", "leads:write")) -> APIClient:
    from compliance.services.tokens import api_token_issue

    client = APIClient()
    _token, key = api_token_issue(user=user, name="test", scopes=list(scopes))
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_for():
    return api_client_for


@pytest.fixture
def graph(settings):
    """The Meta Graph API simulator on a loopback port, with Fluxo pointed at it (real httpx calls)."""
    from whatsapp.simulator import GraphSimulator

    settings.META_APP_SECRET = "test-app-secret"
    settings.META_VERIFY_TOKEN = "test-verify-token"
    with GraphSimulator(access_token="page-token", app_secret=settings.META_APP_SECRET) as simulator:
        settings.META_GRAPH_URL = simulator.url
        yield simulator


@pytest.fixture
def celery_eager():
    """Celery tasks run inline (``.delay`` calls the task at once), reset afterwards."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False
