"""Supervisor screens of the anti-ban layer: the number health dashboard (mobile-first, refreshed by HTMX), its
alerts, the approval of yellow-light bulk sends, and the bulk send form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from antiban import selectors
from antiban.bulk import bulk_send_decide, bulk_sends_progress
from antiban.health import warmup_start
from antiban.models import BulkSend
from common.errors import ApplicationError
from compliance.roles import Role, role_required
from whatsapp import selectors as wa_selectors


def _dashboard_context() -> dict:
    return {
        "numbers": selectors.numbers_health(),
        "incidents": selectors.incidents_recent(),
        "pending": selectors.bulk_sends_pending(),
        "recent": bulk_sends_progress(selectors.bulk_sends_recent()),
        "outbox": selectors.outbox_counts(),
    }


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def dashboard_view(request: HttpRequest) -> HttpResponse:
    template = "antiban/_dashboard.html" if request.headers.get("HX-Request") else "antiban/dashboard.html"
    return TemplateResponse(request, template, _dashboard_context())


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def bulk_decide_view(request: HttpRequest, bulk_id: int) -> HttpResponse:
    bulk = get_object_or_404(BulkSend, pk=bulk_id)
    try:
        bulk_send_decide(bulk=bulk, approve=request.POST.get("approve") == "1", actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("antiban:dashboard")


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def warmup_start_view(request: HttpRequest, number_id: int) -> HttpResponse:
    number = get_object_or_404(wa_selectors.numbers_usable(), pk=number_id)
    warmup_start(number=number)
    messages.success(request, _("Warm-up started for %(number)s.") % {"number": number.display_number})
    return redirect("antiban:dashboard")
