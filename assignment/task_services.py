"""Writes of tasks and reminders: people create them, the SLA watch creates one when a first contact is at risk,
the scorer's recommended action creates one when a lead has an owner. Automatic tasks carry an ``origin_key``
(unique in the database), so each exists once however often the watch or the scorer runs.

Also the calendar feed's secret address."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assignment.models import (
    CalendarFeed,
    Notification,
    NotificationKind,
    Task,
    TaskKind,
    TaskOrigin,
    TaskStatus,
)
from common.errors import ApplicationError
from leads import selectors as lead_selectors
from leads.services import lead_task_event_record
from qualification import selectors as qualification_selectors

TITLE_MAX = 200
MORNING_HOUR = 9  # "amanhã 9h"

# The scorer's recommended action → the task it asks of the owner (kind, title, due after minutes; None = the SLA).
RECOMMENDED = {
    "schedule_meeting": (TaskKind.CALLBACK, gettext_lazy("Call to schedule a meeting"), None),
    "send_material": (TaskKind.SEND_DOCUMENT, gettext_lazy("Send material"), None),
    "nurture": (TaskKind.OTHER, gettext_lazy("Nurture: get back in touch"), 3 * 24 * 60),
}


class TaskInvalid(ApplicationError):
    code = "task_invalid"


def _kind_check(kind: str) -> None:
    if kind not in TaskKind.values:
        raise TaskInvalid(
            _("Unknown task kind “%(kind)s”; choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(str(label) for label in TaskKind.labels)},
            details={"field": "kind"},
        )


PAST_DUE_ALLOWED = timedelta(days=1)  # a task for earlier today is fine (logged late); last year is a typo


def task_create(
    *, lead, owner, kind: str, due_at: datetime, actor, title: str = "", origin: str = TaskOrigin.PERSON
) -> Task:
    """A follow-up for ``owner`` on ``lead`` (which the caller has already checked ``actor`` may see)."""
    _kind_check(kind)
    if due_at is None:
        raise TaskInvalid(_("Say when the task is due."), details={"field": "due_at"})
    if due_at < timezone.now() - PAST_DUE_ALLOWED:
        raise TaskInvalid(
            _("That date has passed (%(date)s): give the day the task is due, from today on.")
            % {"date": date_format(timezone.localtime(due_at), "SHORT_DATE_FORMAT")},
            details={"field": "due_at"},
        )
    if owner is None:
        raise TaskInvalid(_("Nobody owns this lead yet: assign it before giving it a task."), details={"field": "lead"})
    task = Task.objects.create(
        lead_id=lead.pk,
        owner=owner,
        kind=kind,
        title=title.strip()[:TITLE_MAX],
        due_at=due_at,
        origin=origin,
        created_by=actor,
    )
    _on_timeline(task, actor, "created", _("Task created: %(task)s"))
    return task


def _on_timeline(task: Task, actor, action: str, sentence: str) -> None:
    """What a person did with a task, on the lead's timeline (kind, title and when it is due)."""
    when = date_format(timezone.localtime(task.due_at), "SHORT_DATETIME_FORMAT")
    label = " · ".join(part for part in (str(task.get_kind_display()), task.title, when) if part)
    lead_task_event_record(
        lead_id=task.lead_id, actor=actor, action=action, text=sentence % {"task": label}, task_id=task.pk
    )


def task_done(*, task: Task, actor) -> Task:
    """Mark done (done twice is a no-op, never an error: two tabs, two taps)."""
    if task.status != TaskStatus.DONE:
        done = Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, done_at=timezone.now()
        )
        task.refresh_from_db()
        if done:
            _on_timeline(task, actor, "done", _("Task done: %(task)s"))
    return task


def snooze_until(
    *, choice: str, picked: datetime | None = None, now: datetime | None = None, due: datetime | None = None
) -> datetime:
    """ "1h": an hour later; "tomorrow": the next day at 9:00 local time; "pick": ``picked`` (in the future). A
    snooze postpones: "later" counts from the task's ``due`` time when that is still ahead, never from now (a visit
    due on Tuesday snoozed "1 hour" on Monday was moved to Monday)."""
    now = now or timezone.now()
    base = max(now, due) if due is not None else now
    if choice == "1h":
        return base + timedelta(hours=1)
    if choice == "tomorrow":
        local = timezone.localtime(base)
        return (local + timedelta(days=1)).replace(hour=MORNING_HOUR, minute=0, second=0, microsecond=0)
    if choice == "pick":
        if picked is None:
            raise TaskInvalid(_("Pick a date and time to snooze to."), details={"field": "until"})
        if picked <= now:
            raise TaskInvalid(_("Pick a moment in the future."), details={"field": "until"})
        return picked
    raise TaskInvalid(_("Snooze for 1 hour, until tomorrow 9:00, or pick a moment."), details={"field": "snooze"})


def task_snooze(*, task: Task, actor, until: datetime) -> Task:
    if task.status == TaskStatus.DONE:
        raise TaskInvalid(_("This task is done already."), details={"field": "task"})
    task.due_at = until
    task.snoozed_times += 1
    task.reminded_at = None  # remind again at the new time
    task.save(update_fields=["due_at", "snoozed_times", "reminded_at"])
    _on_timeline(task, actor, "snoozed", _("Task snoozed to: %(task)s"))
    return task


def tasks_remind_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Beat: each open task coming due (within ``ASSIGNMENT_TASK_REMIND_MINUTES``) notifies its owner once (a
    snooze re-arms it). The conditional UPDATE makes two watchers notify once."""
    now = now or timezone.now()
    horizon = now + timedelta(minutes=settings.ASSIGNMENT_TASK_REMIND_MINUTES)
    due = Task.objects.filter(status=TaskStatus.OPEN, reminded_at__isnull=True, due_at__lte=horizon).order_by("due_at")
    reminded = 0
    for task in due[:limit]:
        if Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now):
            Notification.objects.create(
                user_id=task.owner_id,
                kind=NotificationKind.TASK_DUE,
                lead_id=task.lead_id,
                data={"task": task.pk, "kind": task.kind, "due_at": task.due_at.isoformat()},
            )
            reminded += 1
    return reminded


def tasks_follow_owner(*, lead_id: int, previous_owner_id: int | None, owner_id: int) -> int:
    """A lead changed hands: its open tasks with the previous owner go with it (inside the hand-over)."""
    if not previous_owner_id or previous_owner_id == owner_id:
        return 0
    return Task.objects.filter(lead_id=lead_id, owner_id=previous_owner_id, status=TaskStatus.OPEN).update(
        owner_id=owner_id
    )


def tasks_drop_for_closed_lead(*, lead_id: int) -> int:
    """A lead was won or lost: the reminders Fluxo made for it (first-contact SLA, recommended action) no longer
    apply and leave "Minhas tarefas" (user test: a lost lead still asked to "Enviar documento"); the ones people
    wrote stay theirs to close."""
    deleted, _by_model = Task.objects.filter(
        lead_id=lead_id, status=TaskStatus.OPEN, origin__in=[TaskOrigin.SLA, TaskOrigin.RECOMMENDATION]
    ).delete()
    return deleted


def task_for_sla(*, assignment, now: datetime | None = None) -> bool:
    """The first contact of ``assignment`` is at risk or overdue: a "call back" for its consultant, due when the
    SLA is. Once per assignment."""
    _task, created = Task.objects.get_or_create(
        origin_key=f"sla:{assignment.pk}",
        defaults={
            "lead_id": assignment.lead_id,
            "owner_id": assignment.consultant_id,
            "kind": TaskKind.CALLBACK,
            "title": _("First contact (SLA)"),
            "due_at": assignment.due_at,
            "origin": TaskOrigin.SLA,
            "created_at": now or timezone.now(),
        },
    )
    return created


# Where the recommended action still makes sense: no meeting to schedule or material to send once the lead is at a
# meeting or a proposal; "get back in touch" only for a lead nobody has talked to for a while.
RECOMMENDED_STAGES = {
    "schedule_meeting": ("new", "contacted", "qualified", "nurturing"),
    "send_material": ("new", "contacted", "qualified", "nurturing"),
    "nurture": ("contacted", "qualified", "meeting", "proposal", "nurturing"),
}


def tasks_from_recommendations(*, lead_ids: list[int], now: datetime | None = None) -> int:
    """The scorer's recommended action becomes a task for the lead's owner — only where one is needed: an open,
    owned lead at a stage the action fits (``RECOMMENDED_STAGES``; "nurture" only after
    ``ASSIGNMENT_NURTURE_QUIET_DAYS`` without a message or call), with no open recommended task already and no open
    task of the same kind (one at a time per lead: a changed recommendation waits until the open one is done), and
    never the same action twice. Each owner holds at most ``ASSIGNMENT_RECOMMENDED_OPEN_PER_OWNER`` open
    recommended tasks, the leads with the shortest SLA (the hottest) first: a rescore of the whole base never
    floods "Minhas tarefas"."""
    if not lead_ids:
        return 0
    now = now or timezone.now()
    facts = lead_selectors.lead_owner_ids_open(lead_ids=lead_ids)
    if not facts:
        return 0
    info = qualification_selectors.actions_and_sla(lead_ids=list(facts))
    quiet_since = now - timedelta(days=settings.ASSIGNMENT_NURTURE_QUIET_DAYS)
    wanted = {}
    for lead_id, (_owner_id, stage, touched) in facts.items():
        action = info.get(lead_id, ("", 0))[0]
        if action not in RECOMMENDED or stage not in RECOMMENDED_STAGES[action]:
            continue
        if action == "nurture" and touched and touched > quiet_since:
            continue
        wanted[f"rec:{lead_id}:{action}"] = lead_id
    if not wanted:
        return 0
    for key in Task.objects.filter(origin_key__in=list(wanted)).values_list("origin_key", flat=True):
        wanted.pop(key, None)  # the same recommendation never twice, even after its task was done
    open_tasks = Task.objects.filter(lead_id__in=list(wanted.values()), status=TaskStatus.OPEN)
    busy = {(lead_id, kind) for lead_id, kind in open_tasks.values_list("lead_id", "kind")}
    busy_leads = set(open_tasks.filter(origin=TaskOrigin.RECOMMENDATION).values_list("lead_id", flat=True))
    owners = {facts[lead_id][0] for lead_id in wanted.values()}
    held = dict(
        Task.objects.filter(owner_id__in=owners, status=TaskStatus.OPEN, origin=TaskOrigin.RECOMMENDATION)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    room = {owner: max(settings.ASSIGNMENT_RECOMMENDED_OPEN_PER_OWNER - held.get(owner, 0), 0) for owner in owners}
    rows = []
    for key, lead_id in sorted(wanted.items(), key=lambda item: (info[item[1]][1] or 0, item[1])):
        action, sla = info[lead_id]
        kind, title, after = RECOMMENDED[action]
        owner_id = facts[lead_id][0]
        if lead_id in busy_leads or (lead_id, kind) in busy or room[owner_id] <= 0:
            continue
        room[owner_id] -= 1
        busy_leads.add(lead_id)
        rows.append(
            Task(
                lead_id=lead_id,
                owner_id=owner_id,
                kind=kind,
                title=str(title),
                due_at=now + timedelta(minutes=after if after is not None else (sla or 60)),
                origin=TaskOrigin.RECOMMENDATION,
                origin_key=key,
                created_at=now,
            )
        )
    Task.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)  # a racing scorer's rows win quietly
    return len(rows)


def calendar_feed_rotate(*, user) -> CalendarFeed:
    """Issue (or replace) the person's secret .ics address."""
    token = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": token, "created_at": timezone.now()}
    )
    return feed
