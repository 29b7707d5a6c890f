"""Issue #21, demo user test: "demo marketing bulk sends were all refused because demo leads have no consent records".
``seed_demo`` records the legal basis the real web-form flow records (service under preliminary procedures;
marketing with the box ticked, pointing at the consent text shown, with the form as evidence) for most demo leads
— not all: part of the historical base and of the fair's paper forms never ticked it, a few people sent "SAIR"
and a few typed a landline. A supervisor's small marketing send to the web-form leads goes green from the warmed
number; a send to everyone says, in plain pt-BR and with counts, who is left out and why; outside the contact
hours it says who waits and until when."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from antiban.models import BulkSend, Priority
from compliance.models import ConsentRecord, SuppressionEntry
from compliance.services.consent import marketing_consent_text
from leads.models import LeadSource
from whatsapp.models import PhoneNumber, Template

pytestmark = pytest.mark.django_db


def _marketing_template() -> Template:
    """The simulator's template sync would bring it under `make run`."""
    account = PhoneNumber.objects.get(phone_number_id="100000000000001").account
    return Template.objects.create(
        account=account,
        name="novidades_lancamento",
        language="pt_BR",
        category="MARKETING",
        status="APPROVED",
        components=[
            {"type": "BODY", "text": "Olá {{1}}, o lançamento Jardins abriu a tabela de preços."},
            {"type": "FOOTER", "text": "Fluxo Imóveis. Responda SAIR para não receber mais mensagens."},
        ],
    )


def _send(browser, template, **audience):
    data = {
        "name": "Lançamento Jardins",
        "priority": Priority.MARKETING,
        "templates": f"{template.name}|{template.language}",
        "spread_minutes": 60,
        **audience,
    }
    return browser.post("/antiban/bulk/new/", data, follow=True).content.decode()


def test_most_demo_leads_consented_like_the_real_form_and_refusals_are_split(login, contact_hours_open, settings):
    call_command("seed_demo", "--leads", "120", "--force", stdout=StringIO())
    records = ConsentRecord.objects.filter(evidence__has_key="demo_ref")
    count = records.count()
    call_command("seed_demo", "--leads", "120", "--force", stdout=StringIO())
    assert records.count() == count  # idempotent

    marketing = records.filter(purpose="marketing", status="granted")
    assert 90 <= marketing.count() < 120  # most leads, not all
    sample = marketing.filter(source="form").first()
    assert sample.legal_basis == "consent" and sample.text == marketing_consent_text()
    assert sample.evidence["form"] == "Formulário do site" and sample.ip_address
    assert SuppressionEntry.objects.count() == records.filter(status="revoked").count() > 0
    # nobody consented or said "SAIR" after the seed ran (a recent lead's "SAIR a week later" was in the future)
    assert not records.filter(occurred_at__gt=timezone.now()).exists()

    browser = login(get_user_model().objects.get(username="supervisor"))
    template = _marketing_template()
    web_form = LeadSource.objects.get(name="Formulário do site")
    page = _send(browser, template, source=web_form.pk)
    assert "Verde: segue" in page
    green = BulkSend.objects.get()
    assert (green.light, green.status) == ("green", "released")

    page = _send(browser, template)
    everyone = BulkSend.objects.latest("pk")
    assert everyone.light != "green"
    said = re.search(r"Recusados: ([^;]+); ficam fora do envio\.", page)
    assert said, page[:3000]
    parts = {
        label.strip().replace("descadastrado (", "descadastrados ("): int(n)  # "1 descadastrado", "2 descadastrados"
        for n, label in re.findall(r"(\d+) ([^,]+)", said.group(1))
    }
    assert set(parts) == {"descadastrados (opt-out)", "sem consentimento de marketing", "com número inválido"}
    size = len(everyone.audience)
    assert all(parts.values()) and abs(sum(parts.values()) - size * _share(page) / 100) <= size / 100 + 1
    dashboard = browser.get("/antiban/").content.decode()
    assert said.group(0) in dashboard

    # Outside the contact hours, a send says who waits and until when (not a refusal).
    settings.ANTIBAN_CONTACT_DAYS = [(timezone.localdate().weekday() + 2) % 7]  # the business opens in two days
    page = _send(browser, template, source=web_form.pk)
    assert re.search(r"\d+ fora do horário de contato: aguardam até \d\d/\d\d \d\d:\d\d\.", page)


def _share(page: str) -> int:
    return int(re.search(r"(\d+)% do público seria recusado", page).group(1))
