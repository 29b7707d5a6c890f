from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, WriteOnlySecretsForm
from common.errors import ApplicationError
from whatsapp.models import (
    BusinessAccount,
    EventStatus,
    Message,
    PhoneNumber,
    ServiceWindow,
    Template,
    WebhookEvent,
    messaging_limit_label,
)
from whatsapp.services import StatusNotYetMatched, message_retry, templates_sync, webhook_event_reprocess


class BusinessAccountForm(WriteOnlySecretsForm):
    secret_fields = ("access_token",)

    class Meta:
        model = BusinessAccount
        fields = ["name", "waba_id", "access_token", "is_active"]


@admin.action(description=_("Sync templates from Meta"))
def sync_templates(modeladmin, request, queryset):
    for account in queryset:
        try:
            count = templates_sync(account=account)
            modeladmin.message_user(request, _("%(account)s: %(n)s templates") % {"account": account, "n": count})
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{account}: {exc.message}", messages.ERROR)


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    extra = 0
    fields = ["phone_number_id", "display_number", "verified_name", "quality_rating", "status", "is_active"]


@admin.register(BusinessAccount)
class BusinessAccountAdmin(admin.ModelAdmin):
    form = BusinessAccountForm
    list_display = ["name", "waba_id", "is_active", "templates_synced_at"]
    search_fields = ["name", "waba_id"]
    inlines = [PhoneNumberInline]
    actions = [sync_templates]


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ["display_number", "verified_name", "account", "quality_rating", "limit", "status"]
    list_filter = ["quality_rating", "status", "is_active", "account"]
    search_fields = ["display_number", "verified_name", "phone_number_id"]
    list_select_related = ["account"]

    @admin.display(description=_("messaging limit"), ordering="messaging_limit")
    def limit(self, obj):
        return messaging_limit_label(obj.messaging_limit)


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "category", "status", "quality_score", "account", "updated_at"]
    list_filter = ["status", "category", "language", "account"]
    search_fields = ["name"]
    list_select_related = ["account"]


@admin.action(description=_("Retry (where the error allows it)"))
def retry_messages(modeladmin, request, queryset):
    for message in queryset:
        try:
            message_retry(message=message)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{message}: {exc.message}", messages.WARNING)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "direction", "kind", "number", "status", "error_code"]
    list_filter = ["direction", "status", "kind", "number"]
    search_fields = ["wamid", "contact"]
    list_select_related = ["number"]
    actions = [retry_messages]


@admin.register(ServiceWindow)
class ServiceWindowAdmin(ReadOnlyAdmin):
    list_display = ["contact", "number", "last_inbound_at", "expires_at", "entry_point"]
    list_select_related = ["number"]


@admin.action(description=_("Process again"))
def reprocess_events(modeladmin, request, queryset):
    for event in queryset:
        try:
            event = webhook_event_reprocess(event_id=event.pk) or event
        except StatusNotYetMatched:
            modeladmin.message_user(request, _("%(event)s: waiting for its message.") % {"event": event})
            continue
        if event.status == EventStatus.FAILED:
            modeladmin.message_user(request, f"{event}: {event.error}", messages.WARNING)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "status", "attempts", "next_attempt_at", "processed_at", "unknown_types", "error"]
    list_filter = ["status"]
    actions = [reprocess_events]
