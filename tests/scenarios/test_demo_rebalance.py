"""Issue #21, demo user test: "Redistribuir and its undo ran inside the web request (37 s / 23 s)", "all consultants
are at the 80-new-leads cap, so rebalance leaves leads waiting and bulk assign is impossible" and "the confirmation
said 386 leads, the result 306 moved".

On the seeded demo (after the first roulette handed out the unowned leads, as the beat's sweep does under
``make run``), the supervisor rebalances consultant1: the confirmation names the number of open leads, the page
answers at once with "em andamento" while nothing has moved yet, the worker moves them, and the result (on the
status the page polls, and as a notification) says the same number — all of them fit. The undo is offered only
when the move has finished, and it runs in the worker too. When the others have no room, the result says how many
wait for capacity (moved + waiting = the number confirmed) and links to the capacity tools, where those leads are
counted. A bulk assignment of a few demo leads succeeds."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from assignment.models import ConsultantProfile, Notification, OwnerMove
from assignment.services import unassigned_sweep
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _demo(settings):
    settings.ASSIGNMENT_AUTO = True
    call_command("seed_demo", "--leads", "200", "--force", stdout=StringIO())
    call_command("reconcile_assignment", stdout=StringIO())
    unassigned_sweep(limit=1000)  # the beat's first sweep hands out the demo's unowned leads
    users = get_user_model().objects
    return users.get(username="supervisor"), users.get(username="consultant1"), users.get(username="consultant2")


def test_the_demo_rebalance_runs_in_the_worker_and_its_numbers_agree(
    settings, login, celery_eager, django_capture_on_commit_callbacks
):
    supervisor, leaving, other = _demo(settings)
    owned = Lead.objects.filter(owner=leaving, stage__in=["new", "contacted", "qualified", "meeting", "proposal"])
    owned = owned | Lead.objects.filter(owner=leaving, stage="nurturing")
    total = owned.count()
    assert total > 20
    sup = login(supervisor)

    board = sup.get("/supervisor/load/").content.decode()
    row = board.split(f'data-user="{leaving.pk}"')[1].split("</tr>")[0]
    assert f"Passar os {total} leads abertos de {leaving.get_full_name()} aos outros consultores?" in row

    room_before = dict(ConsultantProfile.objects.values_list("user_id", "new_today"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = sup.post(f"/supervisor/consultants/{leaving.pk}/rebalance/", follow=True)
        assert "Redistribuição de" in _messages(started) and "em andamento" in _messages(started)
        assert Lead.objects.filter(owner=leaving).count() >= total  # the request moved nothing itself
        again = sup.post(f"/supervisor/consultants/{leaving.pk}/rebalance/", {"next": "/supervisor/load/"})
        assert again["Location"] == "/supervisor/load/"  # back to the board it was started from
        again = sup.get("/supervisor/load/")
        assert "já está em andamento" in _messages(again)
        assert 'data-testid="rebalancing"' in sup.get("/supervisor/load/").content.decode()
        # The page that started it shows its progress once (the message); coming back later, the home and the load
        # board still follow it (it was only in Notificações before).
        assert started.content.decode().count('data-testid="move-status"') == 1
        for page in ("/supervisor/", "/supervisor/load/"):
            later = sup.get(page).content.decode()
            assert later.count('data-testid="move-status"') == 1 and 'data-testid="moves-followed"' in later
            assert 'data-state="running"' in later and "em andamento" in later
    move = OwnerMove.objects.get(kind="rebalance")
    status = sup.get(f"/atribuicao/mudancas/{move.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="running"' in status and 'hx-trigger="every 2s"' in status and 'data-testid="undo"' not in status
    assert sup.post(f"/atribuicao/desfazer/{move.pk}/", follow=True).status_code == 200  # refused: still running
    assert "ainda está em andamento" in _messages(sup.post(f"/atribuicao/desfazer/{move.pk}/", follow=True))

    for callback in queued:  # the worker takes the queued task (eager Celery runs it here)
        callback()
    status = sup.get(f"/atribuicao/mudancas/{move.pk}/", HTTP_HX_REQUEST="true").content.decode()
    name = leaving.get_full_name()
    said = f"Redistribuição de {name} concluída: {total} leads — {total} entregues a outros consultores."
    assert said in status and 'data-state="done"' in status and "hx-trigger" not in status
    assert 'data-testid="undo"' in status and "aguardando capacidade" not in status
    assert not Lead.objects.filter(owner=leaving, pk__in=owned.values("pk")).exists()
    note = Notification.objects.get(user=supervisor, kind="move_done")
    assert note.data["text"] == said
    assert said in sup.get("/notificacoes/").content.decode()
    home = sup.get("/supervisor/").content.decode()
    assert said in home and 'data-state="done"' in home and 'data-testid="undo"' in home

    with django_capture_on_commit_callbacks(execute=True):
        undoing = sup.post(f"/atribuicao/desfazer/{move.pk}/", {"next": "/supervisor/"}, follow=True)
    assert 'data-state="undoing"' in _messages(undoing)
    done = sup.get(f"/atribuicao/mudancas/{move.pk}/").content.decode()
    assert f"Desfeito: {total} leads voltaram aos responsáveis anteriores." in done
    assert Lead.objects.filter(owner=leaving).count() >= total
    assert not ConsultantProfile.objects.get(user=leaving).is_paused
    assert dict(ConsultantProfile.objects.values_list("user_id", "new_today")) == room_before  # today's room is back

    # A bulk assignment of a few demo leads goes through: the demo leaves room for the day.
    few = list(Lead.objects.filter(owner=leaving, stage="new").values_list("pk", flat=True)[:3])
    answer = sup.post("/atribuicao/em-massa/", {"lead_ids": few, "consultant": other.pk, "query": ""}, follow=True)
    assert f"{len(few)} leads entregues a {other.get_full_name()}." in _messages(answer)


def test_when_nobody_has_room_the_rebalance_says_how_many_wait_and_where_to_act(
    settings, login, celery_eager, django_capture_on_commit_callbacks
):
    supervisor, leaving, other = _demo(settings)
    today = timezone.localdate()
    # The others can take two more open leads each (a supervisor's move does not count against the daily cap of
    # new leads, which is full: only the open-leads cap limits a rebalance).
    for profile in ConsultantProfile.objects.exclude(user=leaving):
        taken = profile.new_today if profile.new_today_date == today else 0
        ConsultantProfile.objects.filter(pk=profile.pk).update(
            new_today=taken, new_today_date=today, max_new_per_day=taken, max_open_leads=profile.open_leads + 2
        )
    sup = login(supervisor)
    board = sup.get("/supervisor/load/").content.decode()
    row = board.split(f'data-user="{leaving.pk}"')[1].split("</tr>")[0]
    total = int(re.search(r"Passar os (\d+) leads abertos", row).group(1))

    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/supervisor/consultants/{leaving.pk}/rebalance/")
    move = OwnerMove.objects.get(kind="rebalance")
    status = sup.get(f"/atribuicao/mudancas/{move.pk}/").content.decode()
    moved = 2 * 4
    assert (
        f"{total} leads — {moved} entregues a outros consultores, {total - moved} aguardando capacidade "
        "(ninguém tinha espaço)." in status
    )
    assert 'href="/supervisor/#capacity"' in status and "Ferramentas de capacidade" in status
    home = sup.get("/supervisor/").content.decode()
    assert re.search(rf'data-testid="attention-waiting"><span class="n">{total - moved}<', home)
    assert not Lead.objects.filter(owner=leaving, stage__in=["new", "contacted", "qualified"]).exists()

    # A bulk assignment to a consultant without room says so, with the way to the capacity tools.
    waiting = list(Lead.objects.filter(owner__isnull=True, stage="new").values_list("pk", flat=True)[:3])
    answer = sup.post("/atribuicao/em-massa/", {"lead_ids": waiting, "consultant": other.pk, "query": ""}, follow=True)
    text = _messages(answer)
    assert "0 leads entregues a" in text and "3 não foram" in text and 'href="/supervisor/#capacity"' in text
