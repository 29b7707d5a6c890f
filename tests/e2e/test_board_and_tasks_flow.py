"""Issue #21, in a real browser: a consultant drags a card on the pipeline board (and a stage that needs a reason
asks for it in a dialog), moves one with the keyboard ("Mover para…"), then creates, snoozes and completes a task
from the lead page and "Minhas tarefas". Screenshots for the README tour go to docs/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assignment.models import Task, TaskStatus
from leads.models import EventKind, LeadEvent, LeadStage
from leads.services import lead_create
from tests.factories import LeadSourceFactory, TeamFactory, consultant, supervisor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def desk(db, settings):
    settings.ASSIGNMENT_AUTO = False
    ana = consultant(username="ana")
    TeamFactory(members=[ana], supervisor=supervisor(username="chefe"))
    source = LeadSourceFactory(name="Site")
    leads = [
        lead_create(actor=None, source=source, owner=ana, full_name=name, phones=[phone])
        for name, phone in (
            ("Rita Carioca", "21987654321"),
            ("Otávio Mineiro", "31991112222"),
            ("Paula Gaúcha", "51993334444"),
        )
    ]
    return ana, leads


def _drag(page, card, column) -> None:
    """A pointer drag, in small steps, as a person does it (SortableJS listens to the native drag events)."""
    card.drag_to(column)


def test_a_consultant_drags_cards_on_the_board_and_moves_one_with_the_keyboard(live_server, page, desk):
    _ana, (rita, otavio, paula) = desk
    page.set_viewport_size({"width": 1440, "height": 900})  # every stage in sight
    _login(page, live_server, "ana")
    page.goto(f"{live_server.url}/quadro/")
    expect(page.get_by_test_id("count-new")).to_have_text("3")

    # Drag Rita to "Contatado": the board answers with the card there and the counts moved.
    _drag(page, page.locator(f"[data-lead='{rita.pk}']"), page.locator("[data-stage=contacted]"))
    expect(page.get_by_test_id("count-contacted")).to_have_text("1")
    expect(page.locator(f"[data-stage=contacted] [data-lead='{rita.pk}']")).to_be_visible()
    rita.refresh_from_db()
    assert rita.stage == LeadStage.CONTACTED

    # Drag Otávio to "Perdido": a dialog asks why; cancelling puts the card back.
    _drag(page, page.locator(f"[data-lead='{otavio.pk}']"), page.locator("[data-stage=lost]"))
    dialog = page.locator("#board-reason")
    expect(dialog).to_be_visible()
    dialog.locator("[data-board-reason-cancel]").click()
    expect(page.locator(f"[data-stage=new] [data-lead='{otavio.pk}']")).to_be_visible()
    expect(page.locator(f"[data-stage=lost] [data-lead='{otavio.pk}']")).to_have_count(0)
    otavio.refresh_from_db()
    assert otavio.stage == LeadStage.NEW

    _drag(page, page.locator(f"[data-lead='{otavio.pk}']"), page.locator("[data-stage=lost]"))
    expect(dialog).to_be_visible()
    dialog.locator("textarea").fill("Comprou com outra imobiliária")
    page.get_by_test_id("board-reason-ok").click()
    expect(page.get_by_test_id("count-lost")).to_have_text("1")  # the server's answer, not only the dropped card
    expect(page.locator(f"[data-stage=lost] [data-lead='{otavio.pk}']")).to_be_visible()
    otavio.refresh_from_db()
    assert otavio.stage == LeadStage.LOST
    event = LeadEvent.objects.filter(lead=otavio, kind=EventKind.STAGE_CHANGED).latest("id")
    assert event.payload["reason"] == "Comprou com outra imobiliária"

    # The keyboard path: "Mover para…" on Paula's card opens the move dialog, no pointer involved.
    card = page.locator(f"[data-lead='{paula.pk}']")
    card.get_by_test_id("card-move").focus()
    page.keyboard.press("Enter")
    move = page.locator("#board-move")
    expect(move).to_be_visible()
    expect(move.locator("select[name=stage]")).to_be_focused()
    expect(move.locator("option[value=new]")).to_be_disabled()  # where the card already is
    expect(move.locator("select[name=stage]")).to_have_value("contacted")  # the next stage, not the first one
    move.locator("select[name=stage]").select_option(LeadStage.QUALIFIED)
    page.keyboard.press("Tab")  # the reason (optional here)
    page.keyboard.press("Tab")  # Cancel
    page.keyboard.press("Tab")  # Move
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("count-qualified")).to_have_text("1")
    expect(page.get_by_test_id("count-new")).to_have_text("0")
    expect(page.locator(f"[data-stage=qualified] [data-lead='{paula.pk}']")).to_be_visible()
    expect(page.locator(f"[data-stage=qualified] [data-lead='{paula.pk}'] .board-card-name")).to_be_focused()
    expect(page.locator(f"[data-lead='{paula.pk}']")).to_have_count(1)
    paula.refresh_from_db()
    assert paula.stage == LeadStage.QUALIFIED

    # "Perdido" from the dialog asks for the reason before anything is sent.
    card = page.locator(f"[data-lead='{rita.pk}']")
    card.get_by_test_id("card-move").focus()
    page.keyboard.press("Enter")
    move.locator("select[name=stage]").select_option(LeadStage.LOST)
    move.get_by_test_id("move-submit").click()
    expect(move).to_be_visible()  # the reason is required: the dialog stays open
    move.get_by_test_id("move-reason").fill("Desistiu da compra")
    move.get_by_test_id("move-submit").click()
    expect(page.get_by_test_id("count-lost")).to_have_text("2")
    rita.refresh_from_db()
    assert rita.stage == LeadStage.LOST

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "board-1440.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # columns scroll inside their box
    page.screenshot(path=str(SHOTS / "board-390.png"))


def test_a_consultant_creates_snoozes_and_completes_tasks(live_server, page, desk):
    ana, (rita, otavio, _paula) = desk
    late = Task.objects.create(
        lead_id=otavio.pk,
        owner=ana,
        kind="send_document",
        title="Matrícula",
        due_at=timezone.now() - timedelta(hours=2),
    )
    _login(page, live_server, "ana")

    # From the lead page: a date in the past is refused, and the block says why (an HTMX 400 is shown, not dropped).
    page.goto(f"{live_server.url}/leads/{rita.pk}/")
    block = page.get_by_test_id("lead-tasks")
    block.get_by_test_id("task-new").click()
    last_week = (timezone.localdate() - timedelta(days=7)).isoformat()
    block.locator("input[name=due_at]").fill(f"{last_week}T10:00")
    block.locator("input[name=title]").fill("Ligar semana passada")
    block.get_by_test_id("task-create").click()
    expect(page.get_by_test_id("task-error")).to_be_visible()
    assert not Task.objects.filter(title="Ligar semana passada").exists()

    # Then a "Visita" tomorrow at 10:00.
    block = page.get_by_test_id("lead-tasks")
    if not block.locator("select[name=kind]").is_visible():
        block.get_by_test_id("task-new").click()
    block.locator("select[name=kind]").select_option("visit")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    block.locator("input[name=due_at]").fill(f"{tomorrow}T10:00")
    block.locator("input[name=title]").fill("Visitar o decorado")
    block.get_by_test_id("task-create").click()
    created = page.get_by_test_id("lead-tasks").get_by_test_id("task").filter(has_text="Visitar o decorado")
    expect(created).to_contain_text("Visita")
    visit = Task.objects.get(lead_id=rita.pk, kind="visit")
    assert visit.kind == "visit" and timezone.localtime(visit.due_at).hour == 10

    # "Minhas tarefas": the overdue one is marked; snooze it for an hour, then complete the visit.
    page.goto(f"{live_server.url}/tarefas/")
    overdue = page.locator(f"[data-task='{late.pk}']")
    expect(overdue.get_by_test_id("task-overdue")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "tasks-390.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    overdue.get_by_test_id("task-snooze-choice").select_option("1h")
    overdue.get_by_test_id("task-snooze").click()
    expect(page.locator(f"[data-task='{late.pk}']").get_by_test_id("task-due")).to_be_visible()
    late.refresh_from_db()
    assert late.due_at > timezone.now() + timedelta(minutes=50) and late.snoozed_times == 1

    page.locator(f"[data-task='{visit.pk}']").get_by_test_id("task-done").click()
    expect(page.get_by_test_id("my-tasks").locator(f"[data-task='{visit.pk}']")).to_have_count(0)
    visit.refresh_from_db()
    assert visit.status == TaskStatus.DONE

    # The agenda shows the visit (done) on its day.
    page.goto(f"{live_server.url}/agenda/?semana={tomorrow}")
    expect(page.get_by_test_id("agenda-item")).to_contain_text("Rita Carioca")
    page.screenshot(path=str(SHOTS / "agenda-1440.png"))
