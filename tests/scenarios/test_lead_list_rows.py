"""Issue #21, second round: a list page does its per-row work once per page. The tags column shows each lead's
tags in path order when chosen and costs no query when it is not (it is off by default); the API's rows carry
their tags and primary contacts the same way for 2 or 30 rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_tags_column_shows_tags_in_order_and_costs_nothing_when_off(world, login):
    lead = LeadFactory(
        owner=world["ana"], team=world["team_a"], full_name="Tânia Tags", tags=["perfil/investidor", "interesse/casa"]
    )
    ana = login(world["ana"])
    shown = ana.get("/leads/", {"cols": "tags"}).content.decode()
    row = re.search(rf'data-lead="{lead.pk}".*?</li>', shown, re.S).group(0)
    assert re.findall(r'class="tag">#([^<]+)<', row) == ["interesse/casa", "perfil/investidor"]

    with CaptureQueriesContext(connection) as ctx:
        default = ana.get("/leads/").content.decode()
    assert "Tânia Tags" in default and 'class="tag"' not in default
    assert not [q for q in ctx.captured_queries if "leads_lead_tags" in q["sql"]]


def test_api_rows_carry_tags_and_contacts_in_constant_queries(world, api_for):
    api = api_for(world["ana"], scopes=("leads:read",))
    LeadFactory(owner=world["ana"], team=world["team_a"], tags=["interesse/casa"], email="t@exemplo.com.br")

    def fetch(size: int):
        with CaptureQueriesContext(connection) as ctx:
            body = api.get("/api/v1/leads/", {"page_size": size}).json()
        return body, len(ctx.captured_queries)

    for _ in range(30):
        LeadFactory(owner=world["ana"], team=world["team_a"], tags=["interesse/casa"])
    fetch(1)  # the first request of a client does its own one-time work
    small, small_queries = fetch(2)
    large, large_queries = fetch(30)
    assert small_queries == large_queries
    newest = large["results"][-1]  # the first lead made here, the oldest of the page
    assert newest["tags"] == ["interesse/casa"]
    assert {c["kind"] for c in small["results"][0]["contact_points"]} >= {"phone"}
    assert all(
        set(c) == {"id", "kind", "value", "is_primary", "is_valid", "is_whatsapp", "label"}
        for row in large["results"]
        for c in row["contact_points"]
    )
