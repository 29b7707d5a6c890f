"""The AI middleware's data: prompts as versioned data, the usage ledger, a price table, extractions with their
provenance, reply suggestions and what consultants did with them, campaign drafts and the objection library.

Nothing here decides anything about a lead: these rows are facts and drafts that people and explicit rules use."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Task(models.TextChoices):
    EXTRACTION = "extraction", _("Extraction")
    SUGGESTIONS = "suggestions", _("Reply suggestions")
    DRAFT = "draft", _("Message drafting")


class Objection(models.TextChoices):
    PRICE = "price", _("Price")
    TIMING = "timing", _("Timing")
    TRUST = "trust", _("Trust")
    FINANCING = "financing", _("Financing")
    LOCATION = "location", _("Location")
    SPOUSE_DECISION = "spouse_decision", _("Spouse decides too")
    ALREADY_HAS = "already_has", _("Already has one")
    OTHER = "other", _("Other")


class Prompt(models.Model):
    """One version of one variant of a prompt. The system text is the parent chain's system texts (root first) then
    this one's, so shared instructions live once and stay a stable, cacheable prefix. Among the active rows of a key,
    a variant is drawn by weight (stable per lead), and every call records the row it used."""

    key = models.SlugField(_("key"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    variant = models.CharField(_("variant"), max_length=10, default="A")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    system = models.TextField(_("system instructions"), blank=True, default="")
    template = models.TextField(
        _("user message template"), blank=True, default="", help_text=_("Variables as {name}, e.g. {message}.")
    )
    variables = models.JSONField(
        _("variables schema"),
        default=dict,
        blank=True,
        help_text=_('JSON object: variable name → {"type": "string", "required": true}.'),
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=100, help_text=_("Share among active variants."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("prompt")
        verbose_name_plural = _("prompts")
        ordering = ["key", "-version", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version", "variant"], name="prompt_key_version_variant"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="prompt_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.key}@v{self.version}/{self.variant}"


class ModelPrice(models.Model):
    """US$ per million tokens for a model name (matched exactly, else by the longest prefix)."""

    model = models.CharField(_("model"), max_length=120, unique=True)
    input_per_million = models.DecimalField(_("input, US$ per 1M tokens"), max_digits=10, decimal_places=4)
    cached_input_per_million = models.DecimalField(
        _("cached input, US$ per 1M tokens"), max_digits=10, decimal_places=4
    )
    output_per_million = models.DecimalField(_("output, US$ per 1M tokens"), max_digits=10, decimal_places=4)

    class Meta:
        verbose_name = _("model price")
        verbose_name_plural = _("model prices")
        ordering = ["model"]

    def __str__(self) -> str:
        return self.model


class CallOutcome(models.TextChoices):
    OK = "ok", _("Valid")
    REPAIRED = "repaired", _("Valid after one repair")
    INVALID = "invalid", _("Invalid output")
    ERROR = "error", _("Provider error")
    TIMEOUT = "timeout", _("Timed out")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    THROTTLED = "throttled", _("Over the daily budget")


class AiCall(models.Model):
    """The usage ledger: one row per call to a provider (the local engine included), cache hits too."""

    task = models.CharField(_("task"), max_length=20, choices=Task.choices)
    provider = models.CharField(_("provider"), max_length=40)
    model = models.CharField(_("model"), max_length=120, blank=True, default="")
    prompt = models.ForeignKey(
        Prompt, verbose_name=_("prompt version"), null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    lead_id = models.BigIntegerField(_("lead"), null=True, blank=True, db_index=True)
    tokens_in = models.PositiveIntegerField(_("input tokens"), default=0)
    tokens_cached = models.PositiveIntegerField(_("cached input tokens"), default=0)
    tokens_out = models.PositiveIntegerField(_("output tokens"), default=0)
    cost_usd = models.DecimalField(_("cost (US$)"), max_digits=12, decimal_places=8, default=0)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    cache_hit = models.BooleanField(_("cache hit"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    error = models.CharField(_("error"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("AI call")
        verbose_name_plural = _("AI calls (usage ledger)")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} · {self.provider} · {self.outcome}"


class Extraction(models.Model):
    """Structured facts read from one inbound message (or a free text, with no lead), with per-field confidence
    and where they came from. ``applied`` lists the lead fields this extraction filled."""

    lead_id = models.BigIntegerField(_("lead"), null=True, blank=True, db_index=True)
    event_id = models.BigIntegerField(_("timeline event"), null=True, blank=True, unique=True)
    text = models.TextField(_("message"), blank=True, default="")
    result = models.JSONField(_("result"), default=dict)
    confidence = models.JSONField(_("confidence per field"), default=dict)
    provider = models.CharField(_("provider"), max_length=40)
    model = models.CharField(_("model"), max_length=120, blank=True, default="")
    prompt = models.ForeignKey(
        Prompt, verbose_name=_("prompt version"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    call = models.ForeignKey(AiCall, verbose_name=_("call"), null=True, blank=True, on_delete=models.SET_NULL)
    escalated = models.BooleanField(_("escalated to an LLM"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    applied = models.JSONField(_("fields applied to the lead"), default=list, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("extraction")
        verbose_name_plural = _("extractions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead_id", "-created_at"], name="extraction_lead_recent")]

    def __str__(self) -> str:
        return f"{self.result.get('intent', '?')} · {self.provider}"


class SuggestionOutcome(models.TextChoices):
    PENDING = "pending", _("Not used yet")
    SENT_AS_IS = "sent_as_is", _("Sent as drafted")
    EDITED = "edited", _("Edited, then sent")
    DISCARDED = "discarded", _("Discarded")


class Suggestion(models.Model):
    """Reply drafts shown to a consultant. Never sent by the middleware: the consultant edits and sends them."""

    lead_id = models.BigIntegerField(_("lead"), db_index=True)
    prompt = models.ForeignKey(
        Prompt, verbose_name=_("prompt version"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.CharField(_("provider"), max_length=40)
    drafts = models.JSONField(_("drafts"), default=list)
    objections = models.JSONField(_("objections handled"), default=list, blank=True)
    tone = models.CharField(_("tone"), max_length=40, blank=True, default="")
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=SuggestionOutcome.choices, default=SuggestionOutcome.PENDING
    )
    chosen = models.PositiveSmallIntegerField(_("draft chosen"), null=True, blank=True)
    final_text = models.TextField(_("text sent"), blank=True, default="")
    similarity = models.FloatField(_("similarity to the draft"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("for"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply suggestion")
        verbose_name_plural = _("reply suggestions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.get_outcome_display()}"


class LearningKind(models.TextChoices):
    SENT_AS_IS = "sent_as_is", _("Suggestion sent as drafted")
    EDITED = "edited", _("Suggestion edited")
    DISCARDED = "discarded", _("Suggestion discarded")
    CONVERTED = "converted", _("Lead converted")


class LearningEvent(models.Model):
    """What happened after a prompt version was used: the learning aggregator compares versions and variants."""

    prompt = models.ForeignKey(Prompt, verbose_name=_("prompt version"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=LearningKind.choices)
    lead_id = models.BigIntegerField(_("lead"), null=True, blank=True)
    suggestion = models.ForeignKey(Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField(_("similarity"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("learning event")
        verbose_name_plural = _("learning events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["prompt", "lead_id"], condition=Q(kind="converted"), name="learning_one_conversion_per_prompt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prompt} · {self.get_kind_display()}"


class ObjectionReply(models.Model):
    """The objection library: how the team answers an objection, per stage when it matters. Suggestions use it."""

    objection = models.CharField(_("objection"), max_length=20, choices=Objection.choices)
    stage = models.CharField(_("lead stage"), max_length=20, blank=True, default="", help_text=_("Empty: any stage."))
    text = models.TextField(_("how to answer"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("objection reply")
        verbose_name_plural = _("objection library")
        ordering = ["objection", "stage", "id"]

    def __str__(self) -> str:
        return f"{self.get_objection_display()} · {self.stage or '*'}"


class DraftStatus(models.TextChoices):
    USABLE = "usable", _("Passed the content rules")
    BLOCKED = "blocked", _("Blocked by the content rules")


class MessageDraft(models.Model):
    """A campaign template body drafted for a goal and a tone, usable only once the anti-ban content rules pass."""

    goal = models.CharField(_("goal"), max_length=200)
    tone = models.CharField(_("tone"), max_length=40)
    text = models.TextField(_("text"))
    checks = models.JSONField(_("content checks"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=DraftStatus.choices)
    provider = models.CharField(_("provider"), max_length=40)
    prompt = models.ForeignKey(
        Prompt, verbose_name=_("prompt version"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("message draft")
        verbose_name_plural = _("message drafts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.goal} · {self.get_status_display()}"


class LabelledExample(models.Model):
    """What a person told us the AI got wrong, kept to train and evaluate it (issue #20): an "opt-out?"
    confirmation answered "Não" (``field`` "opt_out", ``value`` false), a consultant's correction of an extracted
    field (``field`` "intent", "budget_min"…, ``value`` the right one, as JSON). ``text`` is the message the model
    read — kept only while the records of processing list the use of messages to train the models
    (``compliance.services.consent.training_use_recorded``); otherwise it is empty and the example only counts."""

    text = models.TextField(_("message"), blank=True, default="")
    field = models.CharField(pgettext_lazy("labelled example", "field"), max_length=40)
    value = models.JSONField(_("right value"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=40)
    lead_id = models.BigIntegerField(_("lead"), null=True, blank=True, db_index=True)  # erasure requests find it
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("labelled example")
        verbose_name_plural = _("labelled examples")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field} = {self.value!r} ({self.source})"
