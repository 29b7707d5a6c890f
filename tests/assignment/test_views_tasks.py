"""The board, "Minhas tarefas" and the lead's task block run the same number of queries however many leads and
tasks there are (no query per card or per task)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assignment.models import Task
from leads.models import LeadStage
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more(world, n: int) -> None:
    stages = LeadStage.values
    for i in range(n):
        lead = LeadFactory(owner=world["ana"], team=world["team_a"], source=world["source"], stage=stages[i % 8])
        Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind="visit", due_at=timezone.now() + timedelta(i))


@pytest.mark.parametrize("url", ["/quadro/", "/tarefas/", "/agenda/"])
def test_pages_do_not_grow_with_the_number_of_leads_and_tasks(world, client, url):
    client.force_login(world["ana"])
    _more(world, 2)
    client.get(url)  # session, profile and caches warmed
    few = _count(client, url)
    _more(world, 24)
    assert _count(client, url) == few


def test_the_lead_task_block_does_not_grow_with_its_tasks(world, client):
    lead = world["leads"]["ana"][0]
    client.force_login(world["ana"])
    url = f"/atribuicao/leads/{lead.pk}/tarefas/"
    Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind="visit", due_at=timezone.now())
    client.get(url)
    few = _count(client, url)
    for i in range(10):
        Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind="callback", due_at=timezone.now() + timedelta(i))
    assert _count(client, url) == few
