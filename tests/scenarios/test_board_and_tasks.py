"""Issue #21 "Consultant desk": the pipeline board (kanban by stage, moves with a reason where the stage asks for
one, the list's visibility rule), tasks and reminders (created by people, by the first-contact SLA and by the
score's recommended action — each once; overdue, done, snooze), the agenda of visits and meetings with its secret
.ics feed, and "the first message to a new lead moves it to Contacted"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from assignment.models import Assignment, Task, TaskOrigin, TaskStatus
from leads.models import EventKind, LeadEvent, LeadStage
from leads.selectors import BOARD_CARDS_PER_STAGE
from tests.factories import LeadFactory
from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board"}


def _local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_board_shows_only_ones_own_leads_by_stage_and_moves_a_card_asking_a_reason_for_lost(world, login):
    ana_leads = world["leads"]["ana"]
    browser = login(world["ana"])

    page = browser.get("/quadro/").content.decode()

    for lead in ana_leads:
        assert lead.full_name in page
    for other in world["leads"]["bruno"] + world["leads"]["carla"]:
        assert other.full_name not in page
    assert 'data-testid="count-new">2<' in page
    assert "sortable-1.15.7.min.js" in page and "js/board.js" in page  # drag and drop, CSP-safe

    # The keyboard path (the card's "Mover para…" form), answered with the refreshed board.
    lead = ana_leads[0]
    moved = browser.post(f"/quadro/leads/{lead.pk}/mover/", {"stage": "contacted"}, **HTMX).content.decode()
    lead.refresh_from_db()
    assert lead.stage == LeadStage.CONTACTED
    assert 'data-testid="count-contacted">1<' in moved and "Contatado" in moved
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.STAGE_CHANGED, channel="web").count() == 1

    # "Perdido" needs a reason: without one the card stays, and the board says why.
    refused = browser.post(f"/quadro/leads/{lead.pk}/mover/", {"stage": "lost"}, **HTMX).content.decode()
    lead.refresh_from_db()
    assert lead.stage == LeadStage.CONTACTED
    assert 'data-testid="board-error"' in refused and "Perdido" in refused
    browser.post(f"/quadro/leads/{lead.pk}/mover/", {"stage": "lost", "reason": "Comprou com outra"}, **HTMX)
    lead.refresh_from_db()
    assert lead.stage == LeadStage.LOST
    event = LeadEvent.objects.filter(lead=lead, kind=EventKind.STAGE_CHANGED).order_by("-id").first()
    assert event.payload["reason"] == "Comprou com outra"

    # Another consultant's card cannot be moved (it does not exist for her).
    foreign = world["leads"]["bruno"][0]
    assert browser.post(f"/quadro/leads/{foreign.pk}/mover/", {"stage": "contacted"}, **HTMX).status_code == 404
    foreign.refresh_from_db()
    assert foreign.stage == LeadStage.NEW


def _ids(body: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="card" data-lead="(\d+)"', body)]


def test_a_board_move_answers_only_what_changed_and_columns_load_more(world, login):
    """Issue #22 "the board is ~300 KB and each move returns the whole board": a move answers only the moved card
    (put in its column out of band) and the two columns' counts; a column shows its newest cards and "ver mais"
    appends the next ones, over the same visibility rule."""
    ana = world["ana"]
    extra = [
        LeadFactory(owner=ana, team=world["team_a"], source=world["source"], full_name=f"Pessoa Quadro {i:02d}")
        for i in range(BOARD_CARDS_PER_STAGE + 5)
    ]
    browser = login(ana)
    page = browser.get("/quadro/").content.decode()
    total_new = len(extra) + len(world["leads"]["ana"])
    assert f'data-testid="count-new">{total_new}<' in page
    first_page = _ids(page)
    assert len(first_page) == BOARD_CARDS_PER_STAGE  # capped: the page no longer grows with the column
    more = re.search(r'hx-get="(/quadro/colunas/new/\?[^"]+)"', page).group(1).replace("&amp;", "&")

    # "Ver mais": the next cards of the column, none of them again, and no further "ver mais" at the end.
    rest = browser.get(more, HTTP_HX_REQUEST="true").content.decode()
    second_page = _ids(rest)
    assert len(second_page) == total_new - BOARD_CARDS_PER_STAGE
    assert not set(first_page) & set(second_page)
    expected = {lead.pk for lead in extra} | {lead.pk for lead in world["leads"]["ana"]}
    assert set(first_page) | set(second_page) == expected
    assert 'id="more-new" hx-swap-oob="true"></p>' in rest
    # Without scripts the link opens the lead list of that stage.
    assert browser.get(more)["Location"].startswith("/leads/?stage=new")

    # A move: the card, out of band, at the top of its new column; the two counts; nothing else of the board.
    lead = extra[-1]
    moved = browser.post(f"/quadro/leads/{lead.pk}/mover/", {"stage": "contacted"}, **HTMX).content.decode()
    assert moved.count('data-testid="card"') == 1 and f'id="card-{lead.pk}"' in moved
    assert f'hx-swap-oob="delete:#card-{lead.pk}"' in moved and 'hx-swap-oob="afterbegin:#cards-contacted"' in moved
    assert f'data-testid="count-new">{total_new - 1}<' in moved and 'data-testid="count-contacted">1<' in moved
    assert len(re.findall(r'data-testid="count-', moved)) == 2
    assert "Pessoa Quadro 00" not in moved and len(moved) < len(page) // 10
    assert 'data-testid="board-message"' in moved

    # A refusal puts the card back in the column the server says it is in, with the reason.
    refused = browser.post(f"/quadro/leads/{lead.pk}/mover/", {"stage": "lost"}, **HTMX)
    body = refused.content.decode()
    assert refused["X-Fluxo-Status"] == "400" and 'data-testid="board-error"' in body
    assert 'hx-swap-oob="afterbegin:#cards-contacted"' in body


def test_ver_mais_stays_within_what_one_may_see(world, login):
    """The next page of a column counts from a card one may see; another team's lead is no cursor (409, nothing of
    it shown), an unknown stage is 404 and a cursor that is not a number a clear 400, never a 500."""
    browser = login(world["ana"])
    foreign = world["leads"]["carla"][0]
    answer = browser.get(f"/quadro/colunas/new/?after={foreign.pk}", HTTP_HX_REQUEST="true")
    assert answer.status_code == 409 and foreign.full_name not in answer.content.decode()
    assert "recarregue" in answer.content.decode().lower()
    assert browser.get("/quadro/colunas/nada/?after=1", HTTP_HX_REQUEST="true").status_code == 404
    assert browser.get("/quadro/colunas/new/?after=x", HTTP_HX_REQUEST="true").status_code == 400
    own = world["leads"]["ana"][0]
    own_page = browser.get(f"/quadro/colunas/new/?after={own.pk}&owner=abc", HTTP_HX_REQUEST="true")
    assert own_page.status_code == 400


def test_the_supervisor_board_covers_the_team_and_filters_by_owner(world, login):
    browser = login(world["sup_a"])

    page = browser.get("/quadro/").content.decode()
    for name in ("ana", "bruno"):
        assert all(lead.full_name in page for lead in world["leads"][name])
    assert world["unassigned_a"].full_name in page
    assert all(lead.full_name not in page for lead in world["leads"]["carla"])

    only_bruno = browser.get(f"/quadro/?owner={world['bruno'].pk}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board")
    body = only_bruno.content.decode()
    assert all(lead.full_name in body for lead in world["leads"]["bruno"])
    assert all(lead.full_name not in body for lead in world["leads"]["ana"])


def test_a_consultant_creates_completes_and_snoozes_tasks_and_sees_what_is_overdue(world, login):
    lead = world["leads"]["ana"][0]
    browser = login(world["ana"])
    soon = timezone.now() + timedelta(hours=2)

    created = browser.post(
        f"/atribuicao/leads/{lead.pk}/tarefas/",
        {"kind": "callback", "due_at": _local_input(soon), "title": "Ligar sobre o financiamento"},
        HTTP_HX_REQUEST="true",
    )
    assert created.status_code == 200
    assert "Ligar sobre o financiamento" in created.content.decode()
    task = Task.objects.get(lead_id=lead.pk)
    assert (task.owner, task.kind, task.origin) == (world["ana"], "callback", TaskOrigin.PERSON)

    # A bad date is refused with the field named, nothing written.
    bad = browser.post(f"/atribuicao/leads/{lead.pk}/tarefas/", {"kind": "visit", "due_at": "amanhã"})
    assert bad.status_code == 302 or bad.status_code == 400
    assert Task.objects.filter(lead_id=lead.pk).count() == 1

    late = Task.objects.create(
        lead_id=world["leads"]["ana"][1].pk,
        owner=world["ana"],
        kind="send_document",
        due_at=timezone.now() - timedelta(hours=3),
    )
    page = browser.get("/tarefas/").content.decode()
    assert "Ligar sobre o financiamento" in page and "Ligar de volta" in page
    assert page.count('data-testid="task-overdue"') == 1 and f'data-task="{late.pk}"' in page

    # Snooze "1 hora": due an hour from now; "Escolher…" in the past is refused.
    browser.post(f"/tarefas/{late.pk}/adiar/", {"snooze": "1h"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="my-tasks")
    late.refresh_from_db()
    assert late.due_at > timezone.now() + timedelta(minutes=55) and late.snoozed_times == 1
    past = browser.post(
        f"/tarefas/{late.pk}/adiar/",
        {"snooze": "pick", "until": _local_input(timezone.now() - timedelta(days=1))},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="my-tasks",
    ).content.decode()
    assert "futuro" in past
    due_before = late.due_at  # an hour ahead now: "Amanhã 9h" counts from that day (past midnight too)
    tomorrow = browser.post(f"/tarefas/{late.pk}/adiar/", {"snooze": "tomorrow"}, HTTP_HX_REQUEST="true")
    assert tomorrow.status_code == 200
    late.refresh_from_db()
    local = timezone.localtime(late.due_at)
    assert (local.date(), local.hour, local.minute) == (timezone.localtime(due_before).date() + timedelta(days=1), 9, 0)

    # A snooze postpones, never brings forward (user test: a visit due the next day snoozed "1 hora" became today).
    ahead = Task.objects.create(
        lead_id=lead.pk, owner=world["ana"], kind="visit", due_at=timezone.now() + timedelta(days=2, hours=3)
    )
    due = ahead.due_at
    browser.post(f"/tarefas/{ahead.pk}/adiar/", {"snooze": "1h"}, HTTP_HX_REQUEST="true")
    ahead.refresh_from_db()
    assert ahead.due_at == due + timedelta(hours=1)
    due = ahead.due_at
    browser.post(f"/tarefas/{ahead.pk}/adiar/", {"snooze": "tomorrow"}, HTTP_HX_REQUEST="true")
    ahead.refresh_from_db()
    local = timezone.localtime(ahead.due_at)
    assert ahead.due_at > due and (local.date(), local.hour) == (timezone.localtime(due).date() + timedelta(days=1), 9)
    ahead.delete()

    # What people did with tasks is on the lead's timeline (it said nothing of them: user test).
    said = list(LeadEvent.objects.filter(lead=lead, kind="task").values_list("payload__text", flat=True))
    assert any(t.startswith("Tarefa criada: Ligar de volta · Ligar sobre o financiamento · ") for t in said), said
    snoozed = list(LeadEvent.objects.filter(lead_id=late.lead_id, kind="task").values_list("payload__text", flat=True))
    assert sum(t.startswith("Tarefa adiada para: Enviar documento") for t in snoozed) == 2, snoozed

    # Done from the lead page: the block answers without it.
    done = browser.post(f"/tarefas/{task.pk}/concluir/", {"from": "lead"}, HTTP_HX_REQUEST="true").content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    assert 'data-testid="lead-tasks"' in done
    page = browser.get(f"/leads/{lead.pk}/").content.decode()
    assert "Tarefa concluída: Ligar de volta · Ligar sobre o financiamento" in page
    assert "<strong>Tarefa</strong>" in page and "<strong>Task</strong>" not in page  # the event's kind, in pt-BR
    assert ">concluída " in done or ">concluída<" in done  # the task's badge agrees with "tarefa" (was "concluído")

    # Nobody else's tasks: another team's consultant gets 404 on them.
    carla = login(world["carla"])
    assert carla.post(f"/tarefas/{late.pk}/concluir/").status_code == 404
    assert "Ligar sobre o financiamento" not in carla.get("/tarefas/").content.decode()


def test_the_sla_watch_and_the_recommended_action_create_each_task_once(world, settings):
    from assignment.services import lead_assign_to, sla_watch
    from qualification.services import leads_score

    settings.ASSIGNMENT_AUTO = False
    lead = world["unassigned_a"]
    leads_score(lead_ids=[lead.pk])
    assignment = lead_assign_to(lead_id=lead.pk, consultant=world["bruno"], actor=world["sup_a"])
    recommended = Task.objects.filter(lead_id=lead.pk, origin=TaskOrigin.RECOMMENDATION)
    assert recommended.count() in (0, 1)  # "discard" asks nothing; any other action is one task for bruno
    assert all(t.owner == world["bruno"] for t in recommended)
    leads_score(lead_ids=[lead.pk])
    assert Task.objects.filter(lead_id=lead.pk, origin=TaskOrigin.RECOMMENDATION).count() == recommended.count()

    # The first contact is at risk, then breached: one "ligar de volta" due when the SLA is.
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() + timedelta(minutes=1))
    sla_watch()
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    sla_watch()
    sla = Task.objects.get(lead_id=lead.pk, origin=TaskOrigin.SLA)
    assert (sla.owner, sla.kind) == (world["bruno"], "callback")


def test_a_recommendation_for_an_owned_lead_becomes_a_task_once(world):
    from assignment.task_services import RECOMMENDED, tasks_from_recommendations
    from qualification.models import LeadScore
    from qualification.services import leads_score

    lead = world["leads"]["ana"][0]
    leads_score(lead_ids=[lead.pk])
    LeadScore.objects.filter(lead_id=lead.pk).update(action="send_material")
    Task.objects.filter(lead_id=lead.pk).delete()

    assert tasks_from_recommendations(lead_ids=[lead.pk]) == 1
    assert tasks_from_recommendations(lead_ids=[lead.pk]) == 0
    task = Task.objects.get(lead_id=lead.pk)
    assert (task.owner, task.kind, task.title) == (world["ana"], RECOMMENDED["send_material"][0], "Enviar material")


def test_the_agenda_shows_the_weeks_visits_and_the_secret_ics_feed_serves_them(world, login, client):
    lead = world["leads"]["ana"][0]
    when = timezone.localtime().replace(hour=15, minute=30, second=0, microsecond=0)
    Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind="visit", due_at=when, title="Decorado; bloco B, 2º")
    Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind="callback", due_at=when)  # not an appointment
    browser = login(world["ana"])

    agenda = browser.get("/agenda/").content.decode()
    assert agenda.count('data-testid="agenda-item"') == 1 and "15:30" in agenda and lead.full_name in agenda
    assert 'data-testid="feed-url"' not in agenda

    browser.post("/agenda/link/")
    agenda = browser.get("/agenda/").content.decode()
    token = world["ana"].calendar_feed.token
    assert f"/agenda/{token}.ics" in agenda

    feed = client.get(f"/agenda/{token}.ics")  # a calendar app: no session, the token is the credential
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 1
    assert "DESCRIPTION:Decorado\\; bloco B\\, 2º" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client.get("/agenda/nao-existe.ics").status_code == 404

    browser.post("/agenda/link/")  # a new address: the old one stops working
    assert client.get(f"/agenda/{token}.ics").status_code == 404


def test_the_first_message_to_a_new_lead_moves_it_to_contacted(
    meta_post, wa, world, login, celery_eager, contact_hours_open, settings
):
    from leads.models import Lead

    settings.ASSIGNMENT_AUTO = False
    meta_post(inbound_text_body(wa_id="5511987650001", name="Joana Prado", text="oi, quero saber do apê"))
    lead = Lead.objects.get(contact_points__value="+5511987650001")
    Lead.objects.filter(pk=lead.pk).update(owner=world["ana"], team=world["team_a"])
    assert lead.stage == LeadStage.NEW
    browser = login(world["ana"])

    browser.post(
        f"/leads/{lead.pk}/whatsapp/text/",
        {"number": wa.number.pk, "to": "+5511987650001", "body": "Oi Joana! Posso te ligar?"},
        HTTP_HX_REQUEST="true",
    )

    lead.refresh_from_db()
    assert lead.stage == LeadStage.CONTACTED
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.STAGE_CHANGED)
    assert (event.payload["from"], event.payload["to"], event.actor) == ("new", "contacted", world["ana"])

    # A later message leaves the stage where people put it.
    Lead.objects.filter(pk=lead.pk).update(stage=LeadStage.PROPOSAL)
    browser.post(
        f"/leads/{lead.pk}/whatsapp/text/",
        {"number": wa.number.pk, "to": "+5511987650001", "body": "Segue a proposta"},
        HTTP_HX_REQUEST="true",
    )
    lead.refresh_from_db()
    assert lead.stage == LeadStage.PROPOSAL


def test_a_task_coming_due_notifies_its_owner_once_and_again_after_a_snooze(world, login, celery_eager):
    from assignment.tasks import tasks_remind_due_task

    lead = world["leads"]["ana"][0]
    task = Task.objects.create(
        lead_id=lead.pk, owner=world["ana"], kind="callback", due_at=timezone.now() + timedelta(minutes=10)
    )
    Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind="visit", due_at=timezone.now() + timedelta(days=2))
    browser = login(world["ana"])

    tasks_remind_due_task.delay()
    tasks_remind_due_task.delay()  # the next beat: nothing new

    page = browser.get("/notificacoes/").content.decode()
    assert page.count("Tarefa para agora") == 1
    browser.post(f"/tarefas/{task.pk}/adiar/", {"snooze": "1h"})
    tasks_remind_due_task.delay()
    assert browser.get("/notificacoes/").content.decode().count("Tarefa para agora") == 1  # an hour away now
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() + timedelta(minutes=5))
    tasks_remind_due_task.delay()
    assert browser.get("/notificacoes/").content.decode().count("Tarefa para agora") == 2


def test_a_message_from_a_bulk_send_moves_a_new_lead_to_contacted_too(
    meta_post, wa, celery_eager, contact_hours_open, settings
):
    """Bulk sends and campaigns go through the anti-ban outbox without the lead page: the gateway's "sent" status
    (a domain signal, whatsapp never imports leads) moves the lead on."""
    from antiban.services import Priority, outbox_dispatch_now, outbox_enqueue
    from leads.models import Lead
    from whatsapp.payloads import text_payload

    settings.ASSIGNMENT_AUTO = False
    NEWS = "Fluxo: novidades da semana, 3 lançamentos na Zona Sul. Responda SAIR para não receber mais."
    meta_post(inbound_text_body(wa_id="5511987650002", name="Caio Lopes", text="oi"))
    lead = Lead.objects.get(contact_points__value="+5511987650002")
    assert lead.stage == LeadStage.NEW

    row = outbox_enqueue(
        contact="+5511987650002",
        priority=Priority.UTILITY,
        payload=text_payload("+5511987650002", NEWS),
        text=NEWS,
        lead_id=lead.pk,
        campaign="novidades",
        kick=False,
    )
    row = outbox_dispatch_now(row_id=row.pk)

    assert row.state == "sent", row.last_reason
    lead.refresh_from_db()
    assert lead.stage == LeadStage.CONTACTED
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.STAGE_CHANGED)
    assert event.actor is None and event.payload["reason"] == "Primeira mensagem enviada"


def test_a_lost_lead_is_no_longer_pushed_for_contact(world, login, django_capture_on_commit_callbacks):
    """Issue #21 user test: a lead in "Perdido" still showed "Ação recomendada: Enviar material", "Primeiro contato
    em até 90 minutos" and an open "Enviar documento" task. Losing it drops the reminders Fluxo made (SLA and
    recommended action); a task a person wrote stays."""
    from qualification.services import leads_score

    lead = world["leads"]["ana"][0]
    leads_score(lead_ids=[lead.pk])
    made = [
        Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind=kind, due_at=timezone.now(), origin=origin)
        for kind, origin in (("send_document", TaskOrigin.RECOMMENDATION), ("callback", TaskOrigin.SLA))
    ]
    own = Task.objects.create(lead_id=lead.pk, owner=world["ana"], kind="callback", due_at=timezone.now())
    browser = login(world["ana"])
    with django_capture_on_commit_callbacks(execute=True):
        moved = browser.post(f"/leads/{lead.pk}/stage/", {"stage": LeadStage.LOST, "reason": "comprou com outro"})
    assert moved.status_code in (200, 302)
    assert not Task.objects.filter(pk__in=[t.pk for t in made]).exists()
    assert Task.objects.filter(pk=own.pk, status=TaskStatus.OPEN).exists()
    card = browser.get(f"/qualificacao/leads/{lead.pk}/").content.decode()
    assert "Nenhuma: o lead está encerrado" in card and "Primeiro contato em até" not in card
