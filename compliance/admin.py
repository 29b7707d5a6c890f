"""Admin for compliance data. Ledgers are read-only here: they change only through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

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
from compliance.roles import Role
from compliance.services import subject_requests as requests_service
from compliance.services.tokens import api_token_revoke


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "category", "action", "actor", "object_type", "object_id", "ip_address"]
    list_filter = ["category", "occurred_at"]
    search_fields = ["action", "actor_label", "object_type", "object_id", "=ip_address"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    @admin.display(description=_("actor"), ordering="actor_label")
    def actor(self, obj):
        return _("system") if obj.actor_label == "system" else obj.actor_label


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
    list_display = [
        "contact_hint",
        "contact_kind",
        "no_audio",
        "contact_days",
        "contact_hours",
        "marketing_held_at",
        "updated_at",
    ]
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


# --- Third-party and built-in admin screens, in pt-BR ---------------------------------------------------------------
def _role_label(name: str) -> str:
    """A group named after a role (``"Consultant"``) → the role's label ("Consultor"); other groups as named."""
    return str(Role(name).label) if name in Role.values else name


class GroupByRoleAdmin(auth_admin.GroupAdmin):
    list_display = ["role_name"]

    @admin.display(description=_("name"), ordering="name")
    def role_name(self, obj):
        return _role_label(obj.name)


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "groups__name"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


class UserWithRolesAdmin(auth_admin.UserAdmin):
    list_filter = ["is_staff", "is_superuser", "is_active", RoleFilter]


class TOTPDeviceInPortugueseAdmin(TOTPDeviceAdmin):
    search_help_text = _("Search by username or e-mail")


def _admin_in_portuguese() -> None:
    for model, model_admin in (
        (Group, GroupByRoleAdmin),
        (get_user_model(), UserWithRolesAdmin),
        (TOTPDevice, TOTPDeviceInPortugueseAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)
    for field, label in (("created_at", _("created at")), ("last_used_at", _("last used at"))):
        TOTPDevice._meta.get_field(field).verbose_name = label  # no migration: the field's own argument is unset


_admin_in_portuguese()
