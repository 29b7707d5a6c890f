from django.contrib import admin

from antiban.models import ContentRule, Incident, NumberState, OutboxMessage
from common.admin import ReadOnlyAdmin


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "state", "priority", "number", "campaign", "attempts", "last_reason", "created_at"]
    list_filter = ["state", "priority", "campaign"]
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
