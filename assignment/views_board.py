"""The pipeline board: a column per stage (count and newest cards) over the leads the person may see (the list's
visibility rule and filters); a card moves by drag and drop (SortableJS posting through HTMX) or by its "Mover
para…" form, asking for a reason where the stage needs one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assignment import task_selectors
from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, Role, role_required, user_has_role
from leads import selectors as lead_selectors
from leads import services as lead_services
from leads.errors import LeadFilterInvalid
from leads.forms import StageForm
from leads.models import EventChannel, LeadStage
from qualification import selectors as qualification_selectors

BOARD_FILTERS = ("q", "owner", "source", "tag")


def _filters(data) -> dict:
    return {key: data.get(key, "") for key in BOARD_FILTERS if data.get(key, "")}


def _board_context(request, filters: dict, **extra) -> dict:
    try:
        columns = lead_selectors.lead_board(user=request.user, filters=filters)
        filter_error = ""
    except LeadFilterInvalid as exc:
        columns, filter_error = lead_selectors.lead_board(user=request.user, filters={}), exc.message
    ids = [lead.pk for column in columns for lead in column["cards"]]
    classes = qualification_selectors.served_for_leads(lead_ids=ids)
    last_contact = lead_selectors.lead_last_contact_many(lead_ids=ids)
    next_task = task_selectors.tasks_next_for_leads(lead_ids=ids)
    for column in columns:
        column["needs_reason"] = column["stage"] in settings.LEADS_STAGES_REQUIRING_REASON
        for lead in column["cards"]:
            served = classes.get(lead.pk)
            lead.board_class = served.code if served else ""
            lead.board_class_label = served.label if served else ""
            lead.board_last_contact = last_contact.get(lead.pk)
            lead.board_next_task = next_task.get(lead.pk)
    is_supervisor = user_has_role(request.user, Role.SUPERVISOR, Role.ADMIN)
    return {
        "columns": columns,
        "stages": LeadStage.choices,
        "filters": filters,
        "filter_error": filter_error,
        "owners": lead_selectors.owners_visible_to(request.user) if is_supervisor else [],
        "now": timezone.now(),
        **extra,
    }


@require_GET
@role_required(*ANY_STAFF_ROLE)
def board_view(request: HttpRequest) -> HttpResponse:
    template = "assignment/board.html"
    if request.htmx and request.htmx.target == "board":
        template += "#board"
    return TemplateResponse(request, template, _board_context(request, _filters(request.GET)))


@require_POST
@role_required(*ANY_STAFF_ROLE)
def board_move_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Move one card (drag or "Mover para…"); answers the refreshed board, with the refusal when there is one
    (the card is then back where the server says it is)."""
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = StageForm(request.POST)
    error = message = ""
    status = 200
    if form.is_valid():
        try:
            lead_services.lead_change_stage(
                lead=lead,
                actor=request.user,
                stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
                channel=EventChannel.WEB,
            )
            message = _("%(name)s moved to “%(stage)s”.") % {
                "name": lead.full_name,
                "stage": LeadStage(form.cleaned_data["stage"]).label,
            }
        except ApplicationError as exc:
            error, status = exc.message, exc.http_status
    else:
        error, status = "; ".join(str(e) for errors in form.errors.values() for e in errors), 400
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif message:
            messages.success(request, message)
        return redirect("assignment:board")
    context = _board_context(request, _filters(request.POST), error=error, message=message)
    # htmx swaps 2xx answers only: a refusal is still a board (the card back in place) with the reason on top.
    response = TemplateResponse(request, "assignment/board.html#board", context)
    response["X-Fluxo-Status"] = str(status)
    return response
