"""Issue #19, break 15: segmentation requires a minimum cluster share and says when no meaningful segmentation exists
(README: "Segments: manage.py segment_leads --json — KMeans … k in 2–6 by silhouette"); a lead's recurrence priority
(raised when the person shows interest again, README: "Matches merge (… recurrence and priority raised)") orders the
consultant queue /fila/ and the roulette's waiting leads (README: "Hot leads first")."""

from __future__ import annotations

import io
import json
import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from assignment.models import Assignment, AssignmentStatus, ConsultantProfile
from assignment.tasks import unassigned_sweep_task
from compliance.roles import Role
from leads.models import LeadStage
from leads.services import lead_create
from qualification import services as qualification_services
from qualification.models import LeadScore
from tests.factories import LeadFactory, LeadSourceFactory, TeamFactory, UserFactory, consultant, supervisor

pytestmark = pytest.mark.django_db

HOT_AI = {"intent": "schedule_meeting", "urgency": "high", "buying_stage": "decision", "objections": []}
COLD_AI = {"intent": "not_interested", "urgency": "low", "buying_stage": "awareness", "objections": ["price"]}
ALWAYS = {"work_days": list(range(7)), "work_start": time(0, 0), "work_end": time(23, 59, 59)}


def _segment_leads() -> dict:
    out = io.StringIO()
    call_command("segment_leads", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_one_outlier_against_everyone_is_no_segmentation_and_the_screens_say_so(login, settings):
    """The demo's case: one lead apart from all the others. ``segment_leads --json`` no longer picks k = 2 with a
    cluster of one: it answers that no meaningful segmentation exists, labels nobody, and the qualification page and
    the admin say so."""
    start = timezone.now() - timedelta(days=30)
    for i in range(80):
        LeadFactory(budget_max=Decimal(160_000), attributes={"ai": COLD_AI}, created_at=start + timedelta(hours=i))
    LeadFactory(budget_max=Decimal(9_000_000), attributes={"ai": HOT_AI}, created_at=start)

    result = _segment_leads()

    assert result["meaningful"] is False and result["k"] is None and result["segments"] == []
    assert "5%" in result["reason"]
    assert result["min_share"] == settings.QUALIFICATION_SEGMENT_MIN_SHARE == 0.05
    assert all(r["smallest_share"] < 0.05 for r in result["rejected"].values())
    assert not LeadScore.objects.exclude(segment="").exists()

    boss = supervisor(username="chefe-seg")
    page = login(boss).get("/qualificacao/").content.decode()
    assert 'data-testid="no-segmentation"' in page
    admin = UserFactory(username="admin-seg", role=Role.ADMIN, is_staff=True, is_superuser=True)
    changelist = login(admin).get("/admin/qualification/segmentation/").content.decode()
    assert "icon-no" in changelist  # the "meaningful segmentation" column shows ✗


def test_real_groups_make_segments_that_each_hold_the_minimum_share():
    """Three real behavioural groups: a segmentation is chosen and no segment is smaller than the minimum share."""
    mid = {"intent": "wants_info", "urgency": "medium", "buying_stage": "consideration", "objections": ["price"]}
    groups = [(HOT_AI, 800_000), (mid, 400_000), (COLD_AI, 160_000)]
    start = timezone.now() - timedelta(days=100)
    for i in range(150):
        ai, budget = groups[i % 3]
        closed = i % 2 == 1
        LeadFactory(
            budget_max=Decimal(budget),
            attributes={"ai": ai},
            stage=(LeadStage.WON if i % 3 == 0 else LeadStage.LOST) if closed else LeadStage.NEW,
            created_at=start + timedelta(hours=i),
        )

    result = _segment_leads()

    assert result["meaningful"] is True and result["k"] >= 2
    assert all(s["size"] / result["leads"] >= 0.05 for s in result["segments"])
    assert LeadScore.objects.exclude(segment="").exists()


def _team(cap: int):
    person = consultant(username="vendedora")
    boss = supervisor(username="sup-fila")
    team = TeamFactory(name="Equipe Fila", supervisor=boss, members=[person])
    ConsultantProfile.objects.update_or_create(user=person, defaults={**ALWAYS, "max_open_leads": cap})
    return team, person


def _lead(team, name: str, phone: str, *, ai: dict, budget: int, at):
    return lead_create(
        actor=None,
        source=LeadSourceFactory(name="Portal"),
        full_name=name,
        phones=[phone],
        team=team,
        budget_max=Decimal(budget),
        attributes={"ai": ai},
        occurred_at=at,
    )


def _comes_back(api_for, lead, phone: str) -> None:
    """The person shows interest again: an integrator pushes them once more and ingestion merges them."""
    integrator = UserFactory(username="integra", role=Role.INTEGRATOR)
    response = api_for(integrator).post(
        "/api/v1/leads/ingest/",
        {"source": lead.source_id, "leads": [{"full_name": lead.full_name, "phones": [phone]}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"again-{lead.pk}",
    )
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "merged"
    lead.refresh_from_db()
    assert lead.priority > 0


def test_the_roulette_serves_waiting_leads_hot_first_then_by_priority_then_by_age(api_for):
    """A consultant with room for three; four leads wait. The beat sweep gives the hot one first, then the person
    who came back (though newest), then the oldest; the remaining one waits."""
    team, person = _team(cap=3)
    now = timezone.now()
    oldest = _lead(team, "Ana Antiga", "+5511911110001", ai=COLD_AI, budget=150_000, at=now - timedelta(hours=5))
    middle = _lead(team, "Bia Meio", "+5511911110002", ai=COLD_AI, budget=150_000, at=now - timedelta(hours=4))
    back = _lead(team, "Caio Voltou", "+5511911110003", ai=COLD_AI, budget=150_000, at=now - timedelta(hours=3))
    hot = _lead(team, "Duda Quente", "+5511911110004", ai=HOT_AI, budget=900_000, at=now - timedelta(hours=1))
    qualification_services.leads_score(lead_ids=[oldest.pk, middle.pk, back.pk, hot.pk])
    assert LeadScore.objects.get(lead=hot).category == "hot"
    assert LeadScore.objects.get(lead=back).category == LeadScore.objects.get(lead=middle).category
    _comes_back(api_for, back, "+5511911110003")

    result = unassigned_sweep_task()

    assert result == {"assigned": 3, "waiting": 1}
    taken = list(
        Assignment.objects.filter(consultant=person, status=AssignmentStatus.ACTIVE)
        .order_by("id")
        .values_list("lead_id", flat=True)
    )
    assert taken == [hot.pk, back.pk, oldest.pk]


def test_the_consultant_queue_puts_a_person_who_came_back_before_older_leads_of_the_same_class(api_for, login):
    """On /fila/ the hot lead leads; among cold ones, the person who showed interest again comes before one whose
    first contact is due earlier, and carries a "came back" badge."""
    from assignment import services as assignment_services

    team, person = _team(cap=10)
    now = timezone.now()
    first = _lead(team, "Eva Primeira", "+5511922220001", ai=COLD_AI, budget=150_000, at=now - timedelta(hours=3))
    back = _lead(team, "Fabio Volta", "+5511922220002", ai=COLD_AI, budget=150_000, at=now - timedelta(hours=2))
    hot = _lead(team, "Gil Quente", "+5511922220003", ai=HOT_AI, budget=900_000, at=now - timedelta(hours=1))
    qualification_services.leads_score(lead_ids=[first.pk, back.pk, hot.pk])
    assignment_services.lead_assign(lead_id=first.pk, now=now - timedelta(hours=1))  # due first
    assignment_services.lead_assign(lead_id=back.pk, now=now)
    assignment_services.lead_assign(lead_id=hot.pk, now=now)
    _comes_back(api_for, back, "+5511922220002")

    page = login(person).get("/fila/").content.decode()

    order = [int(x) for x in re.findall(r'data-testid="queue-row" data-lead="(\d+)"', page)]
    assert order == [hot.pk, back.pk, first.pk]
    row = page[page.index(f'data-lead="{back.pk}"') :].split("</tr>")[0]
    assert 'data-testid="came-back"' in row


def test_an_admin_edits_a_scoring_draft_in_the_admin_and_the_edit_is_checked(login):
    """README: "Admins create a draft (admin → Scoring configs → "New draft"), edit its JSON (every problem is reported
    with its path …)". The admin's change form saves through the draft service: a good edit is stored, a bad one is
    refused with the path of the problem and changes nothing."""
    admin = UserFactory(username="admin-cfg", role=Role.ADMIN, is_staff=True, is_superuser=True)
    draft = qualification_services.config_draft_create(actor=admin, notes="mais rígido")
    browser = login(admin)
    url = f"/admin/qualification/scoringconfig/{draft.pk}/change/"

    definition = dict(draft.definition)
    definition["classes"] = {"hot": 70, "warm": 45}
    saved = browser.post(url, {"definition": json.dumps(definition), "notes": "quentes a partir de 70"})
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.definition["classes"] == {"hot": 70, "warm": 45} and draft.notes == "quentes a partir de 70"

    definition["indicators"]["budget"]["curve"] = {"type": "saturation", "k": 0}
    refused = browser.post(url, {"definition": json.dumps(definition), "notes": "errado"})
    assert refused.status_code == 200 and "indicators.budget.curve.k" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.notes == "quentes a partir de 70"
