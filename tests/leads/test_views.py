"""List pages and API lists run the same number of queries whatever the page size. A consultant registers an
opt-out from the lead page; the contact point shows it and every contact decision honours it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.models import ConsentChannel, ConsentPurpose
from compliance.roles import Role
from compliance.services.consent import may_contact
from leads.models import EventKind, LeadEvent
from tests.factories import LeadFactory, LeadSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_leads(world):
    source = LeadSourceFactory(name="Planilha")
    for i in range(40):
        LeadFactory(
            owner=world["ana"],
            team=world["team_a"],
            source=source,
            tags=[f"perfil/p{i % 3}"],
            email=f"l{i}@exemplo.com",
        )
    return world


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_api_list_queries_do_not_grow_with_page_size(many_leads, api_for):
    client = api_for(many_leads["ana"])
    client.get("/api/v1/leads/")  # first use of the token records last_used_at (throttled afterwards)
    small = _count(lambda: client.get("/api/v1/leads/", {"page_size": 3}))
    large = _count(lambda: client.get("/api/v1/leads/", {"page_size": 40}))
    assert small == large
    # 8, plus the bounded count's planner estimate, its time budget and (in a test's transaction) its savepoint
    assert large <= 11


def test_html_list_queries_do_not_grow_with_page_size(many_leads, client):
    client.force_login(many_leads["ana"])
    client.get(reverse("leads:list"))  # warm the session
    small = _count(lambda: client.get(reverse("leads:list"), {"q": "a", "page_size": 3}))
    large = _count(lambda: client.get(reverse("leads:list"), {"q": "a", "page_size": 40}))
    assert small == large
    assert large <= 17  # 14, plus the bounded count's estimate, time budget and savepoint (common.pagination)


def test_supervisor_and_admin_list_queries_are_bounded(many_leads, api_for):
    admin = UserFactory(username="boss", role=Role.ADMIN)
    for user in (many_leads["sup_a"], admin):
        client = api_for(user)
        client.get("/api/v1/leads/")
        assert _count(lambda c=client: c.get("/api/v1/leads/", {"page_size": 5})) == _count(
            lambda c=client: c.get("/api/v1/leads/", {"page_size": 50})
        )


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


def test_a_consultant_registers_a_referral_from_the_lead_page(client, world):
    referrer = world["leads"]["ana"][0]
    client.force_login(world["ana"])

    response = client.post(
        reverse("leads:referral_create", args=[referrer.pk]),
        {"full_name": "pedro indicado", "phone": "(11) 96666-5555", "note": "primo"},
    )

    from leads.models import Lead

    referred = Lead.objects.get(full_name="Pedro Indicado")
    assert response.url == reverse("leads:detail", args=[referred.pk])
    assert (referred.source.kind, referred.owner, referred.team) == ("referral", world["ana"], referrer.team)
    assert referred.attributes == {"referred_by": referrer.pk}
    assert LeadEvent.objects.filter(lead=referrer, payload__referred_lead=referred.pk).exists()
    assert LeadEvent.objects.filter(lead=referred, payload__referred_by=referrer.pk).exists()
    foreign = world["leads"]["carla"][0]
    assert (
        client.post(
            reverse("leads:referral_create", args=[foreign.pk]), {"full_name": "X", "phone": "11955554444"}
        ).status_code
        == 404
    )
    no_contact = client.post(reverse("leads:referral_create", args=[referrer.pk]), {"full_name": "Sem Contato"})
    assert no_contact.status_code == 302
    assert not Lead.objects.filter(full_name="Sem Contato").exists()
