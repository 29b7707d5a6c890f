"""Qualification's data: scoring configs as versioned data, each lead's current score with its explanation, the
score history with the version that produced it, learned models (only one serves, and only if it beat the rules)
and behavioural segmentations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ConfigStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("scoring version status", "Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Category(models.TextChoices):
    HOT = "hot", _("Hot")
    WARM = "warm", _("Warm")
    COLD = "cold", _("Cold")


class Action(models.TextChoices):
    SCHEDULE_MEETING = "schedule_meeting", _("Schedule a meeting")
    SEND_MATERIAL = "send_material", _("Send material")
    NURTURE = "nurture", _("Nurture")
    DISCARD = "discard", _("Discard")


class Trend(models.TextChoices):
    RISING = "rising", _("Rising")
    FALLING = "falling", _("Falling")
    STEADY = "steady", _("Steady")


class Trigger(models.TextChoices):
    CREATED = "created", _("Lead created")
    MESSAGE = "message", _("New message")
    EXTRACTION = "extraction", _("AI reading")
    STAGE = "stage", _("Stage change")
    DECAY = "decay", _("Time passing")
    CONFIG = "config", _("New scoring version")
    MODEL = "model", _("New learned model")
    MANUAL = "manual", _("Requested")


class ScoringConfig(models.Model):
    """One version of the scoring rules. Admins edit a draft, preview it on recent leads, then activate it; the
    active version is immutable (edit a new draft instead) and exactly one is active."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=ConfigStatus.choices, default=ConfigStatus.DRAFT)
    definition = models.JSONField(_("definition"))
    notes = models.TextField(_("what changed"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("scoring config")
        verbose_name_plural = _("scoring configs")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"), name="scoring_one_active")
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"


class LeadScore(models.Model):
    """A lead's current qualification. ``score`` is the rules' composite (explained by ``dimensions``, which sum
    to it); ``probability`` is the serving learned model's, when one serves; ``category`` comes from whichever
    serves."""

    lead = models.OneToOneField(
        "leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="qualification"
    )
    score = models.FloatField(_("score"))
    category = models.CharField(_("class"), max_length=5, choices=Category.choices)
    confidence = models.FloatField(_("confidence"))
    dimensions = models.JSONField(_("contribution per dimension"), default=dict)
    factors = models.JSONField(_("top factors"), default=dict)
    action = models.CharField(_("recommended action"), max_length=20, choices=Action.choices)
    rule_tags = models.JSONField(_("tags from rules"), default=list, blank=True)
    sla_minutes = models.PositiveIntegerField(_("first-contact SLA (minutes)"))
    config_version = models.PositiveIntegerField(_("scoring version"))
    probability = models.FloatField(_("conversion probability"), null=True, blank=True)
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    segment = models.CharField(_("segment"), max_length=40, blank=True, default="")
    previous_score = models.FloatField(_("score a week before"), null=True, blank=True)
    recorded_score = models.FloatField(_("score last written to the history"), null=True, blank=True)
    trend = models.CharField(_("trend"), max_length=8, choices=Trend.choices, default=Trend.STEADY)
    trigger = models.CharField(_("scored on"), max_length=12, choices=Trigger.choices)
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)

    class Meta:
        verbose_name = _("lead score")
        verbose_name_plural = _("lead scores")
        ordering = ["-score"]
        indexes = [
            models.Index(fields=["category", "-score"], name="leadscore_class_score"),
            models.Index(fields=["segment"], name="leadscore_segment"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.score:.0f} ({self.category})"


class ScoreHistory(models.Model):
    """Every score that changed something (value by ≥ 0.5 points, class, or version), with who produced it."""

    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    category = models.CharField(_("class"), max_length=5, choices=Category.choices)
    confidence = models.FloatField(_("confidence"))
    config_version = models.PositiveIntegerField(_("scoring version"))
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    probability = models.FloatField(_("conversion probability"), null=True, blank=True)
    trigger = models.CharField(_("scored on"), max_length=12, choices=Trigger.choices)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("score history")
        verbose_name_plural = _("score history")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "-created_at"], name="scorehistory_lead_recent")]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.score:.0f} v{self.config_version}"


class LeadModel(models.Model):
    """A trained conversion model: its report on a time-ordered hold-out next to the rules' on the same hold-out,
    and the artifact. ``serving`` only when it beat the rules; at most one serves."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=120)
    report = models.JSONField(_("training report"), default=dict)
    features = models.JSONField(_("features"), default=list)
    thresholds = models.JSONField(_("class thresholds (probability)"), default=dict)
    artifact = models.BinaryField(_("artifact"))
    serving = models.BooleanField(_("serving"), default=False)
    created_at = models.DateTimeField(_("trained at"), default=timezone.now)

    class Meta:
        verbose_name = _("learned model")
        verbose_name_plural = _("learned models")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["serving"], condition=Q(serving=True), name="one_serving_model")]

    def __str__(self) -> str:
        return f"model v{self.version}{' (serving)' if self.serving else ''}"


class Segmentation(models.Model):
    """A behavioural clustering (KMeans on standardized features, k by silhouette) with its validation and the
    segments ordered by value, named. The newest one labels the leads."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    k = models.PositiveSmallIntegerField(_("clusters"))
    silhouette = models.FloatField(_("silhouette"))
    silhouettes = models.JSONField(_("silhouette per k"), default=dict)
    features = models.JSONField(_("features"), default=list)
    scaler = models.JSONField(_("standardization"), default=dict)
    centers = models.JSONField(_("centers"), default=list)
    segments = models.JSONField(_("segments"), default=list)
    monotonic = models.BooleanField(_("outcome rate falls with rank"), default=False)
    leads = models.PositiveIntegerField(_("leads"), default=0)
    min_share = models.FloatField(_("smallest cluster share required"), default=0.0)
    rejected = models.JSONField(_("k rejected for a too small cluster"), default=dict, blank=True)

    class Meta:
        verbose_name = _("segmentation")
        verbose_name_plural = _("segmentations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"k={self.k} ({self.created_at:%Y-%m-%d})"

    @property
    def meaningful(self) -> bool:
        """False when every k left a cluster under ``min_share``: the leads show no segments worth naming."""
        return self.k > 0
