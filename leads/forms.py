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


class ReferralForm(forms.Form):
    full_name = forms.CharField(label=_("Name of the person referred"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
