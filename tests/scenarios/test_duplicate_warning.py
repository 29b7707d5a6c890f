"""Issue #19, break 14: the interactive duplicate check runs where people create leads — the REST create answers 409
with the likely duplicate (only one the caller may see, masked as lists mask it) unless the client confirms; the staff
"new lead" form warns and offers "open the existing one" / "create anyway"; the public web form never shows anyone
else's data and deduplicates silently as ingestion does. README: "Dedup: … Matches merge … doubtful ones go to the
review queue"; "Web form: give a lead source a public token … its form is at /f/<token>/"."""

from __future__ import annotations

import pytest

from leads.models import ContactKind, EventKind, Lead, LeadEvent, LeadSource

pytestmark = pytest.mark.django_db


def _phone(lead) -> str:
    return lead.contact_points.get(kind=ContactKind.PHONE).value


def test_the_api_answers_409_with_the_consultants_own_lead_and_creates_only_when_confirmed(world, api_for):
    """A consultant pushing a person they already have gets 409 naming that lead (contacts in full: consultants see
    them); repeating with ``?confirm_duplicate=true`` or ``"confirm_duplicate": true`` creates it."""
    mine = world["leads"]["ana"][0]
    api = api_for(world["ana"])
    body = {"full_name": mine.full_name, "source": world["source"].pk, "phones": [_phone(mine)]}
    before = Lead.objects.count()

    warned = api.post("/api/v1/leads/", body, format="json")
    assert warned.status_code == 409
    data = warned.json()
    assert data["code"] == "likely_duplicate" and data["hidden"] is False
    assert [c["id"] for c in data["candidates"]] == [mine.pk]
    assert data["candidates"][0]["contact_points"][0]["value"] == _phone(mine)
    assert Lead.objects.count() == before

    created = api.post("/api/v1/leads/?confirm_duplicate=true", body, format="json")
    assert created.status_code == 201
    again = api.post("/api/v1/leads/", {**body, "confirm_duplicate": True}, format="json")
    assert again.status_code == 201
    assert Lead.objects.count() == before + 2


def test_the_api_never_discloses_a_duplicate_the_caller_may_not_see(world, api_for):
    """Another team's lead with the same phone: 409 says only that a likely duplicate exists elsewhere — no id, no
    name, no contact."""
    theirs = world["leads"]["carla"][0]
    response = api_for(world["ana"]).post(
        "/api/v1/leads/",
        {"full_name": theirs.full_name, "source": world["source"].pk, "phones": [_phone(theirs)]},
        format="json",
    )
    assert response.status_code == 409
    data = response.json()
    assert data["hidden"] is True and data["candidates"] == []
    text = response.content.decode()
    assert theirs.full_name not in text and _phone(theirs)[-8:] not in text and str(theirs.pk) not in text


def test_a_supervisor_sees_the_candidate_masked_and_a_new_person_is_created_at_once(world, api_for):
    """A supervisor's 409 shows the team's lead with the phone masked (as lists mask it); a person not in the base
    is created with no warning."""
    lead = world["leads"]["bruno"][1]
    api = api_for(world["sup_a"])
    warned = api.post(
        "/api/v1/leads/",
        {"full_name": lead.full_name, "source": world["source"].pk, "phones": [_phone(lead)]},
        format="json",
    )
    assert warned.status_code == 409
    shown = warned.json()["candidates"][0]["contact_points"][0]["value"]
    assert "****" in shown and shown != _phone(lead)

    fresh = api_for(world["bruno"]).post(
        "/api/v1/leads/",
        {"full_name": "Pessoa Nova Silva", "source": world["source"].pk, "phones": ["+5521987651234"]},
        format="json",
    )
    assert fresh.status_code == 201


def test_the_new_lead_form_warns_before_saving_and_creates_on_create_anyway(world, login):
    """A consultant fills "New lead" with a phone they already have: the page warns, links to the existing lead and
    saves nothing; "Create anyway" creates it, owned by the consultant, with the notes on its timeline."""
    mine = world["leads"]["ana"][1]
    browser = login(world["ana"])
    page = browser.get("/leads/").content.decode()
    assert 'href="/leads/new/"' in page
    form = browser.get("/leads/new/")
    assert form.status_code == 200
    assert f'<option value="{world["source"].pk}"' in form.content.decode()  # active sources to choose from

    fields = {
        "full_name": "Cliente Repetido",
        "phone": _phone(mine),
        "email": "",
        "city": "Campinas",
        "source": world["source"].pk,
        "notes": "Ligou pedindo visita",
    }
    before = Lead.objects.count()
    warned = browser.post("/leads/new/", fields)
    assert warned.status_code == 409
    html = warned.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert f'href="/leads/{mine.pk}/"' in html and mine.full_name in html
    assert 'data-testid="create-anyway"' in html
    assert Lead.objects.count() == before

    created = browser.post("/leads/new/", {**fields, "confirm_duplicate": "1"})
    assert created.status_code == 302
    lead = Lead.objects.latest("id")
    assert created["Location"] == f"/leads/{lead.pk}/"
    assert lead.owner == world["ana"] and lead.team == world["team_a"]
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.NOTE, payload__text__icontains="visita").exists()
    assert browser.get(created["Location"]).status_code == 200


def test_a_supervisors_new_lead_goes_to_their_team_and_an_invisible_duplicate_is_not_disclosed(world, login):
    """A supervisor's lead lands unassigned in their team; a duplicate in another team is announced without its
    name or contacts."""
    theirs = world["leads"]["diego"][0]
    browser = login(world["sup_a"])
    warned = browser.post(
        "/leads/new/",
        {"full_name": "Alguém", "phone": _phone(theirs), "source": world["source"].pk},
    )
    assert warned.status_code == 409
    assert theirs.full_name not in warned.content.decode()
    assert f"/leads/{theirs.pk}/" not in warned.content.decode()

    created = browser.post(
        "/leads/new/", {"full_name": "Visitante do Stand", "phone": "+5511912340000", "source": world["source"].pk}
    )
    assert created.status_code == 302
    lead = Lead.objects.get(full_name="Visitante do Stand")
    assert lead.team == world["team_a"] and lead.owner is None


def test_the_public_form_deduplicates_silently_and_shows_nobody_elses_data(client, world):
    """The public form is anonymous: a person already in the base who fills it again is merged into their lead
    (recurrence raised) as ingestion does, and the answer is the same thank-you page — never the existing lead."""
    from leads.services import lead_create

    LeadSource.objects.create(name="Site público", public_token="tok-dup-123")
    existing = lead_create(
        actor=None, source=world["source"], full_name="Joana Prado", phones=["+5511976543210"], owner=world["ana"]
    )
    before = Lead.objects.count()

    response = client.post(
        "/f/tok-dup-123/",
        {"full_name": existing.full_name, "phone": _phone(existing), "message": "quero saber mais"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert _phone(existing)[-8:] not in text and world["ana"].username not in text
    assert Lead.objects.count() == before
    existing.refresh_from_db()
    assert existing.recurrence_count == 2
    fresh = client.post("/f/tok-dup-123/", {"full_name": "Outra Pessoa", "phone": "+5511912121212"})
    assert fresh.content == response.content  # whether one is already a lead cannot be told from the answer


def test_the_new_lead_form_defaults_to_the_manual_entry_source(world, login):
    """Issue #22: "New lead" preselected whichever active source sorted first (a Facebook campaign, say). It now
    preselects "Cadastro manual" (kind "manual", made by a data migration, and again if it was deleted), and the
    lead saved without touching the field comes from it."""
    from leads.models import LeadSource

    browser = login(world["ana"])
    LeadSource.objects.create(name="Anúncio Facebook — Lançamento", kind="ads")  # sorts before "Cadastro manual"
    manual = LeadSource.objects.get(kind="manual")
    assert manual.name == "Cadastro manual"
    page = browser.get("/leads/new/").content.decode()
    assert f'<option value="{manual.pk}" selected>Cadastro manual</option>' in page

    manual.delete()
    page = browser.get("/leads/new/").content.decode()
    again = LeadSource.objects.get(kind="manual")
    assert f'<option value="{again.pk}" selected>Cadastro manual</option>' in page
    fields = {"full_name": "Cliente do Balcão", "phone": "11987650000", "source": again.pk}
    assert browser.post("/leads/new/", fields).status_code == 302
    assert Lead.objects.get(full_name="Cliente do Balcão").source == again
