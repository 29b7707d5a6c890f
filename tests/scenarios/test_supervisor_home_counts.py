"""Issue #21 ("slow at scale"): the supervisor home counted every lead of the base per stage each minute (≈1 s per
count over a million leads). A supervisor opens /supervisor/: the stage counts are exact up to FLUXO_LIST_COUNT_CAP
and say "N+" beyond it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import LeadStage
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _lead(owner, team, stage, days_ago):
    return LeadFactory(owner=owner, team=team, stage=stage, created_at=timezone.now() - timedelta(days=days_ago))


def test_the_supervisor_home_shows_capped_stage_counts(world, login, settings):
    _lead(world["ana"], world["team_a"], LeadStage.MEETING, 1)
    _lead(world["bruno"], world["team_a"], LeadStage.MEETING, 2)
    page = login(world["sup_a"]).get("/supervisor/").content.decode()
    assert 'data-stage="meeting">2<' in page

    settings.FLUXO_LIST_COUNT_CAP = 1
    page = login(world["sup_a"]).get("/supervisor/").content.decode()
    assert 'data-stage="meeting">1+<' in page


def test_the_stuck_tile_counts_only_the_supervisors_team_and_links_to_those_leads(world, login, settings):
    """Issue #22: the home's "parados" tile (leads still new after FLUXO_STALE_LEAD_DAYS) showed "—" and, once the
    beat task had run, a count over every team's leads — a cross-team leak. Each supervisor sees the count of their
    own team's stuck leads, and the tile opens the list of exactly those."""
    settings.FLUXO_STALE_LEAD_DAYS = 7
    stuck_a = [_lead(world["ana"], world["team_a"], LeadStage.NEW, 10), _lead(None, world["team_a"], LeadStage.NEW, 30)]
    stuck_b = [_lead(world["carla"], world["team_b"], LeadStage.NEW, 9 + i) for i in range(3)]
    _lead(world["bruno"], world["team_a"], LeadStage.CONTACTED, 20)  # moved on: not stuck
    _lead(world["bruno"], world["team_a"], LeadStage.NEW, 2)  # new, but recent

    for sup, own, other in ((world["sup_a"], stuck_a, stuck_b), (world["sup_b"], stuck_b, stuck_a)):
        browser = login(sup)
        page = browser.get("/supervisor/").content.decode()
        tile = re.search(r'<a class="stat[^"]*" href="([^"]+)" data-testid="attention-stale">(.*?)</a>', page, re.S)
        assert tile is not None
        assert f'data-testid="stale-count">{len(own)}<' in tile.group(2)
        listing = browser.get(tile.group(1).replace("&amp;", "&")).content.decode()
        assert all(lead.full_name in listing for lead in own)
        assert all(lead.full_name not in listing for lead in other)
        older = [lead.full_name for lead in world["leads"]["ana"] + world["leads"]["bruno"]]  # created just now
        assert all(name not in listing for name in older)

    settings.FLUXO_LIST_COUNT_CAP = 1
    page = login(world["sup_b"]).get("/supervisor/").content.decode()
    assert 'data-testid="stale-count">1+<' in page
