from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.models import SubjectRight


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you want?"), choices=SubjectRight.choices)
    requester_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_kind = forms.ChoiceField(
        label=_("We will confirm it is you by"), choices=[("email", _("E-mail")), ("phone", _("Phone (WhatsApp)"))]
    )
    contact = forms.CharField(label=_("Your e-mail or phone"), max_length=254)
    document = forms.CharField(label=_("CPF (optional, helps us find your data)"), max_length=14, required=False)
    details = forms.CharField(
        label=_("Details (for a correction, say what is wrong and the right value)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot: people leave it empty


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("The 6-digit code we sent you"), max_length=6, min_length=6)
