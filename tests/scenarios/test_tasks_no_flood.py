"""Issue #21, demo user test: "about 2,400 recommended-action tasks are created at startup and /tarefas/ shows only
200 with no paging". Scoring a whole base (``score_leads --open``, as ``make run`` does) turns the score's
recommended action into a task only where one is needed — one open task per lead, none for a lead already at a
meeting or talked to this week, at most a handful per consultant — and a rescore adds nothing. "Minhas tarefas"
pages through every open task 50 at a time, with its filters (kind, origin, due) kept across pages and after a
task is snoozed."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assignment.models import Task, TaskOrigin, TaskStatus
from leads.models import Lead, LeadStage
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_scoring_the_whole_base_asks_for_few_recommended_tasks_once(
    world, settings, django_capture_on_commit_callbacks
):
    settings.ASSIGNMENT_AUTO = False
    month_ago = timezone.now() - timedelta(days=30)
    quiet = [
        LeadFactory(owner=world["ana"], team=world["team_a"], source=world["source"], stage=LeadStage.CONTACTED)
        for _ in range(30)
    ]
    at_meeting = [
        LeadFactory(owner=world["bruno"], team=world["team_a"], source=world["source"], stage=LeadStage.MEETING)
        for _ in range(3)
    ]
    Lead.objects.filter(pk__in=[lead.pk for lead in quiet + at_meeting]).update(created_at=month_ago)
    talked = LeadFactory(owner=world["bruno"], team=world["team_a"], source=world["source"], stage="contacted")
    Lead.objects.filter(pk=talked.pk).update(created_at=month_ago, last_contact_at=timezone.now())

    for _run in range(2):  # make run scores at every start: the second start adds nothing
        with django_capture_on_commit_callbacks(execute=True):
            call_command("score_leads", "--open", stdout=StringIO())
    recommended = Task.objects.filter(origin=TaskOrigin.RECOMMENDATION, status=TaskStatus.OPEN)
    per_lead = list(recommended.values_list("lead_id", flat=True))
    assert len(per_lead) == len(set(per_lead))  # one open recommended task per lead
    assert 0 < recommended.filter(owner=world["ana"]).count() <= settings.ASSIGNMENT_RECOMMENDED_OPEN_PER_OWNER
    # Quiet for a month: "get back in touch"; at a meeting or talked to today: no "nurture" task.
    assert not recommended.filter(lead_id=talked.pk, kind="other").exists()
    assert not recommended.filter(lead_id__in=[lead.pk for lead in at_meeting], kind__in=["send_document"]).exists()

    # Done tasks leave room for the next hottest leads, never the same recommendation twice.
    done = list(recommended.filter(owner=world["ana"]).values_list("lead_id", flat=True)[:5])
    recommended.filter(lead_id__in=done).update(status=TaskStatus.DONE, done_at=timezone.now())
    from assignment.task_services import tasks_from_recommendations

    tasks_from_recommendations(lead_ids=[lead.pk for lead in quiet])
    assert not recommended.filter(lead_id__in=done).exists()


def test_my_tasks_pages_through_every_open_task_and_keeps_its_filters(world, login):
    ana = world["ana"]
    leads = world["leads"]["ana"]
    now = timezone.now()
    for n in range(120):
        Task.objects.create(
            lead_id=leads[n % 2].pk,
            owner=ana,
            kind="visit" if n % 3 == 0 else "callback",
            title=f"Tarefa {n:03d}",
            due_at=now + timedelta(hours=n + 1) if n >= 10 else now - timedelta(hours=n + 1),
        )
    browser = login(ana)

    first = browser.get("/tarefas/").content.decode()
    assert "120 tarefas abertas" in first and first.count('data-testid="task"') == 50
    assert "Página 1 de 3" in first and 'href="?page=2"' in first
    last = browser.get("/tarefas/?page=3").content.decode()
    assert last.count('data-testid="task"') == 20 and "Tarefa 119" in last
    assert browser.get("/tarefas/?page=999").status_code == 200  # a page past the end shows the last one
    assert browser.get("/tarefas/?page=abc&kind=nada&due=ontem").status_code == 200  # bad filters are ignored

    visits = browser.get("/tarefas/?kind=visit").content.decode()
    assert "40 tarefas abertas" in visits and visits.count('data-testid="task"') == 40
    assert "Ligar de volta" not in visits.split('data-testid="my-tasks"')[1].split("</ul>")[0]
    late_visits = browser.get("/tarefas/?kind=visit&due=late", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="my-tasks")
    body = late_visits.content.decode()
    assert "4 tarefas abertas" in body and "<html" not in body
    callbacks = browser.get("/tarefas/?kind=callback&page=2").content.decode()
    assert "Página 2 de 2" in callbacks and 'href="?kind=callback&amp;page=1"' in callbacks

    # Snoozing from page 2 of the callbacks answers with page 2 of the callbacks.
    task_pk = int(re.search(r'data-task="(\d+)"', callbacks).group(1))
    answer = browser.post(
        f"/tarefas/{task_pk}/adiar/",
        {"snooze": "1h", "from": "tasks", "q": "kind=callback&page=2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="my-tasks",
    ).content.decode()
    assert "Página 2 de 2" in answer and "Visita" not in answer.split('data-testid="my-tasks"')[1].split("</ul>")[0]
    plain = browser.post(f"/tarefas/{task_pk}/concluir/", {"from": "tasks", "q": "kind=callback&page=2"})
    assert plain.status_code == 302 and plain["Location"] == "/tarefas/?kind=callback&page=2"
