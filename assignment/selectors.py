"""Reads about teams and their people."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from assignment.models import (
    Assignment,
    AssignmentStatus,
    ConsultantProfile,
    Notification,
    NotificationKind,
    OwnerMove,
    OwnerMoveKind,
    Team,
)
from compliance.roles import Role, user_has_role
from qualification.selectors import served_for_leads


def teams_supervised_by(user) -> QuerySet[Team]:
    return Team.objects.filter(supervisor=user, is_active=True)


def teams_managed_by(user) -> QuerySet[Team]:
    """Admins and integrators: every active team; supervisors: theirs."""
    if user_has_role(user, Role.ADMIN, Role.INTEGRATOR):
        return Team.objects.filter(is_active=True)
    return teams_supervised_by(user)


def team_member_ids(teams: QuerySet[Team]) -> QuerySet:
    """A subquery of the user ids that belong to ``teams`` (usable inside another query)."""
    return Team.members.through.objects.filter(team__in=teams).values("user_id")


def team_for_member(user) -> Team | None:
    return Team.objects.filter(members=user, is_active=True).order_by("id").first()


def consultants_of(teams: QuerySet[Team]) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(id__in=team_member_ids(teams), is_active=True)
        .order_by("first_name", "username")
    )


# --- Assignment reads -------------------------------------------------------------------------------------------
def assignment_active_for_lead(*, lead_id: int):
    return (
        Assignment.objects.filter(lead_id=lead_id, status=AssignmentStatus.ACTIVE).select_related("consultant").first()
    )


def assignments_for_lead(*, lead_id: int, limit: int = 10) -> list:
    return list(Assignment.objects.filter(lead_id=lead_id).select_related("consultant", "actor")[:limit])


QUEUE_PAGE_SIZE = 50


def queue_page(*, user, page=1, size: int = QUEUE_PAGE_SIZE):
    """One page (a ``django.core.paginator.Page``) of the consultant's open assignments, most pressing first:
    awaiting first contact before contacted, then the lead's current class (hot first), then its recurrence priority
    (people who came back), then the first-contact due time, then the score, then the newest assignment. The order is
    PostgreSQL's (one sort over the consultant's open assignments, on their index), and only the page's rows are
    loaded. Each row carries ``served`` (the lead's class and score now, as the serving scorer stored them),
    ``priority``, and the lead with just what a row shows. A page number out of range gives the last page."""
    # The class and score the serving scorer stored (``qualification.selectors.served``: the model's probability in
    # percent, else the rules' score); the assignment's own when the lead has no score row.
    open_assignments = Assignment.objects.filter(consultant=user, status=AssignmentStatus.ACTIVE)
    rows = (
        open_assignments.select_related("lead")
        .only(
            "id",
            "lead_id",
            "category",
            "score",
            "due_at",
            "first_contact_at",
            "assigned_at",
            "lead__full_name",
            "lead__priority",
            "lead__recurrence_count",
        )
        .annotate(
            queue_class=Coalesce(F("lead__qualification__category"), F("category")),
            queue_score=Coalesce(
                F("lead__qualification__probability") * 100,
                F("lead__qualification__score"),
                F("score"),
                Value(0.0),
                output_field=FloatField(),
            ),
        )
        .annotate(
            queue_contacted=Case(When(first_contact_at__isnull=True, then=Value(0)), default=Value(1)),
            queue_rank=Case(
                *[When(queue_class=code, then=Value(rank)) for code, rank in QUEUE_CLASS_RANK.items()],
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
        .order_by(
            "queue_contacted",
            "queue_rank",
            F("lead__priority").desc(),
            "due_at",
            F("queue_score").desc(),
            F("assigned_at").desc(),
            F("id").desc(),
        )
    )
    paginator = Paginator(rows, size)
    # Counted on the assignments alone: the sort's joins (lead, score) neither add nor drop a row.
    paginator.count = open_assignments.count()
    page = paginator.get_page(page)
    served = served_for_leads(lead_ids=[a.lead_id for a in page.object_list])
    for row in page.object_list:
        row.served = served.get(row.lead_id)
        row.category = row.served.code if row.served else row.category
        row.score = row.served.score if row.served else row.score
        row.priority = row.lead.priority
    return page


QUEUE_CLASS_RANK = {"hot": 0, "warm": 1, "cold": 2}


def load_board(*, teams: QuerySet[Team], now) -> list[dict]:
    """Per consultant of ``teams``: open leads, new today, awaiting first contact, due within 30 min, breached."""
    awaiting = Q(assignments__status=AssignmentStatus.ACTIVE, assignments__first_contact_at__isnull=True)
    users = (
        consultants_of(teams)
        .annotate(
            awaiting=Count("assignments", filter=awaiting),
            due_soon=Count(
                "assignments",
                filter=awaiting & Q(assignments__due_at__gte=now, assignments__due_at__lt=now + timedelta(minutes=30)),
            ),
            breached=Count("assignments", filter=awaiting & Q(assignments__due_at__lt=now)),
        )
        .order_by("first_name", "username")
    )
    profiles = {p.user_id: p for p in ConsultantProfile.objects.filter(user__in=users)}
    today = timezone.localtime(now).date()
    online_after = now - timedelta(minutes=10)
    rows = []
    for user in users:
        p = profiles.get(user.pk)
        rows.append(
            {
                "user": user,
                "profile": p,
                "open": p.open_leads if p else 0,
                "extra": (p.extra_today if p and p.extra_date == today else 0),
                "max_open": p.max_open_leads + (p.extra_today if p.extra_date == today else 0) if p else None,
                "new_today": (p.new_today if p and p.new_today_date == today else 0),
                "max_new": p.max_new_per_day + (p.extra_today if p.extra_date == today else 0) if p else None,
                "awaiting": user.awaiting,
                "due_soon": user.due_soon,
                "breached": user.breached,
                "paused": bool(p and p.is_paused),
                "online": bool(p and p.last_seen_at and p.last_seen_at >= online_after),
            }
        )
    return rows


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


NOTIFICATION_GROUP_FROM = 3  # this many unread "new lead" notifications read as one line ("32 novos leads")


def owner_moves_undoable(*, user, hours: int = 24, limit: int = 10) -> list:
    """The bulk assignments and rebalances ``user`` did in the last ``hours`` and has not undone (the undo list)."""
    since = timezone.now() - timedelta(hours=hours)
    return list(
        OwnerMove.objects.filter(actor=user, undone_at__isnull=True, finished_at__isnull=False, created_at__gte=since)
        .select_related("consultant")
        .order_by("-created_at", "-id")[:limit]
    )


def owner_move_for(*, user, move_id: int):
    """A bulk assignment or rebalance ``user`` did (admins: anyone's), or None: its progress and result."""
    moves = OwnerMove.objects.select_related("consultant")
    if not user_has_role(user, Role.ADMIN):
        moves = moves.filter(actor=user)
    return moves.filter(pk=move_id).first()


def owner_moves_recent(*, user, minutes: int = 15, limit: int = 5) -> list:
    """The mass owner changes ``user`` started that the worker is still doing (a rebalance, an undo) or that ended
    in the last ``minutes``: the supervisor's pages follow them after the page that started one was left."""
    since = timezone.now() - timedelta(minutes=minutes)
    running = Q(finished_at__isnull=True) | Q(undone_at__isnull=False, undo_result={})
    recent = Q(created_at__gte=since) | Q(undone_at__gte=since)
    return list(OwnerMove.objects.select_related("consultant").filter(actor=user).filter(running | recent)[:limit])


def rebalances_running(*, consultant_ids: list[int]) -> set[int]:
    """The consultants among ``consultant_ids`` whose rebalance the worker is still doing."""
    return set(
        OwnerMove.objects.filter(
            kind=OwnerMoveKind.REBALANCE,
            consultant_id__in=consultant_ids,
            finished_at__isnull=True,
            undone_at__isnull=True,
        ).values_list("consultant_id", flat=True)
    )


def notifications_recent(*, user, limit: int = 50, group_limit: int = 200) -> tuple[int, list, list]:
    """(how many unread "new lead for you" there are when they are grouped, those of the group (newest
    ``group_limit``), the other notifications (newest ``limit``)). Below ``NOTIFICATION_GROUP_FROM`` nothing is
    grouped. Three queries at most."""
    mine = Notification.objects.filter(user=user)
    fresh = mine.filter(read_at__isnull=True, kind=NotificationKind.ASSIGNED)
    count = fresh.count()
    if count < NOTIFICATION_GROUP_FROM:
        return 0, [], list(mine[:limit])
    return count, list(fresh[:group_limit]), list(mine.exclude(pk__in=fresh.values("pk"))[:limit])


def sla_breached_count(*, teams: QuerySet[Team], now) -> int:
    """Open assignments of ``teams``' consultants still awaiting first contact past their due time."""
    return Assignment.objects.filter(
        consultant_id__in=team_member_ids(teams),
        status=AssignmentStatus.ACTIVE,
        first_contact_at__isnull=True,
        due_at__lt=now,
    ).count()


def teams_other_than(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Active teams outside ``teams``: where a supervisor may send leads their own team has no room for."""
    return Team.objects.filter(is_active=True).exclude(pk__in=teams.values("pk")).order_by("name")
