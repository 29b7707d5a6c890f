"""Supervisor home and team load board, consultant queue, the assignment card of the lead page with manual
(re)assignment, pause and rebalance, and in-app notifications (HTMX polling)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assignment import selectors, services
from assignment.roulette import REASON_LABELS
from common.errors import ApplicationError
from common.tasks import worker_last_seen
from compliance.roles import ANY_STAFF_ROLE, Role, role_required, user_has_role
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


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def load_view(request: HttpRequest) -> HttpResponse:
    """The team load board (polled every 30 s): open, due and breached per consultant, with pause and rebalance."""
    return TemplateResponse(request, "assignment/_load.html", _load_context(request))


def _load_context(request) -> dict:
    return {
        "rows": selectors.load_board(teams=selectors.teams_managed_by(request.user), now=timezone.now()),
        "unassigned": len(lead_selectors.lead_ids_unassigned(limit=1000)),
    }


def _consultant_supervised(request, user_id: int):
    """A consultant of a team the user manages; anyone else does not exist here (404, as for leads)."""
    return get_object_or_404(selectors.consultants_of(selectors.teams_managed_by(request.user)), pk=user_id)


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def consultant_pause_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _consultant_supervised(request, user_id)
    paused = request.POST.get("paused") == "1"
    services.consultant_pause(user=user, actor=request.user, paused=paused, reason=request.POST.get("reason", ""))
    if request.htmx:
        return TemplateResponse(request, "assignment/_load.html", _load_context(request))
    return redirect("assignment:supervisor_home")


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def consultant_rebalance_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _consultant_supervised(request, user_id)
    result = services.consultant_rebalance(user=user, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(
        request,
        _("%(moved)d leads handed over; %(left)d could not be placed now and wait for the roulette.")
        % {"moved": result["moved"], "left": len(result["left"])},
    )
    return redirect("assignment:supervisor_home")


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_card_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    return TemplateResponse(request, "assignment/_lead_card.html", _card_context(request, lead))


def _card_context(request, lead, **extra) -> dict:
    active = selectors.assignment_active_for_lead(lead_id=lead.pk)
    can_assign = user_has_role(request.user, Role.SUPERVISOR, Role.ADMIN)
    reasons = [REASON_LABELS.get(r, r) for r in (active.reasons.get("reasons", []) if active else [])]
    return {
        "lead": lead,
        "active": active,
        "reasons": reasons,
        "now": timezone.now(),
        "history": selectors.assignments_for_lead(lead_id=lead.pk),
        "can_assign": can_assign,
        "consultants": selectors.consultants_of(selectors.teams_managed_by(request.user)) if can_assign else [],
        **extra,
    }


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def lead_assign_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    reason = request.POST.get("reason", "").strip()[:200]
    error = None
    try:
        choice = request.POST.get("consultant", "")
        if choice == "roulette":
            if not services.lead_assign(
                lead_id=lead.pk, kind="manual", actor=request.user, reason=reason or _("Roulette spun by a supervisor")
            ):
                error = _("Nobody available has room for this lead now.")
        else:
            consultant = get_object_or_404(get_user_model(), pk=int(choice or 0), is_active=True)
            services.lead_assign_to(lead_id=lead.pk, consultant=consultant, actor=request.user, reason=reason)
    except ApplicationError as exc:
        error = exc.message
    except (ValueError, Http404):
        error = _("Choose a consultant.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("leads:detail", lead_id=lead.pk)
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    return TemplateResponse(request, "assignment/_lead_card.html", _card_context(request, lead, error=error))


@require_GET
@role_required(Role.CONSULTANT, Role.SUPERVISOR)
def queue_view(request: HttpRequest) -> HttpResponse:
    services.consultant_seen(request.user)
    context = {"queue": selectors.queue_for(user=request.user), "now": timezone.now()}
    template = "assignment/queue.html"
    if request.htmx:
        template += "#queue"
    return TemplateResponse(request, template, context)


@require_GET
@role_required(*ANY_STAFF_ROLE)
def notifications_badge_view(request: HttpRequest) -> HttpResponse:
    """Polled by every page: the unread count (and, for consultants, the online heartbeat)."""
    services.consultant_seen(request.user)
    count = selectors.notifications_unread_count(user=request.user)
    return TemplateResponse(request, "assignment/_badge.html", {"count": count})


@require_GET
@role_required(*ANY_STAFF_ROLE)
def notifications_view(request: HttpRequest) -> HttpResponse:
    items = selectors.notifications_recent(user=request.user)
    return TemplateResponse(request, "assignment/notifications.html", {"items": items})


@require_POST
@role_required(*ANY_STAFF_ROLE)
def notifications_read_view(request: HttpRequest) -> HttpResponse:
    services.notifications_read(user=request.user)
    return redirect("assignment:notifications")
