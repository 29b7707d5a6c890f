"""The public web form: embeddable, creates or merges the lead, records consent, ignores bots, limits floods."""

import pytest
from django.urls import reverse

from compliance.models import ConsentPurpose, ConsentRecord
from compliance.services.consent import may_contact
from leads.models import Lead, LeadSource

pytestmark = pytest.mark.django_db
DATA = {
    "full_name": "Carla Dias",
    "phone": "(11) 97777-6666",
    "email": "",
    "city": "campinas",
    "budget": "entre 300 e 400 mil",
    "message": "Quero um apartamento de 2 quartos",
    "website": "",
}


@pytest.fixture
def form_url():
    source = LeadSource.objects.create(name="Site — lançamento", kind="web_form", public_token="lancamento-2026")
    return reverse("web_form", args=[source.public_token])


def test_the_form_is_embeddable_and_shows_the_current_consent_text(client, form_url):
    page = client.get(form_url)
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    assert "Aceito receber ofertas" in page.content.decode()


def test_a_submission_creates_the_lead_and_records_consent_only_when_ticked(client, form_url):
    assert client.post(form_url, DATA).status_code == 200
    lead = Lead.objects.get()
    assert (lead.city, lead.budget_min, lead.budget_max, lead.interest_type) == (
        "Campinas",
        300000,
        400000,
        "apartment",
    )
    phone = "+5511977776666"
    purposes = set(ConsentRecord.objects.values_list("purpose", "legal_basis"))
    assert purposes == {("service", "contract")}  # box not ticked: no marketing consent
    assert may_contact(contact=phone, kind="phone", channel="whatsapp", purpose=ConsentPurpose.SERVICE).allowed
    assert not may_contact(contact=phone, kind="phone", channel="whatsapp", purpose=ConsentPurpose.MARKETING).allowed

    client.post(form_url, DATA | {"marketing": "on"})  # the same person again, now ticking the box
    assert Lead.objects.count() == 1
    assert Lead.objects.get().recurrence_count == 2
    marketing = ConsentRecord.objects.get(purpose="marketing")
    assert marketing.text.version == 1 and marketing.ip_address == "127.0.0.1"
    assert may_contact(contact=phone, kind="phone", channel="whatsapp", purpose=ConsentPurpose.MARKETING).allowed


def test_bots_filling_the_honeypot_get_thanks_and_nothing_is_kept(client, form_url):
    assert client.post(form_url, DATA | {"website": "http://spam"}).status_code == 200
    assert not Lead.objects.exists()


def test_floods_from_one_address_are_limited_and_bad_input_says_why(client, form_url):
    missing = client.post(form_url, DATA | {"phone": ""})
    assert missing.status_code == 400
    assert "WhatsApp" in missing.content.decode()
    codes = [
        client.post(form_url, DATA | {"full_name": f"P {i}", "phone": f"1197777{i:04d}"}).status_code for i in range(21)
    ]
    assert codes[-1] == 429
    assert Lead.objects.count() == 20
