"""A lead's first minutes, as Meta, the consultant and an integrator see them, across every app the README chains:

README "WhatsApp (Cloud API) → Inbound": "the lead is found by phone … or created from source "WhatsApp" …; the
timeline gets the message; the customer-service window opens for 24 h".
README "AI middleware": "Extraction of every inbound WhatsApp message on the ai Celery queue … merged into the lead
with provenance".
README "Qualification and the roulette": "Re-scoring: on a new lead, a message in …" and "for each new or released
lead, the available consultants of its team … are ranked"; "The first message sent … stops the clock".
"""

from __future__ import annotations

from datetime import time

import pytest

from tests.factories import TeamFactory, consultant, supervisor
from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db

WA_ID = "5511987651234"
ALL_DAY = {"work_days": list(range(7)), "work_start": time(0, 0), "work_end": time(23, 59, 59)}


@pytest.fixture
def desk(db):
    """One team whose two consultants work every hour of every day (their profiles say so, as an admin would)."""
    from assignment.services import consultant_profile_get_or_create

    people = [consultant(username="joana"), consultant(username="pedro")]
    team = TeamFactory(name="Plantão", supervisor=supervisor(username="chefe"), members=people)
    for person in people:
        consultant_profile_get_or_create(person, **ALL_DAY)
    return team, people


def test_an_unknown_number_writes_and_becomes_a_scored_assigned_lead_a_consultant_answers(
    meta_post, wa, desk, login, celery_eager, contact_hours_open, integrator, api_for
):
    from leads.models import Lead

    _team, people = desk
    response = meta_post(
        inbound_text_body(
            wa_id=WA_ID, name="Marina Souza", text="oi! vi o anúncio do apê de 2 quartos, tenho uns 400 mil"
        )
    )
    assert response.status_code == 200

    lead = Lead.objects.get(contact_points__value="+5511987651234")
    assert lead.full_name == "Marina Souza" and lead.source.name == "WhatsApp"

    # The integrator reads what the AI understood and how the lead was scored, through the API.
    api = api_for(integrator, scopes=("leads:read",))
    ai = api.get(f"/api/v1/leads/{lead.pk}/ai/")
    assert ai.status_code == 200, ai.content
    print(ai.json())
    qualification = api.get(f"/api/v1/leads/{lead.pk}/qualification/")
    assert qualification.status_code == 200 and qualification.json()["score"] is not None

    # The roulette handed it to one of the team's consultants; that person sees it in their queue and on the page.
    lead.refresh_from_db()
    assert lead.owner in people
    browser = login(lead.owner)
    assert "Marina Souza" in browser.get("/fila/").content.decode()
    page = browser.get(f"/leads/{lead.pk}/whatsapp/").content.decode()
    assert "vi o anúncio" in page and 'data-testid="window-open"' in page

    # Inside the window the consultant answers from the lead page; the anti-ban outbox sends it to Meta.
    sent = browser.post(
        f"/leads/{lead.pk}/whatsapp/text/",
        {"number": wa.number.pk, "to": "+5511987651234", "body": "Oi Marina! Posso te ligar agora?"},
        HTTP_HX_REQUEST="true",
    )
    assert sent.status_code == 200
    assert [m["payload"]["text"]["body"] for m in wa.sent if m["payload"]["to"] == WA_ID] == [
        "Oi Marina! Posso te ligar agora?"
    ]

    # Someone else's consultant cannot open the lead at all.
    other = login(next(p for p in people if p != lead.owner))
    assert other.get(f"/leads/{lead.pk}/").status_code == 404
