from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    """For ledgers (audit log, consent records, the timeline): viewable and searchable, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WriteOnlySecretsForm(forms.ModelForm):
    """Admin form for models holding tokens: ``secret_fields`` are never shown back, and leaving one blank keeps the
    stored value (so editing anything else does not wipe a token)."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            self.fields[name] = forms.CharField(
                label=self.fields[name].label,
                required=False,
                widget=forms.PasswordInput(render_value=False),
                help_text=_("Leave blank to keep the current token."),
            )

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned
