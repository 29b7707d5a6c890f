"""Admin for compliance data. Ledgers are read-only here: they change only through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from common.errors import ApplicationError
from compliance.models import (
    ApiToken,
    AuditEntry,
    ConsentRecord,
    ConsentText,
    ContactPreference,
    OptOutKeyword,
    ProcessingActivity,
    RetentionPolicy,
    SubjectRequest,
    SuppressionEntry,
)
from compliance.services import subject_requests as requests_service
from compliance.services.tokens import api_token_revoke


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "category", "action", "actor_label", "object_type", "object_id", "ip_address"]
    list_filter = ["category", "occurred_at"]
    search_fields = ["action", "actor_label", "object_type", "object_id", "=ip_address"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "contact_hint", "purpose", "channel", "legal_basis", "status", "source"]
    list_filter = ["purpose", "channel", "legal_basis", "status", "source"]
    search_fields = ["contact_hint", "=subject_index"]
    date_hierarchy = "occurred_at"


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["purpose", "version", "created_at"]
    list_filter = ["purpose"]
    search_fields = ["text"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # a shown text is evidence: publish a new version instead of editing


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    list_display = ["contact_hint", "contact_kind", "no_audio", "contact_days", "contact_hours", "updated_at"]
    list_filter = ["no_audio", "contact_kind"]
    search_fields = ["contact_hint", "=subject_index"]
    readonly_fields = ["subject_index", "contact_kind", "contact_hint", "evidence", "updated_at"]


@admin.register(SuppressionEntry)
class SuppressionEntryAdmin(admin.ModelAdmin):
    list_display = ["contact_hint", "contact_kind", "reason", "created_at", "confirmation_sent_at"]
    list_filter = ["reason", "contact_kind"]
    search_fields = ["contact_hint", "=subject_index"]
    readonly_fields = [
        "subject_index",
        "contact_kind",
        "contact_hint",
        "reason",
        "details",
        "actor_id",
        "created_at",
        "confirmation_sent_at",
    ]

    def has_add_permission(self, request):
        return False  # added by opt-outs, consultants and subject requests, which record why


@admin.register(OptOutKeyword)
class OptOutKeywordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "match", "is_active"]
    list_filter = ["match", "is_active"]
    search_fields = ["phrase"]


@admin.action(description=_("Revoke selected tokens"))
def revoke_tokens(modeladmin, request, queryset):
    for token in queryset:
        api_token_revoke(token=token, actor=request.user)
    modeladmin.message_user(request, _("Tokens revoked."), messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    actions = [revoke_tokens]

    def has_add_permission(self, request):
        return False  # issued through POST /api/v1/auth/tokens/, which shows the key once


def _each(modeladmin, request, queryset, action, success):
    done = 0
    for subject_request in queryset:
        try:
            action(subject_request)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{subject_request.public_id}: {exc.message}", messages.WARNING)
    if done:
        modeladmin.message_user(request, success % {"n": done}, messages.SUCCESS)


@admin.action(description=_("Identity checked by phone or document: mark verified"))
def verify_manually(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        lambda r: requests_service.subject_request_verify_manually(
            request=r, actor=request.user, note=f"checked by {request.user.get_username()}"
        ),
        _("%(n)d request(s) verified."),
    )


@admin.action(description=_("Fulfil (correct, anonymize, delete…) verified requests"))
def fulfil(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        lambda r: requests_service.subject_request_fulfil(request=r, actor=request.user),
        _("%(n)d request(s) fulfilled."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the person on their request page)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


@admin.action(description=_("Reject with a reason (the person is told why)"))
def reject(modeladmin, request, queryset):
    """Two steps, as Django's delete action: the reason is asked on a page of its own, then applied to each."""
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        _each(
            modeladmin,
            request,
            queryset,
            lambda r: requests_service.subject_request_reject(
                request=r, actor=request.user, reason=form.cleaned_data["reason"]
            ),
            _("%(n)d request(s) rejected."),
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Reject requests"),
        "form": form,
        "requests": queryset,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/compliance/subjectrequest/reject.html", context)


@admin.register(SubjectRequest)
class SubjectRequestAdmin(admin.ModelAdmin):
    list_display = ["public_id", "kind", "status", "channel", "created_at", "due_at", "completed_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["=public_id", "requester_name"]
    date_hierarchy = "due_at"
    actions = [verify_manually, fulfil, reject]
    readonly_fields = [
        "public_id",
        "kind",
        "channel",
        "requester_name",
        "contact",
        "contact_kind",
        "document",
        "details",
        "corrections",
        "status",
        "verified_at",
        "verified_by_id",
        "created_at",
        "due_at",
        "completed_at",
        "result",
        "export_json",
        "export_xlsx",
        "deadline_alerted_at",
        "rejection_reason",
    ]
    exclude = ["verification_code_hash", "verification_attempts"]

    def has_add_permission(self, request):
        return False  # requests come from the person (public page) or an integrator (API)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["category", "months", "is_active", "last_run_at", "last_run_count"]
    readonly_fields = ["last_run_at", "last_run_count"]


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_basis", "retention", "updated_at"]
    list_filter = ["legal_basis"]
    search_fields = ["name", "purpose", "data_categories", "recipients"]
