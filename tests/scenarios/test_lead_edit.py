"""Issue #21, desk: a lead is edited in the UI — profile fields and a new phone or e-mail — and a change that makes
it look like someone already in the base is warned about BEFORE saving, with a link to the existing lead and an
explicit "save anyway". Another team's lead cannot be edited (404)."""

from __future__ import annotations

import re

import pytest

from leads.models import ContactKind, EventKind, LeadEvent

pytestmark = pytest.mark.django_db


def _phone(lead) -> str:
    return lead.contact_points.get(kind=ContactKind.PHONE).value


def test_a_consultant_corrects_the_profile_and_the_timeline_says_what_changed(world, login):
    lead = world["leads"]["ana"][0]
    ana = login(world["ana"])
    page = ana.get(f"/leads/{lead.pk}/edit/")
    assert page.status_code == 200 and lead.full_name in page.content.decode()

    saved = ana.post(
        f"/leads/{lead.pk}/edit/",
        {
            "full_name": "Joana Prado Lima",
            "city": "Campinas",
            "state": "RJ",
            "interest_type": "house",
            "budget_min": "300000",
            "budget_max": "450000",
            "phone": "",
            "email": "joana.prado@example.com",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == f"/leads/{lead.pk}/"
    lead.refresh_from_db()
    assert (lead.full_name, lead.city, lead.state, lead.interest_type) == (
        "Joana Prado Lima",
        "Campinas",
        "RJ",
        "house",
    )
    assert lead.contact_points.filter(kind=ContactKind.EMAIL, value="joana.prado@example.com").exists()
    detail = ana.get(f"/leads/{lead.pk}/").content.decode()
    assert "Joana Prado Lima" in detail and "Campinas" in detail
    assert "Nome completo" in detail  # the timeline names the field in Portuguese, not "full_name"
    # … and says the values as the profile does (user test: "→ apartment", "→ 1200000", "Uf")
    timeline = detail.split('class="changes"')[1].split("</ul>")[0]
    for said in ("Casa", "R$ 300 mil", "R$ 450 mil", "UF:", "Rio de Janeiro"):
        assert said in timeline, said
    assert "house" not in timeline and "450000" not in timeline and "Uf:" not in timeline
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.UPDATED).count() == 1
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.CONTACT_ADDED).count() == 1  # no address in it
    assert "example.com" not in str(LeadEvent.objects.get(lead=lead, kind=EventKind.CONTACT_ADDED).payload)


def test_adding_a_phone_that_another_of_her_leads_has_warns_first_and_saves_only_when_confirmed(world, login):
    mine, other = world["leads"]["ana"]
    ana = login(world["ana"])
    body = {
        "full_name": mine.full_name,
        "city": "",
        "state": "",
        "interest_type": "",
        "budget_min": "",
        "budget_max": "",
        "phone": _phone(other),
        "email": "",
    }

    warned = ana.post(f"/leads/{mine.pk}/edit/", body)
    assert warned.status_code == 409
    text = warned.content.decode()
    assert 'data-testid="duplicate-warning"' in text and f'href="/leads/{other.pk}/"' in text
    assert 'data-testid="save-anyway"' in text
    assert not mine.contact_points.filter(value=_phone(other)).exists()  # nothing saved yet

    saved = ana.post(f"/leads/{mine.pk}/edit/", {**body, "confirm_duplicate": "1"})
    assert saved.status_code == 302
    assert mine.contact_points.filter(value=_phone(other)).exists()


def test_bad_input_is_answered_field_by_field_and_another_teams_lead_does_not_exist(world, login):
    lead = world["leads"]["ana"][0]
    ana = login(world["ana"])
    bad = ana.post(
        f"/leads/{lead.pk}/edit/",
        {"full_name": "", "budget_min": "500000", "budget_max": "100", "phone": "12", "email": "x@"},
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "mínimo" in text and "DDD" in text
    theirs = world["leads"]["carla"][0]
    assert ana.get(f"/leads/{theirs.pk}/edit/").status_code == 404
    assert ana.post(f"/leads/{theirs.pk}/edit/", {"full_name": "X"}).status_code == 404


def test_opt_out_and_merge_ask_before_acting(world, login):
    """Issue #21, safe actions: "Registrar descadastro" and "Mesclar" carry a CSP-safe confirmation (data-confirm for
    static/js/confirm.js, hx-confirm for the HTMX merge) — no inline script."""
    from leads.models import DuplicateReview

    lead, twin = world["leads"]["ana"]
    DuplicateReview.objects.create(lead=lead, candidate=twin, reason="same name", confidence=0.8)
    detail = login(world["ana"]).get(f"/leads/{lead.pk}/").content.decode()
    opt_out = re.search(r'<form[^>]*contact_opt_out[^>]*>|<form[^>]*opt-out/"[^>]*>', detail).group(0)
    assert "data-confirm=" in opt_out and "onsubmit" not in detail
    queue = login(world["sup_a"]).get("/leads/duplicates/").content.decode()
    merge = re.search(r'<button[^>]*value="merge"[^>]*>', queue).group(0)
    assert "hx-confirm=" in merge and "Mesclar estes dois leads" in merge
