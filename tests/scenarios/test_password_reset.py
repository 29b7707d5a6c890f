"""Issue #21, "Password reset by e-mail, with the same lockout and audit rules as login": a person who forgot the
password asks for a link on the login page, gets it by e-mail (pt-BR), chooses a new password and logs in with it.
The page never tells whether an address exists; a wrong link counts as a failed login; an address asking too often
gets the login's lockout page; a person locked out of the login gets no link while the lockout lasts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from compliance.models import AuditEntry
from tests.factories import consultant

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def _ask(browser: Client, email: str):
    return browser.post("/accounts/password/reset/", {"email": email}, follow=True)


def test_a_person_resets_the_password_by_email_and_logs_in_with_the_new_one(mailoutbox):
    ana = consultant(username="ana", email="ana@imobiliaria.com.br")
    ana.set_password("senha-antiga-esquecida")
    ana.save()
    browser = Client()

    login_page = browser.get("/accounts/login/")
    assert "Esqueceu a senha?" in login_page.content.decode()
    sent = _ask(browser, "ANA@imobiliaria.com.br")
    assert sent.status_code == 200 and "Confira seu e-mail" in sent.content.decode()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ana@imobiliaria.com.br"] and mail.subject == "Fluxo: escolha uma nova senha"
    assert "Seu usuário: ana" in mail.body
    link = LINK.search(mail.body).group(1)

    form = browser.get(link, follow=True)
    assert "Escolha uma nova senha" in form.content.decode()
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Nova-senha-da-Ana-2026", "new_password2": "Nova-senha-da-Ana-2026"},
        follow=True,
    )
    assert "Senha alterada" in done.content.decode()
    assert (
        Client().post("/accounts/login/", {"username": "ana", "password": "Nova-senha-da-Ana-2026"}).status_code == 302
    )
    actions = list(
        AuditEntry.objects.filter(action__startswith="auth.password_reset").values_list("action", "actor_id")
    )
    assert ("auth.password_reset_requested", ana.pk) in actions and ("auth.password_reset", ana.pk) in actions

    # The link worked once: opened again it says so, and counts as a failed login for Ana.
    again = browser.get(link)
    assert "Este link não funciona" in again.content.decode()
    assert AuditEntry.objects.filter(action="auth.login_failed", details__username="ana").exists()


def test_the_page_never_tells_whether_an_address_exists(mailoutbox):
    consultant(username="bia", email="bia@imobiliaria.com.br")
    known = _ask(Client(), "bia@imobiliaria.com.br")
    unknown = _ask(Client(), "ninguem@imobiliaria.com.br")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())
    assert len(mailoutbox) == 1  # only the real address got a mail


def test_the_reset_obeys_the_login_lockout(settings, mailoutbox):
    settings.AXES_FAILURE_LIMIT = 3
    carla = consultant(username="carla", email="carla@imobiliaria.com.br")
    carla.set_password("a-senha-certa-da-carla")
    carla.save()
    attacker = Client()
    for _ in range(3):
        attacker.post("/accounts/login/", {"username": "carla", "password": "chute"})
    assert attacker.post("/accounts/login/", {"username": "carla", "password": "chute"}).status_code == 429

    # Locked out of the login, so no reset link from that network either (and the page still says "sent").
    sent = _ask(attacker, "carla@imobiliaria.com.br")
    assert "Confira seu e-mail" in sent.content.decode() and mailoutbox == []

    # An address that keeps asking gets the login's lockout page.
    flood = Client(REMOTE_ADDR="10.9.8.7")
    answers = [flood.post("/accounts/password/reset/", {"email": f"x{i}@exemplo.com"}).status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]
    assert (
        "Tentativas erradas demais"
        in flood.post("/accounts/password/reset/", {"email": "y@exemplo.com"}).content.decode()
    )
