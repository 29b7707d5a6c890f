"""Supervisor home and team load board, consultant queue, the assignment card of the lead page with manual
(re)assignment, pause and rebalance, and in-app notifications (HTMX polling)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from antiban import selectors as antiban_selectors
from assignment import selectors, services
from assignment.models import OwnerMoveKind
from assignment.roulette import REASON_LABELS
from common.errors import ApplicationError
from common.tasks import worker_last_seen
from compliance.roles import ANY_STAFF_ROLE, Role, role_required, user_has_role
from leads import selectors as lead_selectors
from leads.selectors_inbox import lead_short_names

BULK_ASSIGN_LIMIT = 5000


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def supervisor_home_view(request: HttpRequest) -> HttpResponse:
    """Exact counts per stage and per consultant over the live leads the supervisor may see, read from the sums
    the database keeps as leads come, move and go (a million-lead base is not counted every minute), and the stuck
    ones (still new after FLUXO_STALE_LEAD_DAYS) among them, counted up to FLUXO_LIST_COUNT_CAP ("10000+")."""
    counts = lead_selectors.lead_counts_overview(user=request.user)
    stale_before = timezone.localdate() - timedelta(days=settings.FLUXO_STALE_LEAD_DAYS)
    stale = lead_selectors.stale_leads_for(user=request.user, before=stale_before)
    context = {
        "stages": counts["stages"],
        "total": counts["total"],
        "by_owner": counts["by_owner"],
        "stage_columns": lead_selectors.lead_stages(),
        "worker_seconds": worker_last_seen(),
        "stale_days": settings.FLUXO_STALE_LEAD_DAYS,
        "stale_count": stale["count"],
        "stale_capped": stale["count_capped"],
        "stale_before": stale_before.isoformat(),
        "attention": _attention(request),
        "moves": [] if request.htmx else _moves_followed(request, reverse("assignment:supervisor_home")),
    }
    template = "assignment/supervisor_home.html"
    if request.htmx:
        template += "#board"
    return TemplateResponse(request, template, context)


def _waiting_count(teams) -> int:
    """Open leads waiting for the roulette in the supervisor's ``teams`` (and leads of no team): the one definition
    behind "aguardando a roleta" on the home and on the load board (they disagreed: the board counted every team)."""
    return lead_selectors.lead_unassigned_count_in_teams(team_ids=list(teams.values_list("pk", flat=True)))


def _attention(request) -> dict:
    """What needs the supervisor now, one tap from home: bulk sends waiting for approval, first contacts past their
    SLA, possible duplicates to decide and leads waiting for the roulette."""
    teams = selectors.teams_managed_by(request.user)
    return {
        "approvals": antiban_selectors.bulk_sends_pending().count(),
        "breached": selectors.sla_breached_count(teams=teams, now=timezone.now()),
        "duplicates": lead_selectors.duplicate_reviews_pending(user=request.user).count(),
        "waiting": _waiting_count(teams),
        "other_teams": selectors.teams_other_than(teams),
    }


def _capacity_done(request, result: dict, first: str) -> None:
    messages.success(
        request,
        " ".join(
            [
                first,
                _("Assigned now: %(assigned)d; still waiting for the roulette: %(waiting)d.")
                % {"assigned": result["assigned"], "waiting": result["waiting"]},
                # nobody could take one: say where to look instead of a bare 0 (user test: all were paused)
                _("Nobody could take them: see on the team load board who is paused, off shift or at a limit.")
                if not result["assigned"] and result["waiting"]
                else "",
            ]
        ),
    )


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def capacity_raise_view(request: HttpRequest) -> HttpResponse:
    """Leads waiting for capacity: every consultant of the supervisor's teams takes N more today."""
    try:
        extra = int(request.POST.get("extra", ""))
        result = services.capacity_raise_today(actor=request.user, extra=extra)
    except ValueError:
        messages.error(request, _("Type how many more leads each consultant may take today (1 to 500)."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        _capacity_done(
            request,
            result,
            _("Today each of %(n)d consultants may take %(extra)d more leads.")
            % {"n": result["raised"], "extra": extra},
        )
    return redirect(reverse("assignment:supervisor_home") + "#capacity")


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def waiting_assign_view(request: HttpRequest) -> HttpResponse:
    """Leads waiting for capacity: spin the roulette over them now."""
    try:
        result = services.waiting_assign(actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        _capacity_done(request, result, _("The roulette ran over the waiting leads."))
    return redirect(reverse("assignment:supervisor_home") + "#capacity")


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def waiting_spread_view(request: HttpRequest) -> HttpResponse:
    """Leads waiting for capacity: hand them to another team and spin the roulette there."""
    try:
        team = selectors.teams_other_than(selectors.teams_managed_by(request.user)).get(pk=int(request.POST["team"]))
        result = services.waiting_spread_to_team(actor=request.user, team=team)
    except (KeyError, ValueError, ObjectDoesNotExist):
        messages.error(request, _("Choose another active team."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        _capacity_done(
            request,
            result,
            _("%(moved)d leads moved to %(team)s.") % {"moved": result["moved"], "team": team.name},
        )
    return redirect(reverse("assignment:supervisor_home") + "#capacity")


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def load_view(request: HttpRequest) -> HttpResponse:
    """The team load board (polled every 30 s): open, due and breached per consultant, with pause and rebalance.
    Opened directly (a link, a phone), it is a whole page; HTMX swaps in the fragment."""
    if request.htmx:
        return TemplateResponse(request, "assignment/_load.html", _load_context(request))
    context = {**_load_context(request), "moves": _moves_followed(request, reverse("assignment:load"))}
    return TemplateResponse(request, "assignment/load.html", context)


def _load_context(request) -> dict:
    """Each row also carries ``owned`` (the consultant's open leads counted from the leads: the number a rebalance
    moves, shown in its confirmation) and ``rebalancing`` (the worker is moving them now)."""
    teams = selectors.teams_managed_by(request.user)
    rows = selectors.load_board(teams=teams, now=timezone.now())
    ids = [row["user"].pk for row in rows]
    owned = lead_selectors.lead_open_counts_by_owner(owner_ids=ids)
    running = selectors.rebalances_running(consultant_ids=ids)
    for row in rows:
        row["owned"] = owned.get(row["user"].pk, 0)
        row["rebalancing"] = row["user"].pk in running
    # the page the board is on (the home polls it in): a rebalance started from it comes back there
    back = (request.htmx.current_url_abs_path if request.htmx else "") or request.path
    return {"rows": rows, "unassigned": _waiting_count(teams), "back": back}


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


def _undo_banner(request: HttpRequest, text: str, move, next_url: str, *, capacity: bool = False) -> None:
    """A success message with the "Desfazer" button (a small form; the message is rendered here, escaped, and kept
    as safe HTML by the message storage) and, when leads were left for lack of room, the way to the capacity
    tools."""
    html = render_to_string(
        "assignment/_undo_banner.html",
        {"text": text, "move": move, "next": next_url, "capacity": capacity},
        request=request,
    )
    messages.success(request, mark_safe(html))  # noqa: S308 — a template rendered with autoescape


def _move_status_context(request, move, next_url: str) -> dict:
    """Where a bulk change stands: running (polled), done (the counts, the undo, the capacity tools when leads wait),
    undoing (polled), undone (what came back)."""
    name = (move.consultant.get_full_name() or move.consultant.get_username()) if move.consultant else ""
    if move.undone_at is not None:
        state = "undone" if move.undo_result else "undoing"
    else:
        state = "done" if move.finished_at is not None else "running"
    text = ""
    if state == "undone":
        text = services.undo_result_text(move.undo_result)
    elif state == "done" and move.kind == OwnerMoveKind.REBALANCE:
        text = services.move_result_text(move, name=name)
    elif state == "done":
        text = _("%(moved)d leads handed to %(name)s.") % {"moved": len(move.entries), "name": name}
    return {
        "move": move,
        "state": state,
        "polling": state in ("running", "undoing"),
        "name": name,
        "text": text,
        "next": next_url,
    }


def _move_message(request, move, next_url: str) -> None:
    """The change's status as the page's message: it polls until the worker is done, then shows the result."""
    html = render_to_string("assignment/_move_status.html", _move_status_context(request, move, next_url), request)
    messages.info(request, mark_safe(html), extra_tags=f"move move-{move.pk}")  # noqa: S308 — autoescaped template


def _moves_followed(request, next_url: str) -> list[dict]:
    """The supervisor's mass changes running or just ended, for the home and the load board (the message that
    started following one is gone once the page is left), except those this page's message already shows."""
    shown = {
        int(tag[5:])
        for message in messages.get_messages(request)
        for tag in (message.extra_tags or "").split()
        if tag.startswith("move-") and tag[5:].isdigit()
    }
    moves = selectors.owner_moves_recent(user=request.user)
    return [_move_status_context(request, move, next_url) for move in moves if move.pk not in shown]


def _safe_next(request, target: str, default: str) -> str:
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target else default


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def consultant_rebalance_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Starts the rebalance and answers at once: the worker moves the leads, the message follows its progress."""
    user = _consultant_supervised(request, user_id)
    # back where it was started (the load board or the home), not always the home (user test)
    back = _safe_next(request, request.POST.get("next", ""), reverse("assignment:supervisor_home"))
    try:
        move = services.consultant_rebalance_start(
            user=user, actor=request.user, reason=request.POST.get("reason", "").strip()[:200]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        _move_message(request, move, back)
    return redirect(back)


@require_GET
@role_required(Role.SUPERVISOR, Role.ADMIN)
def owner_move_status_view(request: HttpRequest, move_id: int) -> HttpResponse:
    """A rebalance's or an undo's progress and result (polled by the message while the worker runs)."""
    move = selectors.owner_move_for(user=request.user, move_id=move_id)
    if move is None:
        raise Http404
    next_url = _safe_next(request, request.GET.get("next", ""), reverse("assignment:supervisor_home"))
    template = "assignment/_move_status.html" if request.htmx else "assignment/move_status.html"
    return TemplateResponse(request, template, _move_status_context(request, move, next_url))


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def leads_bulk_assign_view(request: HttpRequest) -> HttpResponse:
    """The lead list's "Assign" on the selected rows (or all matching the filters): one consultant of the
    supervisor's teams; undoable from the banner and the notifications page."""
    query = request.POST.get("query", "")
    back = f"{reverse('leads:list')}?{query}" if query else reverse("leads:list")
    consultant_id = request.POST.get("consultant", "")
    consultants = selectors.consultants_of(selectors.teams_managed_by(request.user))
    consultant = consultants.filter(pk=int(consultant_id)).first() if consultant_id.isdigit() else None
    if consultant is None:
        messages.error(request, _("Choose a consultant of your teams to assign the leads to."))
        return redirect(back)
    ids = lead_selectors.lead_ids_for_bulk(user=request.user, data=request.POST)
    if not ids:
        messages.error(request, _("Select at least one lead (or all the leads matching the filters)."))
        return redirect(back)
    if len(ids) > BULK_ASSIGN_LIMIT:
        messages.error(
            request, _("At most %(limit)d leads at a time: narrow the filters.") % {"limit": BULK_ASSIGN_LIMIT}
        )
        return redirect(back)
    result = services.leads_assign_bulk(lead_ids=ids, consultant=consultant, actor=request.user)
    name = consultant.get_full_name() or consultant.get_username()
    text = _("%(moved)d leads handed to %(name)s.") % {"moved": result["moved"], "name": name}
    if result["left"]:
        text += " " + _("%(left)d were not: %(why)s") % {"left": result["left"], "why": result["refused"]}
    _undo_banner(request, text, result["move"], back, capacity=result["full"])
    return redirect(back)


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def owner_move_undo_view(request: HttpRequest, move_id: int) -> HttpResponse:
    """Asks the worker to undo a change and answers at once; the message follows the undo to its result."""
    target = _safe_next(request, request.POST.get("next", ""), reverse("assignment:notifications"))
    try:
        move = services.owner_move_undo_start(move_id=move_id, actor=request.user)
    except ApplicationError as exc:
        if exc.http_status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("assignment:notifications")
    _move_message(request, move, target)
    return redirect(target)


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
    page = selectors.queue_page(user=request.user, page=request.GET.get("page", 1))
    url_marker = 987654321  # one reverse() for the page, not one per row
    lead_url = reverse("leads:detail", args=[url_marker]).replace(str(url_marker), "%d")
    for row in page.object_list:
        row.lead_url = lead_url % row.lead_id
    context = {"queue": page, "now": timezone.now()}
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
    group_count, group, items = selectors.notifications_recent(user=request.user)
    names = lead_short_names(lead_ids=[n.lead_id for n in (*group, *items) if n.lead_id])
    for notification in (*group, *items):
        notification.lead_name = names.get(notification.lead_id, "")
    undoable = selectors.owner_moves_undoable(user=request.user)
    bulk_changes = lead_selectors.bulk_changes_undoable(user=request.user)
    context = {
        "items": items,
        "group": group,
        "group_count": group_count,
        "undoable": undoable,
        "bulk_changes": bulk_changes,
    }
    return TemplateResponse(request, "assignment/notifications.html", context)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def notifications_read_view(request: HttpRequest) -> HttpResponse:
    services.notifications_read(user=request.user)
    return redirect("assignment:notifications")
