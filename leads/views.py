"""HTML and HTMX views: parse, call one selector or service, render a page or a partial."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from common.pagination import CappedPaginator
from compliance.roles import ANY_STAFF_ROLE, Role, contacts_unmasked_in_lists, role_required
from compliance.services.audit import audit_personal_data_read
from leads import selectors, services
from leads.errors import LeadFilterInvalid
from leads.filters import LeadFilter
from leads.forms import LeadCreateForm, NoteForm, ReferralForm, StageForm
from leads.models import EventChannel
from leads.services.dedup_check import lead_duplicate_warning
from leads.services.export import lead_export

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _page_size(request: HttpRequest) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(request.GET.get("page_size", PAGE_SIZE))))
    except ValueError:
        return PAGE_SIZE


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_list_view(request: HttpRequest) -> HttpResponse:
    lead_filter = LeadFilter(request.GET, queryset=selectors.lead_visible_to(request.user), user=request.user)
    try:
        leads = selectors.lead_list(user=request.user, filters=request.GET)
    except LeadFilterInvalid:
        leads = selectors.lead_visible_to(request.user).none()  # the form says which filter is wrong
    page = CappedPaginator(leads, _page_size(request)).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "leads/lead_list.html"
    if request.htmx and request.htmx.target == "lead-results":
        template += "#results"
    return TemplateResponse(request, template, {"filter": lead_filter, "page": page, "query": query.urlencode()})


def lead_export_response(export) -> HttpResponse:
    """The HTTP answer for a ``leads.services.export.LeadExport``: CSV streamed as it is written, XLSX from disk."""
    if export.chunks is not None:
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    else:
        response = FileResponse(export.file, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Export-Rows"] = str(export.rows)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_export_view(request: HttpRequest) -> HttpResponse:
    """The list's current filters as CSV or XLSX (``?format=csv|xlsx`` plus the list's query string)."""
    try:
        export = lead_export(user=request.user, filters=request.GET, file_format=request.GET.get("format", "csv"))
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
    return lead_export_response(export)


def _detail_context(request: HttpRequest, lead, **extra) -> dict:
    return {
        "lead": lead,
        "contact_points": selectors.lead_contact_points(lead=lead),
        "events": selectors.lead_timeline(lead=lead)[:200],
        "note_form": NoteForm(),
        "stage_form": StageForm(initial={"stage": lead.stage}),
        **extra,
    }


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_detail_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    audit_personal_data_read(obj=lead, actor=request.user)
    return TemplateResponse(request, "leads/lead_detail.html", _detail_context(request, lead))


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_note_create_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = NoteForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.lead_add_note(lead=lead, actor=request.user, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            error = exc.message
    if not request.htmx:
        return redirect("leads:detail", lead_id=lead.pk)
    context = _detail_context(request, lead, note_error=error)
    if error or not form.is_valid():
        context["note_form"] = form
    return TemplateResponse(request, "leads/lead_detail.html#activity", context)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_stage_change_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = StageForm(request.POST)
    error = None
    if form.is_valid():
        try:
            lead = services.lead_change_stage(
                lead=lead,
                actor=request.user,
                stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
                channel=EventChannel.WEB,
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    if not request.htmx:
        return redirect("leads:detail", lead_id=lead.pk)
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    return TemplateResponse(
        request, "leads/lead_detail.html#activity", _detail_context(request, lead, stage_error=error, oob_stage=True)
    )


@require_POST
@role_required(*ANY_STAFF_ROLE)
def contact_point_opt_out_view(request: HttpRequest, lead_id: int, contact_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    point = get_object_or_404(selectors.lead_contact_points_qs(lead=lead), pk=contact_id)
    services.contact_point_opt_out(contact_point=point, actor=request.user, reason=request.POST.get("reason", ""))
    return redirect("leads:detail", lead_id=lead.pk)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_referral_create_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    referrer = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = ReferralForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("leads:detail", lead_id=referrer.pk)
    data = form.cleaned_data
    try:
        referred = services.lead_referral_register(
            referrer=referrer,
            actor=request.user,
            full_name=data["full_name"],
            phones=[data["phone"]] if data["phone"] else [],
            emails=[data["email"]] if data["email"] else [],
            note=data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("leads:detail", lead_id=referrer.pk)
    return redirect("leads:detail", lead_id=referred.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.CONSULTANT, Role.SUPERVISOR)
def lead_create_view(request: HttpRequest) -> HttpResponse:
    """ "New lead": a likely duplicate is shown before anything is saved, with "open the existing one" and "create
    anyway"; a consultant owns what they create, a supervisor's lead goes to their team's roulette."""
    form = LeadCreateForm(request.POST or None)
    context = {"form": form}
    if request.method == "GET" or not form.is_valid():
        status = 200 if request.method == "GET" else 400
        return TemplateResponse(request, "leads/lead_create.html", context, status=status)
    data = form.cleaned_data
    phones, emails = [data["phone"]] if data["phone"] else [], [data["email"]] if data["email"] else []
    if request.POST.get("confirm_duplicate") != "1":
        warning = lead_duplicate_warning(
            user=request.user,
            full_name=data["full_name"],
            phones=phones,
            emails=emails,
            city=data["city"],
            source_id=data["source"].pk,
        )
        if warning is not None:
            context |= {"duplicate": warning, "unmask_contacts": contacts_unmasked_in_lists(request.user)}
            return TemplateResponse(request, "leads/lead_create.html", context, status=409)
    try:
        lead = services.lead_create_by_hand(
            actor=request.user,
            full_name=data["full_name"],
            phones=phones,
            emails=emails,
            city=data["city"],
            source=data["source"],
            notes=data["notes"],
        )
    except ApplicationError as exc:
        context["error"] = exc.message
        return TemplateResponse(request, "leads/lead_create.html", context, status=400)
    messages.success(request, _("Lead created."))
    return redirect("leads:detail", lead_id=lead.pk)
