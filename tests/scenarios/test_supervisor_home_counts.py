"""Issue #21 ("slow at scale"): the supervisor home counted every lead of the base per stage and per consultant each
minute (≈1 s per count over a million leads), then stopped at FLUXO_LIST_COUNT_CAP ("10000+"). Now the database
keeps the sums as leads come, move and go (triggers on the lead table, ``leads.LeadCount``): a supervisor opening
/supervisor/ sees exact counts per stage and per consultant of their teams' live leads, beyond the cap, in one query
on a small table — and they follow every change: a new lead, a stage change, a reassignment, a merge and its undo,
a deleted lead, an import written in bulk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import EventChannel, Lead, LeadStage
from leads.selectors import lead_counts_compact
from leads.services import lead_change_stage
from leads.services.merge import lead_merge_undo, leads_merge
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _lead(owner, team, stage, days_ago):
    return LeadFactory(owner=owner, team=team, stage=stage, created_at=timezone.now() - timedelta(days=days_ago))


def _counts(page: str) -> dict:
    stages = {stage: int(n) for stage, n in re.findall(r'data-stage="(\w+)">(\d+)<', page)}
    total = int(re.search(r'data-testid="total">(\d+)<', page).group(1))
    return {"total": total, **{k: v for k, v in stages.items() if v}}


def _row(page: str, link: str) -> list[int]:
    """The per-consultant row (found by its link to the list): counts per stage in pipeline order, then the total."""
    row = page[page.index(link) :].split("</tr>")[0]
    return [int(n) for n in re.findall(r"<td>(?:<strong>)?(\d+)<", row)]


def test_the_supervisor_home_counts_exactly_beyond_the_cap_and_follows_every_change(world, login, settings):
    ana, bruno, team_a = world["ana"], world["bruno"], world["team_a"]
    # world: two leads each for ana and bruno (team A), carla and diego (team B), one unassigned in team A — all new.
    meeting = [_lead(ana, team_a, LeadStage.MEETING, 1), _lead(bruno, team_a, LeadStage.MEETING, 2)]
    settings.FLUXO_LIST_COUNT_CAP = 1
    boss = login(world["sup_a"])

    page = boss.get("/supervisor/").content.decode()
    assert _counts(page) == {"total": 7, "new": 5, "meeting": 2}  # team B's leads are not sup_a's
    assert _row(page, f'?owner={ana.pk}"') == [2, 0, 0, 1, 0, 0, 0, 0, 3]

    lead_change_stage(lead=meeting[0], actor=ana, stage=LeadStage.PROPOSAL, reason="", channel=EventChannel.WEB)
    Lead.objects.filter(pk=meeting[1].pk).update(owner=world["carla"], team=world["team_b"])  # to the other team
    world["leads"]["ana"][0].delete()
    assert _counts(boss.get("/supervisor/").content.decode()) == {"total": 5, "new": 4, "proposal": 1}

    survivor, merged = world["leads"]["ana"][1], world["leads"]["bruno"][0]
    merge = leads_merge(into=survivor, other=merged, actor=world["sup_a"], reason="mesma pessoa")
    assert _counts(boss.get("/supervisor/").content.decode())["total"] == 4  # the merged lead lives on in its survivor
    lead_merge_undo(merge=merge, actor=world["sup_a"])
    assert _counts(boss.get("/supervisor/").content.decode())["total"] == 5

    Lead.objects.bulk_create([Lead(full_name=f"Importado {i}", source=world["source"], team=team_a) for i in range(40)])
    page = boss.get("/supervisor/").content.decode()
    assert _counts(page) == {"total": 45, "new": 44, "proposal": 1}
    assert _row(page, '?unassigned=true"') == [41, 0, 0, 0, 0, 0, 0, 0, 41]

    assert lead_counts_compact() > 0  # beat folds the appended rows; the counts stay
    assert _counts(boss.get("/supervisor/").content.decode()) == {"total": 45, "new": 44, "proposal": 1}
    carla_page = login(world["sup_b"]).get("/supervisor/").content.decode()
    assert _counts(carla_page) == {"total": 5, "new": 4, "meeting": 1}
