"""Lead core: data and invariants only. Writes go through ``leads.services``, reads through ``leads.selectors``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Concat, Lower, Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.db import Fold
from compliance.crypto import EncryptedTextField


class SourceKind(models.TextChoices):
    ADS = "ads", _("Ads (Facebook/Google lead forms)")
    HISTORICAL = "historical", _("Historical base")
    WEB_FORM = "web_form", _("Web form")
    REFERRAL = "referral", _("Referral")
    MANUAL_IMPORT = "manual_import", _("Manual import")
    API = "api", _("API")
    WHATSAPP_INBOUND = "whatsapp_inbound", _("WhatsApp inbound")
    MANUAL = "manual", _("Entered by hand")


class LeadStage(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    MEETING = "meeting", _("Meeting")
    PROPOSAL = "proposal", _("Proposal")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    NURTURING = "nurturing", _("Nurturing")


class InterestType(models.TextChoices):
    APARTMENT = "apartment", _("Apartment")
    HOUSE = "house", _("House")
    LAND = "land", _("Land")
    COMMERCIAL = "commercial", _("Commercial property")
    INVESTMENT = "investment", _("Investment fund / off-plan")
    OTHER = "other", _("Other")


class BrazilianState(models.TextChoices):
    AC = "AC", "Acre"
    AL = "AL", "Alagoas"
    AP = "AP", "Amapá"
    AM = "AM", "Amazonas"
    BA = "BA", "Bahia"
    CE = "CE", "Ceará"
    DF = "DF", "Distrito Federal"
    ES = "ES", "Espírito Santo"
    GO = "GO", "Goiás"
    MA = "MA", "Maranhão"
    MT = "MT", "Mato Grosso"
    MS = "MS", "Mato Grosso do Sul"
    MG = "MG", "Minas Gerais"
    PA = "PA", "Pará"
    PB = "PB", "Paraíba"
    PR = "PR", "Paraná"
    PE = "PE", "Pernambuco"
    PI = "PI", "Piauí"
    RJ = "RJ", "Rio de Janeiro"
    RN = "RN", "Rio Grande do Norte"
    RS = "RS", "Rio Grande do Sul"
    RO = "RO", "Rondônia"
    RR = "RR", "Roraima"
    SC = "SC", "Santa Catarina"
    SP = "SP", "São Paulo"
    SE = "SE", "Sergipe"
    TO = "TO", "Tocantins"


class LeadSource(models.Model):
    """Where leads come from: one row per concrete origin (a form, a campaign account, a spreadsheet feed)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    public_token = models.CharField(
        _("public form token"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Set it to publish this source's web form at /f/<token>/ (embeddable)."),
    )
    webhook_key = models.CharField(
        _("webhook key"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("The key set in the ad platform's webhook settings (e.g. Google Ads google_key)."),
    )
    page_id = models.CharField(
        _("Facebook page id"),
        max_length=40,
        blank=True,
        default="",
        db_index=True,
        help_text=_("Lead ads from this Facebook/Instagram page land in this source."),
    )
    access_token = EncryptedTextField(
        _("page access token"),
        blank=True,
        default="",
        help_text=_("Page access token with leads_retrieval, used to fetch each lead from the Graph API."),
    )
    column_mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_("Spreadsheet header → lead field, saved from the last import so the next file maps itself."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A node in a tag tree; ``path`` is the materialised slug path, e.g. ``interesse/apartamento``."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=400, unique=True, editable=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="tag_unique_slug_per_parent"),
            models.UniqueConstraint(fields=["slug"], condition=Q(parent__isnull=True), name="tag_unique_root_slug"),
        ]

    def __str__(self) -> str:
        return self.path


class Lead(models.Model):
    """One person who showed interest. Critical data in columns; the rest in ``attributes``."""

    full_name = models.CharField(_("full name"), max_length=200)
    # Folded (no accents, lower-case, sorted tokens): the blocking key of duplicate detection.
    name_key = models.CharField(_("name key"), max_length=200, blank=True, default="", editable=False)
    # Encrypted at rest; ``document_index`` (keyed HMAC of the digits) serves exact lookup and dedup.
    document = EncryptedTextField(_("document (CPF)"), blank=True, default="")
    document_index = models.CharField(_("document index"), max_length=64, blank=True, default="", editable=False)
    city = models.CharField(_("city"), max_length=120, blank=True, default="")
    state = models.CharField(_("state"), max_length=2, choices=BrazilianState.choices, blank=True, default="")
    budget_min = models.DecimalField(_("minimum budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(_("maximum budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="BRL")
    interest_type = models.CharField(
        _("interest type"), max_length=20, choices=InterestType.choices, blank=True, default=""
    )
    source = models.ForeignKey(LeadSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="leads")
    external_ref = models.CharField(
        _("external reference"),
        max_length=120,
        null=True,
        blank=True,
        help_text=_("The lead's id in its source system (unique per source)."),
    )
    campaign_ref = models.CharField(_("campaign reference"), max_length=120, blank=True, default="")
    ad_ref = models.CharField(_("ad reference"), max_length=120, blank=True, default="")
    stage = models.CharField(_("stage"), max_length=20, choices=LeadStage.choices, default=LeadStage.NEW)
    stage_changed_at = models.DateTimeField(_("stage changed at"), default=timezone.now)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
    )
    team = models.ForeignKey(
        "assignment.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="leads")
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_leads",
        help_text=_("Set when a supervisor merged this lead into another (undoable)."),
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    recurrence_count = models.PositiveIntegerField(_("times interest was shown"), default=1)
    priority = models.SmallIntegerField(_("priority"), default=0, help_text=_("Raised for recurring contacts."))
    last_interest_at = models.DateTimeField(_("last interest at"), default=timezone.now)
    # Kept by a trigger on leads_leadevent (migration 0012): the latest message in or out, call or meeting.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)  # indexed by lead_created_cover
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Name and city folded (lower-case, no accents) once at write time: the search box's trigram index reads it, and a
    # search that walks the newest leads compares this column instead of folding a million names per query.
    search_text = models.GeneratedField(
        expression=Fold(Concat("full_name", models.Value(" "), "city")),
        output_field=models.TextField(),
        db_persist=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_ref"],
                condition=Q(external_ref__isnull=False),
                name="lead_unique_external_ref_per_source",
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="lead_budget_range_ordered",
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="lead_full_name_not_empty"),
        ]
        indexes = [
            models.Index(
                fields=["owner", "stage", "-created_at"], include=["merged_into"], name="lead_owner_stage_created"
            ),
            models.Index(fields=["team", "stage"], name="lead_team_stage"),
            models.Index(
                fields=["stage", "-created_at", "-id"],
                include=["owner", "team", "merged_into"],
                name="lead_stage_created",
            ),
            models.Index(fields=["source", "-created_at"], name="lead_source_created"),
            models.Index(fields=["city"], name="lead_city"),
            # The list's "last contact" sorts (both directions: an index is scanned backwards too), for a
            # consultant's own leads and for a team's.
            models.Index(
                F("owner"), F("last_contact_at").asc(nulls_first=True), F("id"), name="lead_owner_last_contact"
            ),
            models.Index(F("last_contact_at").asc(nulls_first=True), F("id"), name="lead_last_contact"),
            models.Index(fields=["name_key"], name="lead_name_key", condition=~Q(name_key="")),
            models.Index(fields=["document_index"], name="lead_document_index", condition=~Q(document_index="")),
            # Accent- and case-insensitive search on names and cities ("joao" finds "João", "sao paulo" São Paulo).
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="lead_search_text_trgm"),
            models.Index(Fold("city"), name="lead_city_fold"),
            # The visibility rule's columns ride along (INCLUDE) so capped counts and list pages are index-only.
            models.Index(
                fields=["owner", "-created_at", "-id"],
                include=["team", "stage", "merged_into"],
                name="lead_owner_created_cover",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                include=["owner", "team", "stage", "merged_into"],
                name="lead_created_cover",
            ),
            # The roulette's backlog in serving order (recurrence priority, then oldest): the leads nobody owns.
            models.Index(
                F("priority").desc(),
                F("created_at"),
                F("id"),
                include=["team", "stage"],
                condition=Q(owner__isnull=True, merged_into__isnull=True),
                name="lead_unassigned_serving",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


class ContactPoint(models.Model):
    """A phone (E.164) or e-mail (lower-cased) of a lead. One primary per lead and kind."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_valid = models.BooleanField(_("valid"), default=True)
    is_whatsapp = models.BooleanField(_("on WhatsApp"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=40, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["-is_primary", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "kind", "value"], name="contact_unique_per_lead"),
            models.UniqueConstraint(
                fields=["lead", "kind"], condition=Q(is_primary=True), name="contact_one_primary_per_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "value"], name="contact_kind_value"),
            GinIndex(fields=["value"], opclasses=["gin_trgm_ops"], name="contact_value_trgm"),
            # The last digits of a phone ("4321", "98765-4321") by prefix on the reversed number: a B-tree range.
            models.Index(
                OpClass(Reverse("value"), name="text_pattern_ops"),
                condition=Q(kind="phone"),
                name="contact_phone_reversed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Lead created")
    UPDATED = "updated", _("Profile updated")
    NOTE = "note", _("Note")
    MESSAGE_IN = "message_in", _("Message received")
    MESSAGE_OUT = "message_out", _("Message sent")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    OWNER_CHANGED = "owner_changed", _("Owner changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    CONTACT_ADDED = "contact_added", _("Contact point added")
    INTEREST_AGAIN = "interest_again", _("Showed interest again")
    MERGED = "merged", _("Merged")
    CONSENT = "consent", _("Consent")
    CORRECTION = "correction", _("Correction")
    TASK = "task", _("Task")


class EventChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    IN_PERSON = "in_person", _("In person")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class LeadEvent(models.Model):
    """One row of a lead's timeline. Append-only: a PostgreSQL trigger rejects UPDATE and DELETE."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=EventChannel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_events",
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    payload = models.JSONField(_("payload"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["lead", "-occurred_at", "-id"], name="event_lead_occurred")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {timezone.localtime(self.occurred_at):%d/%m/%Y %H:%M}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A spreadsheet import. Rows are committed in chunks (each chunk all in or all out); ``rows_done`` is the
    resume point after a crash. Counters and the error report are the summary a supervisor sees."""

    source = models.ForeignKey(LeadSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="imports")
    file = models.FileField(_("file"), upload_to="imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_kind = models.CharField(_("file kind"), max_length=8)
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    mapping = models.JSONField(_("column mapping"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    merged = models.PositiveIntegerField(_("merged"), default=0)
    review = models.PositiveIntegerField(_("sent to review"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    error_report = models.FileField(_("error report"), upload_to="imports/reports/", blank=True)
    error_message = models.TextField(_("error"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    MERGED = "merged", _("Merged")
    KEPT_SEPARATE = "kept_separate", _("Kept separate")


class DuplicateReview(models.Model):
    """A possible duplicate that was not merged silently: a supervisor decides (merge / keep separate)."""

    lead = models.ForeignKey(Lead, verbose_name=_("existing lead"), on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Lead, verbose_name=_("new lead"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    confidence = models.FloatField(_("confidence"))
    status = models.CharField(_("status"), max_length=15, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    import_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("duplicate review queue")
        ordering = ["-confidence", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "candidate"], name="review_unique_pair"),
        ]
        indexes = [models.Index(fields=["status", "-confidence"], name="review_pending")]

    def __str__(self) -> str:
        return f"{self.lead_id} ~ {self.candidate_id} ({self.confidence:.2f})"


class LeadMerge(models.Model):
    """A merge of one lead into another, with what is needed to undo it."""

    into = models.ForeignKey(Lead, verbose_name=_("kept lead"), on_delete=models.CASCADE, related_name="merges")
    merged_lead_id = models.BigIntegerField(_("merged lead id"))
    reason = models.CharField(_("reason"), max_length=200)
    confidence = models.FloatField(_("confidence"))
    snapshot = models.JSONField(_("merged lead snapshot"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.merged_lead_id} → {self.into_id}"


class IngestRequest(models.Model):
    """REST ingest idempotency: a repeated Idempotency-Key returns the stored response and creates nothing."""

    key = models.CharField(_("idempotency key"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)
    response = models.JSONField(_("stored response"), default=dict)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), default=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ingest request")
        verbose_name_plural = _("ingest requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="ingest_unique_key_per_user")]

    def __str__(self) -> str:
        return self.key


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be fetched")
    DONE = "done", _("Ingested")
    FAILED = "failed", _("Failed")


class AdLeadDelivery(models.Model):
    """A Facebook/Instagram ``leadgen`` notification, stored before anything else happens (unique on the
    leadgen id, so Meta's redeliveries are no-ops). A task then fetches the lead's answers from the Graph API
    and ingests them; a failed fetch is retried and stays visible here until it succeeds."""

    leadgen_id = models.CharField(_("leadgen id"), max_length=40, unique=True)
    source = models.ForeignKey(
        LeadSource, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    page_id = models.CharField(_("page id"), max_length=40, blank=True, default="")
    payload = models.JSONField(_("notification"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead-ads delivery")
        verbose_name_plural = _("lead-ads deliveries")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"], name="adlead_status_received")]

    def __str__(self) -> str:
        return self.leadgen_id


class SavedView(models.Model):
    """A person's saved lead list: its filters, sort order and columns, kept as the list's query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_lead_views"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters, sort and columns"), max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved list view")
        verbose_name_plural = _("saved list views")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="savedview_unique_name_per_user")]

    def __str__(self) -> str:
        return self.name


class BulkChangeKind(models.TextChoices):
    TAG_ADD = "tag_add", _("Tag added in bulk")
    TAG_REMOVE = "tag_remove", _("Tag removed in bulk")
    STAGE = "stage", _("Stage changed in bulk")


class BulkChange(models.Model):
    """A bulk tag or stage change of the lead list, kept so that it can be undone: each entry is ``{"lead", "from",
    "event"}`` (the stage the lead had before, for a stage change; the timeline event the change wrote). Undo puts
    back only the leads nothing happened to since (no later event on the same stage or tag); ``undone_at`` set =
    undone, with ``undo_result`` {restored, skipped}."""

    kind = models.CharField(_("kind"), max_length=12, choices=BulkChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.CharField(_("tag or stage"), max_length=255)
    entries = models.JSONField(_("leads changed"), default=list, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undo_result = models.JSONField(_("undo result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lead change in bulk")
        verbose_name_plural = _("lead changes in bulk")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="bulkchange_actor_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {len(self.entries)}"


class QuickReply(models.Model):
    """A saved snippet for the WhatsApp send box, shared with a team or personal (exactly one of the two).
    Variables in double braces ({{nome}}, {{primeiro_nome}}, {{consultor}}, {{imovel}}, {{cidade}}) are filled
    from the lead and the person sending when it is inserted."""

    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"), max_length=4096)
    team = models.ForeignKey(
        "assignment.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quick_replies",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quick_replies",
    )
    created_by_id = models.BigIntegerField(_("created by (user id)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True, owner__isnull=False) | Q(team__isnull=False, owner__isnull=True),
                name="quick_reply_team_xor_owner",
            ),
            # A title once per scope, whatever its case (the send box lists them by title).
            models.UniqueConstraint(
                Lower("title"), "owner", condition=Q(team__isnull=True), name="quick_reply_title_unique_personal"
            ),
            models.UniqueConstraint(
                Lower("title"), "team", condition=Q(owner__isnull=True), name="quick_reply_title_unique_team"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LeadCount(models.Model):
    """How many live leads each (owner, team, stage) holds: the supervisor home's and the board's counts without
    counting a million rows. Kept by triggers on ``leads_lead`` (migration 0016) as delta rows — +n for inserted
    leads, −1/+1 when a lead changes owner, team or stage or is merged, −n for deleted ones — appended, so that no
    row is a hot spot for concurrent writers; ``leads.lead_counts_compact`` (beat, every minute) folds them into one
    row per group. Read the sums (``leads.selectors.lead_counts_overview``). Merged leads are not counted: they live
    on in their survivor. No foreign-key constraints: a row outlives its owner or team (their leads' counts move to
    "no owner"/"no team" as the leads do) and sums to zero."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    team = models.ForeignKey(
        "assignment.Team",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    stage = models.CharField(max_length=20)
    n = models.BigIntegerField()

    class Meta:
        verbose_name = _("lead count")
        verbose_name_plural = _("lead counts")

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.team_id}/{self.stage}: {self.n}"
