"""Services write the change and its timeline event in one transaction."""

from decimal import Decimal

import pytest

from leads.errors import LeadContactMissing, LeadNoteInvalid, LeadOwnerInvalid, LeadStageUnchanged
from leads.models import ContactKind, EventChannel, EventKind, Lead, LeadEvent, LeadStage
from leads.services import (
    lead_add_note,
    lead_change_owner,
    lead_change_stage,
    lead_create,
    lead_tags_set,
    lead_update,
)
from tests.factories import LeadFactory, LeadSourceFactory, UserFactory, consultant

pytestmark = pytest.mark.django_db


def test_lead_create_normalizes_contacts_and_records_creation():
    source = LeadSourceFactory(name="Feira")
    actor = consultant()

    lead = lead_create(
        actor=actor,
        source=source,
        full_name="  maria   DA silva ",
        phones=["(11) 98888-7777", "11988887777"],
        emails=["Maria.Silva@Example.COM"],
        budget_min=Decimal("300000"),
        budget_max=Decimal("350000"),
        channel=EventChannel.API,
        tags=["interesse/apartamento"],
    )

    assert lead.full_name == "Maria da Silva"
    phones = list(lead.contact_points.filter(kind=ContactKind.PHONE).values_list("value", "is_primary", "is_valid"))
    assert phones == [("+5511988887777", True, True)]  # the two formats are one number
    assert lead.contact_points.get(kind=ContactKind.EMAIL).value == "maria.silva@example.com"
    assert [t.path for t in lead.tags.all()] == ["interesse/apartamento"]
    event = LeadEvent.objects.get(lead=lead)
    assert (event.kind, event.channel, event.actor, event.payload["source"]) == (
        EventKind.CREATED,
        EventChannel.API,
        actor,
        "Feira",
    )


def test_lead_create_keeps_an_invalid_phone_flagged_when_an_email_is_valid():
    lead = lead_create(actor=None, source=LeadSourceFactory(), full_name="João", phones=["123"], emails=["j@x.com.br"])
    phone = lead.contact_points.get(kind=ContactKind.PHONE)
    assert phone.is_valid is False
    assert lead.contact_points.get(kind=ContactKind.EMAIL).is_valid is True


def test_lead_create_without_any_contact_is_refused_and_writes_nothing():
    with pytest.raises(LeadContactMissing):
        lead_create(actor=None, source=LeadSourceFactory(), full_name="Sem Contato")
    assert Lead.objects.count() == 0
    assert LeadEvent.objects.count() == 0


def test_stage_change_writes_the_event_with_from_to_and_reason():
    lead, actor = LeadFactory(), consultant()

    lead = lead_change_stage(lead=lead, actor=actor, stage=LeadStage.CONTACTED, reason="ligou de volta")

    assert Lead.objects.get(pk=lead.pk).stage == LeadStage.CONTACTED
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.STAGE_CHANGED)
    assert event.payload == {"from": "new", "to": "contacted", "reason": "ligou de volta"}
    assert event.actor == actor


def test_stage_change_to_the_same_stage_is_refused_without_an_event():
    lead = LeadFactory(stage=LeadStage.QUALIFIED)
    with pytest.raises(LeadStageUnchanged, match="Qualifi"):
        lead_change_stage(lead=lead, actor=None, stage=LeadStage.QUALIFIED)
    assert not LeadEvent.objects.filter(lead=lead).exists()


def test_owner_change_records_both_owners_and_refuses_people_without_a_sales_role():
    ana, bruno = consultant(username="ana"), consultant(username="bruno")
    lead = LeadFactory(owner=ana)

    lead_change_owner(lead=lead, actor=None, owner=bruno, reason="férias")

    event = LeadEvent.objects.get(lead=lead, kind=EventKind.OWNER_CHANGED)
    assert (event.payload["from"], event.payload["to"], event.payload["reason"]) == (ana.pk, bruno.pk, "férias")
    with pytest.raises(LeadOwnerInvalid):
        lead_change_owner(lead=lead, actor=None, owner=UserFactory(username="no_role"))
    assert Lead.objects.get(pk=lead.pk).owner == bruno


def test_note_is_stripped_and_empty_or_oversized_notes_are_refused():
    lead = LeadFactory()
    event = lead_add_note(lead=lead, actor=None, text="  visita marcada  ")
    assert event.payload == {"text": "visita marcada"}
    with pytest.raises(LeadNoteInvalid) as empty:
        lead_add_note(lead=lead, actor=None, text="   ")
    assert empty.value.code == "lead_note_invalid"
    with pytest.raises(LeadNoteInvalid, match="5001"):
        lead_add_note(lead=lead, actor=None, text="x" * 5001)
    assert LeadEvent.objects.filter(lead=lead).count() == 1


def test_update_records_each_changed_field_only():
    lead = LeadFactory(city="Santos", state="SP")
    lead_update(lead=lead, actor=None, data={"city": "Campinas", "state": "SP", "budget_max": Decimal("500000")})
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.UPDATED)
    assert event.payload["changes"] == {
        "city": {"from": "Santos", "to": "Campinas"},
        "budget_max": {"from": None, "to": "500000"},
    }
    lead_update(lead=lead, actor=None, data={"city": "Campinas"})
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.UPDATED).count() == 1


def test_tags_set_records_added_and_removed_paths():
    lead = LeadFactory(tags=["perfil/investidor"])
    lead_tags_set(lead=lead, actor=None, paths=["interesse/casa", "interesse/casa/condomínio"])
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.TAGS_CHANGED)
    assert event.payload == {
        "added": ["interesse/casa", "interesse/casa/condomínio"],
        "removed": ["perfil/investidor"],
    }
