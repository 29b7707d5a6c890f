from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import BrazilianState, InterestType, LeadStage
from leads.normalization import contacts_reachable
from leads.selectors import lead_sources
from leads.services import lead_source_manual
from leads.services.lead import NOTE_MAX_LENGTH, stage_requires_reason


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What happened? Next step?")}),
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=LeadStage.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        if stage and stage_requires_reason(stage) and not (data.get("reason") or "").strip():
            label = LeadStage(stage).label
            self.add_error(
                "reason", _("Say why the lead moves to “%(stage)s”: fill in the Reason field.") % {"stage": label}
            )
        return data


class ReferralForm(forms.Form):
    full_name = forms.CharField(label=_("Name of the person referred"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LeadCreateForm(forms.Form):
    """A consultant's or supervisor's "new lead": the person they just met or who just called."""

    full_name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    source = forms.ModelChoiceField(label=_("Source"), queryset=None, empty_label=None)
    notes = forms.CharField(
        label=_("Notes"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = lead_sources()
        self.fields["source"].initial = lead_source_manual()  # "Cadastro manual", not whichever sorts first

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Give at least one phone or e-mail."))
        phones = [data["phone"]] if data.get("phone") else []
        emails = [data["email"]] if data.get("email") else []
        if not contacts_reachable(phones, emails):
            raise forms.ValidationError(_("None of the phones or e-mails given is valid: give at least one that is."))
        return data


class LeadEditForm(forms.Form):
    """ "Edit lead": the profile a person can correct by hand, and a phone or e-mail to add."""

    full_name = forms.CharField(label=_("Name"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    interest_type = forms.ChoiceField(label=_("Interest"), required=False)
    budget_min = forms.DecimalField(label=_("Minimum budget (R$)"), required=False, min_value=0, max_digits=14)
    budget_max = forms.DecimalField(label=_("Maximum budget (R$)"), required=False, min_value=0, max_digits=14)
    phone = forms.CharField(label=_("Add a phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Add an e-mail"), required=False)

    PROFILE_FIELDS = ("full_name", "city", "state", "interest_type", "budget_min", "budget_max")

    def __init__(self, *args, lead=None, **kwargs):
        if lead is not None and "initial" not in kwargs:
            kwargs["initial"] = {field: getattr(lead, field) for field in self.PROFILE_FIELDS}
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—"), *BrazilianState.choices]
        self.fields["interest_type"].choices = [("", "—"), *InterestType.choices]

    def clean(self):
        data = super().clean()
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The maximum budget must not be below the minimum."))
        if data.get("phone") and not contacts_reachable([data["phone"]], []):
            self.add_error("phone", _("This phone is not valid: give it with the area code (DDD)."))
        return data

    def profile(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.PROFILE_FIELDS}
