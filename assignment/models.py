"""Teams and their people, consultant profiles (skills, regions, languages, capacity, hours, absences), the
assignments the roulette and supervisors make with their first-contact SLA, and in-app notifications."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A sales team: one supervisor, several consultants. A supervisor sees the leads of their teams."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="teams"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _weekdays() -> list[int]:
    return [0, 1, 2, 3, 4, 5]


def _languages() -> list[str]:
    return ["pt"]


class ConsultantProfile(models.Model):
    """What the roulette knows about a consultant. The counters are kept in the same transaction as each claim
    (so capacity holds under concurrency) and reconciled with the leads every few minutes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        on_delete=models.CASCADE,
        related_name="consultant_profile",
    )
    property_types = ArrayField(
        models.CharField(max_length=20),
        verbose_name=_("property types"),
        default=list,
        blank=True,
        help_text=_("Empty: any. Values: apartment, house, land, commercial, investment, other."),
    )
    price_min = models.DecimalField(_("lowest price handled"), max_digits=14, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(_("highest price handled"), max_digits=14, decimal_places=2, null=True, blank=True)
    regions = ArrayField(
        models.CharField(max_length=120),
        verbose_name=_("regions"),
        default=list,
        blank=True,
        help_text=_("States (SP) or cities (Campinas). Empty: anywhere."),
    )
    languages = ArrayField(models.CharField(max_length=10), verbose_name=_("languages"), default=_languages)
    max_open_leads = models.PositiveIntegerField(_("open leads at most"), default=80)
    max_new_per_day = models.PositiveIntegerField(_("new leads per day at most"), default=25)
    work_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("working days"),
        default=_weekdays,
        help_text=_("0 = Monday … 6 = Sunday."),
    )
    work_start = models.TimeField(_("starts at"), default=time(8, 0))
    work_end = models.TimeField(_("ends at"), default=time(20, 0))
    weight = models.FloatField(_("share weight"), default=1.0, help_text=_("2 = receives twice the leads of a 1."))
    extra_today = models.PositiveIntegerField(
        _("extra leads allowed today"),
        default=0,
        help_text=_("Raised by a supervisor for one day (the date below): added to both caps."),
    )
    extra_date = models.DateField(_("day of the extra"), null=True, blank=True)
    is_paused = models.BooleanField(_("paused"), default=False)
    paused_reason = models.CharField(_("pause reason"), max_length=200, blank=True, default="")
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    open_leads = models.PositiveIntegerField(_("open leads"), default=0)
    new_today = models.PositiveIntegerField(_("new leads today"), default=0)
    new_today_date = models.DateField(_("day of the count"), null=True, blank=True)
    assigned_total = models.PositiveIntegerField(_("leads received"), default=0)
    last_assigned_at = models.DateTimeField(_("last lead received"), null=True, blank=True)
    conversion = models.JSONField(
        _("history per interest"), default=dict, blank=True, help_text=_("interest type → [won, closed].")
    )

    class Meta:
        verbose_name = _("consultant profile")
        verbose_name_plural = _("consultant profiles")
        ordering = ["user__first_name", "user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Absence(models.Model):
    profile = models.ForeignKey(
        ConsultantProfile, verbose_name=_("consultant"), on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="absence_ordered")]

    def __str__(self) -> str:
        return f"{self.profile} {self.starts_at:%Y-%m-%d} → {self.ends_at:%Y-%m-%d}"


class AssignmentKind(models.TextChoices):
    ROULETTE = "roulette", _("Roulette")
    MANUAL = "manual", _("Manual")
    SLA_REASSIGN = "sla_reassign", _("Reassigned after SLA breach")
    REBALANCE = "rebalance", _("Rebalance")


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Assignment(models.Model):
    """A lead in a consultant's hands, with its first-contact SLA. One active assignment per lead at most."""

    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="+")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("consultant"), on_delete=models.PROTECT, related_name="assignments"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("kind"), max_length=15, choices=AssignmentKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=AssignmentStatus.choices, default="active")
    category = models.CharField(_("class"), max_length=5, blank=True, default="")
    score = models.FloatField(_("score"), null=True, blank=True)
    sla_minutes = models.PositiveIntegerField(_("first-contact SLA (minutes)"))
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    due_at = models.DateTimeField(_("first contact due"))
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True, default="")
    reasons = models.JSONField(_("why this consultant"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="active"), name="assignment_one_active_per_lead"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="assignment_awaiting_contact",
                condition=Q(status="active", first_contact_at=None),
            ),
            models.Index(fields=["consultant", "status"], name="assignment_consultant_status"),
            models.Index(  # each candidate's SLA debt, on every roulette decision
                fields=["consultant", "due_at"],
                name="assignment_consultant_debt",
                condition=Q(status="active", first_contact_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.consultant_id} ({self.get_status_display()})"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("New lead for you")
    REMINDER = "reminder", _("First contact due soon")
    BREACH = "breach", _("First-contact SLA breached")
    REASSIGNED = "reassigned", _("Lead reassigned")
    TASK_DUE = "task_due", _("Task due")
    MOVE_DONE = "move_done", _("Bulk change finished")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("for"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    lead_id = models.BigIntegerField(_("lead"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user_id}"


class OwnerMoveKind(models.TextChoices):
    BULK_ASSIGN = "bulk_assign", _("Bulk assignment")
    REBALANCE = "rebalance", _("Rebalance (leaving)")


class OwnerMove(models.Model):
    """A mass change of owners (a bulk assignment, a rebalance), kept so that it can be undone: each entry is
    ``{"lead", "from", "to", "assignment", "previous_assignment"}`` (owner ids, assignment ids; ``to`` None when the
    lead was left waiting for the roulette). Undo puts back only the leads nothing happened to since. A rebalance and
    an undo run in the worker: ``finished_at`` unset = still running; ``undone_at`` set with an empty
    ``undo_result`` = the undo is running."""

    kind = models.CharField(_("kind"), max_length=12, choices=OwnerMoveKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.CASCADE, related_name="+"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Bulk assignment: who received the leads. Rebalance: who left."),
    )
    entries = models.JSONField(_("leads moved"), default=list, blank=True)
    # A rebalance runs in the worker: the counts as it goes ({"total", "done", "moved", "waiting"}), then the time it
    # finished. A bulk assignment is finished when it is recorded.
    result = models.JSONField(_("result"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undo_result = models.JSONField(_("undo result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("owner change in bulk")
        verbose_name_plural = _("owner changes in bulk")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="ownermove_actor_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {len(self.entries)}"


class TaskKind(models.TextChoices):
    CALLBACK = "callback", _("Call back")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    SEND_DOCUMENT = "send_document", _("Send document")
    OTHER = "other", _("Other")


# Kinds that are appointments with a time: on the calendar and in the .ics feed.
CALENDAR_KINDS = (TaskKind.VISIT, TaskKind.MEETING)


class TaskOrigin(models.TextChoices):
    PERSON = "person", _("Created by a person")
    SLA = "sla", _("First-contact SLA")
    RECOMMENDATION = "recommendation", _("Recommended action")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Task(models.Model):
    """A follow-up on a lead for one person: call back, visit, send a document… due at a time. Snoozing moves
    ``due_at`` (and counts); ``origin_key`` makes automatic tasks (SLA, recommended action) exist once."""

    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("for"), on_delete=models.CASCADE, related_name="tasks"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=TaskKind.choices, default=TaskKind.CALLBACK)
    title = models.CharField(_("what"), max_length=200, blank=True, default="")
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=5, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    snoozed_times = models.PositiveSmallIntegerField(_("times snoozed"), default=0)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=15, choices=TaskOrigin.choices, default=TaskOrigin.PERSON)
    origin_key = models.CharField(_("origin key"), max_length=80, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["origin_key"], condition=~Q(origin_key=""), name="task_origin_once"),
        ]
        indexes = [
            models.Index(fields=["owner", "due_at"], name="task_owner_open_due", condition=Q(status="open")),
            models.Index(fields=["lead", "due_at"], name="task_lead_open_due", condition=Q(status="open")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.lead_id} → {self.owner_id}"


class CalendarFeed(models.Model):
    """A person's secret .ics address (the token is the only credential a calendar app can send); rotating it
    replaces the token, so an old address stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}"
