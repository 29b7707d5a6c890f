"""Identifiers encrypted at rest, found through the blind index, and re-keyed by rotate_keys."""

import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from leads.models import EventKind, Lead, LeadEvent
from leads.selectors import lead_find_by_document
from leads.services import lead_create, lead_update
from tests.factories import LeadSourceFactory, UserFactory

pytestmark = pytest.mark.django_db
CPF = "529.982.247-25"


def _raw_document(lead) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT document FROM leads_lead WHERE id = %s", [lead.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def admin_user():
    from compliance.roles import Role

    return UserFactory(username="root", role=Role.ADMIN)


def test_document_is_stored_encrypted_and_found_through_the_blind_index(admin_user):
    lead = lead_create(actor=None, source=LeadSourceFactory(), full_name="Ana", phones=["11988887777"], document=CPF)

    raw = _raw_document(lead)
    assert "52998224725" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert Lead.objects.get(pk=lead.pk).document == "52998224725"
    assert list(lead_find_by_document(user=admin_user, document="529 982 247 25")) == [lead]
    assert list(lead_find_by_document(user=admin_user, document="111.444.777-35")) == []


def test_document_changes_reach_the_timeline_without_the_value():
    lead = lead_create(actor=None, source=LeadSourceFactory(), full_name="Ana", phones=["11988887777"])
    lead_update(lead=lead, actor=None, data={"document": CPF})
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.UPDATED)
    assert event.payload == {"changes": {"document": {"changed": True}}}
    assert "52998224725" not in json.dumps(event.payload)


def test_rotate_keys_reencrypts_so_the_old_key_can_be_removed(settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    lead = lead_create(actor=None, source=LeadSourceFactory(), full_name="Ana", phones=["11988887777"], document=CPF)
    before = _raw_document(lead)

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone

    assert json.loads(out.getvalue())["rotated"]["leads.Lead.document"] == 1
    assert _raw_document(lead) != before
    assert Lead.objects.get(pk=lead.pk).document == "52998224725"
    assert Fernet(new_key.encode()).decrypt(_raw_document(lead).encode()) == b"52998224725"


def test_reading_with_a_missing_key_is_a_clear_error(settings):
    lead = lead_create(actor=None, source=LeadSourceFactory(), full_name="Ana", phones=["11988887777"], document=CPF)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="rotate_keys"):
        Lead.objects.get(pk=lead.pk)
