"""Issue #20, item 4 — "Budget reading that understands roles": the budget a lead states is told apart from a price
they quote back, a down payment or an instalment, as Meta delivers the message and as a consultant sees the lead.

README "AI middleware": "Extraction of every inbound WhatsApp message … merged into the lead with provenance"; the
issue's examples: "R$ 1,1 mi?? não dá, meu teto é 850" → max 850,000 (not 1,100,000); "o studio de 480 mil do
anúncio ainda tá disponível?" → no budget; "de 600 mil pra cima" → min 600,000 and no max. And README "Importing
leads": a budget column in words ("um milhão e meio") is read by the same amount parser."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from tests.factories import supervisor
from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db


def _lead_after(meta_post, *, wa_id: str, text: str, api):
    """Meta delivers one inbound text from a new number; the integrator reads the lead back through the API."""
    from leads.models import Lead

    response = meta_post(inbound_text_body(wa_id=wa_id, name="Cliente Orçamento", text=text))
    assert response.status_code == 200
    lead = Lead.objects.get(contact_points__value=f"+{wa_id}")
    answer = api.get(f"/api/v1/leads/{lead.pk}/")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize(
    ("wa_id", "text", "expected"),
    [
        ("5511987650001", "R$ 1,1 mi?? não dá, meu teto é 850", (None, Decimal(850_000))),
        ("5511987650002", "o studio de 480 mil do anúncio ainda tá disponível?", (None, None)),
        ("5511987650003", "2 milhões nessa casa?? tá maluco", (None, None)),
        ("5511987650004", "procuro casa de 600 mil pra cima em Campinas", (Decimal(600_000), None)),
        ("5511987650005", "tenho 80 de entrada e financio até 500", (None, Decimal(500_000))),
        ("5511987650006", "consigo pagar 3 mil por mês de parcela", (None, None)),
        ("5511987650007", "temos um milhão e meio pra investir", (Decimal(1_500_000), Decimal(1_500_000))),
    ],
)
def test_an_inbound_whatsapp_message_fills_the_lead_budget_only_with_the_leads_own_budget(
    meta_post, celery_eager, contact_hours_open, integrator, api_for, wa_id, text, expected
):
    """Issue #20 item 4: the budget the integrator (and the consultant's lead page) sees after the AI read the
    message is the lead's own — a limit after a quoted price, a floor, a total after a down payment — and a price
    the lead quotes back, an instalment or a down payment never becomes it."""
    lead = _lead_after(meta_post, wa_id=wa_id, text=text, api=api_for(integrator, scopes=("leads:read",)))

    assert (_money(lead["budget_min"]), _money(lead["budget_max"])) == expected


def test_a_budget_column_in_words_is_imported_with_the_same_amount_parser(login, celery_eager):
    """README "Importing leads" / issue #20 item 4: "um milhão e meio", "de 600 mil pra cima", "entre 200 e 300
    mil" and "R$ 350.000,00" in the budget column become the lead's budget, as the AI reads them in messages."""
    from leads.models import ImportJob, Lead

    rows = [
        ["Ana Budget", "(11) 99111-2001", "um milhão e meio", (Decimal(1_500_000), Decimal(1_500_000))],
        ["Bia Budget", "(11) 99111-2002", "de 600 mil pra cima", (Decimal(600_000), None)],
        ["Caio Budget", "(11) 99111-2003", "entre 200 e 300 mil", (Decimal(200_000), Decimal(300_000))],
        ["Duda Budget", "(11) 99111-2004", "R$ 350.000,00", (Decimal(350_000), Decimal(350_000))],
        ["Enzo Budget", "(11) 99111-2005", "2 milhões e 300 mil", (Decimal(2_300_000), Decimal(2_300_000))],
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Nome", "Celular", "Orçamento"])
    writer.writerows(row[:3] for row in rows)
    file = io.BytesIO(out.getvalue().encode("utf-8"))
    file.name = "orcamentos.csv"
    browser = login(supervisor(username="sup_orcamento"))

    response = browser.post("/leads/imports/", {"file": file, "source_name": "Feira de orçamentos"})
    assert response.status_code == 302, response.content[:500]
    detail = response["Location"]
    assert browser.post(detail, {}).status_code == 302
    job = ImportJob.objects.get(pk=int(re.search(r"/imports/(\d+)/", detail).group(1)))

    job.refresh_from_db()
    assert (job.created, job.rejected) == (len(rows), 0)
    stored = {lead.full_name: (lead.budget_min, lead.budget_max) for lead in Lead.objects.filter(source=job.source)}
    assert stored == {row[0]: row[3] for row in rows}
