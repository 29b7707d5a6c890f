"""A consultant logs in, filters the list, opens a lead, adds a note and sees it on the timeline."""

import pytest
from playwright.sync_api import expect

from leads.models import EventKind, LeadEvent, LeadStage
from leads.services import lead_create
from tests.factories import LeadSourceFactory, TeamFactory, consultant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def test_consultant_filters_opens_a_lead_and_adds_a_note(live_server, page, tmp_path):
    ana, other = consultant(username="ana"), consultant(username="outro")
    TeamFactory(members=[ana, other])
    source = LeadSourceFactory(name="Site")
    rita = lead_create(actor=None, source=source, owner=ana, full_name="Rita Carioca", phones=["21987654321"])
    lead_create(actor=None, source=source, owner=ana, full_name="Otávio Mineiro", phones=["31991112222"])
    lead_create(actor=None, source=source, owner=other, full_name="Rita Alheia", phones=["11977776666"])

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/leads/")
    expect(page.locator(".lead-row")).to_have_count(2)  # only her own leads

    page.fill("input[name=q]", "rita")
    rows = page.locator(".lead-row")
    expect(rows).to_have_count(1)  # HTMX swapped the results in
    page.wait_for_url("**q=rita**")  # and pushed the URL, so the filtered list can be shared or reloaded
    assert "Rita Carioca" in rows.first.inner_text()
    assert page.evaluate("document.querySelectorAll('.topbar').length") == 1  # swapped, not reloaded into itself

    rows.first.locator("a").click()
    page.wait_for_url(f"**/leads/{rita.pk}/")
    page.fill("#id_text", "Cliente quer visitar o decorado no sábado")
    page.click(".note-form button[type=submit]")
    expect(page.locator("[data-testid=timeline] .kind-note")).to_contain_text("Cliente quer visitar o decorado")

    page.select_option("#id_stage", LeadStage.CONTACTED)
    page.click(".stage-form button[type=submit]")
    expect(page.locator("[data-testid=timeline] .kind-stage_changed")).to_have_count(1)
    expect(page.locator("#stage-badge")).to_have_class("badge stage-contacted")

    note = LeadEvent.objects.get(lead=rita, kind=EventKind.NOTE)
    assert (note.actor, note.payload["text"]) == (ana, "Cliente quer visitar o decorado no sábado")
    page.screenshot(path=tmp_path / "lead-360.png", full_page=True)  # kept by pytest for a look
