"""Reads of tasks and the calendar. A task is visible to whoever may see its lead (the one visibility rule,
``leads.selectors.lead_visible_to``) and, always, to its owner."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assignment.models import CALENDAR_KINDS, CalendarFeed, Task, TaskStatus
from leads import selectors as lead_selectors


def tasks_visible_to(user) -> QuerySet[Task]:
    return Task.objects.filter(Q(owner=user) | Q(lead__in=lead_selectors.lead_visible_to(user)))


def task_get_for_user(*, user, task_id: int) -> Task:
    """The task, if ``user`` may see it; otherwise 404 (existence is not disclosed)."""
    task = tasks_visible_to(user).filter(pk=task_id).select_related("lead", "owner").first()
    if task is None:
        raise Http404
    return task


TASK_DUE_FILTERS = ("late", "today", "week")


def tasks_open_for(*, user, kind: str = "", origin: str = "", due: str = "", now: datetime | None = None) -> QuerySet:
    """ "Minhas tarefas": the person's open tasks, soonest (and overdue) first, optionally of one ``kind``, one
    ``origin`` and due ``late`` (before now), ``today`` (before tonight's midnight) or this ``week`` (seven days)."""
    tasks = Task.objects.filter(owner=user, status=TaskStatus.OPEN).select_related("lead").order_by("due_at", "id")
    if kind:
        tasks = tasks.filter(kind=kind)
    if origin:
        tasks = tasks.filter(origin=origin)
    now = now or timezone.now()
    if due == "late":
        tasks = tasks.filter(due_at__lt=now)
    elif due == "today":
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        tasks = tasks.filter(due_at__lt=midnight)
    elif due == "week":
        tasks = tasks.filter(due_at__lt=now + timedelta(days=7))
    return tasks


def tasks_done_recently(*, user, limit: int = 20) -> list[Task]:
    return list(
        Task.objects.filter(owner=user, status=TaskStatus.DONE).select_related("lead").order_by("-done_at")[:limit]
    )


def tasks_for_lead(*, lead_id: int, done_limit: int = 5) -> tuple[list[Task], list[Task]]:
    """The lead page's block: (open tasks soonest first, the last few done)."""
    tasks = Task.objects.filter(lead_id=lead_id).select_related("owner")
    open_ = list(tasks.filter(status=TaskStatus.OPEN).order_by("due_at", "id"))
    done = list(tasks.filter(status=TaskStatus.DONE).order_by("-done_at")[:done_limit])
    return open_, done


def tasks_next_for_leads(*, lead_ids: list[int]) -> dict[int, Task]:
    """lead id → its soonest open task (board cards, list columns). One query."""
    rows = (
        Task.objects.filter(lead_id__in=lead_ids, status=TaskStatus.OPEN)
        .order_by("lead_id", "due_at", "id")
        .distinct("lead_id")
    )
    return {task.lead_id: task for task in rows}


def calendar_items(*, user, start: datetime, end: datetime) -> list[Task]:
    """Visits and meetings of ``user`` due in [start, end), done ones included (a calendar shows what happened)."""
    return list(
        Task.objects.filter(owner=user, kind__in=CALENDAR_KINDS, due_at__gte=start, due_at__lt=end)
        .select_related("lead")
        .order_by("due_at", "id")
    )


def calendar_feed_for(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    if not token:
        return None
    return CalendarFeed.objects.filter(token=token, user__is_active=True).select_related("user").first()
