"""The WhatsApp conversation panel of the lead page: the thread with delivery ticks, a send box inside the
customer-service window, a template picker with its parameters outside it, failed sends explained, retry."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antiban.services import OutboxState, outbox_for_message, outbox_retry_now
from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, role_required
from compliance.services.consent import contact_preferences_many, is_suppressed
from leads import selectors
from leads.selectors_inbox import (
    INBOX_VIEWS,
    inbox_conversations,
    quick_replies_for,
    quick_reply_get_editable,
    quick_reply_get_usable,
    quick_reply_teams_editable,
)
from leads.services.quick_replies import (
    VARIABLES,
    quick_reply_create,
    quick_reply_delete,
    quick_reply_render,
    quick_reply_update,
)
from leads.services.whatsapp_send import lead_whatsapp_phones, lead_whatsapp_send
from whatsapp import payloads
from whatsapp import selectors as wa_selectors
from whatsapp import services as wa_services
from whatsapp.errors import meta_error_info
from whatsapp.payloads import template_placeholders

INBOX_PAGE = 50

RICH_FIELDS = ("caption", "body", "button", "section", "latitude", "longitude", "name", "address", "phone", "email")


def _phones(lead) -> list[str]:
    return lead_whatsapp_phones(lead=lead)


def _panel(request: HttpRequest, lead, **extra) -> HttpResponse:
    phones = _phones(lead)
    window = wa_selectors.window_for_contacts(contacts=phones) if phones else None
    numbers = list(wa_selectors.numbers_usable())
    number = window.number if window else (numbers[0] if numbers else None)
    messages = wa_selectors.messages_recent(phones) if phones else []
    for message in messages:
        if message.status == "failed":
            message.explanation = meta_error_info(message.error_code).explanation
    templates = []
    if number and not window:
        for template in wa_selectors.templates_approved(account_id=number.account_id):
            needs = template_placeholders(template.components)
            template.body_params = range(needs.get("body", 0))
            templates.append(template)
    context = {
        "lead": lead,
        "wa_messages": messages,
        "window": window,
        "hours_left": round((window.expires_at - timezone.now()).total_seconds() / 3600, 1) if window else None,
        "number": number,
        "to": (window.contact if window else (phones[0] if phones else "")),
        "templates": templates,
        # An opt-out (an inbound "SAIR", a consultant's record): no send box, the reason in its place.
        "suppressed": bool(phones) and all(is_suppressed(contact=phone, kind="phone") for phone in phones),
        # the person asked for text instead of audio: audio is not offered (the send would be refused anyway)
        "no_audio": any(p.no_audio for p in contact_preferences_many(contacts=phones, kind="phone").values())
        if phones
        else False,
        "quick_replies": quick_replies_for(user=request.user) if window else [],
        **extra,
    }
    return TemplateResponse(request, "leads/_whatsapp_panel.html", context)


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_panel_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The panel, or (``?live=open|closed``, polled every few seconds) only its thread, so that a message being
    typed is never wiped by the refresh; when the window opened or closed since, the whole panel comes back (the
    send box and the template picker trade places)."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    if lead.owner_id == request.user.pk:
        wa_services.inbound_mark_read(contacts=_phones(lead))  # the owner has now seen them
    response = _panel(request, lead)
    live = request.GET.get("live", "")
    if live in ("open", "closed"):
        if live == ("open" if response.context_data["window"] else "closed"):
            response.template_name = "leads/_whatsapp_panel.html#live"
        else:
            response["HX-Retarget"] = "#whatsapp-panel"
            response["HX-Reswap"] = "outerHTML"
    return response


@require_GET
@role_required(*ANY_STAFF_ROLE)
def whatsapp_inbox_view(request: HttpRequest) -> HttpResponse:
    """Every conversation of the leads one may see, newest message first, with the views a desk needs: all, mine,
    unread, waiting for us (the customer wrote last) and window closing in under 2 hours."""
    view = request.GET.get("view", "all")
    if view not in INBOX_VIEWS:
        view = "all"
    try:
        before = parse_datetime(request.GET.get("before", "") or "")
    except ValueError:  # well formed but not a date: the first page
        before = None
    if before is not None and timezone.is_naive(before):
        before = timezone.make_aware(before)
    rows = inbox_conversations(user=request.user, view=view, before=before, limit=INBOX_PAGE + 1)
    context = {
        "conversations": rows[:INBOX_PAGE],
        "more_before": rows[INBOX_PAGE - 1].last_at.isoformat() if len(rows) > INBOX_PAGE else "",
        "view": view,
        "views": [
            ("all", _("All")),
            ("mine", _("Mine")),
            ("unread", _("Unread")),
            ("waiting", _("Waiting for us")),
            ("closing", _("Window closing (< 2 h)")),
        ],
        "paged": before is not None,
    }
    template = "leads/whatsapp_inbox.html"
    if request.htmx and request.htmx.target == "conversations":
        template += "#conversations"
    return TemplateResponse(request, template, context)


def _send(request: HttpRequest, lead, kind: str, fields: dict, *, upload=None, at_once: bool = True) -> HttpResponse:
    """Every consultant send goes through ``lead_whatsapp_send`` (window, opt-outs, the anti-ban outbox pinned to
    the chosen number); text and templates are tried at once, files go with the dispatcher (it uploads them). A
    send that must wait stays queued with its reason and a dispatcher sends it later."""
    numbers = {str(n.pk): n for n in wa_selectors.numbers_usable()}
    number = numbers.get(request.POST.get("number", ""))
    if number is None:
        return _panel(request, lead, wa_error=_("No WhatsApp number is available to send from."))
    suggestion = request.POST.get("suggestion", "")
    try:
        row = lead_whatsapp_send(
            lead=lead,
            actor=request.user,
            to=request.POST.get("to", ""),
            kind=kind,
            fields=fields,
            upload=upload,
            number=number,
            suggestion_id=int(suggestion) if suggestion.isdigit() else None,
            at_once=at_once,
        )
    except ApplicationError as exc:
        return _panel(request, lead, wa_error=exc.message)
    if row.state == OutboxState.REFUSED:
        return _panel(request, lead, wa_error=row.last_reason)
    if row.state == OutboxState.QUEUED:
        return _panel(request, lead, wa_info=row.last_reason or _("it goes in a moment."))
    return _panel(request, lead)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_text_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    return _send(request, lead, "text", {"body": request.POST.get("body", "")})


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_template_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    fields = {"template": request.POST.get("template") or 0, "body_param": request.POST.getlist("body_param")}
    return _send(request, lead, "template", fields)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_rich_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """A file (image, audio, video or document), reply buttons, a list, a location or a contact card, inside the
    window. Files are checked (type by their bytes, size by WhatsApp's limit) before anything is stored."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    kind = request.POST.get("kind", "")
    post = request.POST
    fields = {key: post.get(key, "") for key in RICH_FIELDS}
    fields["buttons"] = post.getlist("button_title")
    titles, descriptions = post.getlist("row_title"), post.getlist("row_description")
    fields["rows"] = [
        {"title": title, "description": descriptions[i] if i < len(descriptions) else ""}
        for i, title in enumerate(titles)
    ]
    if kind == "file" and post.get("media_kind") in payloads.UPLOAD_KINDS:
        kind = post["media_kind"]
    upload = request.FILES.get("file")
    is_file = kind in (*payloads.UPLOAD_KINDS, "file")
    return _send(request, lead, kind, fields, upload=upload, at_once=not is_file)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_retry_view(request: HttpRequest, lead_id: int, message_id: int) -> HttpResponse:
    """Retry a failed send through its outbox row (never a message that may have gone: SENT or UNKNOWN rows)."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    message = wa_selectors.messages_for_contacts(_phones(lead)).filter(pk=message_id).first()
    if message is None:
        return _panel(request, lead, wa_error=_("That message is not in this conversation."))
    row = outbox_for_message(message_id=message.pk)
    try:
        if row is None:
            raise ApplicationError(_("This message cannot be retried."))
        row = outbox_retry_now(row=row, actor_id=request.user.pk)
    except ApplicationError as exc:
        return _panel(request, lead, wa_error=exc.message)
    return _panel(request, lead, **({"wa_info": row.last_reason} if row.state == OutboxState.QUEUED else {}))


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_media_view(request: HttpRequest, lead_id: int, message_id: int) -> HttpResponse:
    """A message's media, only to people who may see the lead (media are never served from a public URL)."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    message = wa_selectors.messages_for_contacts(_phones(lead)).filter(pk=message_id).first()
    if message is None or not message.media:
        raise Http404
    response = FileResponse(message.media.open("rb"), content_type=message.media_type or "application/octet-stream")
    response["Content-Disposition"] = "inline" if message.kind in ("image", "sticker") else "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_quick_reply_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The send box with a quick reply added to what is already typed, its variables filled for this lead."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    body = request.GET.get("body", "")
    reply_id = request.GET.get("quick_reply", "")
    if reply_id.isdigit():
        reply = quick_reply_get_usable(user=request.user, reply_id=int(reply_id))
        text = quick_reply_render(reply=reply, lead=lead, actor=request.user)
        body = f"{body.rstrip()}\n{text}" if body.strip() else text
    return TemplateResponse(request, "leads/_whatsapp_panel.html#sendbox", {"lead": lead, "body": body[:4096]})


def _quick_reply_page(request: HttpRequest, *, status: int = 200, **extra) -> HttpResponse:
    teams = list(quick_reply_teams_editable(user=request.user))
    context = {
        "replies": quick_replies_for(user=request.user),
        "teams": teams,
        "editable_team_ids": {team.pk for team in teams},
        "variables": VARIABLES,
        **extra,
    }
    return TemplateResponse(request, "leads/quick_replies.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*ANY_STAFF_ROLE)
def quick_replies_view(request: HttpRequest) -> HttpResponse:
    """One's quick replies and one's team's: the list, and a form to add one (personal, or for a team one runs)."""
    if request.method == "GET":
        return _quick_reply_page(request)
    scope = request.POST.get("scope", "")
    team = None
    if scope and scope != "personal":
        team = next((t for t in quick_reply_teams_editable(user=request.user) if str(t.pk) == scope), None)
        if team is None:
            return _quick_reply_page(
                request, status=400, error=_("Choose “personal” or a team you run."), form=request.POST
            )
    try:
        quick_reply_create(
            actor=request.user, title=request.POST.get("title", ""), body=request.POST.get("body", ""), team=team
        )
    except ApplicationError as exc:
        return _quick_reply_page(request, status=400, error=exc.message, form=request.POST)
    messages.success(request, _("Quick reply saved."))
    return redirect("leads:quick_replies")


@require_http_methods(["GET", "POST"])
@role_required(*ANY_STAFF_ROLE)
def quick_reply_edit_view(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = quick_reply_get_editable(user=request.user, reply_id=reply_id)
    context = {"reply": reply, "variables": VARIABLES}
    if request.method == "POST":
        try:
            quick_reply_update(reply=reply, title=request.POST.get("title", ""), body=request.POST.get("body", ""))
        except ApplicationError as exc:
            context |= {"error": exc.message, "form": request.POST}
            return TemplateResponse(request, "leads/quick_reply_edit.html", context, status=400)
        messages.success(request, _("Quick reply saved."))
        return redirect("leads:quick_replies")
    return TemplateResponse(request, "leads/quick_reply_edit.html", context)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def quick_reply_delete_view(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = quick_reply_get_editable(user=request.user, reply_id=reply_id)
    quick_reply_delete(reply=reply)
    messages.success(request, _("Quick reply deleted."))
    return redirect("leads:quick_replies")
