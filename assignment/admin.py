from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assignment.models import (
    Absence,
    Assignment,
    CalendarFeed,
    ConsultantProfile,
    Notification,
    OwnerMove,
    Task,
    Team,
)
from qualification.selectors import category_choices


class CategoryFilter(admin.SimpleListFilter):
    """The lead's class when assigned, by its label (the column keeps the code)."""

    title = _("class")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return category_choices()

    def queryset(self, request, queryset):
        return queryset.filter(category=self.value()) if self.value() else queryset


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "supervisor", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "supervisor__username", "supervisor__first_name"]
    filter_horizontal = ["members"]
    autocomplete_fields = ["supervisor"]


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(ConsultantProfile)
class ConsultantProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "open_leads", "max_open_leads", "new_today", "max_new_per_day", "weight", "is_paused"]
    list_filter = ["is_paused"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    readonly_fields = [
        "open_leads",
        "new_today",
        "new_today_date",
        "assigned_total",
        "last_assigned_at",
        "last_seen_at",
    ]
    inlines = [AbsenceInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "lead",
        "consultant",
        "kind",
        "status",
        "category_label",
        "assigned_at",
        "due_at",
        "first_contact_at",
        "breached_at",
    ]
    list_filter = ["status", "kind", CategoryFilter]
    raw_id_fields = ["lead", "consultant", "actor"]

    @admin.display(description=_("class"), ordering="category")
    def category_label(self, obj):
        return dict(category_choices()).get(obj.category, obj.category)

    def has_add_permission(self, request):
        return False  # assignments go through the roulette or the supervisor tools (capacity and timeline)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "lead_id", "created_at", "read_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["profile", "starts_at", "ends_at", "reason"]
    autocomplete_fields = ["profile"]


@admin.register(OwnerMove)
class OwnerMoveAdmin(admin.ModelAdmin):
    list_display = ["kind", "actor", "consultant", "created_at", "undone_at"]
    list_filter = ["kind"]
    raw_id_fields = ["actor", "consultant"]
    readonly_fields = ["entries", "undo_result"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["kind", "lead_id", "owner", "due_at", "status", "origin"]
    list_filter = ["status", "kind", "origin"]
    search_fields = ["owner__username", "title"]
    raw_id_fields = ["lead", "owner", "created_by"]
    readonly_fields = ["origin_key", "created_at", "done_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    readonly_fields = ["token", "created_at"]
    raw_id_fields = ["user"]
