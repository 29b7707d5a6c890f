"""Issue #21, second round: "sao paulo" over a million leads. PostgreSQL estimates rows holding every word of a
search by multiplying each word's share, as if the words were independent — but people type words that come
together (a city's name): it expected 7,503 of the supervisor's leads where tens of thousands live in São Paulo,
so the list spent its count budget and then said "cerca de 7.503". The estimate now takes the words together from
PostgreSQL's own sample of the column: past the cap the list says "Mais de N leads" without counting."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads import selectors
from leads.models import Lead, LeadSource

pytestmark = pytest.mark.django_db


def _leads(n: int, *, name: str, city: str, owner, team, source) -> list[Lead]:
    return [
        Lead(full_name=f"{name} {i}", city=city, state="SP", owner=owner, team=team, source=source) for i in range(n)
    ]


@pytest.fixture
def base(world):
    """Ana's leads: 60 in São Paulo, 20 named Paulo elsewhere, 20 in São José, 200 in Curitiba — "sao" and
    "paulo" each in a quarter of the base, but both in the same fifth (independent words would share 1/14)."""
    ana, team = world["ana"], world["team_a"]
    source = LeadSource.objects.order_by("id").first()
    rows = _leads(60, name="Cliente", city="São Paulo", owner=ana, team=team, source=source)
    rows += _leads(20, name="Paulo", city="Curitiba", owner=ana, team=team, source=source)
    rows += _leads(20, name="Cliente", city="São José", owner=ana, team=team, source=source)
    rows += _leads(200, name="Cliente", city="Curitiba", owner=ana, team=team, source=source)
    Lead.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Lead._meta.db_table}")  # what autovacuum does on a real base
    selectors._search_sample.clear()  # a process reads the sample every few minutes; this one is new
    yield
    selectors._search_sample.clear()


def _counted(queries) -> list[str]:
    return [q["sql"] for q in queries if "search_text" in q["sql"] and "COUNT(" in q["sql"].upper()]


def test_words_that_come_together_are_estimated_together(world, login, api_for, base, settings):
    settings.FLUXO_LIST_COUNT_CAP = 40
    settings.FLUXO_LIST_COUNT_BUDGET_MS = 60_000
    ana = login(world["ana"])
    with CaptureQueriesContext(connection) as ctx:
        page = ana.get("/leads/", {"q": "sao paulo"})
    assert page.status_code == 200
    assert "Mais de 40 leads" in page.content.decode()
    assert _counted(ctx.captured_queries) == []  # no count spent on what the estimate already says
    assert page.content.decode().count('data-testid="lead-row"') == 25

    # The API's count follows the same estimate.
    with CaptureQueriesContext(connection) as ctx:
        body = api_for(world["ana"], scopes=("leads:read",)).get("/api/v1/leads/", {"q": "sao paulo"}).json()
    assert (body["count"], body["count_capped"]) == (40, True)
    assert _counted(ctx.captured_queries) == []

    # Other people's searches stay inside what they may see.
    assert "Cliente" not in login(world["carla"]).get("/leads/", {"q": "sao paulo"}).content.decode()
