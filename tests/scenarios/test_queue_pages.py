"""Issue #21 ("slow at scale"): the consultant queue /fila/ rendered its 200 first rows out of every open assignment
loaded and sorted in Python. Now it shows 50 per page in the same order ("Leads awaiting first contact, hot first,
…"), sorted by PostgreSQL, says how many open leads there are and pages through all of them — a consultant with
more open leads than one page sees the rest on the next pages, none twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from assignment.models import Assignment, AssignmentStatus
from qualification.models import LeadScore
from tests.factories import LeadFactory, TeamFactory, consultant

pytestmark = pytest.mark.django_db


def _rows(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="queue-row" data-lead="(\d+)"', page)]


def _assign(person, team, lead, *, due_in_minutes: int, contacted: bool = False):
    now = timezone.now()
    return Assignment.objects.create(
        lead=lead,
        consultant=person,
        team=team,
        kind="roulette",
        status=AssignmentStatus.ACTIVE,
        sla_minutes=60,
        assigned_at=now - timedelta(hours=1),
        due_at=now + timedelta(minutes=due_in_minutes),
        first_contact_at=now if contacted else None,
    )


def _score(lead, category: str, score: float):
    LeadScore.objects.create(
        lead=lead,
        score=score,
        category=category,
        confidence=0.7,
        action="send_material",
        sla_minutes=60,
        config_version=1,
        trigger="created",
    )


def test_the_queue_pages_through_every_open_lead_in_order(login):
    person = consultant(username="fila-paginas")
    team = TeamFactory(name="Equipe Fila", members=[person])
    cold = []
    for i in range(55):  # cold, awaiting first contact, due one minute apart
        lead = LeadFactory(owner=person, team=team, full_name=f"Frio {i:02d}")
        _score(lead, "cold", 20)
        _assign(person, team, lead, due_in_minutes=10 + i)
        cold.append(lead.pk)
    hot = LeadFactory(owner=person, team=team, full_name="Quente Agora")
    _score(hot, "hot", 90)
    _assign(person, team, hot, due_in_minutes=500)  # due last, but hot: first
    contacted = LeadFactory(owner=person, team=team, full_name="Já Falei")
    _score(contacted, "hot", 95)
    _assign(person, team, contacted, due_in_minutes=1, contacted=True)  # contacted: after everyone awaiting
    ended = LeadFactory(owner=person, team=team, full_name="Encerrado")
    Assignment.objects.filter(pk=_assign(person, team, ended, due_in_minutes=1).pk).update(status="ended")

    browser = login(person)
    first = browser.get("/fila/").content.decode()
    second = browser.get("/fila/?page=2").content.decode()

    assert "57 leads em aberto" in first
    assert len(_rows(first)) == 50 and 'data-testid="queue-next"' in first
    assert _rows(first) + _rows(second) == [hot.pk, *cold, contacted.pk]
    assert "Página 2 de 2" in second and 'data-testid="queue-previous"' in second
    assert ended.pk not in _rows(first) + _rows(second)
    # The page polls itself every 30 s: the refreshed fragment is the same page, still polling.
    polled = browser.get("/fila/?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert _rows(polled) == _rows(second) and 'hx-get="/fila/?page=2"' in polled
    # A page past the end, or not a number, is a page of the queue, never an error.
    assert _rows(browser.get("/fila/?page=99").content.decode()) == _rows(second)
    assert _rows(browser.get("/fila/?page=abc").content.decode()) == _rows(first)
