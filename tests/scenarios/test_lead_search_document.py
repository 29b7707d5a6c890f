"""README "Privacy and security" (CPF blind index) and "Configuration" (`BLIND_INDEX_KEY`: "the blind indexes that make
encrypted identifiers searchable by exact value"): a consultant types a lead's CPF, formatted any way, in the lead
list search (HTML and API) and finds that lead although the column is encrypted; the search never reaches a lead
they cannot see."""

from __future__ import annotations

import pytest

from leads.services import lead_update

CPF = "529.982.247-25"


@pytest.mark.django_db
def test_a_cpf_typed_in_the_search_finds_its_lead_only_for_who_may_see_it(world, login, api_for):
    lead = world["leads"]["ana"][0]
    lead_update(lead=lead, actor=None, data={"document": CPF})
    other = world["leads"]["ana"][1]

    ana = login(world["ana"])
    for typed in (CPF, "52998224725", "529 982 247 25"):
        page = ana.get("/leads/", {"q": typed}).content.decode()
        assert f"/leads/{lead.pk}/" in page and f"/leads/{other.pk}/" not in page

    api = api_for(world["ana"], scopes=("leads:read",))
    found = api.get("/api/v1/leads/", {"q": CPF}).json()
    assert [row["id"] for row in found["results"]] == [lead.pk]

    carla = login(world["carla"])  # another team's consultant
    assert f"/leads/{lead.pk}/" not in carla.get("/leads/", {"q": CPF}).content.decode()
