"""The audit log records security events, reads and changes."""

import pytest
from django.urls import reverse

from compliance.models import AuditCategory, AuditEntry
from compliance.services.audit import audit_chain_verify
from leads.services import lead_change_stage

pytestmark = pytest.mark.django_db


def test_logins_failures_reads_and_changes_are_recorded(client, world):
    from tests.factories import UserFactory

    UserFactory(username="maria")
    client.post(reverse("login"), {"username": "maria", "password": "wrong"})
    client.post(reverse("login"), {"username": "ana", "password": "correct horse battery staple"})
    lead = world["leads"]["ana"][0]
    client.get(reverse("leads:detail", args=[lead.pk]))
    client.get(reverse("leads:detail", args=[world["leads"]["carla"][0].pk]))  # not hers: 404 and recorded
    lead_change_stage(lead=lead, actor=world["ana"], stage="contacted")

    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert "auth.login_failed" in actions
    assert "auth.login" in actions
    assert "lead.viewed" in actions
    assert "lead.access_denied" in actions
    assert "lead.changed" in actions
    viewed = AuditEntry.objects.get(action="lead.viewed")
    assert (viewed.actor_label, viewed.object_id, viewed.category) == ("ana", str(lead.pk), AuditCategory.READ)
    assert audit_chain_verify().ok
