"""Issue #21, desk, in a real browser (Debian Chromium through Playwright): a consultant creates a lead and is
warned about a likely duplicate before anything is saved, then edits a lead (warned again when the new phone is
someone else's); a supervisor assigns leads in bulk and undoes it from the banner; the rebalance ("Redistribuir
(saída)") asks first — Cancel does nothing, Confirm rebalances, Undo puts the leads back. Screenshots for the
README tour go to docs/screenshots/."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assignment.services import consultant_profile_get_or_create
from leads.models import ContactKind, Lead
from leads.services import lead_create
from tests.factories import LeadSourceFactory, TeamFactory, consultant, supervisor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=False)


def test_create_and_edit_a_lead_with_the_duplicate_warning(live_server, page):
    ana = consultant(username="ana", first_name="Ana", last_name="Souza")
    TeamFactory(members=[ana])
    LeadSourceFactory(name="Balcão")
    rita = lead_create(
        actor=None, source=LeadSourceFactory(name="Site"), owner=ana, full_name="Rita Carioca", phones=["21987654321"]
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, live_server.url, "ana")

    page.goto(f"{live_server.url}/leads/new/")
    page.fill("#id_full_name", "Rita Carioca")
    page.fill("#id_phone", "(21) 98765-4321")
    page.click("form button.primary")
    warning = page.locator("[data-testid=duplicate-warning]")
    expect(warning).to_contain_text("Rita Carioca")
    expect(warning.locator("[data-testid=open-existing]")).to_have_attribute("href", f"/leads/{rita.pk}/")
    assert Lead.objects.count() == 1  # nothing saved before the person decides
    _shot(page, "desk-duplicate-warning-1440")
    page.click("[data-testid=create-anyway]")
    page.wait_for_url("**/leads/*/")
    assert Lead.objects.count() == 2

    other = lead_create(actor=None, source=rita.source, owner=ana, full_name="Otávio Mineiro", phones=["31991112222"])
    page.goto(f"{live_server.url}/leads/{rita.pk}/")
    page.click("[data-testid=edit-lead]")
    page.fill("#id_city", "Niterói")
    page.fill("#id_phone", "31991112222")  # Otávio's phone
    page.click("[data-testid=save-lead]")
    expect(page.locator("[data-testid=duplicate-warning]")).to_contain_text("Otávio Mineiro")
    rita.refresh_from_db()
    assert rita.city == ""  # not saved yet
    page.click("[data-testid=save-anyway]")
    page.wait_for_url(f"**/leads/{rita.pk}/")
    expect(page.locator("h1")).to_have_text("Rita Carioca")
    rita.refresh_from_db()
    assert rita.city == "Niterói"
    assert rita.contact_points.filter(kind=ContactKind.PHONE, value=other.contact_points.get().value).exists()


def _team_with_leads(n: int = 4):
    sup = supervisor(username="sup", first_name="Sílvia", last_name="Supervisora")
    ana = consultant(username="ana", first_name="Ana", last_name="Souza")
    bruno = consultant(username="bruno", first_name="Bruno", last_name="Lima")
    team = TeamFactory(name="Equipe Centro", supervisor=sup, members=[ana, bruno])
    every_hour = {"work_days": list(range(7)), "work_start": time(0, 0), "work_end": time(23, 59, 59)}
    consultant_profile_get_or_create(ana, **every_hour)
    consultant_profile_get_or_create(bruno, **every_hour)
    source = LeadSourceFactory(name="Site")
    leads = [
        lead_create(actor=None, source=source, owner=ana, team=team, full_name=name, phones=[phone])
        for name, phone in [
            ("Carla Dias", "11987650001"),
            ("Davi Rocha", "11987650002"),
            ("Elisa Prado", "11987650003"),
            ("Fábio Nunes", "11987650004"),
        ][:n]
    ]
    return sup, ana, bruno, leads


def test_a_supervisor_assigns_in_bulk_and_undoes_it(live_server, page, celery_eager):
    _sup, ana, bruno, leads = _team_with_leads()
    _login(page, live_server.url, "sup")
    page.goto(f"{live_server.url}/leads/?sort=name")
    for lead in leads[:2]:
        page.check(f"[data-lead='{lead.pk}'] input.row-select")
    page.select_option("[data-testid=bulk-consultant]", str(bruno.pk))
    page.click("[data-testid=bulk-assign]")
    expect(page.locator("#fluxo-confirm")).to_be_visible()
    page.click("[data-testid=confirm-yes]")
    banner = page.locator("[data-testid=undo-banner]")
    expect(banner).to_contain_text("2 leads entregues a Bruno Lima")
    assert set(Lead.objects.filter(owner=bruno).values_list("pk", flat=True)) == {leads[0].pk, leads[1].pk}
    page.set_viewport_size({"width": 1440, "height": 900})
    _shot(page, "desk-bulk-assign-undo-1440")

    page.click(".messages [data-testid=undo]")
    page.click("[data-testid=confirm-yes]")
    expect(page.locator(".messages")).to_contain_text("2 leads voltaram aos responsáveis anteriores")
    assert not Lead.objects.filter(owner=bruno).exists()
    assert Lead.objects.filter(owner=ana).count() == 4


def test_the_rebalance_asks_first_and_can_be_undone(live_server, page, celery_eager):
    _sup, ana, bruno, _leads = _team_with_leads()
    _login(page, live_server.url, "sup")
    page.goto(f"{live_server.url}/supervisor/")
    row = page.locator(f"[data-testid=load-row][data-user='{ana.pk}']")
    rebalance = row.locator("button", has_text="Redistribuir (saída)")

    rebalance.click()
    dialog = page.locator("#fluxo-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Passar os 4 leads abertos de")
    dialog.locator("[data-confirm-no]").click()
    expect(dialog).to_be_hidden()
    assert Lead.objects.filter(owner=ana).count() == 4  # Cancel did nothing

    rebalance.click()
    page.click("[data-testid=confirm-yes]")
    # The worker moves them (eager Celery here: done before the page answers); the message shows the result.
    expect(page.locator("[data-testid=move-result]")).to_contain_text("4 leads — 4 entregues a outros consultores")
    assert not Lead.objects.filter(owner=ana).exists()
    assert Lead.objects.filter(owner=bruno).count() == 4

    page.click(".messages [data-testid=undo]")
    page.click("[data-testid=confirm-yes]")
    expect(page.locator(".messages")).to_contain_text("4 leads voltaram")
    assert Lead.objects.filter(owner=ana).count() == 4
    ana.consultant_profile.refresh_from_db()
    assert not ana.consultant_profile.is_paused


def test_the_lead_list_at_a_desk_and_on_a_phone(live_server, browser):
    _team_with_leads()
    for width, height, name in ((1440, 900, "desk-lead-list-1440"), (390, 844, "desk-lead-list-390")):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="pt-BR")
        page = context.new_page()
        _login(page, live_server.url, "sup")
        page.goto(f"{live_server.url}/leads/?sort=name")
        expect(page.locator("[data-testid=lead-row]")).to_have_count(4)
        _shot(page, name)
        context.close()
