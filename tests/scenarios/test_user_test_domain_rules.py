"""Issue #21, Chromium user test — domain rules the pages contradicted: the undo of a "Redistribuir" un-paused a
consultant who was paused before; a stage that needs a reason was enforced on the board only; the lead page of a
consultant's own new lead said it was in nobody's queue; the supervisor's "aguardando a roleta" counts disagreed and
a supervisor's move ate the receiver's daily cap; an out-of-range page of the lead list was empty."""

from __future__ import annotations

from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command

from assignment.models import ConsultantProfile, OwnerMove
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _profiles():
    """Every consultant has a profile (as beat's reconcile makes) and works all day, whenever the suite runs."""
    call_command("reconcile_assignment", stdout=StringIO())
    ConsultantProfile.objects.update(work_days=list(range(7)), work_start=time(0, 0), work_end=time(23, 59, 59))


def test_undoing_a_rebalance_leaves_a_paused_consultant_paused(
    world, login, celery_eager, django_capture_on_commit_callbacks
):
    """Desfazer restores the consultant's availability as it was before the move: paused stays paused (with the
    supervisor's reason); a consultant who was available is available again."""
    _profiles()
    ana, bruno, sup = world["ana"], world["bruno"], login(world["sup_a"])
    sup.post(f"/supervisor/consultants/{ana.pk}/pause/", {"paused": "1", "reason": "férias"})
    assert ConsultantProfile.objects.get(user=ana).is_paused

    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/supervisor/consultants/{ana.pk}/rebalance/")
    move = OwnerMove.objects.get(kind="rebalance", consultant=ana)
    assert move.finished_at is not None and not Lead.objects.filter(owner=ana).exists()
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/atribuicao/desfazer/{move.pk}/")
    assert Lead.objects.filter(owner=ana).count() == 2  # the leads came back…
    profile = ConsultantProfile.objects.get(user=ana)
    assert profile.is_paused and profile.paused_reason == "férias"  # …and she is still on holiday

    # Bruno was working: rebalanced, then undone, he is available again.
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/supervisor/consultants/{bruno.pk}/rebalance/")
    move = OwnerMove.objects.get(kind="rebalance", consultant=bruno)
    assert ConsultantProfile.objects.get(user=bruno).is_paused
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/atribuicao/desfazer/{move.pk}/")
    assert not ConsultantProfile.objects.get(user=bruno).is_paused


def test_a_stage_that_needs_a_reason_is_refused_without_one_everywhere(world, login, api_for):
    """ "Perdido" needs a reason (LEADS_STAGES_REQUIRING_REASON) on the board — and now on the list's bulk action, the
    lead page and the API too, refused with a pt-BR message naming the Motivo field; with a reason each goes through.
    The bulk form marks the stages that need one, for the page's script to ask for it."""
    ana, sup = world["ana"], login(world["sup_a"])
    first, second = world["leads"]["ana"]
    said = "Diga por que o lead vai para “Perdido”: preencha o campo Motivo."

    listing = sup.get("/leads/").content.decode()
    assert '<option value="lost" data-reason-required="1">' in listing and 'data-testid="bulk-reason"' in listing
    assert "Motivo (obrigatório)" in listing  # what the reason field says once "Perdido" is chosen
    refused = sup.post("/leads/bulk/stage/", {"lead_ids": [first.pk, second.pk], "stage": "lost"}, follow=True)
    assert said in refused.content.decode()
    assert set(Lead.objects.filter(pk__in=[first.pk, second.pk]).values_list("stage", flat=True)) == {"new"}
    sup.post("/leads/bulk/stage/", {"lead_ids": [first.pk], "stage": "lost", "reason": "Comprou com outra"})
    first.refresh_from_db()
    assert first.stage == "lost"

    api = api_for(ana)
    answer = api.post(f"/api/v1/leads/{second.pk}/stage/", {"stage": "lost"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "stage_reason_required" and answer.json()["details"]["reason"] == [said]
    answer = api.post(f"/api/v1/leads/{second.pk}/stage/", {"stage": "lost", "reason": "  "}, format="json")
    assert answer.status_code == 400
    answer = api.post(f"/api/v1/leads/{second.pk}/stage/", {"stage": "lost", "reason": "Desistiu"}, format="json")
    assert answer.status_code == 200 and answer.json()["stage"] == "lost"

    third = world["leads"]["bruno"][0]
    page = sup.post(f"/leads/{third.pk}/stage/", {"stage": "lost"}, HTTP_HX_REQUEST="true").content.decode()
    assert said in page
    third.refresh_from_db()
    assert third.stage == "new"
    # Stages that need no reason move without one.
    assert api_for(world["bruno"]).post(f"/api/v1/leads/{third.pk}/stage/", {"stage": "contacted"}).status_code == 200


def test_a_lead_a_consultant_creates_for_themselves_is_theirs_on_the_distribution_card(world, login, settings):
    """ "Novo lead" by a consultant: the page said "Responsável Ana" and, in the distribution card, "Na fila de
    ninguém: a roleta o entrega…". The card now agrees with the owner; a lead nobody owns keeps the queue line."""
    settings.ASSIGNMENT_AUTO = True
    ana = world["ana"]
    browser = login(ana)
    created = browser.post(
        "/leads/new/", {"full_name": "Telma Cadastrada", "phone": "+55 11 98877-1234", "source": world["source"].pk}
    )
    assert created.status_code == 302, created.content[:300]
    lead = Lead.objects.get(full_name="Telma Cadastrada")
    assert lead.owner == ana
    card = browser.get(f"/atribuicao/leads/{lead.pk}/").content.decode()
    assert "Na fila de ninguém" not in card
    assert 'data-testid="assignee">' + ana.get_full_name() in card and "sem a roleta" in card

    unowned = world["unassigned_a"]
    card = login(world["sup_a"]).get(f"/atribuicao/leads/{unowned.pk}/").content.decode()
    assert "Na fila de ninguém" in card


def test_a_rebalance_does_not_eat_the_receivers_daily_cap_and_both_waiting_counts_agree(
    world, login, celery_eager, django_capture_on_commit_callbacks, settings
):
    """Leads a supervisor moves (a rebalance, a bulk or manual assignment) are not "new today" for the receiver:
    Bruno, at his daily cap of new leads, still takes Ana's leads when she leaves (his open-leads cap holds), and his
    "Novos hoje" stays as it was. The home's "aguardando a roleta" and the load board's "lead(s) aberto(s) aguardando
    a roleta" are the same number (the board counted every team's backlog)."""
    import re

    from django.utils import timezone

    from tests.factories import LeadFactory

    settings.ASSIGNMENT_AUTO = False  # the extra leads below stay waiting: nobody spins the roulette meanwhile
    _profiles()
    ana, bruno = world["ana"], world["bruno"]
    today = timezone.localdate()
    ConsultantProfile.objects.filter(user=bruno).update(new_today=25, new_today_date=today, max_new_per_day=25)
    LeadFactory(owner=None, team=world["team_b"], source=world["source"])  # team B's backlog: not sup_a's
    sup = login(world["sup_a"])

    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/supervisor/consultants/{ana.pk}/rebalance/")
    move = OwnerMove.objects.get(kind="rebalance", consultant=ana)
    assert move.result["moved"] == 2 and move.result["waiting"] == 0
    assert Lead.objects.filter(owner=bruno).count() == 4
    board = sup.get("/supervisor/load/").content.decode()
    row = board.split(f'data-user="{bruno.pk}"')[1].split("</tr>")[0]
    assert ">25/25<" in row  # "Novos hoje": the two moved leads did not count

    home = sup.get("/supervisor/").content.decode()
    waiting_home = int(re.search(r'data-testid="attention-waiting"><span class="n">(\d+)<', home).group(1))
    waiting_board = int(re.search(r"(\d+) leads? abertos? aguardando a roleta", board).group(1))
    assert waiting_home == waiting_board == 1  # team A's unassigned lead

    # The undo gives the leads back and leaves Bruno's count of new leads alone.
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/atribuicao/desfazer/{move.pk}/")
    assert ConsultantProfile.objects.get(user=bruno).new_today == 25
    assert Lead.objects.filter(owner=ana).count() == 2


def test_a_page_past_the_end_of_the_lead_list_shows_the_last_page(world, login, settings):
    """``?page=999`` showed an empty page under "5 leads": now it is the last page (Django's ``get_page``); when the
    count is capped and the end is unknown, the page says it is past the end, with the way back."""
    sup = login(world["sup_a"])  # team A: five leads
    last = sup.get("/leads/?page=999&page_size=2").content.decode()
    assert "5 leads" in last and last.count('data-testid="lead-row"') == 1 and "Leads 5–5" in last
    assert "Nenhum lead" not in last
    assert sup.get("/leads/?page=99999999999999999999999").status_code == 200

    settings.FLUXO_LIST_COUNT_CAP = 1
    past = sup.get("/leads/?page=999&page_size=2").content.decode()
    assert 'data-testid="past-end"' in past and "Esta página fica além do fim da lista." in past
    assert "Voltar à primeira página" in past
