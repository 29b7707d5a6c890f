"""A consultant registers an opt-out; the contact point shows it and every contact decision honours it."""

import pytest
from django.urls import reverse

from compliance.models import ConsentChannel, ConsentPurpose
from compliance.services.consent import may_contact
from leads.models import EventKind, LeadEvent

pytestmark = pytest.mark.django_db


def test_consultant_registers_an_opt_out_from_the_lead_page(client, world):
    lead = world["leads"]["ana"][0]
    phone = lead.contact_points.get()
    client.force_login(world["ana"])

    response = client.post(reverse("leads:contact_opt_out", args=[lead.pk, phone.pk]), {"reason": "pediu por telefone"})

    assert response.status_code == 302
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="opted-out"' in page
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.CONSENT, payload__opt_out=True).count() == 1
    decision = may_contact(
        contact=phone.value, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=ConsentPurpose.SERVICE
    )
    assert decision.code == "suppressed"


def test_opting_out_another_consultants_contact_is_a_404(client, world):
    lead = world["leads"]["bruno"][0]
    client.force_login(world["ana"])
    response = client.post(reverse("leads:contact_opt_out", args=[lead.pk, lead.contact_points.get().pk]))
    assert response.status_code == 404
