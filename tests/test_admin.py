"""Every model has an admin; its pages load; lead changes made in the admin go through services."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from leads.models import EventKind, LeadEvent, LeadStage
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN_APPS = {"leads", "assignment", "compliance", "whatsapp", "antiban", "ai_middleware", "qualification"}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_every_fluxo_model_is_registered_and_its_pages_load(admin_client, world):
    LeadFactory(tags=["perfil/investidor"])
    models = [m for m in apps.get_models() if m._meta.app_label in OWN_APPS]
    assert models
    for model in models:
        assert admin.site.is_registered(model), f"{model.__name__} has no admin"
        opts = model._meta
        changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "a"})
        assert changelist.status_code == 200, opts.label
        obj = model.objects.first()
        if obj is not None:
            change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
            assert change.status_code == 200, opts.label


def test_the_lead_change_page_costs_the_same_however_many_leads_and_events(admin_client, world):
    """Issue #21 user test: the admin's lead page took ~3 s — it rendered a <select> of every lead in the base (the
    "merged into" field, now read-only: merges go through the undoable merge service) and fetched each timeline
    event's actor one by one. The page's query count must not grow with the base or with the timeline."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.services import lead_add_note

    def cost(lead) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            page = admin_client.get(reverse("admin:leads_lead_change", args=[lead.pk]))
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    lead = world["leads"]["ana"][0]
    lead_add_note(lead=lead, actor=world["ana"], text="primeira")
    cost(lead)  # process-wide caches filled once (ContentType's, on a first admin page in a fresh process)
    small, _page = cost(lead)
    others = LeadFactory.create_batch(30)
    for person in ("ana", "bruno", "sup_a", "carla"):
        lead_add_note(lead=lead, actor=world[person], text=f"nota de {person}")
    large, page = cost(lead)
    assert large == small
    assert f'<option value="{others[0].pk}"' not in page


def test_admin_stage_action_writes_timeline_events(admin_client, world):
    leads = world["leads"]["ana"]
    response = admin_client.post(
        reverse("admin:leads_lead_changelist"),
        {"action": "move_to_lost", "_selected_action": [lead.pk for lead in leads]},
    )
    assert response.status_code == 302
    for lead in leads:
        lead.refresh_from_db()
        assert lead.stage == LeadStage.LOST
        assert LeadEvent.objects.filter(lead=lead, kind=EventKind.STAGE_CHANGED, payload__to="lost").exists()


def test_timeline_events_cannot_be_edited_or_deleted_in_the_admin(admin_client, world):
    lead = world["leads"]["ana"][0]
    from leads.services import lead_add_note

    event = lead_add_note(lead=lead, actor=None, text="imutável")
    delete = admin_client.post(reverse("admin:leads_leadevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert LeadEvent.objects.filter(pk=event.pk).exists()


def test_the_outbox_state_column_is_not_named_like_a_brazilian_state(admin_client):
    """Issue #21 user test: the outbox's "state" shared the lead's translation ("UF")."""
    page = admin_client.get(reverse("admin:antiban_outboxmessage_changelist")).content.decode()
    assert "Situação do envio" in page or "situação do envio" in page.lower()
    assert ">UF<" not in page


def test_timeline_events_read_in_words_in_the_admin_not_as_json(admin_client, world):
    """Issue #21 user test: the admin showed each event's payload as raw JSON ({"from": "new", "to": "lost", …})."""
    lead = world["leads"]["ana"][0]
    from leads.services import lead_add_note, lead_change_stage

    note = lead_add_note(lead=lead, actor=None, text="Cliente pediu a planta do 2º andar")
    lead_change_stage(lead=lead, actor=None, stage=LeadStage.LOST, reason="comprou com outro")
    pages = [
        admin_client.get(reverse("admin:leads_lead_change", args=[lead.pk])),
        admin_client.get(reverse("admin:leads_leadevent_changelist"), {"lead__id__exact": lead.pk}),
        admin_client.get(reverse("admin:leads_leadevent_change", args=[note.pk])),
    ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "Cliente pediu a planta do 2º andar" in page and "&quot;text&quot;" not in page
    assert "Novo → <strong>Perdido</strong> · comprou com outro" in pages[0].content.decode()
    assert "&quot;to&quot;" not in pages[0].content.decode()


def test_tokens_are_write_only_in_the_admin_and_a_blank_field_keeps_them(admin_client):
    from whatsapp.models import BusinessAccount

    account = BusinessAccount.objects.create(name="Conta", waba_id="123", access_token="EAAG-secret-token")
    url = reverse("admin:whatsapp_businessaccount_change", args=[account.pk])
    assert "EAAG-secret-token" not in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "name": "Conta 2",
            "waba_id": "123",
            "access_token": "",
            "is_active": "on",
            "numbers-TOTAL_FORMS": "0",
            "numbers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.access_token) == ("Conta 2", "EAAG-secret-token")
    admin_client.post(
        url,
        {
            "name": "Conta 2",
            "waba_id": "123",
            "access_token": "novo",
            "is_active": "on",
            "numbers-TOTAL_FORMS": "0",
            "numbers-INITIAL_FORMS": "0",
        },
    )
    account.refresh_from_db()
    assert account.access_token == "novo"
