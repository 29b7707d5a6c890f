"""Issue #22 item 5, "an event flow you can see": "A new lead is scored once after its first facts are known (today up
to three times: creation, message, extraction) and assigned after that score, not before its AI facts exist."

Meta posts a first message from an unknown number: the lead is created, the message lands on its timeline, the AI
reads it — and only then is the lead scored, once, and handed to a consultant on that score's class. A lead that
arrives with its facts (the REST API) is scored at creation, once, and routed after. If the reading never lands,
the beat's ``qualification.score_pending`` scores the lead after QUALIFICATION_READING_WAIT_S and it is routed then:
it never stays unscored or unassigned.
"""

from __future__ import annotations

from datetime import time

import pytest

from tests.factories import LeadSourceFactory, TeamFactory, consultant, supervisor
from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db

WA_ID = "5511987659876"
ALL_DAY = {"work_days": list(range(7)), "work_start": time(0, 0), "work_end": time(23, 59, 59)}


@pytest.fixture
def desk(db):
    from assignment.services import consultant_profile_get_or_create

    people = [consultant(username="joana"), consultant(username="pedro")]
    TeamFactory(name="Plantão", supervisor=supervisor(username="chefe"), members=people)
    for person in people:
        consultant_profile_get_or_create(person, **ALL_DAY)
    return people


@pytest.fixture
def scorings(monkeypatch):
    """Every scoring run, as (lead ids, trigger, AI extractions of those leads at that moment)."""
    from ai_middleware.models import Extraction
    from qualification import services

    runs = []
    score = services.leads_score

    def spy(*, lead_ids, **kwargs):
        read = set(Extraction.objects.filter(lead_id__in=lead_ids).values_list("lead_id", flat=True))
        runs.append((set(lead_ids), kwargs.get("trigger"), read))
        return score(lead_ids=lead_ids, **kwargs)

    monkeypatch.setattr(services, "leads_score", spy)
    return runs


def _of(runs, lead_id):
    return [(trigger, lead_id in read) for ids, trigger, read in runs if lead_id in ids]


def _routed_on_its_score(lead, people):
    """One assignment, to one of the desk, on the class and score the lead has, made after that score."""
    from assignment.models import Assignment
    from qualification.models import LeadScore

    lead.refresh_from_db()
    assert lead.owner in people
    score = LeadScore.objects.get(lead=lead)
    assignment = Assignment.objects.get(lead=lead)
    assert (assignment.category, assignment.score) == (score.category, score.score)
    assert assignment.assigned_at >= score.scored_at


def test_a_lead_created_by_a_message_is_scored_once_after_its_ai_reading_and_routed_on_that_score(
    meta_post, wa, desk, celery_eager, contact_hours_open, scorings
):
    from ai_middleware.models import Extraction
    from leads.models import Lead
    from qualification.models import ScoreHistory, Trigger

    response = meta_post(
        inbound_text_body(wa_id=WA_ID, name="Rita Alves", text="quero comprar um apartamento de 3 quartos, 600 mil")
    )
    assert response.status_code == 200

    lead = Lead.objects.get(contact_points__value=f"+{WA_ID}")
    assert Extraction.objects.filter(lead_id=lead.pk).exists()
    # once (was three times: created, message, extraction), and with what the AI read already merged
    assert _of(scorings, lead.pk) == [(Trigger.EXTRACTION, True)]
    assert ScoreHistory.objects.filter(lead=lead).count() == 1
    _routed_on_its_score(lead, desk)


def test_a_lead_whose_first_message_is_a_stop_is_scored_at_once_not_after_a_wait(
    meta_post, wa, desk, celery_eager, contact_hours_open, scorings
):
    """Nothing reads a stop request (no AI extraction): the lead it creates must not wait for a reading."""
    from ai_middleware.models import Extraction
    from compliance.services.consent import is_suppressed
    from leads.models import Lead
    from qualification.models import ScoreHistory, Trigger

    response = meta_post(inbound_text_body(wa_id=WA_ID, name="Rita Alves", text="SAIR"))
    assert response.status_code == 200

    lead = Lead.objects.get(contact_points__value=f"+{WA_ID}")
    assert is_suppressed(contact=f"+{WA_ID}", kind="phone")
    assert not Extraction.objects.filter(lead_id=lead.pk).exists()
    assert _of(scorings, lead.pk) == [(Trigger.CREATED, False)]
    assert ScoreHistory.objects.filter(lead=lead).count() == 1


def test_a_lead_from_the_api_is_scored_once_at_creation_and_routed_after(
    desk, integrator, api_for, celery_eager, django_capture_on_commit_callbacks, scorings
):
    from leads.models import Lead
    from qualification.models import ScoreHistory, Trigger

    api = api_for(integrator, scopes=("leads:read", "leads:write"))
    body = {"full_name": "Caio Prado", "source": LeadSourceFactory(name="Portal").pk, "phones": ["+5511987650202"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/leads/", {**body, "budget_max": "500000", "city": "São Paulo"}, format="json")
    assert response.status_code == 201, response.content

    lead = Lead.objects.get(pk=response.json()["id"])
    assert _of(scorings, lead.pk) == [(Trigger.CREATED, False)]
    assert ScoreHistory.objects.filter(lead=lead).count() == 1
    _routed_on_its_score(lead, desk)


def test_a_reading_that_never_lands_leaves_the_lead_waiting_a_bounded_time_then_it_is_scored_and_routed(
    meta_post,
    wa,
    desk,
    celery_eager,
    contact_hours_open,
    scorings,
    monkeypatch,
    settings,
    django_capture_on_commit_callbacks,
):
    from celery import current_app

    from leads.models import Lead
    from qualification.models import LeadScore, ScoreHistory, Trigger

    # the beat's tasks, by their registered names
    unassigned_sweep = current_app.tasks["assignment.unassigned_sweep"]
    score_pending = current_app.tasks["qualification.score_pending"]
    extract = current_app.tasks["ai_middleware.extract_event"]
    monkeypatch.setattr(extract, "apply_async", lambda *args, **kwargs: None)  # the ai queue is down
    monkeypatch.setattr(extract, "delay", lambda *args, **kwargs: None)
    meta_post(inbound_text_body(wa_id=WA_ID, name="Rita Alves", text="quero comprar um apartamento"))
    lead = Lead.objects.get(contact_points__value=f"+{WA_ID}")

    # Waiting for its reading: not scored, and the roulette's sweep does not route it on no score.
    assert _of(scorings, lead.pk) == []
    unassigned_sweep()
    lead.refresh_from_db()
    assert lead.owner is None and not LeadScore.objects.filter(lead=lead).exists()
    score_pending()  # the beat, before the wait is over
    assert _of(scorings, lead.pk) == []

    settings.QUALIFICATION_READING_WAIT_S = 0  # the wait is over
    with django_capture_on_commit_callbacks(execute=True):
        score_pending()  # the beat: scored on what is known, once, and routed on that score

    assert _of(scorings, lead.pk) == [(Trigger.CREATED, False)]
    assert ScoreHistory.objects.filter(lead=lead).count() == 1
    _routed_on_its_score(lead, desk)
    score_pending()
    assert len(_of(scorings, lead.pk)) == 1
