"""The public, embeddable web form of a lead source (no login): honeypot, rate limit per IP, consent recorded."""

from __future__ import annotations

from csp.decorators import csp_replace
from django import forms
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.network import client_ip
from common.ratelimit import rate_limit_hit
from compliance.services.consent import consent_from_web_form, marketing_consent_text
from leads.ingest.pipeline import leads_ingest_batch
from leads.models import LeadSource
from leads.normalization import email_normalize, phone_normalize

RATE = (20, 3600)  # submissions per IP per source per hour


class WebLeadForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("WhatsApp"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    budget = forms.CharField(label=_("How much do you plan to invest?"), max_length=120, required=False)
    message = forms.CharField(label=_("Message"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3}))
    marketing = forms.BooleanField(required=False)
    website = forms.CharField(required=False, widget=forms.TextInput({"tabindex": "-1", "autocomplete": "off"}))

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Leave a WhatsApp number or an e-mail so we can answer."))
        return data


@csrf_exempt  # embedded on the company's own site, where our CSRF cookie cannot travel; honeypot + rate limit
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_http_methods(["GET", "POST"])
def web_form_view(request, token: str):
    source = get_object_or_404(LeadSource, public_token=token, is_active=True)
    text = marketing_consent_text()
    form = WebLeadForm(request.POST or None)
    context = {"source": source, "form": form, "consent_text": text}
    if request.method == "GET" or not form.is_valid():
        return render(request, "leads/web_form.html", context, status=200 if request.method == "GET" else 400)
    if form.cleaned_data["website"]:  # a bot filled the hidden field: thank it and keep nothing
        return render(request, "leads/web_form_thanks.html", context)
    if rate_limit_hit(f"webform:{source.pk}:{client_ip(request)}", limit=RATE[0], window_seconds=RATE[1]):
        context["error"] = _("Too many submissions from your network. Try again later.")
        return render(request, "leads/web_form.html", context, status=429)
    data = form.cleaned_data
    item = {
        "full_name": data["full_name"],
        "phone": [data["phone"]] if data["phone"] else [],
        "email": [data["email"]] if data["email"] else [],
        "city": data["city"],
        "budget": data["budget"],
        "notes": data["message"],
        "interest": data["message"],
    }
    with transaction.atomic():
        result = leads_ingest_batch(source=source, items=[item], actor=None, label="Web form")[0]
        if result["status"] != "rejected":
            phone, email = phone_normalize(data["phone"]), email_normalize(data["email"])
            contacts = [(phone.e164, "phone")] if data["phone"] and phone.is_valid else []
            contacts += [(email.value, "email")] if data["email"] and email.is_valid else []
            consent_from_web_form(
                contacts=contacts,
                marketing_text=text if data["marketing"] else None,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                evidence={"form": source.name, "path": request.path},
            )
    if result["status"] == "rejected":
        context["error"] = result["reason"]
        return render(request, "leads/web_form.html", context, status=400)
    return render(request, "leads/web_form_thanks.html", context)
