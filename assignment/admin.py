from django.contrib import admin

from assignment.models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "supervisor", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "supervisor__username", "supervisor__first_name"]
    filter_horizontal = ["members"]
    autocomplete_fields = ["supervisor"]
