"""Issue #21 "Done when": browser tests for the inbox filters and a quick reply with variables. A consultant in
headless Chromium works the WhatsApp desk: Meta's signed webhooks bring the customers' messages (the Cloud API
simulator on loopback), she filters her inbox, answers from the lead page and inserts a saved reply whose
variables are filled for the lead; the simulator receives what she sent. Screenshots go to docs/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.models import ContactKind, Lead
from tests.factories import LeadFactory, LeadSourceFactory, TeamFactory, consultant, supervisor
from tests.scenarios.conftest import inbound_text_body, meta_post, wa  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _phone(lead) -> str:
    return lead.contact_points.get(kind=ContactKind.PHONE).value


def _log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


@pytest.fixture
def desk(db):
    ana = consultant(username="ana", first_name="Ana")
    team = TeamFactory(name="Equipe Centro", supervisor=supervisor(username="chefe"), members=[ana])
    source = LeadSourceFactory(name="Site")
    marina = LeadFactory(owner=ana, team=team, source=source, full_name="Marina Souza", city="Campinas")
    Lead.objects.filter(pk=marina.pk).update(interest_type="apartment")
    jorge = LeadFactory(owner=ana, team=team, source=source, full_name="Jorge Lima")
    return ana, team, marina, jorge


def test_inbox_filters_in_the_browser(live_server, page, desk, meta_post, wa, contact_hours_open):  # noqa: F811
    from whatsapp.models import ServiceWindow

    _ana, _team, marina, jorge = desk
    meta_post(inbound_text_body(wa_id=_phone(jorge).lstrip("+"), text="Bom dia, o apartamento ainda está à venda?"))
    meta_post(inbound_text_body(wa_id=_phone(marina).lstrip("+"), text="Oi! Quero agendar uma visita"))
    # Jorge wrote 23 h ago: his window closes within the hour.
    ServiceWindow.objects.filter(contact=_phone(jorge)).update(expires_at=timezone.now() + timedelta(minutes=55))

    _log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/leads/whatsapp/")
    rows = page.locator("[data-testid=conversation]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Marina Souza")  # the newest message first
    expect(rows.first).to_contain_text("Quero agendar uma visita")
    expect(rows.nth(1)).to_contain_text("janela fecha em")
    page.set_viewport_size({"width": 1440, "height": 900})
    _shot(page, "inbox-1440.png")

    page.click("[data-testid=inbox-view-closing]")
    page.wait_for_url("**view=closing")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jorge Lima")

    # Ana answers Marina from the lead page: she is no longer waiting, nor unread.
    page.click("[data-testid=inbox-view-all]")
    rows.filter(has_text="Marina Souza").locator("a").first.click()
    page.wait_for_url(f"**/leads/{marina.pk}/**")
    page.fill("#wa-body", "Claro, Marina! Sábado às 10h?")
    page.click("#whatsapp-panel form button.primary >> nth=0")
    expect(page.locator("#whatsapp-panel .bubble.out")).to_contain_text("Sábado às 10h?")

    page.goto(f"{live_server.url}/leads/whatsapp/?view=waiting")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jorge Lima")
    page.click("[data-testid=inbox-view-unread]")
    page.wait_for_url("**view=unread")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jorge Lima")
    page.click("[data-testid=inbox-view-mine]")
    page.wait_for_url("**view=mine")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Você: Claro, Marina!")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "inbox-390.png")


def test_a_quick_reply_with_variables_is_inserted_and_sent(
    live_server,
    page,
    desk,
    meta_post,  # noqa: F811
    wa,  # noqa: F811
    contact_hours_open,
):
    _ana, _team, marina, _jorge = desk
    meta_post(inbound_text_body(wa_id=_phone(marina).lstrip("+"), text="Oi, vi o anúncio"))
    _log_in(page, live_server.url, "ana")
    page.set_viewport_size({"width": 1440, "height": 900})

    page.goto(f"{live_server.url}/leads/quick-replies/")
    page.fill("#qr-title", "Boas-vindas")
    page.fill("#qr-body", "Oi {{primeiro_nome}}, aqui é {{consultor}}! Tenho opções de {{imovel}} em {{cidade}}.")
    page.click("[data-testid=quick-reply-form] button[type=submit]")
    expect(page.locator("[data-testid=quick-reply]")).to_contain_text("Boas-vindas")
    _shot(page, "quick-replies-1440.png")

    page.goto(f"{live_server.url}/leads/{marina.pk}/")
    page.fill("#wa-body", "Bom dia!")
    page.select_option("[data-testid=wa-quick]", label="Boas-vindas")
    text = "Oi Marina, aqui é Ana! Tenho opções de apartamento em Campinas."
    expect(page.locator("#wa-body")).to_have_value(f"Bom dia!\n{text}")
    _shot(page, "quick-reply-inserted-1440.png")
    page.click("#whatsapp-panel form button.primary >> nth=0")
    expect(page.locator("#whatsapp-panel .bubble.out")).to_contain_text("Tenho opções de apartamento em Campinas.")
    assert [m["payload"]["text"]["body"] for m in wa.sent] == [f"Bom dia!\n{text}"]
