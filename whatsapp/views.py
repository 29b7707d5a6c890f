"""Supervisor screen: the business numbers, their health as Meta reports it, today's traffic, pause/resume."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from compliance.roles import Role, role_required
from whatsapp.models import PhoneNumber
from whatsapp.selectors import numbers_overview
from whatsapp.services import number_set_active


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def numbers_view(request: HttpRequest) -> HttpResponse:
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return TemplateResponse(request, "whatsapp/numbers.html", {"numbers": numbers_overview(since=since)})


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def number_toggle_view(request: HttpRequest, number_id: int) -> HttpResponse:
    number = get_object_or_404(PhoneNumber, pk=number_id)
    number_set_active(number=number, active=request.POST.get("active") == "1", actor=request.user)
    return redirect("whatsapp:numbers")
