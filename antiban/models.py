"""The outbound pipeline's data: the outbox (every business-initiated message, one row, one final state), the
per-number anti-ban state, incidents and the content rules admins edit."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Priority(models.IntegerChoices):
    REPLY = 0, _("Conversation reply")
    UTILITY = 1, _("Utility")
    MARKETING = 2, _("Marketing")


class OutboxState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown (reconciling)")
    REFUSED = "refused", _("Refused by a filter")


class OutboxMessage(models.Model):
    """A business-initiated message. Written in the same transaction as what caused it; a dispatcher claims due rows
    (SKIP LOCKED, priority order) and moves each QUEUED → SENDING → SENT / FAILED / UNKNOWN. SENDING is committed
    before the call to Meta, so a crash leaves UNKNOWN to reconcile, never a blind resend."""

    contact = models.CharField(_("contact"), max_length=20)
    lead_id = models.BigIntegerField(_("lead"), null=True, blank=True, db_index=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    payload = models.JSONField(_("message"), help_text=_("The Cloud API message body."))
    kind = models.CharField(
        _("kind"),
        max_length=20,
        default="text",
        help_text=_("text, template, image, audio, video, document, buttons, list, location or contacts"),
    )
    media = models.FileField(
        _("file"),
        upload_to="whatsapp/outbound/%Y/%m/",
        blank=True,
        default="",
        help_text=_("Uploaded to Meta when the message is dispatched."),
    )
    media_type = models.CharField(_("file type"), max_length=100, blank=True, default="")
    text = models.TextField(_("text"), blank=True, default="")
    body_hash = models.CharField(_("text fingerprint"), max_length=32, blank=True, default="")
    template_name = models.CharField(_("template"), max_length=512, blank=True, default="")
    campaign = models.CharField(_("campaign"), max_length=120, blank=True, default="")
    bulk = models.ForeignKey(
        "antiban.BulkSend", verbose_name=_("bulk send"), null=True, blank=True, on_delete=models.SET_NULL
    )
    variant = models.PositiveSmallIntegerField(_("variant"), null=True, blank=True)
    pinned_number = models.ForeignKey(
        "whatsapp.PhoneNumber",
        verbose_name=_("must go from number"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A reply inside a customer-service window goes from the number holding the window."),
    )
    number = models.ForeignKey(
        "whatsapp.PhoneNumber",
        verbose_name=_("number"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("delivery state"), max_length=10, choices=OutboxState.choices, default=OutboxState.QUEUED
    )
    not_before = models.DateTimeField(_("not before"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    message_id = models.BigIntegerField(_("gateway message"), null=True, blank=True)
    wamid = models.CharField(_("WhatsApp message id"), max_length=128, blank=True, default="")
    error_code = models.PositiveIntegerField(_("error code"), null=True, blank=True)
    last_reason = models.CharField(_("last reason"), max_length=300, blank=True, default="")
    decisions = models.JSONField(_("decision log"), default=list, blank=True)
    created_by_id = models.BigIntegerField(_("created by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["priority", "not_before", "id"], name="outbox_due", condition=Q(state="queued")),
            models.Index(fields=["contact", "-created_at"], name="outbox_contact"),
            models.Index(fields=["body_hash", "-created_at"], name="outbox_body", condition=~Q(body_hash="")),
            models.Index(fields=["number", "-created_at"], name="outbox_number"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_state_display()}"


class NumberMode(models.TextChoices):
    NORMAL = "normal", _("Normal")
    RESTRICTIVE = "restrictive", _("Restrictive (half speed, replies and utility only)")
    PAUSED = "paused", _("Paused")


class Breaker(models.TextChoices):
    CLOSED = "closed", _("Closed (sending)")
    OPEN = "open", _("Open (paused)")
    HALF_OPEN = "half_open", _("Half-open (probing)")


class NumberState(models.Model):
    """Anti-ban state of one business number: its mode, circuit breaker, warm-up stage, health and rest."""

    number = models.OneToOneField(
        "whatsapp.PhoneNumber", verbose_name=_("number"), on_delete=models.CASCADE, related_name="antiban"
    )
    mode = models.CharField(_("mode"), max_length=12, choices=NumberMode.choices, default=NumberMode.NORMAL)
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    breaker = models.CharField(_("circuit breaker"), max_length=10, choices=Breaker.choices, default=Breaker.CLOSED)
    breaker_trips = models.PositiveSmallIntegerField(
        _("breaker trips"), default=0, help_text=_("Consecutive trips; each one doubles the pause.")
    )
    probes_ok = models.PositiveSmallIntegerField(_("successful probes"), default=0)
    restrictive_until = models.DateTimeField(
        _("restrictive until"), null=True, blank=True, help_text=_("Recovery step after a pause or a quality drop.")
    )
    warmup_started_on = models.DateField(_("warm-up started on"), null=True, blank=True)
    warmup_day = models.PositiveSmallIntegerField(_("warm-up day"), default=0, help_text=_("0: warmed up"))
    warmup_note = models.CharField(_("warm-up note"), max_length=300, blank=True, default="")
    health = models.PositiveSmallIntegerField(_("health (0–100)"), default=100)
    health_details = models.JSONField(_("health details"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("number state")
        verbose_name_plural = _("number states")

    def __str__(self) -> str:
        return f"{self.number_id}: {self.mode} ({self.health})"


class Light(models.TextChoices):
    GREEN = "green", _("Green: goes")
    YELLOW = "yellow", _("Yellow: waits for a supervisor")
    RED = "red", _("Red: refused")


class BulkStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    RELEASED = "released", _("Released to the outbox")
    REJECTED = "rejected", _("Rejected by a supervisor")
    REFUSED = "refused", _("Refused (red light)")


class BulkSend(models.Model):
    """A campaign-style send to many people from approved templates, rotated between variants. A traffic light
    decides: green goes, yellow waits for a supervisor, red is refused, each with its reasons."""

    name = models.CharField(_("name"), max_length=120)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.MARKETING)
    variants = models.JSONField(
        _("template variants"), help_text=_('[{"name": "…", "language": "pt_BR"}, …] rotated across recipients')
    )
    parameter = models.CharField(
        _("second parameter"), max_length=200, blank=True, default="", help_text=_("{{2}} in the template body")
    )
    audience = models.JSONField(
        _("audience"), default=list, help_text=_('[{"lead_id": …, "contact": "+55…", "name": "…"}]')
    )
    audience_filter = models.JSONField(_("audience filter"), default=dict, blank=True)
    spread_minutes = models.PositiveIntegerField(_("spread over (minutes)"), default=60)
    light = models.CharField(_("light"), max_length=6, choices=Light.choices)
    light_reasons = models.JSONField(_("light reasons"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=BulkStatus.choices)
    decided_by_id = models.BigIntegerField(_("decided by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by_id = models.BigIntegerField(_("created by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("bulk send")
        verbose_name_plural = _("bulk sends")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Incident(models.Model):
    number = models.ForeignKey(
        "whatsapp.PhoneNumber", verbose_name=_("number"), on_delete=models.CASCADE, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    reason = models.CharField(_("reason"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.reason}"


class RuleAction(models.TextChoices):
    BLOCK = "block", _("Block")
    WARN = "warn", _("Warn (lowers the content score)")


class ContentRule(models.Model):
    """A forbidden or risky pattern in outgoing text, with the reason shown when it matches."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    pattern = models.CharField(_("pattern (regular expression, case-insensitive)"), max_length=500)
    action = models.CharField(_("action"), max_length=5, choices=RuleAction.choices, default=RuleAction.BLOCK)
    reason = models.CharField(_("reason"), max_length=300)
    applies_to_marketing_only = models.BooleanField(_("marketing only"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("content rule")
        verbose_name_plural = _("content rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValidationError({"pattern": _("Not a valid regular expression: %(error)s") % {"error": exc}}) from exc
