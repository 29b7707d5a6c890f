"""The timeline is append-only in PostgreSQL itself, whatever the code path."""

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError, InternalError

from leads.models import EventKind, LeadEvent
from leads.services import lead_add_note
from tests.factories import LeadFactory, consultant

pytestmark = pytest.mark.django_db

REFUSED = (IntegrityError, InternalError)


def test_given_an_event_when_updated_through_the_orm_then_postgres_refuses():
    lead = LeadFactory()
    event = lead_add_note(lead=lead, actor=consultant(), text="primeiro contato")
    event.payload = {"text": "reescrito"}
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        event.save()
    event.refresh_from_db()
    assert event.payload == {"text": "primeiro contato"}


def test_given_an_event_when_deleted_or_bulk_updated_then_postgres_refuses():
    lead = LeadFactory()
    lead_add_note(lead=lead, actor=None, text="nota")
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        LeadEvent.objects.filter(lead=lead).delete()
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        LeadEvent.objects.filter(lead=lead).update(kind=EventKind.CALL)
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE leads_leadevent SET payload = '{}'::jsonb WHERE lead_id = %s", [lead.pk])
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.NOTE).count() == 1


def test_given_the_trigger_when_inserting_then_new_events_are_accepted():
    lead = LeadFactory()
    lead_add_note(lead=lead, actor=None, text="um")
    lead_add_note(lead=lead, actor=None, text="dois")
    assert [e.payload["text"] for e in LeadEvent.objects.filter(lead=lead).order_by("id")] == ["um", "dois"]
