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
