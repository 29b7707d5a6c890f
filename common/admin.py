from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For ledgers (audit log, consent records, the timeline): viewable and searchable, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
