"""Issue #21, "a way to handle leads waiting for capacity (raise caps for today, assign in bulk, spread to another
team)": after an import every consultant of team A is at the day's limit and leads sit "aguardando a roleta". From
the supervisor home, sup_a spins the roulette (nobody has room: it says so), raises today's limit (the leads are
handed out, and the raise lapses tomorrow), and sends a later backlog to team B, whose consultants take it."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from assignment.models import ConsultantProfile
from assignment.services import consultant_profile_get_or_create, roulette_candidates_available
from leads.models import EventKind, Lead, LeadEvent
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _full_today(*people, cap: int = 1):
    today = timezone.localdate()
    for person in people:
        consultant_profile_get_or_create(
            person, work_days=list(range(7)), work_start=time(0, 0), work_end=time(23, 59, 59)
        )
        ConsultantProfile.objects.filter(user=person).update(max_new_per_day=cap, new_today=cap, new_today_date=today)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_supervisor_deals_with_leads_waiting_for_the_roulette(world, login):
    _full_today(world["ana"], world["bruno"])
    consultant_profile_get_or_create(
        world["carla"], work_days=list(range(7)), work_start=time(0, 0), work_end=time(23, 59, 59)
    )
    consultant_profile_get_or_create(
        world["diego"], work_days=list(range(7)), work_start=time(0, 0), work_end=time(23, 59, 59)
    )
    team_a = world["team_a"]
    waiting = [world["unassigned_a"], *(LeadFactory(owner=None, team=team_a, source=world["source"]) for _ in range(3))]
    sup_a = login(world["sup_a"])

    home = sup_a.get("/supervisor/").content.decode()
    assert re.search(r'data-testid="attention-waiting"><span class="n">4<', home)
    assert "4 leads aguardando a roleta" in home
    assert "Equipe B" in home and f'value="{team_a.pk}"' not in home.split('id="capacity-team"')[1][:300]

    answer = sup_a.post("/supervisor/capacity/assign/", follow=True)
    said = _messages(answer)
    assert "Distribuídos agora: 0; ainda aguardando a roleta: 4." in said
    assert "Ninguém pôde recebê-los: veja no quadro de carga da equipe quem está pausado" in said  # not a bare 0
    sup_a.post(f"/supervisor/consultants/{world['ana'].pk}/pause/", {"paused": "1"})
    board = sup_a.get("/supervisor/load/").content.decode()
    assert '<span class="badge warn">em pausa</span>' in board  # not "pausado" for Ana
    sup_a.post(f"/supervisor/consultants/{world['ana'].pk}/pause/", {"paused": "0"})

    answer = sup_a.post("/supervisor/capacity/raise/", {"extra": "2"}, follow=True)
    assert "Hoje cada um dos 2 consultores pode receber 2 leads a mais." in _messages(answer)
    assert "Distribuídos agora: 4; ainda aguardando a roleta: 0." in _messages(answer)
    assert "Ninguém pôde" not in _messages(answer)
    owners = set(Lead.objects.filter(pk__in=[lead.pk for lead in waiting]).values_list("owner__username", flat=True))
    assert owners == {"ana", "bruno"}
    # The raise is for today only: tomorrow's roulette sees the usual caps.
    tomorrow = timezone.now() + timedelta(days=1)
    caps = {c.user_id: c for c in roulette_candidates_available(team_ids=[team_a.pk], now=tomorrow)}
    assert all(c.max_open_leads == 80 for c in caps.values())

    bad = sup_a.post("/supervisor/capacity/raise/", {"extra": "mil"}, follow=True)
    assert "Digite quantos leads a mais cada consultor pode receber hoje" in _messages(bad)
    own_team = sup_a.post("/supervisor/capacity/spread/", {"team": team_a.pk}, follow=True)
    assert "Escolha outra equipe ativa." in _messages(own_team)

    # A later backlog, with team A full again, goes to team B.
    _full_today(world["ana"], world["bruno"], cap=3)
    ConsultantProfile.objects.update(extra_today=0)
    later = [LeadFactory(owner=None, team=team_a, source=world["source"]) for _ in range(2)]
    answer = sup_a.post("/supervisor/capacity/spread/", {"team": world["team_b"].pk}, follow=True)
    assert "2 leads enviados para Equipe B." in _messages(answer)
    assert "Distribuídos agora: 2; ainda aguardando a roleta: 0." in _messages(answer)
    moved = Lead.objects.filter(pk__in=[lead.pk for lead in later])
    assert set(moved.values_list("team__name", flat=True)) == {"Equipe B"}
    assert set(moved.values_list("owner__username", flat=True)) <= {"carla", "diego"}
    note = LeadEvent.objects.get(lead=later[0], kind=EventKind.NOTE)
    assert note.payload["text"] == "Enviado para a equipe “Equipe B”: ninguém da equipe anterior tinha espaço."


def test_consultants_cannot_use_the_capacity_tools(world, login):
    ana = login(world["ana"])
    for path in ("/supervisor/capacity/raise/", "/supervisor/capacity/assign/", "/supervisor/capacity/spread/"):
        assert ana.post(path, {"extra": "5", "team": world["team_b"].pk}).status_code in (403, 404)
    assert not ConsultantProfile.objects.filter(extra_today__gt=0).exists()
