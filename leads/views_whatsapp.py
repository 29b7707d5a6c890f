"""The WhatsApp conversation panel of the lead page: the thread with delivery ticks, a send box inside the
customer-service window, a template picker with its parameters outside it, failed sends explained, retry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from antiban.services import OutboxState, outbox_for_message, outbox_retry_now
from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, role_required
from compliance.services.consent import is_suppressed
from leads import selectors
from leads.services.whatsapp_send import lead_whatsapp_phones, lead_whatsapp_send
from whatsapp import payloads
from whatsapp import selectors as wa_selectors
from whatsapp import services as wa_services
from whatsapp.errors import meta_error_info
from whatsapp.payloads import template_placeholders

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
        **extra,
    }
    return TemplateResponse(request, "leads/_whatsapp_panel.html", context)


@require_GET
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_panel_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    if lead.owner_id == request.user.pk:
        wa_services.inbound_mark_read(contacts=_phones(lead))  # the owner has now seen them
    return _panel(request, lead)


@require_GET
@role_required(*ANY_STAFF_ROLE)
def whatsapp_inbox_view(request: HttpRequest) -> HttpResponse:
    leads = selectors.leads_with_unread_whatsapp(user=request.user)[:100]
    return TemplateResponse(request, "leads/whatsapp_inbox.html", {"leads": leads})


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
    from django.http import FileResponse, Http404

    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    message = wa_selectors.messages_for_contacts(_phones(lead)).filter(pk=message_id).first()
    if message is None or not message.media:
        raise Http404
    response = FileResponse(message.media.open("rb"), content_type=message.media_type or "application/octet-stream")
    response["Content-Disposition"] = "inline" if message.kind in ("image", "sticker") else "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
