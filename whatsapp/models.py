"""WhatsApp Cloud API: business accounts, their numbers, templates, messages, raw webhook events and the
customer-service windows. Threads are keyed by the contact's E.164 number, so this app never needs the lead
model: the leads app asks for a lead's messages by its phones."""

from __future__ import annotations

import re

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from compliance.crypto import EncryptedTextField


class BusinessAccount(models.Model):
    """A WhatsApp Business Account (WABA): owns numbers and templates; one access token per account."""

    name = models.CharField(_("name"), max_length=120)
    waba_id = models.CharField(_("WABA id"), max_length=40, unique=True)
    access_token = EncryptedTextField(
        _("access token"), blank=True, default="", help_text=_("System-user token with whatsapp_business_messaging.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    templates_synced_at = models.DateTimeField(_("templates synced at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("business account")
        verbose_name_plural = _("business accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QualityRating(models.TextChoices):
    GREEN = "GREEN", _("High")
    YELLOW = "YELLOW", _("Medium")
    RED = "RED", _("Low")
    UNKNOWN = "UNKNOWN", _("Unknown")


def messaging_limit_label(value: str) -> str:
    """Meta's tier code → what it means: ``"TIER_1K"`` → "1.000 pessoas por dia"; unknown codes as they came."""
    match = re.fullmatch(r"TIER_(\d+)(K?)", value or "")
    if match:
        people = int(match.group(1)) * (1000 if match.group(2) else 1)
        return _("%(n)s people a day") % {"n": number_format(people, force_grouping=True)}
    if value == "TIER_UNLIMITED":
        return str(_("no daily limit"))
    return value


class NumberStatus(models.TextChoices):
    CONNECTED = "CONNECTED", _("Connected")
    FLAGGED = "FLAGGED", _("Flagged")
    RESTRICTED = "RESTRICTED", _("Restricted")
    DISCONNECTED = "DISCONNECTED", _("Disconnected")


class PhoneNumber(models.Model):
    """A business phone number of an account, addressed by Meta's phone-number id."""

    account = models.ForeignKey(
        BusinessAccount, verbose_name=_("business account"), on_delete=models.PROTECT, related_name="numbers"
    )
    phone_number_id = models.CharField(_("phone-number id"), max_length=40, unique=True)
    display_number = models.CharField(_("number"), max_length=20, help_text=_("E.164, e.g. +5511999990000"))
    verified_name = models.CharField(_("verified name"), max_length=120, blank=True, default="")
    quality_rating = models.CharField(
        _("quality rating"), max_length=10, choices=QualityRating.choices, default=QualityRating.UNKNOWN
    )
    messaging_limit = models.CharField(
        _("messaging limit"), max_length=20, blank=True, default="", help_text=_("e.g. TIER_250, TIER_2K, TIER_10K")
    )
    throughput_mps = models.PositiveIntegerField(_("throughput (messages/s)"), default=80)
    status = models.CharField(_("status"), max_length=15, choices=NumberStatus.choices, default=NumberStatus.CONNECTED)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["display_number"]

    def __str__(self) -> str:
        return f"{self.display_number} ({self.verified_name})" if self.verified_name else self.display_number

    @property
    def messaging_limit_people(self) -> int | None:
        """Meta's tier as the number of people it may start conversations with in 24 h ("TIER_1K" -> 1000); None
        for no tier or an unlimited one."""
        size = self.messaging_limit.removeprefix("TIER_")
        scale = {"K": 1_000, "M": 1_000_000}.get(size[-1:], 1)
        digits = size[:-1] if scale > 1 else size
        return int(digits) * scale if digits.isdigit() else None


class TemplateCategory(models.TextChoices):
    MARKETING = "MARKETING", _("Marketing")
    UTILITY = "UTILITY", _("Utility")
    AUTHENTICATION = "AUTHENTICATION", _("Authentication")


class TemplateStatus(models.TextChoices):
    APPROVED = "APPROVED", _("Approved")
    PENDING = "PENDING", _("Pending")
    REJECTED = "REJECTED", _("Rejected")
    PAUSED = "PAUSED", _("Paused")
    DISABLED = "DISABLED", _("Disabled")
    IN_APPEAL = "IN_APPEAL", _("In appeal")
    PENDING_DELETION = "PENDING_DELETION", _("Pending deletion")
    DELETED = "DELETED", _("Deleted")


class Template(models.Model):
    """A message template as Meta knows it (synced), with its components for local parameter validation."""

    account = models.ForeignKey(
        BusinessAccount, verbose_name=_("business account"), on_delete=models.CASCADE, related_name="templates"
    )
    meta_id = models.CharField(_("Meta id"), max_length=40, blank=True, default="")
    name = models.CharField(_("name"), max_length=512)
    language = models.CharField(_("language"), max_length=15)
    category = models.CharField(_("category"), max_length=20, choices=TemplateCategory.choices)
    status = models.CharField(_("status"), max_length=20, choices=TemplateStatus.choices)
    quality_score = models.CharField(_("quality"), max_length=10, blank=True, default="")
    components = models.JSONField(_("components"), default=list)
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name", "language"], name="template_unique_name_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class Direction(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class MessageStatus(models.TextChoices):
    """Outbound states in the order Meta reports them; ``rank`` makes status updates forward-only."""

    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    RECEIVED = "received", _("Received")


STATUS_RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4, "received": 0}


class Message(models.Model):
    """One message in either direction. Outbound rows exist before the call to Meta (``pending``) and get their
    ``wamid`` from the answer; status webhooks then move them forward only."""

    number = models.ForeignKey(
        PhoneNumber, verbose_name=_("business number"), on_delete=models.PROTECT, related_name="messages"
    )
    contact = models.CharField(_("contact"), max_length=20, help_text=_("The customer's number, E.164."))
    contact_user_id = models.CharField(_("business-scoped user id"), max_length=80, blank=True, default="")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    wamid = models.CharField(_("WhatsApp message id"), max_length=128, null=True, blank=True, unique=True)
    kind = models.CharField(_("type"), max_length=20)
    text = models.TextField(_("text"), blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    template = models.ForeignKey(
        Template, verbose_name=_("template"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    media = models.FileField(_("media"), upload_to="whatsapp/media/%Y/%m/", blank=True)
    media_type = models.CharField(_("media type"), max_length=100, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices)
    error_code = models.PositiveIntegerField(_("error code"), null=True, blank=True)
    error_title = models.CharField(_("error"), max_length=300, blank=True, default="")
    error_raw = models.JSONField(_("raw error"), default=dict, blank=True)
    sent_by_id = models.BigIntegerField(_("sent by (user id)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="message_contact_created"),
            models.Index(fields=["number", "-created_at"], name="message_number_created"),
            # The inbox reads conversations newest-first, and finds the few contacts with unread messages.
            models.Index(fields=["-created_at", "-id"], name="message_created_desc"),
            models.Index(
                fields=["contact"], name="message_unread_inbound", condition=Q(direction="in", read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.wamid or f"#{self.pk}"


class ServiceWindow(models.Model):
    """The customer-service window of one contact on one business number: free-form messages until
    ``expires_at`` (24 h after the last inbound message, 72 h from a click-to-WhatsApp ad entry point)."""

    number = models.ForeignKey(PhoneNumber, on_delete=models.CASCADE, related_name="windows")
    contact = models.CharField(_("contact"), max_length=20)
    last_inbound_at = models.DateTimeField(_("last inbound message"))
    expires_at = models.DateTimeField(_("open until"))
    entry_point = models.CharField(_("entry point"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("customer-service window")
        verbose_name_plural = _("customer-service windows")
        constraints = [models.UniqueConstraint(fields=["number", "contact"], name="window_unique_number_contact")]
        indexes = [models.Index(fields=["expires_at"], name="window_expires")]  # windows closing soon (inbox)

    def __str__(self) -> str:
        return f"{self.contact} → {self.expires_at:%Y-%m-%d %H:%M}"


class EventStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Processed")
    FAILED = "failed", _("Failed")


class WebhookEvent(models.Model):
    """A signed webhook POST exactly as received. Unique on the body's hash, so a redelivery is a no-op; the
    processing task takes pending rows, so a worker outage delays events and never loses them. An event whose
    processing raises is parked (``failed``, with a reason free of personal data) and tried again after
    ``next_attempt_at`` (exponential backoff) until ``attempts`` reaches the limit: it never blocks the others."""

    # The body's hash is the key: a redelivery collides on it, and the burst path maintains one index fewer.
    body_sha256 = models.CharField(max_length=64, primary_key=True)
    body = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("last error"), blank=True, default="")
    unknown_types = models.JSONField(default=list, blank=True)
    # db_default: the receiver's raw INSERTs name only the columns they fill
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0, db_default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["received_at"], name="webhook_pending", condition=Q(status="pending")),
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_retry_due",
                condition=Q(status="failed", next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_sha256[:12]} ({self.status})"
