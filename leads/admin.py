"""Admin for the lead core. Changes go through services so the timeline records them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, WriteOnlySecretsForm
from common.errors import ApplicationError
from leads import services
from leads.ingest.dedup import REASON_LABELS, reason_label
from leads.ingest.facebook import facebook_delivery_retry
from leads.models import (
    AdLeadDelivery,
    BulkChange,
    ContactPoint,
    DuplicateReview,
    ImportJob,
    IngestRequest,
    Lead,
    LeadCount,
    LeadEvent,
    LeadMerge,
    LeadSource,
    LeadStage,
    QuickReply,
    SavedView,
    Tag,
)
from leads.services.merge import lead_merge_undo, review_decide


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["kind", "value", "is_primary", "is_valid", "is_whatsapp", "label"]


@admin.display(description=_("contents"))
def event_contents(event: LeadEvent) -> str:
    """What happened, in words, as the lead page's timeline says it (the stored payload is JSON for machines)."""
    html = render_to_string("leads/_event_body.html", {"event": event}).strip()
    return mark_safe(html) if html else "—"  # noqa: S308 — a template rendered with autoescape


class LeadEventInline(admin.TabularInline):
    model = LeadEvent
    extra = 0
    fields = ["occurred_at", "kind", "channel", "actor", event_contents]
    readonly_fields = fields
    ordering = ["-occurred_at", "-id"]
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")  # one query, however long the timeline

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _stage_action(stage: LeadStage):
    def action(modeladmin, request, queryset):
        moved = 0
        for lead in queryset:
            try:
                services.lead_change_stage(
                    lead=lead, actor=request.user, stage=stage, reason=str(_("changed in the admin"))
                )
                moved += 1
            except ApplicationError as exc:
                modeladmin.message_user(request, f"{lead}: {exc.message}", messages.WARNING)
        modeladmin.message_user(request, _("%(n)d lead(s) moved to %(stage)s.") % {"n": moved, "stage": stage.label})

    action.__name__ = f"move_to_{stage.value}"
    action.short_description = _("Move selected leads to “%(stage)s”") % {"stage": stage.label}
    return action


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["full_name", "stage", "owner", "team", "source", "city", "state", "budget_max", "created_at"]
    list_filter = ["stage", "source__kind", "source", "team", "state", "interest_type", "created_at"]
    search_fields = ["full_name", "contact_points__value", "city", "external_ref"]
    list_select_related = ["owner", "team", "source"]
    autocomplete_fields = ["owner", "team", "source", "tags"]
    # merged_into is set and cleared by the merge service (undoable from Lead merges), never by hand: as an editable
    # field it rendered a <select> of every lead in the base (2,000 options with the demo data, ~0.9 s).
    readonly_fields = [
        "merged_into",
        "stage_changed_at",
        "recurrence_count",
        "last_interest_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
    inlines = [ContactPointInline, LeadEventInline]
    actions = [_stage_action(s) for s in (LeadStage.CONTACTED, LeadStage.NURTURING, LeadStage.LOST)]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # leads are created by the API, imports and the UI, which record their origin

    def has_delete_permission(self, request, obj=None):
        return False  # the timeline is append-only; erasure is an LGPD subject-rights request

    def save_model(self, request, obj, form, change):
        """Route each kind of change through its service so the timeline records who changed what."""
        before = Lead.objects.get(pk=obj.pk)
        data = {f: form.cleaned_data[f] for f in services.lead.UPDATABLE_FIELDS if f in form.changed_data}
        try:
            if data:
                services.lead_update(lead=before, actor=request.user, data=data)
            if "stage" in form.changed_data:
                services.lead_change_stage(
                    lead=before, actor=request.user, stage=obj.stage, reason=str(_("changed in the admin"))
                )
            if "owner" in form.changed_data:
                services.lead_change_owner(
                    lead=before, actor=request.user, owner=obj.owner, reason=str(_("changed in the admin"))
                )
            if "tags" in form.changed_data:
                services.lead_tags_set(
                    lead=before, actor=request.user, paths=[t.path for t in form.cleaned_data["tags"]]
                )
            if "team" in form.changed_data or "source" in form.changed_data:
                Lead.objects.filter(pk=obj.pk).update(team=obj.team, source=obj.source)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # contact points; tags went through lead_tags_set above
            self.save_formset(request, form, formset, change=change)


@admin.register(LeadEvent)
class LeadEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "lead", "kind", "channel", "actor", event_contents]
    fields = ["occurred_at", "lead", "kind", "channel", "actor", event_contents]
    readonly_fields = fields
    list_filter = ["kind", "channel", "occurred_at"]
    search_fields = ["lead__full_name"]
    list_select_related = ["lead", "actor"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


class LeadSourceForm(WriteOnlySecretsForm):
    secret_fields = ("access_token",)

    class Meta:
        model = LeadSource
        fields = [
            "name",
            "kind",
            "is_active",
            "public_token",
            "webhook_key",
            "page_id",
            "access_token",
            "column_mapping",
        ]


@admin.register(LeadSource)
class LeadSourceAdmin(admin.ModelAdmin):
    form = LeadSourceForm
    list_display = ["name", "kind", "is_active", "page_id", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "page_id"]


@admin.action(description=_("Fetch again (after fixing the source or its token)"))
def retry_deliveries(modeladmin, request, queryset):
    for delivery in queryset:
        facebook_delivery_retry(delivery=delivery)


@admin.register(AdLeadDelivery)
class AdLeadDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["leadgen_id", "source", "page_id", "status", "attempts", "received_at", "processed_at", "lead"]
    list_filter = ["status", "source"]
    search_fields = ["leadgen_id", "page_id"]
    list_select_related = ["source", "lead"]
    actions = [retry_deliveries]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["path", "name", "parent"]
    search_fields = ["path", "name"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        obj.path = f"{obj.parent.path}/{obj.slug}" if obj.parent else obj.slug
        super().save_model(request, obj, form, change)


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "lead", "is_primary", "is_valid", "is_whatsapp"]
    list_filter = ["kind", "is_valid", "is_whatsapp", "is_primary"]
    search_fields = ["value", "lead__full_name"]
    list_select_related = ["lead"]
    autocomplete_fields = ["lead"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "source",
        "status",
        "rows_total",
        "created",
        "merged",
        "review",
        "rejected",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "source"]
    search_fields = ["original_name", "content_hash"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]
    exclude = ["errors"]

    def has_add_permission(self, request):
        return False  # imports start from the upload page or `manage.py import_leads`


def _review_action(merge: bool):
    def action(modeladmin, request, queryset):
        for review in queryset:
            try:
                review_decide(review=review, actor=request.user, merge=merge)
            except ApplicationError as exc:
                modeladmin.message_user(request, f"{review}: {exc.message}", messages.WARNING)

    action.__name__ = "merge_pairs" if merge else "keep_pairs_separate"
    action.short_description = _("Merge the selected pairs") if merge else _("Keep the selected pairs separate")
    return action


class ReasonFilter(admin.SimpleListFilter):
    """Duplicate reasons by their pt-BR sentence (the column stores a stable code)."""

    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return list(REASON_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(reason=self.value()) if self.value() else queryset


@admin.display(description=_("reason"), ordering="reason")
def reason_display(obj) -> str:
    return reason_label(obj.reason)


@admin.register(DuplicateReview)
class DuplicateReviewAdmin(admin.ModelAdmin):
    list_display = ["lead", "candidate", reason_display, "confidence", "status", "created_at"]
    list_filter = ["status", ReasonFilter]
    search_fields = ["lead__full_name", "candidate__full_name"]
    list_select_related = ["lead", "candidate"]
    readonly_fields = ["lead", "candidate", "reason", "confidence", "status", "import_job", "decided_by", "decided_at"]
    actions = [_review_action(True), _review_action(False)]

    def has_add_permission(self, request):
        return False


@admin.action(description=_("Undo the selected merges"))
def undo_merges(modeladmin, request, queryset):
    for merge in queryset:
        try:
            lead_merge_undo(merge=merge, actor=request.user)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{merge}: {exc.message}", messages.WARNING)


@admin.register(LeadMerge)
class LeadMergeAdmin(ReadOnlyAdmin):
    list_display = ["into", "merged_lead_id", reason_display, "confidence", "created_at", "undone_at"]
    list_filter = [ReasonFilter, "undone_at"]
    search_fields = ["into__full_name"]
    list_select_related = ["into"]
    actions = [undo_merges]


@admin.register(LeadCount)
class LeadCountAdmin(ReadOnlyAdmin):
    """The triggers' per-(owner, team, stage) count rows, for looking only (beat compacts them every minute)."""

    list_display = ["owner", "team", "stage_label", "n"]
    list_select_related = ["owner", "team"]

    @admin.display(description=_("stage"), ordering="stage")
    def stage_label(self, obj):
        return LeadStage(obj.stage).label if obj.stage in LeadStage.values else obj.stage


@admin.register(IngestRequest)
class IngestRequestAdmin(ReadOnlyAdmin):
    list_display = ["key", "user", "status_code", "created_at"]
    search_fields = ["key"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query", "created_at")
    search_fields = ("name", "user__username")
    raw_id_fields = ("user",)


@admin.register(QuickReply)
class QuickReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "owner", "updated_at"]
    list_filter = ["team"]
    search_fields = ["title", "body"]
    list_select_related = ["team", "owner"]
    raw_id_fields = ["owner"]


@admin.register(BulkChange)
class BulkChangeAdmin(ReadOnlyAdmin):
    """The lead list's bulk tag and stage changes, undone from the list's message (a ledger here)."""

    list_display = ["kind", "value", "actor", "created_at", "undone_at"]
    list_filter = ["kind", "undone_at"]
    list_select_related = ["actor"]
