"""Issue #21 ("slow at scale"): the supervisor home counted every lead of the base per stage each minute (≈1 s per
count over a million leads). A supervisor opens /supervisor/: the stage counts are exact up to FLUXO_LIST_COUNT_CAP
and say "N+" beyond it."""

from __future__ import annotations

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
