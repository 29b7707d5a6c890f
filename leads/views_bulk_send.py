"""The bulk send form: a supervisor picks an audience of leads and template variants; the anti-ban layer says the
light (green goes out, yellow waits for approval, red is kept refused) and sends. Deciding whom to write to is the
workspace's part (above ``antiban`` on the map), so the form lives here and hands ``antiban`` the audience."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from antiban.bulk import Light, Priority, bulk_send_create, bulk_send_preview  # choices come with the service
from common.errors import ApplicationError
from compliance.roles import Role, role_required
from leads import selectors as lead_selectors
from whatsapp import selectors as wa_selectors
from whatsapp.payloads import template_preview


class BulkSendForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Kind"),
        choices=[(Priority.MARKETING, gettext_lazy("Marketing")), (Priority.UTILITY, gettext_lazy("Utility"))],
        coerce=int,
    )
    templates = forms.MultipleChoiceField(
        label=gettext_lazy("Template variants (rotated across recipients)"), widget=forms.CheckboxSelectMultiple
    )
    parameter = forms.CharField(
        label=gettext_lazy("Second parameter ({{2}})"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("{{1}} is each person's name; this text fills {{2}} for everyone (e.g. the launch)."),
    )
    stage = forms.ChoiceField(label=gettext_lazy("Audience: stage"), required=False)
    tag = forms.CharField(label=gettext_lazy("Audience: tag"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Audience: source"), required=False)
    spread_minutes = forms.IntegerField(
        label=gettext_lazy("Spread over (minutes)"), min_value=1, max_value=24 * 60, initial=60
    )

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", gettext_lazy("Any stage"))] + [
            (stage.value, stage.label) for stage in lead_selectors.lead_stages()
        ]
        self.fields["source"].choices = [("", gettext_lazy("Any source"))] + [
            (str(source.pk), source.name) for source in lead_selectors.lead_sources()
        ]
        self.categories = {f"{t.name}|{t.language}": t.category for t in templates}
        self.fields["templates"].choices = [(f"{t.name}|{t.language}", _template_label(t)) for t in templates]

    def clean(self):
        """A marketing template goes as marketing: its consent and opt-out rules follow the template, so "Kind:
        Utility" with one would have left out nobody for lack of marketing consent (user test)."""
        cleaned = super().clean()
        chosen = cleaned.get("templates") or []
        marketing = [key.split("|", 1)[0] for key in chosen if self.categories.get(key) == "MARKETING"]
        if marketing and cleaned.get("priority") == Priority.UTILITY:
            self.add_error(
                "priority",
                _("%(names)s is a marketing template: choose the kind Marketing (it needs marketing consent).")
                % {"names": ", ".join(marketing)},
            )
        return cleaned


def _template_label(template) -> str:
    """ "convite_visita · Marketing — “Olá {{1}}! O lançamento {{2}} abre…”": what the person reads, not codes."""
    body = template_preview(template.components)
    body = body if len(body) <= 70 else body[:69].rstrip() + "…"
    language = "" if template.language.lower().startswith("pt") else f" ({template.language})"
    return f"{template.name}{language} · {template.get_category_display()} — “{body}”"


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR, Role.ADMIN)
def bulk_send_new_view(request: HttpRequest) -> HttpResponse:
    """The send form. "Prever" shows the light, its reasons and the audience size without creating anything;
    "Verificar e enviar" creates the send (green goes out, yellow waits for approval, red is kept refused)."""
    numbers = list(wa_selectors.numbers_usable())
    templates = list(wa_selectors.templates_approved(account_id=numbers[0].account_id)) if numbers else []
    form = BulkSendForm(request.POST or None, templates=templates)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filters = {key: data[key] for key in ("stage", "tag", "source") if data[key]}
        variants = [dict(zip(("name", "language"), v.split("|", 1), strict=True)) for v in data["templates"]]
        try:
            audience = lead_selectors.lead_audience(user=request.user, filters=filters)
            if "preview" in request.POST:
                verdict = bulk_send_preview(
                    variants=variants, audience=audience, priority=data["priority"], parameter=data["parameter"]
                )
                preview = {"verdict": verdict, "light": Light(verdict.light).label, "size": len(audience)}
            else:
                bulk = bulk_send_create(
                    name=data["name"],
                    variants=variants,
                    audience=audience,
                    priority=data["priority"],
                    parameter=data["parameter"],
                    spread_minutes=data["spread_minutes"],
                    audience_filter=filters,
                    created_by=request.user,
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if preview is None:
                summary = _("“%(name)s”: %(light)s, %(size)s people.") % {
                    "name": bulk.name,
                    "light": bulk.get_light_display(),
                    "size": len(bulk.audience),
                }
                # The supervisor sees why, and what to do, not only the colour (who is left out, who waits).
                summary = " ".join([summary, *bulk.light_reasons])
                messages.info(request, summary)
                return redirect("antiban:dashboard")
    return TemplateResponse(request, "antiban/bulk_new.html", {"form": form, "preview": preview})
