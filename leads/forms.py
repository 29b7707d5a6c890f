from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import LeadStage
from leads.services.lead import NOTE_MAX_LENGTH


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What happened? Next step?")}),
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=LeadStage.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
