"""Issue #21, "Safe actions": the lead list's bulk tag and bulk stage changes are undoable as the bulk assignment is —
the result message offers "Desfazer"; undo puts back exactly what each lead had before, for the leads nothing
happened to since, says how many came back and how many were skipped, is audited, and undoing twice changes
nothing. Driven over HTTP as the supervisor would: the list's bulk bar, the banner's button, the lead pages."""

from __future__ import annotations

import re

import pytest

from compliance.models import AuditEntry
from leads.models import BulkChange, EventKind, Lead, LeadEvent
from leads.services import lead_change_stage_by_hand, lead_tags_set

pytestmark = pytest.mark.django_db


def _undo_url(html: str) -> str:
    match = re.search(r'action="(/leads/bulk/undo/\d+/)"', html)
    assert match, "the result message offers no Desfazer"
    return match.group(1)


def _stage_badge(html: str) -> str:
    return re.search(r'<span id="stage-badge"[^>]*>([^<]*)</span>', html).group(1).strip()


def test_a_bulk_stage_change_is_undone_back_to_each_leads_previous_stage(world, login):
    leads = world["leads"]["ana"] + world["leads"]["bruno"]  # N = 4 leads of team A
    sup_a = world["sup_a"]
    lead_change_stage_by_hand(lead=leads[0], actor=sup_a, stage="contacted")  # not all started in the same stage
    lead_change_stage_by_hand(lead=leads[3], actor=sup_a, stage="qualified")  # already there: not moved, not undone
    before = {lead.pk: Lead.objects.get(pk=lead.pk).stage for lead in leads}
    sup = login(sup_a)

    done = sup.post(
        "/leads/bulk/stage/",
        {"lead_ids": [lead.pk for lead in leads], "stage": "qualified", "reason": "", "query": "sort=name"},
        follow=True,
    ).content.decode()
    assert "3 leads movidos." in done and "1 já estava nessa etapa." in done
    assert 'data-testid="undo"' in done and "Desfazer" in done
    assert set(Lead.objects.filter(pk__in=before).values_list("stage", flat=True)) == {"qualified"}
    undo = _undo_url(done)
    # The banner is gone once the list is left; the notifications page still offers the undo (user test).
    later = sup.get("/notificacoes/").content.decode()
    entry = later.split('data-testid="undo-bulk-entry"')[1].split("</li>")[0]
    assert "Etapa alterada em massa: Qualificado" in entry and "3 leads" in entry and f'action="{undo}"' in entry
    assert 'data-testid="undo-bulk-entry"' not in login(world["ana"]).get("/notificacoes/").content.decode()

    # Meanwhile a consultant moves one of them on: undo must leave that one where it is.
    lead_change_stage_by_hand(lead=leads[2], actor=world["bruno"], stage="meeting")

    undone = sup.post(undo, {"next": "/leads/?sort=name"}, follow=True)
    assert undone.redirect_chain[-1][0] == "/leads/?sort=name"
    text = undone.content.decode()
    assert "Desfeito: 2 leads voltaram a ser como eram antes." in text
    assert "1 mudou depois e ficou como está." in text

    expected_badges = ((leads[0], "Contatado"), (leads[1], "Novo"), (leads[2], "Reunião"), (leads[3], "Qualificado"))
    for lead, expected in expected_badges:
        page = sup.get(f"/leads/{lead.pk}/").content.decode()
        assert _stage_badge(page) == expected, lead.pk
    assert Lead.objects.get(pk=leads[0].pk).stage == before[leads[0].pk] == "contacted"
    assert Lead.objects.get(pk=leads[1].pk).stage == before[leads[1].pk]
    timeline = sup.get(f"/leads/{leads[0].pk}/").content.decode()
    assert "Desfeito: Etapa alterada em massa de" in timeline  # the timeline says why it moved back, and who did it
    back = LeadEvent.objects.filter(lead=leads[0], kind=EventKind.STAGE_CHANGED).order_by("-id").first()
    assert back.payload["from"] == "qualified" and back.payload["to"] == "contacted" and back.actor == sup_a

    assert 'data-testid="undo-bulk-entry"' not in sup.get("/notificacoes/").content.decode()  # undone: gone
    change = BulkChange.objects.get(actor=sup_a)
    assert AuditEntry.objects.filter(action="bulkchange.undone", object_id=str(change.pk)).count() == 1

    # Undoing twice changes nothing and says so; another team's supervisor does not even see the change.
    events = LeadEvent.objects.count()
    again = sup.post(undo, {"next": "/leads/"}, follow=True).content.decode()
    assert "Esta alteração já foi desfeita." in again and "Desfeito: 2 leads" in again
    assert LeadEvent.objects.count() == events
    assert AuditEntry.objects.filter(action="bulkchange.undone", object_id=str(change.pk)).count() == 1
    assert login(world["sup_b"]).post(undo).status_code == 404
    assert login(world["ana"]).post(undo).status_code == 404  # only who did it (or an admin) undoes it


def test_bulk_tag_add_and_remove_are_undone_exactly(world, login):
    leads = world["leads"]["ana"] + world["leads"]["bruno"]
    ana = world["ana"]
    lead_tags_set(lead=leads[0], actor=ana, paths=["interesse/casa"])  # had it before: keeps it after the undo
    sup = login(world["sup_a"])
    ids = [lead.pk for lead in leads]

    added = sup.post("/leads/bulk/tag/", {"lead_ids": ids, "tag": "#interesse/casa", "query": ""}, follow=True)
    text = added.content.decode()
    assert "Tag #interesse/casa adicionada a 3 leads." in text
    with_tag = set(Lead.objects.filter(tags__path="interesse/casa").values_list("pk", flat=True))
    assert with_tag == set(ids)
    lead_tags_set(lead=leads[1], actor=ana, paths=[])  # a consultant took it off by hand meanwhile, then ...
    lead_tags_set(lead=leads[1], actor=ana, paths=["interesse/casa"])  # ... put it back: changed since, skipped

    undone = sup.post(_undo_url(text), {"next": "/leads/"}, follow=True).content.decode()
    assert "Desfeito: 2 leads voltaram a ser como eram antes." in undone and "1 mudou depois" in undone
    with_tag = set(Lead.objects.filter(tags__path="interesse/casa").values_list("pk", flat=True))
    assert with_tag == {leads[0].pk, leads[1].pk}
    page = sup.get(f"/leads/{leads[2].pk}/").content.decode()
    assert "− interesse/casa" in page  # the timeline shows the tag taken off again

    # Removing in bulk, then undoing: the tag is back on exactly the leads that had it.
    removed = sup.post(
        "/leads/bulk/tag/", {"lead_ids": ids, "tag": "Interesse/Casa", "action": "remove", "query": ""}, follow=True
    ).content.decode()
    assert "Tag #interesse/casa removida de 2 leads." in removed  # as saved, whatever was typed
    assert not Lead.objects.filter(tags__path="interesse/casa").exists()
    restored = sup.post(_undo_url(removed), {"next": "/leads/"}, follow=True).content.decode()
    assert "Desfeito: 2 leads voltaram a ser como eram antes." in restored and "mudou depois" not in restored
    with_tag = set(Lead.objects.filter(tags__path="interesse/casa").values_list("pk", flat=True))
    assert with_tag == {leads[0].pk, leads[1].pk}
    assert "+ interesse/casa" in sup.get(f"/leads/{leads[0].pk}/").content.decode()

    # Removing a tag nobody has: nothing changes, nothing to undo; no tag given: a clear message.
    nothing = sup.post(
        "/leads/bulk/tag/", {"lead_ids": ids, "tag": "nao/existe", "action": "remove", "query": ""}, follow=True
    ).content.decode()
    assert "Nenhum dos leads selecionados tinha esta tag." in nothing and 'data-testid="undo"' not in nothing
    empty = sup.post(
        "/leads/bulk/tag/", {"lead_ids": ids, "tag": " ", "action": "remove", "query": ""}, follow=True
    ).content.decode()
    assert "Informe a tag a remover" in empty
