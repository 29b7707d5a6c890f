"""The WhatsApp conversation panel of the lead page: the thread with delivery ticks, a send box inside the
customer-service window, a template picker with its parameters outside it, failed sends explained, retry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from antiban.services import (
    OutboxState,
    Priority,
    outbox_dispatch_now,
    outbox_enqueue,
    outbox_for_message,
    outbox_kick,
    outbox_retry_now,
)
from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, role_required
from compliance.services.consent import ConsentChannel, ConsentPurpose, may_contact
from leads import selectors
from leads.models import ContactKind, EventChannel, EventKind
from leads.services.timeline import timeline_event_record
from leads.signals import lead_message_sent
from whatsapp import payloads
from whatsapp import selectors as wa_selectors
from whatsapp import services as wa_services
from whatsapp.errors import WindowClosed, meta_error_info
from whatsapp.payloads import template_placeholders


def _phones(lead) -> list[str]:
    return [cp.value for cp in selectors.lead_contact_points(lead=lead) if cp.kind == ContactKind.PHONE and cp.is_valid]


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


def _send(request: HttpRequest, lead, build) -> HttpResponse:
    """Every consultant send goes through the anti-ban outbox (filters, limits, pinned to the chosen number) and is
    tried at once; a send that must wait stays queued with its reason and a dispatcher sends it later."""
    phones = _phones(lead)
    to = request.POST.get("to", "")
    if to not in phones:
        return _panel(request, lead, wa_error=_("Choose one of the lead's phone numbers."))
    decision = may_contact(contact=to, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=ConsentPurpose.SERVICE)
    if not decision.allowed and decision.code in ("suppressed", "revoked"):
        return _panel(request, lead, wa_error=decision.reason)
    numbers = {str(n.pk): n for n in wa_selectors.numbers_usable()}
    number = numbers.get(request.POST.get("number", ""))
    if number is None:
        return _panel(request, lead, wa_error=_("No WhatsApp number is available to send from."))
    try:
        priority, payload, text, template_name = build(number, to)
        if not template_name and wa_selectors.window_open_until(number=number, contact=to) is None:
            raise WindowClosed()
    except ApplicationError as exc:
        return _panel(request, lead, wa_error=exc.message)
    row = outbox_enqueue(
        contact=to,
        priority=priority,
        payload=payload,
        text=text,
        template_name=template_name,
        lead_id=lead.pk,
        created_by_id=request.user.pk,
        pinned_number=number,
        kick=False,
    )
    if row.state == OutboxState.REFUSED:
        return _panel(request, lead, wa_error=row.last_reason)
    row = outbox_dispatch_now(row_id=row.pk)
    if row.state == OutboxState.QUEUED:
        outbox_kick()
    suggestion = request.POST.get("suggestion", "")
    suggestion_id = int(suggestion) if suggestion.isdigit() else None
    event = timeline_event_record(
        lead=lead,
        kind=EventKind.MESSAGE_OUT,
        channel=EventChannel.WHATSAPP,
        actor=request.user,
        payload={
            "message_id": row.message_id,
            "outbox_id": row.pk,
            "type": payload["type"],
            "text": text[:1000],
            "status": row.state,
            **({"suggestion_id": suggestion_id} if suggestion_id else {}),
        },
    )
    lead_message_sent.send(
        sender=type(lead), lead_id=lead.pk, event_id=event.pk, text=text, suggestion_id=suggestion_id
    )
    extra = {}
    if row.state in (OutboxState.QUEUED, OutboxState.REFUSED):
        extra["wa_info" if row.state == OutboxState.QUEUED else "wa_error"] = row.last_reason or _("Queued.")
    return _panel(request, lead, **extra)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_text_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    body = request.POST.get("body", "").strip()

    def build(number, to):
        if not body:
            raise ApplicationError(_("Write a message first."))
        return Priority.REPLY, payloads.text_payload(to, body), body, ""

    return _send(request, lead, build)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def lead_whatsapp_template_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)

    def build(number, to):
        template = (
            wa_selectors.templates_approved(account_id=number.account_id)
            .filter(pk=request.POST.get("template") or 0)
            .first()
        )
        if template is None:
            raise ApplicationError(_("Choose an approved template."))
        params = {"body": list(request.POST.getlist("body_param"))}
        payload = payloads.template_payload(
            to, name=template.name, language=template.language, components=template.components, params=params
        )
        priority = Priority.MARKETING if template.category == "MARKETING" else Priority.UTILITY
        return priority, payload, payloads.template_preview(template.components, params), template.name

    return _send(request, lead, build)


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
