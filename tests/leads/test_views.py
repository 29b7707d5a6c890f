"""List pages and API lists run the same number of queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.roles import Role
from tests.factories import LeadFactory, LeadSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_leads(world):
    source = LeadSourceFactory(name="Planilha")
    for i in range(40):
        LeadFactory(
            owner=world["ana"],
            team=world["team_a"],
            source=source,
            tags=[f"perfil/p{i % 3}"],
            email=f"l{i}@exemplo.com",
        )
    return world


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_api_list_queries_do_not_grow_with_page_size(many_leads, api_for):
    client = api_for(many_leads["ana"])
    client.get("/api/v1/leads/")  # first use of the token records last_used_at (throttled afterwards)
    small = _count(lambda: client.get("/api/v1/leads/", {"page_size": 3}))
    large = _count(lambda: client.get("/api/v1/leads/", {"page_size": 40}))
    assert small == large
    # 8, plus the bounded count's planner estimate, its time budget and (in a test's transaction) its savepoint
    assert large <= 11


def test_html_list_queries_do_not_grow_with_page_size(many_leads, client):
    client.force_login(many_leads["ana"])
    client.get(reverse("leads:list"))  # warm the session
    small = _count(lambda: client.get(reverse("leads:list"), {"q": "a", "page_size": 3}))
    large = _count(lambda: client.get(reverse("leads:list"), {"q": "a", "page_size": 40}))
    assert small == large
    assert large <= 17  # 14, plus the bounded count's estimate, time budget and savepoint (common.pagination)


def test_supervisor_and_admin_list_queries_are_bounded(many_leads, api_for):
    admin = UserFactory(username="boss", role=Role.ADMIN)
    for user in (many_leads["sup_a"], admin):
        client = api_for(user)
        client.get("/api/v1/leads/")
        assert _count(lambda c=client: c.get("/api/v1/leads/", {"page_size": 5})) == _count(
            lambda c=client: c.get("/api/v1/leads/", {"page_size": 50})
        )
