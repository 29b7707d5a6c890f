from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assignment.models import Absence, Assignment, ConsultantProfile, Notification, Team
from qualification.models import Category


class CategoryFilter(admin.SimpleListFilter):
    """The lead's class when assigned, by its label (the column keeps the code)."""

    title = _("class")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return Category.choices

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
        return Category(obj.category).label if obj.category in Category.values else obj.category

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
