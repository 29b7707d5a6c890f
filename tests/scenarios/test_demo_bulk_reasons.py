"""Issue #21, "A demo that shows the product" and "bulk-send results with their reasons in plain Portuguese and what
to do": `seed_demo` creates a warmed-up number (a month of history behind its 1K tier) beside a fresh one in
warm-up. On the supervisor's bulk-send page a small send goes green; with the warmed number paused, a send is
refused and the supervisor (not only the admin) reads why, number by number, and what to do."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from antiban.models import BulkSend, Priority
from whatsapp.models import Message, PhoneNumber, Template

pytestmark = pytest.mark.django_db


def _demo_template() -> Template:
    """The simulator's template sync would bring this one under `make run`."""
    account = PhoneNumber.objects.get(phone_number_id="100000000000001").account
    return Template.objects.create(
        account=account,
        name="visita_confirmada",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[
            {"type": "BODY", "text": "Olá {{1}}, sua visita está confirmada."},
            {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."},
        ],
    )


def _send(browser, template, **audience):
    data = {
        "name": "Lembrete de visita",
        "priority": Priority.UTILITY,
        "templates": f"{template.name}|{template.language}",
        "spread_minutes": 60,
        **audience,
    }
    return browser.post("/antiban/bulk/new/", data, follow=True).content.decode()


def test_the_demo_has_a_warmed_number_a_small_send_goes_green_and_a_refusal_says_why(login, contact_hours_open):
    call_command("seed_demo", "--leads", "40", "--force", stdout=StringIO())
    call_command("seed_demo", "--leads", "40", "--force", stdout=StringIO())  # idempotent: no second history
    fresh = PhoneNumber.objects.get(phone_number_id="100000000000001")
    warmed = PhoneNumber.objects.get(phone_number_id="100000000000002")
    history = Message.objects.filter(number=warmed)
    assert 3000 < history.count() < 5000 and warmed.messaging_limit == "TIER_1K"
    assert not Message.objects.filter(number=fresh).exists()

    browser = login(get_user_model().objects.get(username="supervisor"))
    template = _demo_template()
    health = browser.get("/antiban/").content.decode()
    assert "dia 1 de 10" in health  # the fresh number is on its first warm-up day, the other one is not
    numbers = browser.get("/whatsapp/numbers/").content.decode()
    assert "pessoas em 24 h" in numbers and "TIER_1K" not in numbers  # Meta's tier in words, not its code
    assert "<dd>Alta</dd>" in health and "GREEN" not in health.replace("quality-green", "")

    page = _send(browser, template, stage="won")
    assert "Verde: segue, 2 pessoas" in page
    green = BulkSend.objects.get()
    assert (green.light, green.status) == ("green", "released")

    # The warmed-up number is taken out of the rotation: nothing can open conversations now.
    browser.post(f"/whatsapp/numbers/{warmed.pk}/active/", {"active": "0"})
    page = _send(browser, template)
    red = BulkSend.objects.latest("pk")
    assert (red.light, red.status) == ("red", "refused"), red.light_reasons
    dashboard = browser.get("/antiban/").content.decode()
    for said in (
        "40 pessoas, mas os números só podem abrir 0 conversas hoje",
        f"{fresh.display_number} está em aquecimento até",
        "Envie por um número já aquecido",
        f"{warmed.display_number} está pausado no Fluxo: retome-o na página de números do WhatsApp",
    ):
        assert said in page, said  # in the message right after sending
        assert said in dashboard, said  # and on the dashboard's recent sends


def test_a_preview_shows_the_light_and_its_reasons_and_sends_nothing(login, contact_hours_open):
    """Issue #21 user test: the supervisor could learn a send's light only by creating it. "Prever o semáforo" says
    the colour, the audience size and the reasons, and nothing is created or queued."""
    from antiban.models import OutboxMessage

    call_command("seed_demo", "--leads", "40", "--force", stdout=StringIO())
    browser = login(get_user_model().objects.get(username="supervisor"))
    template = _demo_template()
    warmed = PhoneNumber.objects.get(phone_number_id="100000000000002")
    outbox_before = OutboxMessage.objects.count()

    page = _send(browser, template, stage="won", preview="1")
    assert 'data-testid="bulk-preview"' in page and "Prévia: nada foi enviado" in page
    assert "Verde: segue" in page and "2 pessoas no público." in page
    browser.post(f"/whatsapp/numbers/{warmed.pk}/active/", {"active": "0"})
    page = _send(browser, template, preview="1")
    assert "Vermelho: recusado" in page and "40 pessoas no público." in page
    assert "40 pessoas, mas os números só podem abrir 0 conversas hoje" in page
    assert 'value="Lembrete de visita"' in page  # the form keeps what was typed, ready to send or change
    assert not BulkSend.objects.exists() and OutboxMessage.objects.count() == outbox_before

    empty = _send(browser, template, tag="ninguem/tem", preview="1")
    assert "O público está vazio." in empty and not BulkSend.objects.exists()


def test_a_marketing_template_goes_as_marketing_and_sending_or_approving_asks_first(login, contact_hours_open):
    """Issue #21 user test: with "Tipo: Utilidade" a marketing template left out nobody for lack of marketing
    consent; "Verificar e enviar" and "Aprovar" acted with no question; an approved yellow send still read "aguarda
    um supervisor"; template choices read "convite_visita (pt_BR, Marketing)"."""
    call_command("seed_demo", "--leads", "40", "--force", stdout=StringIO())
    browser = login(get_user_model().objects.get(username="supervisor"))
    account = PhoneNumber.objects.get(phone_number_id="100000000000001").account
    invite = Template.objects.create(
        account=account,
        name="convite_visita",
        language="pt_BR",
        category="MARKETING",
        status="APPROVED",
        components=[
            {"type": "BODY", "text": "Olá {{1}}! O lançamento {{2}} abre visitas esta semana. Quer agendar?"},
            {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."},
        ],
    )
    form = browser.get("/antiban/bulk/new/").content.decode()
    assert "convite_visita · Marketing — “Olá {{1}}! O lançamento {{2}} abre visitas esta semana" in form
    assert "(pt_BR" not in form  # the value keeps the code; the label does not show it
    assert "{{1}} é o nome de cada pessoa" in form and "Público: tag" in form and "etiqueta" not in form
    assert 'data-testid="bulk-send-button" data-confirm="Criar este envio em massa?' in form

    data = {
        "name": "Convite",
        "priority": Priority.UTILITY,
        "templates": f"{invite.name}|{invite.language}",
        "spread_minutes": 60,
        "stage": "won",
    }
    page = browser.post("/antiban/bulk/new/", data).content.decode()
    assert "convite_visita é um modelo de marketing: escolha o tipo Marketing" in page
    assert not BulkSend.objects.exists()
    # {{2}} left empty: said before anything is created (the approval of such a send failed at Meta's check)
    page = browser.post("/antiban/bulk/new/", {**data, "priority": Priority.MARKETING}).content.decode()
    assert "O modelo “convite_visita” usa {{2}}: preencha o segundo parâmetro." in page
    assert not BulkSend.objects.exists()

    # A yellow send: the approval asks first, naming how many people; once approved it no longer says it waits.
    from antiban.bulk import bulk_send_decide
    from leads.selectors import lead_audience

    supervisor = get_user_model().objects.get(username="supervisor")
    audience = lead_audience(user=supervisor, filters={"stage": "won"})
    bulk = BulkSend.objects.create(
        name="Convite grande",
        priority=Priority.MARKETING,
        variants=[{"name": invite.name, "language": invite.language}],
        audience=audience,
        light="yellow",
        light_reasons=["Público grande: um supervisor confirma."],
        parameter="Jardins",
        status="pending",
    )
    dashboard = browser.get("/antiban/").content.decode()
    n = len(audience)
    assert f"Liberar este envio para {n} pessoa" in dashboard and 'data-testid="bulk-approve"' in dashboard
    bulk_send_decide(bulk=bulk, approve=True, actor=supervisor)
    dashboard = browser.get("/antiban/").content.decode()
    recent = dashboard.split(f'data-testid="recent-bulk-{bulk.pk}"')[1].split("</li>")[0]
    assert "Amarelo: aprovado" in recent and "aguarda um supervisor" not in recent
    assert "enviadas: " in recent
