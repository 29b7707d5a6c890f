from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from common.network import client_ip
from common.ratelimit import rate_limit_hit
from compliance.forms import SubjectRequestForm, VerifyForm
from compliance.models import SubjectRequest, SubjectRequestChannel
from compliance.roles import Role, primary_role
from compliance.services import subject_requests as requests_service


@login_required
def home(request):
    """The site root sends each person to their start page by role (common is the ground floor: roles live here)."""
    role = primary_role(request.user)
    if role in (Role.SUPERVISOR, Role.ADMIN):
        return redirect("assignment:supervisor_home")
    if role == Role.INTEGRATOR:  # an API account has no desk: its start page is the API's documentation
        return redirect("api-docs")
    return redirect("leads:list")


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes calls this for a locked-out attempt: JSON for the API, a page for people. 429 either way."""
    hours = settings.AXES_COOLOFF_TIME
    minutes = int(hours * 60)
    message = _("Too many failed attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": message, "details": {}}, status=429)
    return render(request, "compliance/locked_out.html", {"message": message}, status=429)


# --- Public privacy page (no login): LGPD data-subject requests ------------------------------------------
PUBLIC_RATE = (10, 3600)  # requests per IP per hour


@require_http_methods(["GET", "POST"])
def privacy_request_view(request):
    form = SubjectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not form.cleaned_data["website"]:
        if rate_limit_hit(f"privacy:{client_ip(request)}", limit=PUBLIC_RATE[0], window_seconds=PUBLIC_RATE[1]):
            return render(
                request,
                "compliance/privacy_request.html",
                {"form": form, "error": _("Too many requests from your network. Try again in an hour.")},
                status=429,
            )
        data = form.cleaned_data
        try:
            subject_request, _code = requests_service.subject_request_create(
                kind=data["kind"],
                requester_name=data["requester_name"],
                contact=data["contact"],
                contact_kind=data["contact_kind"],
                document=data["document"],
                details=data["details"],
                channel=SubjectRequestChannel.PUBLIC_PAGE,
            )
        except ApplicationError as exc:
            return render(request, "compliance/privacy_request.html", {"form": form, "error": exc.message})
        if not subject_request.code_sent:
            messages.warning(
                request,
                _(
                    "Your request is registered, but we could not send the code. "
                    "Our team will confirm your identity another way."
                ),
            )
        return redirect("privacy_status", public_id=subject_request.public_id)
    return render(request, "compliance/privacy_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def privacy_status_view(request, public_id):
    subject_request = get_object_or_404(SubjectRequest, public_id=public_id)
    form, error = VerifyForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            subject_request = requests_service.subject_request_verify(
                request=subject_request, code=form.cleaned_data["code"]
            )
            request.session[f"privacy:{public_id}"] = True  # this browser proved it owns the contact
        except ApplicationError as exc:
            error = exc.message
    owner = bool(request.session.get(f"privacy:{public_id}"))
    return render(
        request,
        "compliance/privacy_status.html",
        {"subject_request": subject_request, "form": form, "error": error, "owner": owner},
    )


def privacy_download_view(request, public_id, fmt: str):
    subject_request = get_object_or_404(SubjectRequest, public_id=public_id)
    if not request.session.get(f"privacy:{public_id}"):
        raise Http404("verify the request first")
    field = {"json": subject_request.export_json, "xlsx": subject_request.export_xlsx}.get(fmt)
    if not field:
        raise Http404("no such export")
    requests_service.subject_request_download_record(request=subject_request, fmt=fmt)
    return FileResponse(field.open("rb"), as_attachment=True, filename=f"meus-dados-{public_id}.{fmt}")
