"""The supervisor's tools (pause, rebalance, manual assignment) and the consultant's queue and notifications."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from assignment import services
from assignment.models import Assignment, AssignmentKind, ConsultantProfile
from qualification import services as qualification_services
from tests.factories import LeadFactory, TeamFactory, consultant, supervisor

ALWAYS = {"work_days": list(range(7)), "work_start": time(0, 0), "work_end": time(23, 59, 59)}


def _team(n: int = 3, *, name: str = "Equipe", **profile):
    people = [consultant(username=f"{name.lower()}{i}") for i in range(n)]
    boss = supervisor(username=f"sup-{name.lower()}", email=f"sup-{name.lower()}@example.com")
    team = TeamFactory(name=name, supervisor=boss, members=people)
    for person in people:
        ConsultantProfile.objects.update_or_create(user=person, defaults={**ALWAYS, **profile})
    return team, people, boss


# --- supervisor tools, queue, notifications, API --------------------------------------------------------------------
@pytest.mark.django_db
def test_supervisor_board_pause_rebalance_and_manual_assign(client, celery_eager, django_capture_on_commit_callbacks):
    team, people, boss = _team(3, max_open_leads=2)
    leads = [LeadFactory(team=team) for _ in range(3)]
    for lead in leads:
        services.lead_assign(lead_id=lead.pk)
    client.force_login(boss)
    board = client.get("/supervisor/load/")
    assert board.status_code == 200 and board.content.count(b'data-testid="load-row"') == 3
    leaving = people[0]
    owned = list(Assignment.objects.filter(consultant=leaving, status="active").values_list("lead_id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part runs (eager Celery)
        assert client.post(f"/supervisor/consultants/{leaving.pk}/rebalance/").status_code == 302
    assert not Assignment.objects.filter(consultant=leaving, status="active").exists()
    assert ConsultantProfile.objects.get(user=leaving).is_paused
    for lead_id in owned:
        assert Assignment.objects.get(lead_id=lead_id, status="active").kind == AssignmentKind.REBALANCE
    full = people[1]
    ConsultantProfile.objects.filter(user=full).update(open_leads=2)
    target = LeadFactory(team=team)
    response = client.post(f"/atribuicao/leads/{target.pk}/atribuir/", {"consultant": full.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'role="alert"' in response.content
    assert not Assignment.objects.filter(lead=target).exists()
    ok = client.post(
        f"/atribuicao/leads/{target.pk}/atribuir/", {"consultant": people[2].pk, "reason": "cliente antigo"}
    )
    assert ok.status_code == 302 and Assignment.objects.get(lead=target, status="active").consultant == people[2]


@pytest.mark.django_db
def test_consultant_queue_puts_hot_first_and_notifications_poll(client):
    team, people, _ = _team(1)
    me = people[0]
    cold = LeadFactory(team=team, attributes={"ai": {"intent": "not_interested"}})
    hot = LeadFactory(
        team=team,
        budget_max=Decimal(900_000),
        attributes={"ai": {"intent": "schedule_meeting", "urgency": "high", "buying_stage": "decision"}},
    )
    qualification_services.leads_score(lead_ids=[cold.pk, hot.pk])
    services.lead_assign(lead_id=cold.pk)
    services.lead_assign(lead_id=hot.pk)
    client.force_login(me)
    page = client.get("/fila/").content.decode()
    assert page.index(f'data-lead="{hot.pk}"') < page.index(f'data-lead="{cold.pk}"')
    badge = client.get("/notificacoes/badge/")
    assert b'data-testid="notifications-count">2<' in badge.content
    assert ConsultantProfile.objects.get(user=me).last_seen_at is not None  # online
    client.post("/notificacoes/lidas/")
    assert b"notifications-count" not in client.get("/notificacoes/badge/").content
