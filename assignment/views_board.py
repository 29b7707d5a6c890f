"""The pipeline board: a column per stage (count and newest cards, "ver mais" for the next ones) over the leads the
person may see (the list's visibility rule and filters); a card moves by drag and drop (SortableJS posting through
HTMX) or by its "Mover para…" dialog (keyboard), asking for a reason where the stage needs one. A move answers only
what changed: the moved card in its column and the two columns' counts (HTMX out-of-band swaps)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assignment import task_selectors
from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, Role, role_required, user_has_role
from leads import selectors as lead_selectors
from leads import services as lead_services
from leads.errors import LeadFilterInvalid
from leads.forms import StageForm
from qualification import selectors as qualification_selectors

BOARD_FILTERS = ("q", "owner", "source", "tag")


def _filters(data) -> dict:
    return {key: data.get(key, "") for key in BOARD_FILTERS if data.get(key, "")}


def _stage_labels() -> dict[str, str]:
    return {stage.value: stage.label for stage in lead_selectors.lead_stages()}


def _url_pattern(name: str) -> str:
    """A URL with one ``<int>`` argument as a "%d" pattern: reversed once per page, not once per card (200 cards
    reversing two URLs each were a fifth of the board's time)."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "%d")


def _cards_decorate(leads: list) -> None:
    """What a card shows beyond the lead, worked out once per page: its class, last contact and next task (three
    queries for any number), its links and its sentences — the card template only prints strings."""
    ids = [lead.pk for lead in leads]
    classes = qualification_selectors.served_for_leads(lead_ids=ids)
    last_contact = lead_selectors.lead_last_contact_many(lead_ids=ids)
    next_task = task_selectors.tasks_next_for_leads(lead_ids=ids)
    now = timezone.now()
    detail, move = _url_pattern("leads:detail"), _url_pattern("assignment:board_move")
    unassigned, no_contact, contact = _("unassigned"), _("no contact yet"), _("contact %(when)s ago")
    names: dict[int, str] = {}
    for lead in leads:
        served = classes.get(lead.pk)
        lead.board_class = served.code if served else ""
        lead.board_class_label = served.label if served else ""
        lead.board_url, lead.board_move_url = detail % lead.pk, move % lead.pk
        owner = lead.owner
        if owner is None:
            lead.board_owner = unassigned
        else:
            if owner.pk not in names:
                names[owner.pk] = owner.get_full_name() or owner.get_username()
            lead.board_owner = names[owner.pk]
        when = last_contact.get(lead.pk)
        lead.board_last_contact = when
        lead.board_contact_text = contact % {"when": timesince(when, now)} if when else no_contact
        task = next_task.get(lead.pk)
        lead.board_next_task = task
        if task is not None:
            lead.board_task_text = (
                f"{task.get_kind_display()} · {date_format(localtime(task.due_at), 'SHORT_DATETIME_FORMAT')}"
            )
            lead.board_task_overdue = task.due_at < now


def _more_query(stage: str, cards: list, filters: dict) -> str:
    """The query string of a column's "ver mais" (the last card shown and the board's filters)."""
    return urlencode({"after": cards[-1].pk, **filters}) if cards else ""


def _board_context(request, filters: dict, **extra) -> dict:
    try:
        columns = lead_selectors.lead_board(user=request.user, filters=filters)
        filter_error = ""
    except LeadFilterInvalid as exc:
        filters = {}
        columns, filter_error = lead_selectors.lead_board(user=request.user, filters=filters), exc.message
    _cards_decorate([lead for column in columns for lead in column["cards"]])
    for column in columns:
        column["needs_reason"] = column["stage"] in settings.LEADS_STAGES_REQUIRING_REASON
        column["more"] = _more_query(column["stage"], column["cards"], filters)
    is_supervisor = user_has_role(request.user, Role.SUPERVISOR, Role.ADMIN)
    return {
        "columns": columns,
        "stages": [(stage.value, stage.label) for stage in lead_selectors.lead_stages()],
        "filters": filters,
        "filter_query": urlencode(filters),
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


@require_GET
@role_required(*ANY_STAFF_ROLE)
def board_column_view(request: HttpRequest, stage: str) -> HttpResponse:
    """A column's "ver mais": its next cards after ``?after=<lead id>``, appended by HTMX, with the next "ver mais"
    (out of band). Opened without HTMX (no script), it is the lead list of that stage."""
    labels = _stage_labels()
    if stage not in labels:
        raise Http404(_("Unknown stage."))
    filters = _filters(request.GET)
    if not request.htmx:
        return redirect(f"{reverse('leads:list')}?{urlencode({'stage': stage, **filters})}")
    stale = _("The board changed since it was opened: reload it to see the rest of the column.")
    after = request.GET.get("after", "")
    if not after.isdigit() or len(after) > 18:
        return HttpResponse(stale, status=400, content_type="text/plain; charset=utf-8")
    try:
        cards = lead_selectors.lead_board_column_more(
            user=request.user, stage=stage, after_id=int(after), filters=filters
        )
    except LeadFilterInvalid as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    if cards is None:  # the card "ver mais" counts from went away meanwhile (erased): say so, do not guess a page
        return HttpResponse(stale, status=409, content_type="text/plain; charset=utf-8")
    _cards_decorate(cards)
    column = {
        "stage": stage,
        "label": labels[stage],
        "needs_reason": stage in settings.LEADS_STAGES_REQUIRING_REASON,
        "more": _more_query(stage, cards, filters) if len(cards) == lead_selectors.BOARD_CARDS_PER_STAGE else "",
    }
    context = {"column": column, "cards": cards, "filter_query": urlencode(filters), "now": timezone.now()}
    return TemplateResponse(request, "assignment/_board_column_more.html", context)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def board_move_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Move one card (drag or "Mover para…"). HTMX gets only what changed: the message (or the refusal), the card
    put in the column the server says it is in (back where it was after a refusal) and the capped counts of the
    column it left and the one it reached."""
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    labels = _stage_labels()
    previous = lead.stage
    form = StageForm(request.POST)
    error = message = ""
    status = 200
    if form.is_valid():
        try:
            lead_services.lead_change_stage_by_hand(
                lead=lead, actor=request.user, stage=form.cleaned_data["stage"], reason=form.cleaned_data["reason"]
            )
            message = _("%(name)s moved to “%(stage)s”.") % {
                "name": lead.full_name,
                "stage": labels[form.cleaned_data["stage"]],
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
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    _cards_decorate([lead])
    asked = request.POST.get("stage", "")
    filters = _filters(request.POST)
    try:
        counts = lead_selectors.lead_board_counts(user=request.user, stages=[previous, asked], filters=filters)
    except LeadFilterInvalid:
        counts = lead_selectors.lead_board_counts(user=request.user, stages=[previous, asked])
    column = {
        "stage": lead.stage,
        "label": labels.get(lead.stage, lead.stage),
        "needs_reason": lead.stage in settings.LEADS_STAGES_REQUIRING_REASON,
    }
    context = {
        "lead": lead,
        "column": column,
        "counts": counts,
        "error": error,
        "message": message,
        "now": timezone.now(),
    }
    # htmx swaps 2xx answers only: a refusal is still an answer (the card back in place) with the reason on top.
    response = TemplateResponse(request, "assignment/_board_move.html", context)
    response["X-Fluxo-Status"] = str(status)
    return response
