"""Assignment against real PostgreSQL: reasons on the timeline, hot leads first, fairness over a long run, atomic
claims under concurrency, availability, the SLA watch (reminder, breach alert, reassignment)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from assignment import services
from assignment.models import Absence, Assignment, AssignmentKind, ConsultantProfile, Notification
from compliance.models import AuditEntry
from leads.models import EventKind, LeadEvent, LeadStage
from qualification import services as qualification_services
from tests.factories import LeadFactory, TeamFactory, consultant, supervisor

ALWAYS = {"work_days": list(range(7)), "work_start": time(0, 0), "work_end": time(23, 59, 59)}


def _team(n: int = 3, *, name: str = "Equipe", **profile):
    people = [consultant(username=f"{name.lower()}{i}") for i in range(n)]
    boss = supervisor(username=f"sup-{name.lower()}", email=f"sup-{name.lower()}@example.com")
    team = TeamFactory(name=name, supervisor=boss, members=people)
    for person in people:
        ConsultantProfile.objects.update_or_create(user=person, defaults={**ALWAYS, **profile})
    return team, people, boss


# --- the roulette on the database -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_assignment_records_reasons_on_the_timeline_and_notifies(settings):
    team, people, _boss = _team(2)
    ConsultantProfile.objects.filter(user=people[0]).update(property_types=["house"])
    ConsultantProfile.objects.filter(user=people[1]).update(property_types=["apartment"])
    lead = LeadFactory(team=team, interest_type="apartment", budget_max=Decimal(700_000))
    assignment = services.lead_assign(lead_id=lead.pk)
    assert assignment.consultant == people[1]
    lead.refresh_from_db()
    assert lead.owner == people[1]
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.OWNER_CHANGED)
    assert event.payload["details"]["reasons"][0] == "property type match"
    assert "compatibility" in event.payload["details"]["factors"] and event.payload["reason"]
    assert Notification.objects.filter(user=people[1], kind="assigned", lead_id=lead.pk).exists()
    audited = set(AuditEntry.objects.filter(object_id__in=[str(lead.pk), str(assignment.pk)]).values_list("action"))
    assert {("assignment.created",), ("lead.changed",)} <= audited  # who owns what is audited…
    assert not AuditEntry.objects.filter(action__startswith="notification.").exists()  # …in-app messages are not
    assert services.lead_assign(lead_id=lead.pk).pk == assignment.pk  # a second claim is a no-op
    assert Assignment.objects.filter(lead=lead).count() == 1
    assert ConsultantProfile.objects.get(user=people[1]).open_leads == 1


@pytest.mark.django_db
def test_hot_leads_are_served_first_when_room_is_short():
    team, _people, _ = _team(1, max_new_per_day=1)
    cold = LeadFactory(team=team, attributes={"ai": {"intent": "not_interested", "urgency": "low"}})
    hot = LeadFactory(
        team=team,
        budget_max=Decimal(900_000),
        attributes={"ai": {"intent": "schedule_meeting", "urgency": "high", "buying_stage": "decision"}},
    )
    qualification_services.leads_score(lead_ids=[cold.pk, hot.pk])
    result = services.leads_assign(lead_ids=[cold.pk, hot.pk])
    assert result == {"assigned": 1, "waiting": 1}
    assert Assignment.objects.get().lead_id == hot.pk
    assert Assignment.objects.get().due_at - Assignment.objects.get().assigned_at == timedelta(minutes=25)


@pytest.mark.django_db
def test_fairness_over_a_long_run_follows_the_weights_and_nobody_starves():
    team, people, _ = _team(4, max_new_per_day=1000, max_open_leads=1000)
    ConsultantProfile.objects.filter(user=people[3]).update(weight=2.0)
    ConsultantProfile.objects.filter(user=people[0]).update(property_types=["apartment"])  # a better match for all
    leads = [LeadFactory(team=team, interest_type="apartment") for _ in range(250)]
    for lead in leads:
        services.lead_assign(lead_id=lead.pk)
    counts = Counter(Assignment.objects.values_list("consultant_id", flat=True))
    assert sum(counts.values()) == 250
    share = {p.pk: counts[p.pk] / 250 for p in people}
    assert share[people[3].pk] == pytest.approx(0.4, abs=0.05)  # weight 2 of 5
    for p in people[1:3]:
        assert share[p.pk] == pytest.approx(0.2, abs=0.05)
    assert share[people[0].pk] >= 0.2  # the specialist gets a little more, never everything


@pytest.mark.django_db
def test_paused_absent_and_off_hours_consultants_get_nothing():
    team, people, _ = _team(3)
    ConsultantProfile.objects.filter(user=people[0]).update(is_paused=True)
    profile = ConsultantProfile.objects.get(user=people[1])
    Absence.objects.create(
        profile=profile, starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    now = timezone.localtime()
    ConsultantProfile.objects.filter(user=people[2]).update(work_days=[(now.weekday() + 1) % 7])
    lead = LeadFactory(team=team)
    assert services.lead_assign(lead_id=lead.pk) is None
    ConsultantProfile.objects.filter(user=people[2]).update(work_days=list(range(7)))
    assert services.lead_assign(lead_id=lead.pk).consultant == people[2]


@pytest.mark.django_db
def test_candidates_are_the_teams_active_consultants_with_their_sla_debt():
    team, people, boss = _team(3)
    other_team, outsiders, _ = _team(1, name="Outra")
    people[2].is_active = False
    people[2].save()
    ConsultantProfile.objects.update_or_create(user=boss, defaults=ALWAYS)  # a supervisor is no candidate
    team.members.add(boss)
    now = timezone.now()
    for due in [now - timedelta(minutes=5), now - timedelta(minutes=1), now + timedelta(hours=1)]:
        Assignment.objects.create(
            lead=LeadFactory(team=team), consultant=people[0], kind="roulette", sla_minutes=25, due_at=due
        )
    contacted = Assignment.objects.create(
        lead=LeadFactory(team=team), consultant=people[0], kind="roulette", sla_minutes=25, due_at=now
    )
    Assignment.objects.filter(pk=contacted.pk).update(due_at=now - timedelta(hours=1), first_contact_at=now)

    found = {c.user_id: c for c in services.roulette_candidates_available(team_ids=[team.pk], now=now)}
    assert set(found) == {people[0].pk, people[1].pk}
    assert (found[people[0].pk].sla_debt, found[people[1].pk].sla_debt) == (2, 0)  # overdue and not contacted
    assert [
        c.user_id for c in services.roulette_candidates_available(team_ids=[team.pk], now=now, exclude=[people[0].pk])
    ] == [people[1].pk]
    everyone = {c.user_id for c in services.roulette_candidates_available(team_ids=None, now=now)}
    assert everyone == {people[0].pk, people[1].pk, outsiders[0].pk}
    other_team.is_active = False
    other_team.save()
    assert outsiders[0].pk not in {c.user_id for c in services.roulette_candidates_available(team_ids=None, now=now)}


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_assign_each_lead_once_and_never_exceed_a_cap():
    team, _people, _ = _team(4, max_open_leads=7, max_new_per_day=100)
    leads = [LeadFactory(team=team).pk for _ in range(40)]
    errors = []

    def worker(ids):
        try:
            for lead_id in ids:
                services.lead_assign(lead_id=lead_id)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    # every thread tries every lead, in a different order: maximal contention
    threads = [threading.Thread(target=worker, args=(leads[i:] + leads[:i],)) for i in range(0, 40, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    active = Assignment.objects.filter(status="active")
    assert active.count() == 28  # 4 consultants × cap 7
    assert max(Counter(active.values_list("lead_id", flat=True)).values()) == 1
    for p in ConsultantProfile.objects.all():
        assert p.open_leads <= p.max_open_leads == 7
        assert active.filter(consultant=p.user).count() == p.open_leads


# --- SLA watch ------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_sla_reminder_breach_alert_and_reassignment_after_grace(settings):
    settings.ASSIGNMENT_SLA_GRACE_MINUTES = 15
    team, people, boss = _team(2)
    lead = LeadFactory(team=team)
    first = services.lead_assign(lead_id=lead.pk)
    other = next(p for p in people if p != first.consultant)
    sla = first.sla_minutes
    result = services.sla_watch(now=first.assigned_at + timedelta(minutes=sla - 5))
    assert result["reminded"] == 1 and Notification.objects.filter(user=first.consultant, kind="reminder").exists()
    result = services.sla_watch(now=first.due_at + timedelta(minutes=1))
    assert result == {"reminded": 0, "breached": 1, "reassigned": 0}
    assert Notification.objects.filter(user=boss, kind="breach", lead_id=lead.pk).exists()
    assert mail.outbox and boss.email in mail.outbox[0].to
    assert services.sla_watch(now=first.due_at + timedelta(minutes=2))["breached"] == 0  # once
    result = services.sla_watch(now=first.due_at + timedelta(minutes=16))
    assert result["reassigned"] == 1
    first.refresh_from_db()
    assert first.status == "ended" and "SLA" in first.end_reason
    second = Assignment.objects.get(lead=lead, status="active")
    assert second.consultant == other and second.kind == AssignmentKind.SLA_REASSIGN
    assert Notification.objects.filter(user=first.consultant, kind="reassigned").exists()
    event = LeadEvent.objects.filter(lead=lead, kind=EventKind.OWNER_CHANGED).order_by("-id").first()
    assert "SLA" in event.payload["reason"]
    assert ConsultantProfile.objects.get(user=first.consultant).open_leads == 0


@pytest.mark.django_db
def test_first_contact_stops_the_clock_and_closing_frees_the_slot(django_capture_on_commit_callbacks):
    from leads import services as lead_services

    team, people, _ = _team(1)
    lead = LeadFactory(team=team)
    assignment = services.lead_assign(lead_id=lead.pk)
    with django_capture_on_commit_callbacks(execute=True):
        lead_services.lead_change_stage(lead=lead, actor=None, stage=LeadStage.CONTACTED)
    assignment.refresh_from_db()
    assert assignment.first_contact_at is not None
    assert services.sla_watch(now=assignment.due_at + timedelta(hours=2)) == {
        "reminded": 0,
        "breached": 0,
        "reassigned": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        lead_services.lead_change_stage(lead=lead, actor=None, stage=LeadStage.LOST)
    assignment.refresh_from_db()
    assert assignment.status == "ended" and ConsultantProfile.objects.get(user=people[0]).open_leads == 0
