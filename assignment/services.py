"""Writes of assignment: teams, consultant profiles, the roulette's claims, manual (re)assignment, pauses and
rebalancing, the SLA watch, notifications and counter reconciliation.

A claim is one transaction: the lead row is locked (``leads.services.lead_lock``), an active assignment makes a
second claim a no-op (and a partial unique index makes a double one impossible), and the consultant's counters are
raised by a conditional ``UPDATE … WHERE open_leads < max_open_leads AND …`` that fails when they are full, in which
case the next-ranked consultant is tried. So under any concurrency a lead is assigned once and no cap is exceeded.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assignment import roulette, selectors, task_services
from assignment.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    ConsultantProfile,
    Notification,
    NotificationKind,
    OwnerMove,
    OwnerMoveKind,
    Team,
)
from common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from common.tasks import task_send_on_commit
from compliance.roles import Role, user_has_role
from compliance.services.audit import audit_change
from leads import selectors as lead_selectors
from leads import services as lead_services
from qualification import selectors as qualification_selectors

logger = logging.getLogger(__name__)
CLOSED_STAGES = ("won", "lost")
CLASS_ORDER = {"hot": 0, "warm": 1, "cold": 2, "": 3}
CONSULTANT_FULL = "consultant_full"


class AssignmentRefused(ApplicationError):
    code = "assignment_refused"


class AssignmentNotYourTeam(AssignmentRefused):
    code = "not_your_team"
    http_status = 403


@transaction.atomic
def team_ensure(*, name: str, supervisor, members=()) -> Team:
    """The team called ``name`` (created with ``supervisor`` if new), with ``members`` added."""
    team, _created = Team.objects.get_or_create(name=name, defaults={"supervisor": supervisor})
    if members:
        team.members.add(*members)
    return team


def consultant_profile_get_or_create(user, **defaults) -> ConsultantProfile:
    """The consultant's profile, created with ``defaults`` (skills, caps, hours…) if missing."""
    profile, _created = ConsultantProfile.objects.get_or_create(user=user, defaults=defaults)
    return profile


SEEN_WRITE_SECONDS = 60


def consultant_seen(user) -> None:
    """The consultant's screen polled: they are online (written at most once a minute). A Redis key per user says
    it was written within the minute, so the pages polled meanwhile send no UPDATE at all."""
    if not cache.add(f"consultant_seen:{user.pk}", 1, timeout=SEEN_WRITE_SECONDS):
        return
    now = timezone.now()
    ConsultantProfile.objects.filter(user=user).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - timedelta(seconds=SEEN_WRITE_SECONDS))
    ).update(last_seen_at=now)


# --- Candidates and claims ------------------------------------------------------------------------------------------
def _local(now: datetime) -> datetime:
    return timezone.localtime(now)


# The roulette's hot path, in plain SQL: the ORM spent longer compiling this query than PostgreSQL took to run it.
# A supervisor's raise for today (``capacity_raise_today``) counts on the day it was given only.
_EXTRA_TODAY = "(CASE WHEN p.extra_date = %(today)s THEN p.extra_today ELSE 0 END)"
_CANDIDATES_SQL = """
SELECT p.user_id, u.first_name, u.last_name, u.username, p.property_types, p.price_min, p.price_max, p.regions,
       p.languages, p.open_leads, p.max_open_leads + {extra} AS max_open_leads, p.new_today, p.new_today_date,
       p.max_new_per_day + {extra} AS max_new_per_day, p.weight,
       p.last_seen_at, p.conversion::text, p.work_days, p.work_start, p.work_end,
       (SELECT count(*) FROM assignment_assignment a
         WHERE a.consultant_id = p.user_id AND a.status = 'active' AND a.first_contact_at IS NULL
           AND a.due_at < %(now)s) AS sla_debt
FROM assignment_consultantprofile p
JOIN auth_user u ON u.id = p.user_id
WHERE u.is_active AND NOT p.is_paused
  AND p.user_id IN (SELECT m.user_id FROM assignment_team_members m JOIN assignment_team t ON t.id = m.team_id
                     WHERE t.is_active AND (%(any_team)s OR m.team_id = ANY(%(teams)s)))
  AND EXISTS (SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
               WHERE ug.user_id = p.user_id AND g.name = %(role)s)
  AND NOT EXISTS (SELECT 1 FROM assignment_absence ab
                   WHERE ab.profile_id = p.id AND ab.starts_at <= %(now)s AND ab.ends_at > %(now)s)
  AND p.user_id <> ALL(%(exclude)s)
""".replace("{extra}", _EXTRA_TODAY)


class _ConsultantRow(NamedTuple):
    """One row of ``_CANDIDATES_SQL``, in its column order."""

    user_id: int
    first_name: str
    last_name: str
    username: str
    property_types: list[str]
    price_min: Decimal | None
    price_max: Decimal | None
    regions: list[str]
    languages: list[str]
    open_leads: int
    max_open_leads: int  # with today's raise
    new_today: int
    new_today_date: date | None
    max_new_per_day: int  # with today's raise
    weight: float
    last_seen_at: datetime | None
    conversion: str | None  # JSON text
    work_days: list[int]
    work_start: time
    work_end: time
    sla_debt: int  # active assignments past their first-contact due time


def roulette_candidates_available(
    *, team_ids: list[int] | None, now: datetime, exclude=(), daily_cap: bool = True
) -> list[roulette.Candidate]:
    """Available consultants (active, not paused, not absent, within working hours) with room today: one query,
    plain rows, absence and SLA debt as subqueries (this runs on every decision). A consultant without a profile
    joins the roulette once ``counters_reconcile`` (every 10 min) creates it. ``daily_cap=False``: a supervisor's
    move, which is not a new lead of the day (only the open-leads cap holds)."""
    params = {
        "now": now,
        "any_team": not team_ids,
        "teams": list(team_ids or []),
        "role": str(Role.CONSULTANT),
        "exclude": list(exclude),
        "today": _local(now).date(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, params)
        rows = cursor.fetchall()
    local = _local(now)
    today, weekday, clock = local.date(), local.weekday(), local.time()
    online_after = now - timedelta(minutes=settings.ASSIGNMENT_ONLINE_MINUTES)
    out = []
    for row in map(_ConsultantRow._make, rows):
        start, end = row.work_start, row.work_end
        on_shift = start <= clock < end if start < end else (clock >= start or clock < end)
        new_today = row.new_today if row.new_today_date == today else 0
        day_full = daily_cap and new_today >= row.max_new_per_day
        if weekday not in row.work_days or not on_shift or row.open_leads >= row.max_open_leads or day_full:
            continue
        out.append(
            roulette.Candidate(
                user_id=row.user_id,
                name=f"{row.first_name} {row.last_name}".strip() or row.username,
                property_types=row.property_types,
                price_min=float(row.price_min) if row.price_min is not None else None,
                price_max=float(row.price_max) if row.price_max is not None else None,
                regions=row.regions,
                languages=row.languages,
                open_leads=row.open_leads,
                max_open_leads=row.max_open_leads,
                new_today=new_today,
                weight=row.weight,
                sla_debt=row.sla_debt,
                online=bool(row.last_seen_at and row.last_seen_at >= online_after),
                conversion={k: tuple(v) for k, v in json.loads(row.conversion or "{}").items()},
            )
        )
    return out


_CLAIM_SQL = """
UPDATE assignment_consultantprofile
SET open_leads = open_leads + 1,
    new_today = (CASE WHEN new_today_date = %(today)s THEN new_today ELSE 0 END)
                + (CASE WHEN %(new)s THEN 1 ELSE 0 END),
    new_today_date = %(today)s,
    assigned_total = assigned_total + 1,
    last_assigned_at = %(now)s
WHERE user_id = %(user)s
  AND NOT is_paused
  AND open_leads < max_open_leads + {extra}
  AND (NOT %(new)s OR new_today_date IS DISTINCT FROM %(today)s OR new_today < max_new_per_day + {extra})
RETURNING user_id
""".replace("{extra}", _EXTRA_TODAY.replace("p.", ""))


def _claim(user_id: int, now: datetime, *, new: bool = True) -> bool:
    """Take one slot of the consultant's capacity, or fail if there is none left (atomic in the database).
    ``new``: the lead counts as one of today's new leads (the roulette handing it out). A supervisor's move (a
    rebalance, a manual or bulk assignment) is not: it takes an open-leads slot only and leaves the daily cap alone."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, {"today": _local(now).date(), "now": now, "user": user_id, "new": new})
        return cursor.fetchone() is not None


def _release(user_id: int) -> None:
    ConsultantProfile.objects.filter(user_id=user_id, open_leads__gt=0).update(open_leads=F("open_leads") - 1)


def _lead_facts(lead, category: str) -> roulette.LeadFacts:
    ai = (lead.attributes or {}).get("ai") or {}
    budget = lead.budget_max or lead.budget_min or ai.get("budget_max")
    return roulette.LeadFacts(
        lead_id=lead.pk,
        interest_type=lead.interest_type or ai.get("property_type") or "",
        budget=float(budget) if budget else None,
        state=lead.state,
        city=lead.city,
        language=(lead.attributes or {}).get("language") or "pt",
        category=category,
    )


def _end(assignment: Assignment, *, reason: str, now: datetime) -> None:
    assignment.status = AssignmentStatus.ENDED
    assignment.ended_at = now
    assignment.end_reason = reason[:200]
    assignment.save(update_fields=["status", "ended_at", "end_reason"])
    _release(assignment.consultant_id)


def _notify(user_id: int, kind: str, lead_id: int | None, **data) -> None:
    Notification.objects.create(user_id=user_id, kind=kind, lead_id=lead_id, data=data)


def _routing_info(lead_id: int) -> tuple[str, int, float | None]:
    """(class, first-contact SLA minutes, served score) of the lead; an unscored lead gets the cold SLA."""
    found = qualification_selectors.category_and_sla(lead_ids=[lead_id]).get(lead_id)
    return found or ("", qualification_selectors.unscored_sla_minutes(), None)


def _hand_over(
    *,
    lead,
    active,
    user,
    kind: str,
    actor,
    reason: str,
    end_reason: str,
    details: dict,
    routing,
    now,
    team=None,
    on_timeline: bool = False,
) -> Assignment:
    """The claim succeeded: end the previous assignment (or free the previous owner's slot), record the new one with
    its due time, change the owner on the timeline and notify both consultants. Inside the claim's transaction."""
    previous_owner_id = active.consultant_id if active else lead.owner_id
    if active:
        _end(active, reason=end_reason, now=now)
    elif lead.owner_id and lead.owner_id != user.pk:
        _release(lead.owner_id)
    category, sla, score = routing
    assignment = Assignment.objects.create(
        lead_id=lead.pk,
        consultant=user,
        team_id=lead.team_id or (team.pk if team else None),
        kind=kind,
        category=category,
        score=score,
        sla_minutes=sla,
        assigned_at=now,
        due_at=now + timedelta(minutes=sla),
        reasons=details,
        actor=actor,
    )
    lead_services.lead_change_owner(
        lead=lead,
        actor=actor,
        owner=user,
        reason=reason,
        team=team,
        details=details if on_timeline else None,
        locked=True,
    )
    task_services.tasks_follow_owner(lead_id=lead.pk, previous_owner_id=previous_owner_id, owner_id=user.pk)
    task_services.tasks_from_recommendations(lead_ids=[lead.pk], now=now)
    _notify(user.pk, NotificationKind.ASSIGNED, lead.pk, due_at=assignment.due_at.isoformat(), category=category)
    if active:
        _notify(active.consultant_id, NotificationKind.REASSIGNED, lead.pk, reason=end_reason)
    return assignment


def lead_assign(
    *, lead_id: int, kind: str = AssignmentKind.ROULETTE, actor=None, exclude=(), reason: str = "", now=None
) -> Assignment | None:
    """Run the roulette for one lead and claim it for the best consultant with room. Returns the active assignment
    (the existing one when the lead was already assigned by the roulette), or None when nobody can take it now
    (it stays unassigned and the sweep retries)."""
    now = now or timezone.now()
    if kind == AssignmentKind.MANUAL:
        assignment_permission_check(actor=actor, lead_id=lead_id)
    with transaction.atomic():
        lead = lead_services.lead_lock(lead_id=lead_id)  # lock order (docs/locks.md): leads.Lead, then assignment
        if lead is None or lead.stage in CLOSED_STAGES:
            return None
        active = Assignment.objects.filter(lead_id=lead_id, status=AssignmentStatus.ACTIVE).first()
        if kind == AssignmentKind.ROULETTE and (active or lead.owner_id):
            return active  # someone has it already: a claim is made once
        exclude = {*exclude, *([active.consultant_id] if active else [])}
        routing = _routing_info(lead_id)
        category = routing[0]
        team_ids = [lead.team_id] if lead.team_id else None
        new = actor is None  # Fluxo handing out a lead; a person's move does not eat the receiver's daily cap
        candidates = roulette_candidates_available(team_ids=team_ids, now=now, exclude=exclude, daily_cap=new)
        ranked = roulette.rank(_lead_facts(lead, category), candidates)
        chosen = next((r for r in ranked if _claim(r.user_id, now, new=new)), None)
        if chosen is None:
            return None
        user = get_user_model().objects.get(pk=chosen.user_id)
        team = None if lead.team_id else selectors.team_for_member(user)
        details = {
            "kind": kind,
            "category": category,
            "factors": chosen.factors,
            "reasons": chosen.reasons,
            "runners_up": [{"user": r.user_id, "name": r.name, "total": round(r.total, 5)} for r in ranked[1:4]],
            "new_today": new,
        }
        assignment = _hand_over(
            lead=lead,
            active=active,
            user=user,
            kind=kind,
            actor=actor,
            reason=reason
            or _("Roulette: best match with room (%(why)s)")
            % {"why": ", ".join(str(roulette.REASON_LABELS.get(r, r)) for r in chosen.reasons)},
            end_reason=reason or str(AssignmentKind(kind).label),
            details=details,
            routing=routing,
            now=now,
            team=team,
            on_timeline=True,
        )
    return assignment


def assignment_permission_check(*, actor, lead_id: int, consultant=None) -> None:
    """The one rule for a person handing a lead over, whatever the path (lead page, REST API): they must see the
    lead (``lead_visible_to``: otherwise it does not exist for them) and the consultant must be in a team they
    manage (admins: any active team). ``actor=None`` is Fluxo itself (roulette, SLA watch): no check."""
    if actor is None:
        return
    if not user_has_role(actor, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDeniedError(_("Only supervisors and admins assign leads."))
    if not lead_selectors.lead_visible_to(actor).filter(pk=lead_id).exists():
        raise NotFoundError(_("Lead not found."), code="lead_not_found", details={"lead": lead_id})
    if (
        consultant is not None
        and not selectors.consultants_of(selectors.teams_managed_by(actor)).filter(pk=consultant.pk).exists()
    ):
        raise AssignmentNotYourTeam(_("This consultant is not in one of your teams."))


def lead_assign_to(*, lead_id: int, consultant, actor, reason: str = "", now=None) -> Assignment:
    """A supervisor's choice, within their teams (``assignment_permission_check``). The consultant's caps still
    hold: a full consultant is refused with the reason."""
    now = now or timezone.now()
    assignment_permission_check(actor=actor, lead_id=lead_id, consultant=consultant)
    if not (consultant.is_active and user_has_role(consultant, Role.CONSULTANT)):
        raise AssignmentRefused(_("%(name)s is not an active consultant.") % {"name": consultant.get_full_name()})
    consultant_profile_get_or_create(consultant)
    with transaction.atomic():
        lead = lead_services.lead_lock(lead_id=lead_id)  # lock order (docs/locks.md): leads.Lead, then assignment
        if lead is None:
            raise AssignmentRefused(_("This lead no longer exists."))
        active = Assignment.objects.filter(lead_id=lead_id, status=AssignmentStatus.ACTIVE).first()
        if active and active.consultant_id == consultant.pk:
            return active
        if not _claim(consultant.pk, now, new=False):  # a supervisor's move: not one of today's new leads
            raise AssignmentRefused(
                _("%(name)s is paused or has no room left (open leads or new leads today at the limit).")
                % {"name": consultant.get_full_name() or consultant.get_username()},
                code=CONSULTANT_FULL,
            )
        assignment = _hand_over(
            lead=lead,
            active=active,
            user=consultant,
            kind=AssignmentKind.MANUAL,
            actor=actor,
            reason=reason or _("Assigned by a supervisor"),
            end_reason=reason or _("manual reassignment"),
            details={
                "kind": AssignmentKind.MANUAL,
                "by": actor.pk if actor else None,
                "reason": reason,
                "new_today": False,
            },
            routing=_routing_info(lead_id),
            now=now,
        )
    return assignment


def leads_assign(*, lead_ids: list[int], now=None) -> dict:
    """The roulette over many leads in the order waiting leads are served: hot first, then the recurrence priority
    (people who showed interest again), then age (oldest first). Used on new leads and by the sweep."""
    info = qualification_selectors.category_and_sla(lead_ids=lead_ids)
    waiting = lead_selectors.lead_priority_and_age(lead_ids=lead_ids)
    ordered = sorted(
        lead_ids,
        key=lambda i: (
            CLASS_ORDER.get(info.get(i, ("",))[0], 3),
            -waiting.get(i, (0, None))[0],
            waiting.get(i, (0, None))[1] or timezone.now(),
            i,
        ),
    )
    assigned = skipped = 0
    for lead_id in ordered:
        if lead_assign(lead_id=lead_id, now=now):
            assigned += 1
        else:
            skipped += 1
    return {"assigned": assigned, "waiting": skipped}


# --- Leads waiting for capacity (the supervisor's tools on the home page) ------------------------------------------
CAPACITY_BATCH = 1000  # waiting leads handled per click


def _waiting_in(teams) -> list[int]:
    return lead_selectors.lead_ids_unassigned_in_teams(team_ids=list(teams.values_list("pk", flat=True)))


def capacity_raise_today(*, actor, extra: int, now=None) -> dict:
    """Every consultant of the actor's teams may take ``extra`` more leads today (both caps; it lapses at midnight),
    then the roulette runs over the leads waiting in those teams. Audited; returns consultants raised, assigned and
    still waiting."""
    if not user_has_role(actor, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDeniedError(_("Only supervisors and admins change the consultants' limits."))
    if not 1 <= extra <= 500:
        raise AssignmentRefused(_("Raise today's limit by 1 to 500 leads."))
    now = now or timezone.now()
    teams = selectors.teams_managed_by(actor)
    raised = ConsultantProfile.objects.filter(user_id__in=selectors.team_member_ids(teams)).update(
        extra_today=extra, extra_date=_local(now).date()
    )
    audit_change(
        action="assignment.capacity_raised_today", details={"extra": extra, "consultants": raised}, actor=actor
    )
    result = leads_assign(lead_ids=_waiting_in(teams)[:CAPACITY_BATCH], now=now)
    return {"raised": raised, **result}


def waiting_assign(*, actor, now=None) -> dict:
    """Spin the roulette now over the leads waiting in the actor's teams (the sweep's work, on demand)."""
    if not user_has_role(actor, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDeniedError(_("Only supervisors and admins assign leads."))
    return leads_assign(lead_ids=_waiting_in(selectors.teams_managed_by(actor))[:CAPACITY_BATCH], now=now)


def waiting_spread_to_team(*, actor, team: Team, now=None) -> dict:
    """Hand the leads waiting in the actor's teams to ``team`` (another team with room), then spin the roulette
    over them there. Each lead's timeline says who moved it and where."""
    if not user_has_role(actor, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDeniedError(_("Only supervisors and admins move leads between teams."))
    own = selectors.teams_managed_by(actor)
    if not selectors.teams_other_than(own).filter(pk=team.pk).exists():
        raise AssignmentRefused(_("Choose another active team."))
    lead_ids = _waiting_in(own)[:CAPACITY_BATCH]
    moved = lead_services.leads_team_move(lead_ids=lead_ids, team_id=team.pk, actor=actor, team_name=team.name)
    result = leads_assign(lead_ids=lead_ids, now=now)
    return {"moved": moved, **result}


def unassigned_sweep(*, limit: int = 500, now=None) -> dict:
    if not settings.ASSIGNMENT_AUTO:
        return {"assigned": 0, "waiting": 0}
    lead_ids = lead_selectors.lead_ids_unassigned(limit=limit)
    # a new lead whose first score waits for its AI reading is routed on that score (leads_scored), not before it
    waiting = qualification_selectors.lead_ids_waiting_for_reading(lead_ids=lead_ids)
    return leads_assign(lead_ids=[i for i in lead_ids if i not in waiting], now=now)


# --- Events from the apps below -------------------------------------------------------------------------------------
def first_contact_record(*, lead_id: int, at: datetime | None = None) -> bool:
    """The owner reached the lead (message sent, stage moved on): the SLA is met."""
    return bool(
        Assignment.objects.filter(
            lead_id=lead_id, status=AssignmentStatus.ACTIVE, first_contact_at__isnull=True
        ).update(first_contact_at=at or timezone.now())
    )


def lead_closed(*, lead_id: int) -> None:
    with transaction.atomic():
        for assignment in Assignment.objects.select_for_update().filter(
            lead_id=lead_id, status=AssignmentStatus.ACTIVE
        ):
            _end(assignment, reason=_("lead closed"), now=timezone.now())


def sla_retime(*, lead_ids: list[int]) -> int:
    """A lead that turned hotter before its first contact is due sooner (never later)."""
    awaiting = list(
        Assignment.objects.filter(lead_id__in=lead_ids, status=AssignmentStatus.ACTIVE, first_contact_at__isnull=True)
    )
    if not awaiting:
        return 0
    info = qualification_selectors.category_and_sla(lead_ids=[a.lead_id for a in awaiting])
    changed = 0
    for assignment in awaiting:
        category, sla, _score = info.get(assignment.lead_id, (assignment.category, assignment.sla_minutes, None))
        due = assignment.assigned_at + timedelta(minutes=sla)
        if due < assignment.due_at:
            assignment.due_at, assignment.sla_minutes, assignment.category = due, sla, category
            assignment.save(update_fields=["due_at", "sla_minutes", "category"])
            changed += 1
    return changed


# --- SLA watch ------------------------------------------------------------------------------------------------------
def _supervisors_of(assignment: Assignment) -> list[int]:
    teams = Team.objects.filter(Q(pk=assignment.team_id) | Q(members=assignment.consultant_id), is_active=True)
    return sorted({s for s in teams.values_list("supervisor_id", flat=True) if s})


def sla_watch(*, now: datetime | None = None) -> dict:
    """Reminders before the due time, a supervisor alert at the breach, reassignment after the grace period."""
    now = now or timezone.now()
    awaiting = Assignment.objects.filter(status=AssignmentStatus.ACTIVE, first_contact_at__isnull=True)
    reminded = breached = reassigned = 0
    for a in awaiting.filter(reminded_at__isnull=True, due_at__gt=now).select_related("consultant"):
        lead_time = max(timedelta(minutes=5), timedelta(minutes=a.sla_minutes * settings.ASSIGNMENT_REMINDER_SHARE))
        if a.due_at - now <= lead_time and Assignment.objects.filter(pk=a.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            _notify(a.consultant_id, NotificationKind.REMINDER, a.lead_id, due_at=a.due_at.isoformat())
            task_services.task_for_sla(assignment=a, now=now)
            reminded += 1
    for a in awaiting.filter(breached_at__isnull=True, due_at__lte=now).select_related("consultant"):
        if not Assignment.objects.filter(pk=a.pk, breached_at__isnull=True).update(breached_at=now):
            continue  # another watcher got it
        breached += 1
        task_services.task_for_sla(assignment=a, now=now)  # at risk unnoticed (a short SLA): the task now
        name = a.consultant.get_full_name() or a.consultant.get_username()
        for supervisor in _supervisors_of(a):
            _notify(supervisor, NotificationKind.BREACH, a.lead_id, consultant=name, due_at=a.due_at.isoformat())
        _breach_mail(a, name)
    grace = timedelta(minutes=settings.ASSIGNMENT_SLA_GRACE_MINUTES)
    for a in awaiting.filter(breached_at__isnull=False, due_at__lte=now - grace):
        reason = _("First-contact SLA breached: no contact %(minutes)d min after the due time") % {
            "minutes": int((now - a.due_at).total_seconds() // 60)
        }
        if lead_assign(lead_id=a.lead_id, kind=AssignmentKind.SLA_REASSIGN, reason=reason, now=now):
            reassigned += 1
    return {"reminded": reminded, "breached": breached, "reassigned": reassigned}


def _breach_mail(assignment: Assignment, consultant_name: str) -> None:
    emails = list(
        get_user_model()
        .objects.filter(pk__in=_supervisors_of(assignment), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not emails:
        return
    try:
        send_mail(
            _("[Fluxo] First-contact SLA breached"),
            _("Lead #%(lead)d, with %(name)s, was due at %(due)s and has not been contacted.")
            % {"lead": assignment.lead_id, "name": consultant_name, "due": timezone.localtime(assignment.due_at)},
            None,
            emails,
        )
    except Exception:  # the in-app alert is already written; mail is best effort
        logger.warning("breach e-mail for assignment %s failed", assignment.pk, exc_info=True)


# --- Supervisor tools -----------------------------------------------------------------------------------------------
def consultant_pause(*, user, actor, paused: bool, reason: str = "") -> ConsultantProfile:
    profile = consultant_profile_get_or_create(user)
    profile.is_paused = paused
    profile.paused_reason = reason[:200] if paused else ""
    profile.save(update_fields=["is_paused", "paused_reason"])
    return profile


class RebalanceRunning(AssignmentRefused):
    code = "rebalance_running"
    http_status = 409


MOVE_PROGRESS_EVERY = 20  # a running rebalance saves its entries and counts this often (progress, resumable)


def consultant_rebalance_start(*, user, actor, reason: str = "") -> OwnerMove:
    """A departing consultant, in the request: pause them at once (the roulette stops giving them leads), count their
    open leads and record the rebalance as running; the worker does the moving (``consultant_rebalance``), one at a
    time per consultant."""
    with transaction.atomic():
        consultant_profile_get_or_create(user)
        ConsultantProfile.objects.select_for_update().filter(user=user).first()  # one start at a time
        if OwnerMove.objects.filter(
            kind=OwnerMoveKind.REBALANCE, consultant=user, finished_at__isnull=True, undone_at__isnull=True
        ).exists():
            raise RebalanceRunning(
                _("The rebalance of %(name)s is already running.")
                % {"name": user.get_full_name() or user.get_username()}
            )
        before = ConsultantProfile.objects.get(user=user)
        consultant_pause(user=user, actor=actor, paused=True, reason=reason or _("leaving: leads rebalanced"))
        total = len(lead_selectors.lead_ids_owned_open(owner_id=user.pk))
        move = OwnerMove.objects.create(
            kind=OwnerMoveKind.REBALANCE,
            actor=actor,
            consultant=user,
            entries=[],
            result={
                "total": total,
                "done": 0,
                "moved": 0,
                "waiting": 0,
                "reason": reason[:200],
                # the availability the undo gives back: a consultant paused before the move stays paused
                "paused_before": before.is_paused,
                "paused_reason_before": before.paused_reason,
            },
        )
        task_send_on_commit("assignment.owner_move_rebalance", move.pk)
    return move


def consultant_rebalance(*, move_id: int) -> dict:
    """The worker's part of a rebalance: hand each open lead of the departing consultant to the roulette (they are
    excluded). A lead nobody has room for now leaves them too and waits for the roulette ("aguardando capacidade"),
    where the supervisor's capacity tools and the sweep find it. Every lead is recorded in the ``OwnerMove`` so that
    the supervisor can undo it; progress is saved as it goes, so a redelivered task carries on where it stopped.
    The supervisor is notified with the counts: total = moved + waiting."""
    move = OwnerMove.objects.select_related("consultant", "actor").filter(pk=move_id).first()
    if move is None or move.finished_at is not None or move.undone_at is not None:
        return dict(move.result) if move else {}
    user, actor = move.consultant, move.actor
    reason = move.result.get("reason", "")
    why = reason or _("Rebalanced: %(name)s is leaving") % {"name": user.get_full_name() or user.get_username()}
    entries = list(move.entries)
    seen = {entry["lead"] for entry in entries}
    todo = [lead_id for lead_id in lead_selectors.lead_ids_owned_open(owner_id=user.pk) if lead_id not in seen]
    total = len(entries) + len(todo)
    for index, lead_id in enumerate(todo, start=1):
        active = Assignment.objects.filter(lead_id=lead_id, status=AssignmentStatus.ACTIVE).first()
        if active:
            result = lead_assign(
                lead_id=lead_id, kind=AssignmentKind.REBALANCE, actor=actor, exclude={user.pk}, reason=why
            )
            if result is None:
                _rebalance_release(lead_id=lead_id, active=active, actor=actor, reason=why)
        else:
            result = _rebalance_unassigned(lead_id=lead_id, user=user, actor=actor, reason=why)
        entries.append(_move_entry(lead_id, user.pk, result, active))
        if index % MOVE_PROGRESS_EVERY == 0:
            move.entries, move.result = entries, _move_counts(entries, total, reason, move.result)
            move.save(update_fields=["entries", "result"])
    move.entries, move.result, move.finished_at = (
        entries,
        _move_counts(entries, total, reason, move.result),
        timezone.now(),
    )
    move.save(update_fields=["entries", "result", "finished_at"])
    name = user.get_full_name() or user.get_username()
    _notify(actor.pk, NotificationKind.MOVE_DONE, None, move=move.pk, text=move_result_text(move, name=name))
    return dict(move.result)


def _move_counts(entries: list[dict], total: int, reason: str = "", before: dict | None = None) -> dict:
    moved = sum(1 for entry in entries if entry["to"])
    counts = {"total": total, "done": len(entries), "moved": moved, "waiting": len(entries) - moved, "reason": reason}
    for key in ("paused_before", "paused_reason_before"):  # kept for the undo
        if before and key in before:
            counts[key] = before[key]
    return counts


def move_result_text(move: OwnerMove, *, name: str) -> str:
    """The finished rebalance in one sentence whose numbers add up: "386 leads de Ana: 306 entregues a outros
    consultores, 80 aguardando capacidade"."""
    counts = move.result
    text = _("Rebalance of %(name)s finished: %(total)d leads — %(moved)d handed to other consultants") % {
        "name": name,
        "total": counts.get("total", 0),
        "moved": counts.get("moved", 0),
    }
    if counts.get("waiting"):
        text += ", " + _("%(waiting)d waiting for capacity (nobody had room)") % {"waiting": counts["waiting"]}
    return text + "."


def _rebalance_release(*, lead_id: int, active: Assignment, actor, reason: str) -> None:
    """Nobody has room for the lead now: it leaves the departing consultant anyway and waits for the roulette."""
    with transaction.atomic():
        lead = lead_services.lead_lock(lead_id=lead_id)  # lock order (docs/locks.md): leads.Lead, then assignment
        if lead is None:
            return
        current = Assignment.objects.filter(pk=active.pk, status=AssignmentStatus.ACTIVE).first()
        if current is not None:
            _end(current, reason=reason, now=timezone.now())
        lead_services.lead_change_owner(lead=lead, actor=actor, owner=None, reason=reason, locked=True)


def _move_entry(lead_id: int, previous_owner_id, assignment, previous) -> dict:
    return {
        "lead": lead_id,
        "from": previous_owner_id,
        "to": assignment.consultant_id if assignment else None,
        "assignment": assignment.pk if assignment else None,
        "previous_assignment": previous.pk if previous else None,
    }


def leads_assign_bulk(*, lead_ids: list[int], consultant, actor) -> dict:
    """A supervisor hands many leads to one consultant (``lead_assign_to`` for each: the same permission rule and
    caps). Stops at the first refusal of the consultant (full or paused) and says how many were left. Recorded in
    an ``OwnerMove`` for undo. Returns {moved, unchanged, left, refused, full (the consultant had no room), move}."""
    entries, unchanged, left, refused, full = [], 0, 0, "", False
    ids = list(lead_ids)
    for index, lead_id in enumerate(ids):
        previous_owner = lead_selectors.lead_owner_id(lead_id=lead_id)
        if previous_owner == consultant.pk:
            unchanged += 1
            continue
        previous = Assignment.objects.filter(lead_id=lead_id, status=AssignmentStatus.ACTIVE).first()
        try:
            assignment = lead_assign_to(lead_id=lead_id, consultant=consultant, actor=actor)
        except ApplicationError as exc:
            refused = exc.message
            if exc.code == CONSULTANT_FULL:  # so are the rest: stop trying
                left += len(ids) - index
                full = True
                break
            left += 1  # this lead only (gone, merged, no longer visible): go on with the others
            continue
        entries.append(_move_entry(lead_id, previous_owner, assignment, previous))
    move = None
    if entries:
        move = OwnerMove.objects.create(
            kind=OwnerMoveKind.BULK_ASSIGN,
            actor=actor,
            consultant=consultant,
            entries=entries,
            result={"total": len(ids), "done": len(entries), "moved": len(entries), "waiting": 0},
            finished_at=timezone.now(),
        )
    return {
        "moved": len(entries),
        "unchanged": unchanged,
        "left": left,
        "refused": refused,
        "full": full,
        "move": move,
    }


def owner_move_undo_start(*, move_id: int, actor) -> OwnerMove:
    """Ask for the undo of a bulk assignment or a finished rebalance (in the request: checks, then the worker puts
    the leads back, ``owner_move_undo``). Only the person who did it (or an admin) may; a move still running or
    undone already is refused with the reason."""
    with transaction.atomic():
        move = OwnerMove.objects.select_for_update().filter(pk=move_id).first()
        if move is None or not (move.actor_id == actor.pk or user_has_role(actor, Role.ADMIN)):
            raise NotFoundError(_("This change does not exist."), code="owner_move_not_found")
        if move.undone_at is not None:
            raise AssignmentRefused(_("This change was undone already."), code="owner_move_undone")
        if move.finished_at is None:
            raise AssignmentRefused(
                _("This change is still running: undo it when it has finished."), code="owner_move_running"
            )
        move.undone_at = timezone.now()
        move.save(update_fields=["undone_at"])
        task_send_on_commit("assignment.owner_move_undo", move.pk)
    return move


def owner_move_undo(*, move_id: int) -> dict:
    """The worker's part of an undo: put the leads back with their previous owners — each lead only if nothing
    changed since (still with the owner and the assignment the move gave it); the previous assignment comes back
    with its SLA as it was. A rebalanced consultant gets back the availability they had before the move (resumed
    if they were available, still paused if they were paused). The person who asked is notified. Returns
    {restored, skipped}."""
    move = OwnerMove.objects.select_related("consultant", "actor").filter(pk=move_id).first()
    if move is None or move.undone_at is None:
        return {}
    if move.undo_result:
        return dict(move.undo_result)
    actor = move.actor
    if move.kind == OwnerMoveKind.REBALANCE and move.consultant_id:
        # The consultant's availability as it was before the move: paused before stays paused (with its reason).
        was_paused = bool(move.result.get("paused_before"))
        consultant_pause(
            user=move.consultant, actor=actor, paused=was_paused, reason=move.result.get("paused_reason_before", "")
        )
    restored, skipped = 0, []
    reason = _("Undone: %(what)s of %(when)s") % {
        "what": move.get_kind_display(),
        "when": timezone.localtime(move.created_at).strftime("%d/%m %H:%M"),
    }
    for entry in move.entries:
        try:
            done = _entry_undo(entry, actor=actor, reason=reason)
        except ApplicationError:  # e.g. the previous owner no longer works here: the lead stays where it is
            done = False
        if done:
            restored += 1
        else:
            skipped.append(entry["lead"])
    move.undo_result = {"restored": restored, "skipped": skipped}
    move.save(update_fields=["undo_result"])
    _notify(actor.pk, NotificationKind.MOVE_DONE, None, move=move.pk, text=undo_result_text(move.undo_result))
    return {"restored": restored, "skipped": skipped}


def undo_result_text(result: dict) -> str:
    text = _("Undone: %(restored)d leads are back with their previous owners.") % {"restored": result["restored"]}
    if result["skipped"]:
        text += " " + _("%(n)d changed since and were left as they are.") % {"n": len(result["skipped"])}
    return text


def _entry_undo(entry: dict, *, actor, reason: str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        lead = lead_services.lead_lock(lead_id=entry["lead"])  # lock order (docs/locks.md): leads.Lead, then assignment
        if lead is None or lead.owner_id != entry["to"]:
            return False  # someone else has it now (or it was merged away): leave it
        active = Assignment.objects.filter(lead_id=lead.pk, status=AssignmentStatus.ACTIVE).first()
        if (active.pk if active else None) != entry["assignment"]:
            return False
        if active:
            _end(active, reason=reason, now=now)
            today = _local(now).date()
            counted = (active.reasons or {}).get("new_today", True)  # a supervisor's move did not take today's room
            if counted and _local(active.assigned_at).date() == today:  # today's room comes back with the lead
                ConsultantProfile.objects.filter(
                    user_id=active.consultant_id, new_today_date=today, new_today__gt=0
                ).update(new_today=F("new_today") - 1)
        previous_owner = get_user_model().objects.filter(pk=entry["from"]).first() if entry["from"] else None
        if entry["previous_assignment"]:
            Assignment.objects.filter(pk=entry["previous_assignment"], status=AssignmentStatus.ENDED).update(
                status=AssignmentStatus.ACTIVE, ended_at=None, end_reason=""
            )
        if previous_owner is not None:
            ConsultantProfile.objects.filter(user=previous_owner).update(open_leads=F("open_leads") + 1)
        lead_services.lead_change_owner(lead=lead, actor=actor, owner=previous_owner, reason=reason, locked=True)
        if previous_owner is not None:
            _notify(previous_owner.pk, NotificationKind.ASSIGNED, lead.pk, reason=reason)
    return True


def _rebalance_unassigned(*, lead_id: int, user, actor, reason: str) -> Assignment | None:
    """A lead owned without a roulette assignment (owned before Fluxo routed): same move, through the roulette."""
    with transaction.atomic():
        lead = lead_services.lead_lock(lead_id=lead_id)  # lock order (docs/locks.md): leads.Lead, then assignment
        if lead is None:
            return None
        lead_services.lead_change_owner(lead=lead, actor=actor, owner=None, reason=reason)
        _release(user.pk)
    return lead_assign(lead_id=lead_id, kind=AssignmentKind.REBALANCE, actor=actor, exclude={user.pk}, reason=reason)


def notifications_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def counters_reconcile() -> int:
    """Open leads and conversion history per consultant, recounted from the leads (drift from changes made
    outside the roulette: a manual owner change in the admin, a merge)."""
    for user in (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.CONSULTANT, consultant_profile__isnull=True)
        .distinct()
    ):
        consultant_profile_get_or_create(user)
    profiles = list(ConsultantProfile.objects.all())
    ids = [p.user_id for p in profiles]
    open_counts = lead_selectors.lead_open_counts_by_owner(owner_ids=ids)
    conversions = lead_selectors.lead_conversion_by_owner(owner_ids=ids)
    for p in profiles:
        p.open_leads = open_counts.get(p.user_id, 0)
        p.conversion = {k[1] or "": list(v) for k, v in conversions.items() if k[0] == p.user_id}
    ConsultantProfile.objects.bulk_update(profiles, ["open_leads", "conversion"], batch_size=500)
    return len(profiles)
