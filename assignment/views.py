from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from common.tasks import worker_last_seen
from compliance.roles import Role, role_required
from leads import selectors as lead_selectors


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def supervisor_home_view(request: HttpRequest) -> HttpResponse:
    """Real counts per stage and per consultant over the leads the supervisor may see."""
    by_stage = lead_selectors.lead_counts_by_stage(user=request.user)
    context = {
        "stages": [(stage, by_stage[stage.value]) for stage in lead_selectors.lead_stages()],
        "total": sum(by_stage.values()),
        "by_owner": lead_selectors.lead_counts_by_owner(user=request.user),
        "stage_columns": lead_selectors.lead_stages(),
        "worker_seconds": worker_last_seen(),
        "stale_days": settings.FLUXO_STALE_LEAD_DAYS,
        "stale_count": lead_selectors.stale_leads_count_cached(),
    }
    template = "assignment/supervisor_home.html"
    if request.htmx:
        template += "#board"
    return TemplateResponse(request, template, context)
