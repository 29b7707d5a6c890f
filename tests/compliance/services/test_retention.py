"""Retention anonymizes in place what is past its age and keeps the aggregates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.models import RetentionPolicy
from compliance.services.retention import retention_apply
from leads.models import EventKind, Lead, LeadEvent
from leads.selectors import lead_board_columns
from leads.services import lead_add_note, lead_create
from tests.factories import LeadSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_retention_anonymizes_inactive_leads_and_old_bodies_but_keeps_counts():
    from compliance.roles import Role

    admin = UserFactory(username="root", role=Role.ADMIN)
    source = LeadSourceFactory()
    long_ago = timezone.now() - timedelta(days=30 * 30)
    year_and_half = timezone.now() - timedelta(days=30 * 15)
    old = lead_create(
        actor=None, source=source, full_name="Antigo Silva", phones=["11988880001"], occurred_at=long_ago, city="Santos"
    )
    lead_add_note(lead=old, actor=None, text="conversa antiga")
    recent = lead_create(actor=None, source=source, full_name="Recente Souza", phones=["11988880002"])
    body_event = lead_add_note(lead=recent, actor=None, text="detalhe pessoal antigo")
    fresh_event = lead_add_note(lead=recent, actor=None, text="detalhe de hoje")
    from django.db import connection

    with connection.cursor() as cursor:  # age the events as if written long ago (erasure door, test only)
        cursor.execute("SET LOCAL fluxo.erasure = 'on'")
        cursor.execute("UPDATE leads_leadevent SET occurred_at = %s WHERE lead_id = %s", [long_ago, old.pk])
        cursor.execute("UPDATE leads_leadevent SET occurred_at = %s WHERE id = %s", [year_and_half, body_event.pk])
    counts_before = _counts(admin)

    report = retention_apply()

    assert report["inactive_leads"] == 1
    assert report["message_bodies"] >= 1
    old.refresh_from_db()
    assert old.full_name == f"Anonimizado #{old.pk}"
    assert not old.contact_points.exists()
    recent.refresh_from_db()
    assert recent.full_name == "Recente Souza"
    assert LeadEvent.objects.get(pk=body_event.pk).payload == {"text": "[removido: LGPD]"}
    assert LeadEvent.objects.get(pk=fresh_event.pk).payload == {"text": "detalhe de hoje"}
    assert _counts(admin) == counts_before  # aggregates survive
    assert Lead.objects.count() == 2
    assert RetentionPolicy.objects.get(category="inactive_leads").last_run_count == 1
    assert retention_apply()["inactive_leads"] == 0  # idempotent
    assert LeadEvent.objects.filter(lead=old, kind=EventKind.CORRECTION).count() == 1


def _counts(user) -> dict[str, int]:
    return {column["stage"]: column["count"] for column in lead_board_columns(user=user, per_stage=0)}
