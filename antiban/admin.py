from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from antiban.bulk import bulk_send_decide
from antiban.models import BulkSend, BulkStatus, ContentRule, Incident, NumberState, OutboxMessage
from common.admin import ReadOnlyAdmin


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "state", "kind", "priority", "number", "campaign", "attempts", "last_reason", "created_at"]
    list_filter = ["state", "kind", "priority", "campaign"]
    search_fields = ["contact", "wamid", "campaign"]
    list_select_related = ["number"]


@admin.register(NumberState)
class NumberStateAdmin(admin.ModelAdmin):
    list_display = ["number", "mode", "health", "paused_until", "warmup_day"]
    list_filter = ["mode"]
    list_select_related = ["number"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["opened_at", "number", "severity", "reason", "closed_at"]
    list_filter = ["severity", "closed_at"]
    list_select_related = ["number"]


@admin.register(ContentRule)
class ContentRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "action", "applies_to_marketing_only", "is_active", "reason"]
    list_filter = ["action", "is_active"]
    search_fields = ["name", "pattern", "reason"]


@admin.register(BulkSend)
class BulkSendAdmin(ReadOnlyAdmin):
    """Bulk sends are created on /antiban/bulk/new/ (the traffic light runs there); here they can be approved or
    rejected like on the dashboard."""

    list_display = ["name", "light", "status", "priority", "spread_minutes", "created_at", "decided_at"]
    list_filter = ["light", "status"]
    search_fields = ["name"]
    exclude = ["audience"]  # personal data: the outbox rows and the leads hold it
    actions = ["approve", "reject"]

    @admin.action(description=_("Approve the selected bulk sends (yellow light)"))
    def approve(self, request, queryset):
        for bulk in queryset.filter(status=BulkStatus.PENDING):
            bulk_send_decide(bulk=bulk, approve=True, actor=request.user)

    @admin.action(description=_("Reject the selected bulk sends"))
    def reject(self, request, queryset):
        for bulk in queryset.filter(status=BulkStatus.PENDING):
            bulk_send_decide(bulk=bulk, approve=False, actor=request.user)
