"""Qualification screens: the score card of the lead page (HTMX fragment) and the supervisors' overview (classes,
segments with their validation, the learned model's report, leads filtered by class and segment)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from compliance.roles import ANY_STAFF_ROLE, Role, role_required
from leads import selectors as lead_selectors
from qualification import segmentation, selectors, services
from qualification.models import Category


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_card_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    score = services.lead_score_current(lead_id=lead.pk)
    context = {
        "lead": lead,
        "score": score,
        "served": selectors.served(score) if score else None,
        "explanation": selectors.explanation(score) if score else None,
        "history": selectors.history_for_lead(lead_id=lead.pk, limit=12) if score else [],
    }
    return TemplateResponse(request, "qualification/_lead_card.html", context)


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def overview_view(request: HttpRequest) -> HttpResponse:
    scores = selectors.scored_visible_to(request.user).order_by("-served_score", "lead_id")
    category = request.GET.get("class", "")
    segment = request.GET.get("segment", "")
    if category in Category.values:
        scores = scores.filter(category=category)
    if segment:
        scores = scores.filter(segment=segment)
    current = selectors.segmentation_current()
    page = Paginator(scores, 50).get_page(request.GET.get("page"))
    for row in page:
        row.served = selectors.served(row)
    context = {
        "counts": selectors.class_counts(request.user),
        "config": selectors.config_active_or_none(),
        "models": selectors.models_recent(),
        "segmentation": current,
        "segment_names": segmentation.NAMES,
        "segments": [{**s, "name": segmentation.name(s["key"])} for s in (current.segments if current else [])],
        "page": page,
        "category": category,
        "segment": segment,
        "categories": Category.choices,
    }
    return TemplateResponse(request, "qualification/overview.html", context)
