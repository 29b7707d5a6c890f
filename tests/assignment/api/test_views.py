"""The assignment API: the team's load and assigning a lead."""

from __future__ import annotations

from datetime import time

import pytest

from assignment.models import ConsultantProfile
from tests.factories import LeadFactory, TeamFactory, consultant, supervisor

ALWAYS = {"work_days": list(range(7)), "work_start": time(0, 0), "work_end": time(23, 59, 59)}


def _team(n: int = 3, *, name: str = "Equipe", **profile):
    people = [consultant(username=f"{name.lower()}{i}") for i in range(n)]
    boss = supervisor(username=f"sup-{name.lower()}", email=f"sup-{name.lower()}@example.com")
    team = TeamFactory(name=name, supervisor=boss, members=people)
    for person in people:
        ConsultantProfile.objects.update_or_create(user=person, defaults={**ALWAYS, **profile})
    return team, people, boss


@pytest.mark.django_db
def test_assignment_api(api_for, integrator):
    team, people, boss = _team(2)
    lead = LeadFactory(team=team)
    api = api_for(boss)
    assert api.get(f"/api/v1/leads/{lead.pk}/assignment/").status_code == 404
    body = api.post(
        f"/api/v1/leads/{lead.pk}/assignment/", {"consultant_id": people[1].pk, "reason": "x"}, format="json"
    ).json()
    assert body["consultant_id"] == people[1].pk and body["kind"] == "manual"
    assert api.get(f"/api/v1/leads/{lead.pk}/assignment/").json()["consultant_id"] == people[1].pk
    assert api_for(integrator).post(f"/api/v1/leads/{lead.pk}/assignment/", {}, format="json").status_code == 403
    load = api_for(integrator).get("/api/v1/assignment/load/").json()
    assert {row["consultant_id"] for row in load} == {p.pk for p in people}
