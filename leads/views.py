"""HTML and HTMX views: parse, call one selector or service, render a page or a partial."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, Role, contacts_unmasked_in_lists, role_required, user_has_role
from compliance.services.audit import audit_personal_data_read
from compliance.services.consent import contact_mask
from leads import selectors, services
from leads.errors import LeadFilterInvalid
from leads.forms import LeadCreateForm, LeadEditForm, NoteForm, ReferralForm, StageForm
from leads.models import LeadStage
from leads.services.bulk import (
    bulk_change_undo,
    bulk_change_undo_text,
    leads_stage_change,
    leads_tag_add,
    leads_tag_remove,
)
from leads.services.dedup_check import lead_duplicate_warning
from leads.services.export import lead_export
from leads.services.saved_views import saved_view_delete, saved_view_save

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _page_size(request: HttpRequest) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(request.GET.get("page_size", PAGE_SIZE))))
    except ValueError:
        return PAGE_SIZE


MAX_PAGE = 1_000_000  # a page past this is past the end of any list (and its offset still fits PostgreSQL's bigint)


def _page_number(request: HttpRequest) -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.GET.get("page", 1))))
    except ValueError:
        return 1


# A person's download opens in Excel in Portuguese, which splits columns on ";" (the API keeps ",", RFC 4180).
EXCEL_PTBR = ";"


def _list_context(request: HttpRequest) -> dict:
    # One filter set for the form and the rows (it was built twice); the form's choices come from Redis.
    lead_filter = selectors.lead_list_filter(user=request.user, filters=request.GET)
    columns = selectors.lead_list_columns_chosen(request.GET.getlist("cols"))
    try:
        page = selectors.lead_list_page(
            user=request.user,
            filters=request.GET,
            sort=request.GET.get("sort", ""),
            page=_page_number(request),
            size=_page_size(request),
            columns=columns,
            filterset=lead_filter,
        )
    except LeadFilterInvalid:  # the form says which filter is wrong
        page = selectors.LeadPage([], 1, _page_size(request), False, 0, False, "created", columns)
    query = request.GET.copy()
    query.pop("page", None)
    can_assign = user_has_role(request.user, Role.SUPERVISOR, Role.ADMIN)
    unmask = contacts_unmasked_in_lists(request.user)
    return {
        "filter": lead_filter,
        "choices": selectors.lead_list_choices(user=request.user),
        "page": page,
        "rows": _list_rows(page, unmask_contacts=unmask),
        "query": query.urlencode(),
        "sorts": selectors.lead_list_sorts(),
        "all_columns": selectors.lead_list_columns(),
        "columns": page.columns,
        "saved_views": selectors.saved_views_for(user=request.user),
        "stages": LeadStage.choices,
        "stages_requiring_reason": settings.LEADS_STAGES_REQUIRING_REASON,  # the bulk form asks for the reason
        "can_assign": can_assign,
        "unmask_contacts": unmask,
    }


class _ListRow:
    """What one row of the HTML list shows, worked out in Python in one pass over the page: the template then only
    prints strings (no per-row URL reversing, choice lookups, translations, date filters or includes — over a page
    of rows those were most of the page's rendering time). A column that is off is None."""

    __slots__ = (
        "cells",
        "city",
        "contacts",
        "created",
        "last_contact",
        "name",
        "owner",
        "pk",
        "select_label",
        "source",
        "stage",
        "stage_label",
        "tags",
        "url",
    )


def _list_rows(page, *, unmask_contacts: bool) -> list[_ListRow]:
    """The rows of ``page`` (a ``selectors.LeadPage``) as the list prints them, with its chosen columns."""
    columns = set(page.columns)
    stage_labels = {value: str(label) for value, label in LeadStage.choices}
    url_marker = 987654321
    url = reverse("leads:detail", args=[url_marker]).replace(str(url_marker), "%d")
    select_label = _("Select %(name)s")
    unassigned = _("unassigned")
    never_contacted = _("never contacted")
    last_contact = _("last contact %(when)s")
    created = _("created %(when)s")
    cells = [(key, get_template(name).template) for key, name in selectors.lead_list_column_templates(page.columns)]
    rows = []
    for lead in page:
        row = _ListRow()
        row.pk = lead.pk
        row.name = lead.full_name
        row.url = url % lead.pk
        row.select_label = select_label % {"name": lead.full_name}
        row.stage = lead.stage if "stage" in columns else None
        row.stage_label = stage_labels.get(lead.stage, lead.stage)
        row.cells = [(key, template.render(Context({"lead": lead}))) for key, template in cells]
        row.contacts = [
            point.value if unmask_contacts else contact_mask(point.value, point.kind) for point in lead.primary_contacts
        ]
        row.city = None
        if "city" in columns and lead.city:
            row.city = f"{lead.city}/{lead.state}" if lead.state else lead.city
        row.source = (lead.source.name if lead.source else "") if "source" in columns else None
        row.owner = None
        if "owner" in columns:
            owner = lead.owner
            row.owner = f"→ {owner.get_full_name() or owner.username}" if owner else unassigned
        row.last_contact = None
        if "last_contact" in columns:
            when = lead.last_contact_at
            row.last_contact = last_contact % {"when": naturaltime(when)} if when else never_contacted
        row.created = None
        if "created" in columns:
            row.created = created % {"when": date_format(localtime(lead.created_at), "SHORT_DATE_FORMAT")}
        row.tags = [tag.path for tag in lead.tag_list] if "tags" in columns else []
        rows.append(row)
    return rows


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_list_view(request: HttpRequest) -> HttpResponse:
    """The list: filters, sort order, columns, saved views, pages without COUNT(*), and the bulk-action bar."""
    template = "leads/lead_list.html"
    if request.htmx and request.htmx.target == "lead-results":
        template += "#results"
    return TemplateResponse(request, template, _list_context(request))


@require_POST
@role_required(*ANY_STAFF_ROLE)
def saved_view_create_view(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        view = saved_view_save(user=request.user, name=request.POST.get("name", ""), query=query)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('leads:list')}?{query}")
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse('leads:list')}?{view.query}")


@require_POST
@role_required(*ANY_STAFF_ROLE)
def saved_view_delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    try:
        saved_view_delete(user=request.user, view_id=view_id)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
    messages.success(request, _("Saved view deleted."))
    return redirect("leads:list")


def _back_to_list(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    return redirect(f"{reverse('leads:list')}?{query}" if query else reverse("leads:list"))


def _list_url(request: HttpRequest) -> str:
    query = request.POST.get("query", "")
    return f"{reverse('leads:list')}?{query}" if query else reverse("leads:list")


def _undo_message(request: HttpRequest, text: str, change) -> None:
    """A success message with the "Desfazer" button (a small form; the message is rendered here, escaped, and kept
    as safe HTML by the message storage), as the bulk assignment's."""
    html = render_to_string(
        "leads/_bulk_undo_banner.html", {"text": text, "change": change, "next": _list_url(request)}, request=request
    )
    messages.success(request, mark_safe(html))  # noqa: S308 — a template rendered with autoescape


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_bulk_tag_view(request: HttpRequest) -> HttpResponse:
    """Add (``action=add``, the default) or remove (``action=remove``) a tag on the selected leads; undoable."""
    remove = request.POST.get("action") == "remove"
    try:
        ids = selectors.lead_ids_for_bulk(user=request.user, data=request.POST)
        change = leads_tag_remove if remove else leads_tag_add
        result = change(lead_ids=ids, actor=request.user, path=request.POST.get("tag", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back_to_list(request)
    n = result["changed"]
    if not n:
        none, every = _("None of the selected leads had this tag."), _("Every selected lead had this tag already.")
        text = none if remove else every
    elif remove:
        text = ngettext("Tag #%(tag)s removed from %(n)d lead.", "Tag #%(tag)s removed from %(n)d leads.", n) % {
            "n": n,
            "tag": result["change"].value,
        }
    else:  # the tag as it was saved ("#Campanha Dezembro" is kept as #campanha-dezembro: say so)
        text = ngettext("Tag #%(tag)s added to %(n)d lead.", "Tag #%(tag)s added to %(n)d leads.", n) % {
            "n": n,
            "tag": result["change"].value,
        }
    _undo_message(request, text, result["change"])
    return _back_to_list(request)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_bulk_stage_view(request: HttpRequest) -> HttpResponse:
    try:
        ids = selectors.lead_ids_for_bulk(user=request.user, data=request.POST)
        result = leads_stage_change(
            lead_ids=ids,
            actor=request.user,
            stage=request.POST.get("stage", ""),
            reason=request.POST.get("reason", "")[:300],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back_to_list(request)
    moved, unchanged = result["moved"], result["unchanged"]
    text = ngettext("%(n)d lead moved.", "%(n)d leads moved.", moved) % {"n": moved} if moved else _("No lead moved.")
    if unchanged:
        text += " " + ngettext("%(n)d was already in that stage.", "%(n)d were already in that stage.", unchanged) % {
            "n": unchanged
        }
    _undo_message(request, text, result["change"])
    return _back_to_list(request)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_bulk_undo_view(request: HttpRequest, change_id: int) -> HttpResponse:
    """The "Desfazer" of a bulk tag or stage change: says how many leads came back and how many changed since."""
    target = request.POST.get("next", "")
    if not (target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("leads:list")
    try:
        result = bulk_change_undo(change_id=change_id, actor=request.user)
    except ApplicationError as exc:
        if exc.http_status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect(target)
    text = bulk_change_undo_text(result)
    if result["already"]:
        messages.info(request, _("This change was undone already.") + " " + text)
    else:
        messages.success(request, text)
    return redirect(target)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_bulk_export_view(request: HttpRequest) -> HttpResponse:
    """The selected rows (or all matching the filters) as CSV or XLSX, through the list's export."""
    if request.POST.get("all_matching") == "1":
        filters = QueryDict(request.POST.get("query", ""))
    else:
        ids = selectors.lead_ids_visible(user=request.user, lead_ids=request.POST.getlist("lead_ids"))
        if not ids:
            messages.error(request, _("Select at least one lead (or all the leads matching the filters)."))
            return _back_to_list(request)
        filters = QueryDict(mutable=True)
        filters["ids"] = ",".join(str(i) for i in ids)
    try:
        export = lead_export(
            user=request.user, filters=filters, file_format=request.POST.get("format", "csv"), delimiter=EXCEL_PTBR
        )
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
    return lead_export_response(export)


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
        export = lead_export(
            user=request.user, filters=request.GET, file_format=request.GET.get("format", "csv"), delimiter=EXCEL_PTBR
        )
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
            lead = services.lead_change_stage_by_hand(
                lead=lead, actor=request.user, stage=form.cleaned_data["stage"], reason=form.cleaned_data["reason"]
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


def _edit_duplicate_warning(request: HttpRequest, lead, form: LeadEditForm):
    """A renamed lead or a new phone/e-mail may make this lead look like someone already in the base: the check
    runs on what changed (the new name, the added contacts), and the lead itself is not its own duplicate."""
    data = form.cleaned_data
    phones, emails = [data["phone"]] if data["phone"] else [], [data["email"]] if data["email"] else []
    if not phones and not emails and data["full_name"].strip() == lead.full_name:
        return None
    warning = lead_duplicate_warning(
        user=request.user,
        full_name=data["full_name"],
        phones=phones,
        emails=emails,
        city=data["city"],
        source_id=lead.source_id,
    )
    if warning is None:
        return None
    others = [c for c in warning.candidates if c.pk != lead.pk]
    if not others and not warning.hidden:
        return None
    return type(warning)(warning.reason, warning.confidence, others, warning.hidden)


@require_http_methods(["GET", "POST"])
@role_required(Role.CONSULTANT, Role.SUPERVISOR, Role.ADMIN)
def lead_edit_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """ "Edit lead": the profile and a new phone or e-mail; a likely duplicate is shown before saving, with "open the
    existing one" and "save anyway"."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = LeadEditForm(request.POST or None, lead=lead)
    context = {"form": form, "lead": lead}
    if request.method == "GET" or not form.is_valid():
        status = 200 if request.method == "GET" else 400
        return TemplateResponse(request, "leads/lead_edit.html", context, status=status)
    if request.POST.get("confirm_duplicate") != "1":
        warning = _edit_duplicate_warning(request, lead, form)
        if warning is not None:
            context |= {"duplicate": warning, "unmask_contacts": contacts_unmasked_in_lists(request.user)}
            return TemplateResponse(request, "leads/lead_edit.html", context, status=409)
    data = form.cleaned_data
    try:
        services.lead_edit_by_hand(
            lead=lead,
            actor=request.user,
            data=form.profile(),
            phones=[data["phone"]] if data["phone"] else [],
            emails=[data["email"]] if data["email"] else [],
        )
    except ApplicationError as exc:
        context["error"] = exc.message
        return TemplateResponse(request, "leads/lead_edit.html", context, status=400)
    messages.success(request, _("Lead saved."))
    return redirect("leads:detail", lead_id=lead.pk)
