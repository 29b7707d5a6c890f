"""Issue #21, "Password reset": in Chromium on a phone, a supervisor who forgot the password follows "Esqueceu a
senha?" on the login page, gets the link by e-mail (Django's locmem backend captures it), opens it, chooses a new
password and logs in with it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import supervisor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_password_reset_end_to_end(live_server, browser, mailoutbox):
    supervisor(username="sofia", email="sofia@imobiliaria.com.br")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="pt-BR", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("[data-testid=forgot-password]")
    page.fill("#id_email", "sofia@imobiliaria.com.br")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=reset-sent]")).to_contain_text("Confira seu e-mail")

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Escolha uma nova senha")
    page.fill("#id_new_password1", "Sofia-nova-senha-2026")
    page.fill("#id_new_password2", "Sofia-nova-senha-2026")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=reset-complete]")).to_contain_text("Senha alterada")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("[data-testid=reset-complete] a")
    page.fill("#id_username", "sofia")
    page.fill("#id_password", "Sofia-nova-senha-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/supervisor/")
    context.close()
