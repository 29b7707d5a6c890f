"""Issue #21, round 2: what every lead-list page and every consultant page asked the database each time is kept in
Redis — the list form's sources and owners until one of them changes, the "seen" heartbeat written at most once a
minute without an UPDATE per poll — and the figures still follow every change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignment.models import ConsultantProfile
from assignment.services import consultant_seen
from tests.factories import LeadSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_list_forms_sources_and_owners_follow_every_change(world, login):
    boss = login(world["sup_a"])
    page = boss.get("/leads/").content.decode()
    assert ">Site<" in page and ">Feira<" not in page

    LeadSourceFactory(name="Feira")
    world["ana"].first_name = "Anabela"
    world["ana"].save()
    newcomer = UserFactory(username="novata", first_name="Nina")
    world["team_a"].members.add(newcomer)
    page = boss.get("/leads/").content.decode()
    assert ">Feira<" in page and "Anabela" in page and f'<option value="{newcomer.pk}"' in page

    world["team_a"].members.remove(newcomer)
    assert f'<option value="{newcomer.pk}"' not in boss.get("/leads/").content.decode()


def test_the_seen_heartbeat_writes_once_a_minute_without_an_update_per_poll(world):
    ana = world["ana"]
    ConsultantProfile.objects.get_or_create(user=ana)
    consultant_seen(ana)
    assert ConsultantProfile.objects.get(user=ana).last_seen_at is not None
    with CaptureQueriesContext(connection) as captured:
        consultant_seen(ana)
    assert not captured.captured_queries
