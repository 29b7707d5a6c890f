"""The pipeline board's read (``lead_board_columns``): stage counts (exact for the whole pipeline, capped when
filtered) and the newest cards per stage over what the user may see, in three queries whatever the size of the
base."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import LeadStage
from leads.selectors import lead_board_columns
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _lead(owner, team, stage, days_ago):
    return LeadFactory(owner=owner, team=team, stage=stage, created_at=timezone.now() - timedelta(days=days_ago))


def test_columns_follow_the_pipeline_with_counts_and_newest_cards(world, django_assert_num_queries, settings):
    ana, team = world["ana"], world["team_a"]
    old = _lead(ana, team, LeadStage.PROPOSAL, 9)
    new = _lead(ana, team, LeadStage.PROPOSAL, 1)
    middle = _lead(ana, team, LeadStage.PROPOSAL, 5)
    other_team = _lead(world["carla"], world["team_b"], LeadStage.PROPOSAL, 0)

    with django_assert_num_queries(3 + 1):  # + the roles lookup of the visibility rule
        columns = lead_board_columns(user=ana, per_stage=2)

    assert [c["stage"] for c in columns] == list(LeadStage.values)
    proposal = next(c for c in columns if c["stage"] == LeadStage.PROPOSAL)
    assert proposal["label"] == LeadStage.PROPOSAL.label
    assert [lead.pk for lead in proposal["cards"]] == [new.pk, middle.pk]  # newest first, two per stage
    assert proposal["count"] == 3 and not proposal["count_capped"]
    assert other_team.pk not in {lead.pk for c in columns for lead in c["cards"]}
    assert old.owner == ana  # loaded with the card (select_related)

    settings.FLUXO_LIST_COUNT_CAP = 2
    # The whole pipeline: exact counts (the sums the triggers keep); filtered, counts stop at the cap.
    proposal = next(c for c in lead_board_columns(user=ana, per_stage=0) if c["stage"] == LeadStage.PROPOSAL)
    assert (proposal["count"], proposal["count_capped"], proposal["cards"]) == (3, False, [])
    filtered = lead_board_columns(user=ana, per_stage=0, filters={"owner": str(ana.pk)})
    proposal = next(c for c in filtered if c["stage"] == LeadStage.PROPOSAL)
    assert (proposal["count"], proposal["count_capped"], proposal["cards"]) == (2, True, [])
