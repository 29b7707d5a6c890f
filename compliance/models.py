"""Compliance data: audit log, consent ledger, suppression list, opt-out keywords, API tokens.

This app depends on no other Fluxo app: people and contacts are referred to by user id and by blind index.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.crypto import EncryptedTextField


class AuditCategory(models.TextChoices):
    SECURITY = "security", _("Security")
    READ = "read", _("Personal data read")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Deletion")
    EXPORT = "export", _("Export")
    SUBJECT_RIGHTS = "subject_rights", _("Data-subject rights")
    CONSENT = "consent", _("Consent and opt-out")
    SYSTEM = "system", _("System")


class AuditEntry(models.Model):
    """Append-only and hash-chained, without a lock in the writer's transaction.

    A writer only INSERTs: the id (a sequence) orders entries and ``content_hash`` = HMAC(this entry's content)
    makes an edited entry detectable at once. After commit the sealer (``compliance.services.audit.audit_seal``:
    on-commit kick, beat, ``manage.py audit_seal``) chains committed entries in the order it finds them — commit
    order — in its own short transaction: ``seal_seq`` is the entry's place in the chain, ``prev_id`` and
    ``prev_hash`` name the entry sealed before it, and ``hash`` = HMAC(id, place, previous id and hash, content
    hash). A PostgreSQL trigger refuses DELETE and every UPDATE except the sealer's one-time write of these seal
    columns; ``manage.py audit_verify`` finds any edited, deleted or inserted entry and reports unsealed ones and
    gaps (ids of transactions that rolled back)."""

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True, default="")
    category = models.CharField(_("category"), max_length=20, choices=AuditCategory.choices)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Written with the entry; a row inserted by hand without it gets '' and fails verification.
    content_hash = models.CharField(_("content hash"), max_length=64, db_default="")
    # Written once by the sealer.
    seal_seq = models.BigIntegerField(_("place in the chain"), null=True, blank=True, unique=True)
    prev_id = models.BigIntegerField(_("previous entry"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="")
    hash = models.CharField(_("hash"), max_length=64, null=True, blank=True, unique=True)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The sealer's queue: unsealed entries in id order.
            models.Index(fields=["id"], name="audit_unsealed", condition=models.Q(seal_seq__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SERVICE = "service", _("Service (answering and serving the person)")
    COLLECTION = "collection", _("Debt collection")
    PROFILING = "profiling", _("Profiling and scoring")


class ConsentChannel(models.TextChoices):
    ANY = "any", _("Any channel")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")


class LegalBasis(models.TextChoices):
    """LGPD Art. 7, I–X."""

    CONSENT = "consent", _("I – consent")
    LEGAL_OBLIGATION = "legal_obligation", _("II – legal or regulatory obligation")
    PUBLIC_POLICY = "public_policy", _("III – public policy")
    RESEARCH = "research", _("IV – research")
    CONTRACT = "contract", _("V – contract or preliminary procedures")
    EXERCISE_OF_RIGHTS = "exercise_of_rights", _("VI – exercise of rights in proceedings")
    VITAL_INTEREST = "vital_interest", _("VII – protection of life")
    HEALTH = "health", _("VIII – health protection")
    LEGITIMATE_INTEREST = "legitimate_interest", _("IX – legitimate interest")
    CREDIT_PROTECTION = "credit_protection", _("X – credit protection")


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REVOKED = "revoked", _("Revoked")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Web form")
    IMPORT = "import", _("Import file")
    CONSULTANT = "consultant", _("Consultant")
    WHATSAPP = "whatsapp", _("WhatsApp")
    API = "api", _("API")
    SUBJECT_REQUEST = "subject_request", _("Data-subject request")
    META = "meta", _("Meta opt-out signal")


class ContactKindChoices(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


class ConsentText(models.Model):
    """The exact words shown when consent was asked, versioned: the ledger points at the version shown."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-version"]
        constraints = [models.UniqueConstraint(fields=["purpose", "version"], name="consent_text_unique_version")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class ConsentRecord(models.Model):
    """One grant or revocation (append-only; the latest record per subject/purpose/channel decides)."""

    subject_index = models.CharField(_("contact (blind index)"), max_length=64)
    contact_kind = models.CharField(_("contact kind"), max_length=10, choices=ContactKindChoices.choices)
    contact_hint = models.CharField(_("contact (masked)"), max_length=40, blank=True, default="")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasis.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    text = models.ForeignKey(ConsentText, verbose_name=_("text shown"), null=True, blank=True, on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True, default="")
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent ledger")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["subject_index", "purpose", "channel", "-occurred_at", "-id"], name="consent_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.contact_hint} {self.purpose}/{self.channel}: {self.status}"


class SuppressionReason(models.TextChoices):
    KEYWORD = "keyword", _("Opt-out keyword received")
    META_OPT_OUT = "meta_opt_out", _("Meta marketing opt-out")
    CONSULTANT = "consultant", _("Registered by a consultant")
    SUBJECT_REQUEST = "subject_request", _("Data-subject request")
    COMPLAINT = "complaint", _("Block or complaint")


class SuppressionEntry(models.Model):
    """Do-not-contact list keyed by the normalized contact's blind index, so a re-import cannot resurrect it."""

    subject_index = models.CharField(_("contact (blind index)"), max_length=64, unique=True)
    contact_kind = models.CharField(_("contact kind"), max_length=10, choices=ContactKindChoices.choices)
    contact_hint = models.CharField(_("contact (masked)"), max_length=40, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=20, choices=SuppressionReason.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("suppression entry")
        verbose_name_plural = _("suppression list")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.contact_hint} ({self.get_reason_display()})"


class ContactPreference(models.Model):
    """How a person asked to be contacted, short of a stop ("manda por escrito", "só no fim de semana"), keyed by the
    contact's blind index like the suppression list."""

    subject_index = models.CharField(_("contact (blind index)"), max_length=64, unique=True)
    contact_kind = models.CharField(_("contact kind"), max_length=10, choices=ContactKindChoices.choices)
    contact_hint = models.CharField(_("contact (masked)"), max_length=40, blank=True, default="")
    no_audio = models.BooleanField(_("text instead of audio"), default=False)
    contact_days = models.JSONField(_("contact days"), null=True, blank=True)  # weekdays, 0 = Monday
    contact_hours = models.JSONField(_("contact hours"), null=True, blank=True)  # ["HH:MM", "HH:MM"]
    # a message that may have asked to stop was answered with the one-tap question: marketing waits for the answer
    marketing_held_at = models.DateTimeField(_("marketing held since"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)  # the rule or model; never the message
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return self.contact_hint


class OptOutMatch(models.TextChoices):
    WHOLE_MESSAGE = "whole", _("The whole message is the keyword")
    PHRASE = "phrase", _("The message contains the phrase")


class OptOutKeyword(models.Model):
    """Editable by admins. Matching ignores case, accents, punctuation and emoji."""

    phrase = models.CharField(_("keyword or phrase"), max_length=80, unique=True)
    match = models.CharField(_("match"), max_length=10, choices=OptOutMatch.choices, default=OptOutMatch.WHOLE_MESSAGE)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("opt-out keyword")
        verbose_name_plural = _("opt-out keywords")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class ApiToken(models.Model):
    """An integrator's token: shown once, stored as a SHA-256 hash, scoped, expiring, revocable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    scopes = ArrayField(models.CharField(max_length=40), verbose_name=_("scopes"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class SubjectRight(models.TextChoices):
    """LGPD Art. 18."""

    CONFIRMATION = "confirmation", _("I – confirmation that we process your data")
    ACCESS = "access", _("II – access to your data")
    CORRECTION = "correction", _("III – correction")
    ANONYMIZATION = "anonymization", _("IV – anonymization or blocking")
    PORTABILITY = "portability", _("V – portability (JSON and spreadsheet)")
    DELETION = "deletion", _("VI – deletion")
    SHARING_INFO = "sharing_info", _("VII – who your data was shared with")
    CONSENT_REVOCATION = "consent_revocation", _("IX – revoke consent and stop all contact")


class SubjectRequestStatus(models.TextChoices):
    AWAITING_IDENTITY = "awaiting_identity", _("Awaiting identity check")
    VERIFIED = "verified", _("Identity verified: in progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


class SubjectRequestChannel(models.TextChoices):
    PUBLIC_PAGE = "public_page", _("Public page")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")


class SubjectRequest(models.Model):
    """A data-subject request (Art. 18/19): identity check, fulfilment, 15-day deadline, every step audited."""

    public_id = models.UUIDField(_("public id"), unique=True, editable=False)
    kind = models.CharField(_("right"), max_length=24, choices=SubjectRight.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=SubjectRequestStatus.choices, default=SubjectRequestStatus.AWAITING_IDENTITY
    )
    channel = models.CharField(_("channel"), max_length=12, choices=SubjectRequestChannel.choices)
    requester_name = models.CharField(_("name"), max_length=200)
    contact = EncryptedTextField(_("contact"))
    contact_kind = models.CharField(_("contact kind"), max_length=10, choices=ContactKindChoices.choices)
    document = EncryptedTextField(_("CPF"), blank=True, default="")
    details = models.TextField(_("details"), blank=True, default="")
    corrections = models.JSONField(_("corrections requested"), default=dict, blank=True)
    verification_code_hash = models.CharField(max_length=64, blank=True, default="")
    verification_attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by_id = models.BigIntegerField(_("verified by"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    export_json = models.FileField(_("export (JSON)"), upload_to="subject_requests/", blank=True)
    export_xlsx = models.FileField(_("export (spreadsheet)"), upload_to="subject_requests/", blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True, default="")
    deadline_alerted_at = models.DateTimeField(_("deadline alert sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="subject_request_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (SubjectRequestStatus.AWAITING_IDENTITY, SubjectRequestStatus.VERIFIED)


class RetentionCategory(models.TextChoices):
    INACTIVE_LEADS = "inactive_leads", _("Leads with no interaction")
    MESSAGE_BODIES = "message_bodies", _("Message and note bodies")
    SUBJECT_REQUEST_EXPORTS = "subject_request_exports", _("Data-subject request export files")


class RetentionPolicy(models.Model):
    """Art. 15/16: how long each category is kept before it is anonymized in place (aggregates survive)."""

    category = models.CharField(_("category"), max_length=30, choices=RetentionCategory.choices, unique=True)
    months = models.PositiveIntegerField(_("months"))
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    last_run_count = models.PositiveIntegerField(_("anonymized in last run"), default=0)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.months} months"


class ProcessingActivity(models.Model):
    """Art. 37 record of processing: purpose, basis, data and subject categories, recipients, retention."""

    name = models.CharField(_("processing activity"), max_length=150, unique=True)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasis.choices)
    data_categories = models.TextField(_("data categories"))
    subject_categories = models.TextField(_("data subjects"))
    recipients = models.TextField(_("shared with"), blank=True, default="")
    international_transfer = models.TextField(_("international transfer"), blank=True, default="")
    retention = models.CharField(_("retention"), max_length=200)
    security_measures = models.TextField(_("security measures"), blank=True, default="")
    legitimate_interest_assessment = models.TextField(_("legitimate interest assessment"), blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("records of processing (Art. 37)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
