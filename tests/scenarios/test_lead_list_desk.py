"""Issue #21, desk: the lead list a consultant and a supervisor live in — sort orders (score, class, last contact,
created, name), the columns people ask for (score and class, owner, last contact, source, stage), saved views per
person, pages that never COUNT(*) the whole base, and bulk actions (tag, stage, export, assign) with a bulk
assignment and a rebalance that can be undone."""

from __future__ import annotations

import csv
import io
import re
from datetime import time

import pytest

from assignment.models import Assignment, AssignmentStatus, OwnerMove
from assignment.services import consultant_profile_get_or_create, lead_assign_to
from leads.models import EventKind, Lead, LeadEvent, SavedView
from leads.services import timeline_event_record
from qualification.models import LeadScore
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _score(lead, value: float, category: str) -> None:
    LeadScore.objects.update_or_create(
        lead=lead,
        defaults={
            "score": value,
            "category": category,
            "confidence": 0.5,
            "action": "nurture",
            "sla_minutes": 30,
            "config_version": 1,
            "trigger": "created",
        },
    )


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="lead-row" data-lead="(\d+)"', html)]


def test_a_consultant_sorts_by_score_and_by_last_contact_and_sees_the_columns(world, login):
    low, high = world["leads"]["ana"]
    _score(low, 22, "cold")
    _score(high, 91, "hot")
    timeline_event_record(lead=low, kind=EventKind.MESSAGE_OUT, payload={"text": "Olá!"})
    timeline_event_record(lead=high, kind=EventKind.NOTE, payload={"text": "uma anotação não é contato"})
    low.refresh_from_db()
    assert low.last_contact_at is not None  # kept on the lead by the timeline's trigger
    ana = login(world["ana"])

    by_score = ana.get("/leads/?sort=score").content.decode()
    assert _row_ids(by_score) == [high.pk, low.pk]
    assert "Quente · 91" in by_score and "Frio · 22" in by_score  # class and score, in Portuguese
    assert "último contato" in by_score and "nunca contatado" in by_score
    assert _row_ids(ana.get("/leads/?sort=class").content.decode()) == [high.pk, low.pk]
    assert _row_ids(ana.get("/leads/?sort=last_contact").content.decode()) == [low.pk, high.pk]
    assert _row_ids(ana.get("/leads/?sort=no_contact").content.decode()) == [high.pk, low.pk]

    only_source = ana.get("/leads/?cols=source").content.decode()
    assert "Quente · 91" not in only_source and world["source"].name in only_source


def test_every_sort_and_column_costs_the_same_number_of_queries_for_3_or_40_rows(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for index in range(40):
        lead = LeadFactory(owner=world["ana"], team=world["team_a"], source=world["source"])
        _score(lead, index, "warm")
    sup = login(world["sup_a"])
    columns = "&".join(f"cols={c}" for c in ("stage", "score", "owner", "last_contact", "source", "city", "tags"))

    def queries(size: int, sort: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert sup.get(f"/leads/?sort={sort}&page_size={size}&{columns}").status_code == 200
        return len(captured)

    queries(3, "created")  # the first page view caches the form's sources and owners in Redis
    for sort in ("created", "name", "score", "class", "last_contact", "no_contact"):
        assert queries(3, sort) == queries(40, sort), sort


def test_pages_follow_without_counting_past_the_cap(world, login):
    for _ in range(30):
        LeadFactory(owner=world["ana"], team=world["team_a"], source=world["source"])
    ana = login(world["ana"])
    first = ana.get("/leads/?sort=name&page_size=25").content.decode()
    assert len(_row_ids(first)) == 25 and 'data-testid="next-page"' in first
    assert "32 leads" in first
    second = ana.get("/leads/?sort=name&page_size=25&page=2").content.decode()
    assert len(_row_ids(second)) == 7 and 'data-testid="next-page"' not in second
    assert not set(_row_ids(first)) & set(_row_ids(second))


def test_saved_views_are_per_person(world, login):
    ana, bruno = login(world["ana"]), login(world["bruno"])
    saved = ana.post(
        "/leads/views/", {"name": "Meus favoritos", "query": "sort=score&cols=score&cols=owner&page=3&csrf=x"}
    )
    assert saved.status_code == 302 and saved["Location"] == "/leads/?cols=score&cols=owner&sort=score"
    view = SavedView.objects.get(user=world["ana"], name="Meus favoritos")
    assert 'data-testid="saved-view"' in ana.get("/leads/").content.decode()
    assert "Meus favoritos" not in bruno.get("/leads/").content.decode()
    assert bruno.post(f"/leads/views/{view.pk}/delete/").status_code == 404
    assert ana.post("/leads/views/", {"name": "  ", "query": ""}).status_code == 302  # "Give the view a name."
    assert ana.post(f"/leads/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_bulk_tag_stage_and_export_touch_only_the_selected_visible_leads(world, login):
    mine = world["leads"]["ana"]
    theirs = world["leads"]["carla"][0]
    ana = login(world["ana"])
    ids = [mine[0].pk, theirs.pk]  # another team's id slipped into the form is ignored

    tagged = ana.post("/leads/bulk/tag/", {"lead_ids": ids, "tag": "#interesse/casa", "query": "sort=name"})
    assert tagged.status_code == 302 and tagged["Location"] == "/leads/?sort=name"
    assert list(Lead.objects.filter(tags__path="interesse/casa").values_list("pk", flat=True)) == [mine[0].pk]

    ana.post("/leads/bulk/stage/", {"all_matching": "1", "query": "", "stage": "contacted", "reason": "mutirão"})
    assert set(Lead.objects.filter(stage="contacted").values_list("pk", flat=True)) == {lead.pk for lead in mine}
    event = LeadEvent.objects.filter(lead=mine[1], kind=EventKind.STAGE_CHANGED).get()
    assert event.payload["reason"] == "mutirão" and event.actor == world["ana"]

    export = ana.post("/leads/bulk/export/", {"lead_ids": ids, "format": "csv"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and mine[0].full_name in rows[1]

    nothing = ana.post("/leads/bulk/tag/", {"tag": "x", "query": ""}, follow=True).content.decode()
    assert "Selecione ao menos um lead" in nothing


def test_a_bulk_assignment_is_undone_and_puts_back_only_leads_that_did_not_change(
    world, login, celery_eager, django_capture_on_commit_callbacks
):
    ana_leads, bruno = world["leads"]["ana"], world["bruno"]
    for person in (world["ana"], bruno):
        consultant_profile_get_or_create(person)
    previous = lead_assign_to(lead_id=ana_leads[0].pk, consultant=world["ana"], actor=world["sup_a"])
    sup = login(world["sup_a"])
    theirs = world["leads"]["carla"][0]

    done = sup.post(
        "/atribuicao/em-massa/",
        {"lead_ids": [ana_leads[0].pk, ana_leads[1].pk, theirs.pk], "consultant": bruno.pk, "query": ""},
        follow=True,
    )
    text = done.content.decode()
    assert "2 leads entregues a" in text and 'data-testid="undo"' in text
    assert set(Lead.objects.filter(owner=bruno).values_list("pk", flat=True)) >= {ana_leads[0].pk, ana_leads[1].pk}
    assert Lead.objects.get(pk=theirs.pk).owner == world["carla"]
    move = OwnerMove.objects.get(actor=world["sup_a"])

    # Meanwhile the supervisor hands one of them on again: undo must leave that one alone.
    lead_assign_to(lead_id=ana_leads[1].pk, consultant=world["ana"], actor=world["sup_a"], reason="de volta")
    lead_assign_to(lead_id=ana_leads[1].pk, consultant=bruno, actor=world["sup_a"], reason="e de novo")

    assert 'data-testid="undo-entry"' in sup.get("/notificacoes/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part runs (eager Celery)
        asked = sup.post(f"/atribuicao/desfazer/{move.pk}/", {"next": "/leads/"}, follow=True).content.decode()
    assert 'data-state="undoing"' in asked  # the page answers at once; the worker puts the leads back
    undone = sup.get(f"/atribuicao/mudancas/{move.pk}/").content.decode()
    assert "1 leads voltaram" in undone and "1 mudaram desde então" in undone
    assert Lead.objects.get(pk=ana_leads[0].pk).owner == world["ana"]
    assert Lead.objects.get(pk=ana_leads[1].pk).owner == bruno
    back = Assignment.objects.get(lead_id=ana_leads[0].pk, status=AssignmentStatus.ACTIVE)
    assert back.pk == previous.pk and back.due_at == previous.due_at  # the SLA as it was
    assert sup.post(f"/atribuicao/desfazer/{move.pk}/", follow=True).status_code == 200  # "undone already"
    assert login(world["sup_b"]).post(f"/atribuicao/desfazer/{move.pk}/").status_code == 404


def test_a_rebalance_is_undone_and_the_consultant_is_back_at_work(
    world, login, celery_eager, django_capture_on_commit_callbacks
):
    ana, bruno = world["ana"], world["bruno"]
    consultant_profile_get_or_create(ana)
    consultant_profile_get_or_create(bruno, work_days=list(range(7)), work_start=time(0, 0), work_end=time(23, 59, 59))
    mine = world["leads"]["ana"]
    sup = login(world["sup_a"])
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part runs (eager Celery)
        started = sup.post(f"/supervisor/consultants/{ana.pk}/rebalance/", follow=True).content.decode()
    assert 'data-state="running"' in started
    assert not Lead.objects.filter(owner=ana).exists()
    move = OwnerMove.objects.get(kind="rebalance")
    assert len(move.entries) == len(mine)
    assert set(Lead.objects.filter(owner=bruno).values_list("pk", flat=True)) >= {lead.pk for lead in mine}
    assert 'data-testid="undo"' in sup.get(f"/atribuicao/mudancas/{move.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/atribuicao/desfazer/{move.pk}/")
    assert set(Lead.objects.filter(owner=ana).values_list("pk", flat=True)) == {lead.pk for lead in mine}
    ana.consultant_profile.refresh_from_db()
    assert ana.consultant_profile.is_paused is False


def test_a_bulk_assignment_to_a_full_consultant_says_how_many_were_left_and_why(world, login):
    bruno = world["bruno"]
    consultant_profile_get_or_create(world["ana"])
    # room for one more open lead (a supervisor's move ignores the daily cap)
    consultant_profile_get_or_create(bruno, max_open_leads=1)
    ids = [lead.pk for lead in world["leads"]["ana"]] + [world["unassigned_a"].pk]
    page = login(world["sup_a"]).post(
        "/atribuicao/em-massa/", {"lead_ids": ids, "consultant": bruno.pk, "query": ""}, follow=True
    )
    text = page.content.decode()
    assert "1 leads entregues a" in text and "2 não foram" in text and "sem espaço" in text
    assert Lead.objects.filter(owner=bruno, pk__in=ids).count() == 1
    outsider = login(world["sup_a"]).post(
        "/atribuicao/em-massa/", {"lead_ids": ids, "consultant": world["carla"].pk, "query": ""}, follow=True
    )
    assert "Escolha um consultor das suas equipes" in outsider.content.decode()  # not their team
