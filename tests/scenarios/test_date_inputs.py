"""Issue #21 user test: "a date typed in the lead/task forms must work in pt-BR format (dd/mm/aaaa) too, and HTML
<input type=date> values (yyyy-mm-dd)"; a wrong date is refused with a message in Portuguese that says what is wrong
and what to type. Driven over HTTP: the lead page's task form, the task snooze, the lead list's date filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assignment.models import Task

pytestmark = pytest.mark.django_db


def test_a_task_is_scheduled_with_a_brazilian_date_or_the_browsers_iso_value(world, login):
    lead = world["leads"]["ana"][0]
    browser = login(world["ana"])
    day = timezone.localdate() + timedelta(days=3)
    url = f"/atribuicao/leads/{lead.pk}/tarefas/"

    typed = {
        f"{day:%d/%m/%Y} 14:30": (14, 30),  # as people type it
        f"{day:%d-%m-%Y} 9h15": (9, 15),
        f"{day:%Y-%m-%d}T16:45": (16, 45),  # what <input type=datetime-local> sends
    }
    for value, (hour, minute) in typed.items():
        answer = browser.post(url, {"kind": "callback", "due_at": value, "title": value}, HTTP_HX_REQUEST="true")
        assert answer.status_code == 200, value
        due = timezone.localtime(Task.objects.get(lead_id=lead.pk, title=value).due_at)
        assert (due.date(), due.hour, due.minute) == (day, hour, minute), value

    wrong = {
        "31/02/2027 10:00": "não é um dia do calendário",
        "amanhã de manhã": "Informe a data e a hora como dd/mm/aaaa hh:mm",
    }
    for value, message in wrong.items():
        answer = browser.post(url, {"kind": "visit", "due_at": value}, HTTP_HX_REQUEST="true")
        assert answer.status_code < 500 and message in answer.content.decode(), value
    assert Task.objects.filter(lead_id=lead.pk).count() == len(typed)

    task = Task.objects.filter(lead_id=lead.pk).first()
    snoozed = browser.post(
        f"/tarefas/{task.pk}/adiar/",
        {"snooze": "pick", "until": f"{day + timedelta(days=1):%d/%m/%Y} 08:00"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="my-tasks",
    )
    assert snoozed.status_code == 200
    task.refresh_from_db()
    due = timezone.localtime(task.due_at)
    assert (due.date(), due.hour) == (day + timedelta(days=1), 8)


def test_the_lead_list_filters_by_a_brazilian_or_an_iso_date_and_names_a_wrong_one(world, login):
    browser = login(world["ana"])
    today = timezone.localdate()
    mine = {lead.full_name for lead in world["leads"]["ana"]}
    for value in (f"{today:%d/%m/%Y}", f"{today:%Y-%m-%d}"):
        page = browser.get("/leads/", {"created_after": value}).content.decode()
        assert all(name in page for name in mine), value
        later = browser.get("/leads/", {"created_after": f"{today + timedelta(days=2):%d/%m/%Y}"}).content.decode()
        assert not any(name in later for name in mine)
    wrong = browser.get("/leads/", {"created_after": "31/02/2026"})
    assert wrong.status_code == 200 and "não é um dia do calendário" in wrong.content.decode()
    wrong = browser.get("/leads/", {"created_before": "ontem"})
    assert "Informe a data como dd/mm/aaaa" in wrong.content.decode()
