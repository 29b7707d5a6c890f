"""The AI middleware's screens: the AI card and reply suggestions of the lead page (HTMX fragments), the learning
and usage screen comparing prompt versions, and campaign drafting."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, Role, role_required
from leads import selectors as lead_selectors
from leads.selectors_inbox import template_closest, whatsapp_reply_route

from . import selectors, services
from .errors import SuggestionNotFound


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_insights_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    attributes = lead.attributes or {}
    context = {
        "lead": lead,
        "profile": attributes.get("ai") or {},
        "provenance": attributes.get("ai_provenance") or {},
        "extractions": selectors.extractions_for_lead(lead_id=lead.pk),
    }
    return TemplateResponse(request, "ai_middleware/_lead_insights.html", context)


def _suggestions_context(lead, suggestion) -> dict:
    """Drafts, and — when the lead's 24-hour window is closed and free text would be refused — for each draft the
    closest approved template to send instead."""
    context = {"lead": lead, "suggestion": suggestion}
    if suggestion is None or not suggestion.drafts:
        return context
    route = whatsapp_reply_route(lead=lead)
    if not route["window_open"] and route["number"]:
        context["route"] = route
        context["outside_window"] = [
            (draft, template_closest(text=str(draft.get("text", "")), templates=route["templates"]))
            for draft in suggestion.drafts
        ]
    return context


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_suggestions_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    try:
        suggestion = services.suggestions_create(lead_id=lead.pk, user=request.user)
    except ApplicationError as exc:
        return TemplateResponse(request, "ai_middleware/_suggestions.html", {"lead": lead, "error": exc.message})
    return TemplateResponse(request, "ai_middleware/_suggestions.html", _suggestions_context(lead, suggestion))


@require_GET
@role_required(*ANY_STAFF_ROLE)
def suggestion_view(request: HttpRequest, lead_id: int, suggestion_id: int) -> HttpResponse:
    """Polled by the page while the ``ai`` queue writes the drafts."""
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    suggestion = selectors.suggestion_get(suggestion_id=suggestion_id, lead_id=lead.pk)
    if suggestion is None:
        raise Http404("suggestion not found")
    return TemplateResponse(request, "ai_middleware/_suggestions.html", _suggestions_context(lead, suggestion))


@require_POST
@role_required(*ANY_STAFF_ROLE)
def suggestion_discard_view(request: HttpRequest, lead_id: int, suggestion_id: int) -> HttpResponse:
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    try:
        suggestion = services.suggestion_discard(suggestion_id=suggestion_id, lead_id=lead.pk)
    except SuggestionNotFound as exc:
        raise Http404(exc.message) from exc
    return TemplateResponse(
        request, "ai_middleware/_suggestions.html", {"lead": lead, "suggestion": suggestion, "discarded": True}
    )


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def learning_view(request: HttpRequest) -> HttpResponse:
    context = {"usage": selectors.usage_today(), "prompts": selectors.prompt_comparison()}
    return TemplateResponse(request, "ai_middleware/learning.html", context)


class DraftForm(forms.Form):
    TONES = [
        ("amigavel", _("Friendly")),
        ("formal", _("Formal")),
        ("direto", _("Direct")),
        ("urgente", _("Last call")),
    ]
    goal = forms.CharField(
        label=_("Goal of the message"),
        max_length=200,
        min_length=5,
        help_text=_("For example: invite to the launch of Residencial Aurora on Saturday."),
    )
    tone = forms.ChoiceField(label=_("Tone"), choices=TONES)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR, Role.ADMIN)
def drafts_view(request: HttpRequest) -> HttpResponse:
    form = DraftForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.draft_create(
                goal=form.cleaned_data["goal"], tone=form.cleaned_data["tone"], user=request.user
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    context = {"form": form, "created": created, "drafts": selectors.drafts_recent()}
    return TemplateResponse(request, "ai_middleware/drafts.html", context)
