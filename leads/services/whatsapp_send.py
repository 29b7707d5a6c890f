"""A WhatsApp message from a person at Fluxo to a lead — from the lead page or the API — in any kind WhatsApp
offers (text, template, image, audio, video, document, reply buttons, list, location, contact card). Every kind
takes the same road: the lead's own phone, the do-not-contact list, the 24-hour window (outside it only approved
templates), then the anti-ban outbox (content and recipient checks, contact hours, pacing, the number's limits).
A file is checked here (type by its bytes, size by WhatsApp's limit for its kind), kept with the outbox row and
uploaded to Meta only when the row is dispatched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from antiban.services import (
    OutboxState,
    Priority,
    outbox_dispatch_now,
    outbox_enqueue,
    outbox_kick,
)
from compliance.services.consent import ConsentChannel, ConsentPurpose, contact_preferences_many, may_contact
from leads import selectors
from leads.errors import LeadError
from leads.models import ContactKind, EventChannel, EventKind
from leads.services.lead import lead_contacted_on_first_message
from leads.services.timeline import timeline_event_record
from leads.signals import lead_message_sent
from whatsapp import payloads
from whatsapp import selectors as wa_selectors
from whatsapp.errors import MediaInvalid, NumberUnavailable, WindowClosed

SEND_KINDS = ("text", "template", *payloads.RICH_KINDS, "file")  # file: the kind its bytes say


class WhatsAppSendInvalid(LeadError):
    code = "whatsapp_send_invalid"


class WhatsAppRecipientRefused(LeadError):
    code = "whatsapp_recipient_refused"
    http_status = 422


@dataclass(frozen=True)
class _Outgoing:
    priority: int
    payload: dict
    text: str
    template_name: str = ""
    media: File | None = None
    media_type: str = ""


def lead_whatsapp_phones(*, lead) -> list[str]:
    return [cp.value for cp in selectors.lead_contact_points(lead=lead) if cp.kind == ContactKind.PHONE and cp.is_valid]


def lead_whatsapp_send(
    *,
    lead,
    actor,
    to: str,
    kind: str,
    fields: dict,
    upload=None,
    number=None,
    suggestion_id: int | None = None,
    at_once: bool = True,
):
    """Check, build and enqueue one message to ``to`` (one of the lead's phones) from ``number`` (default: the
    number holding the contact's window). Raises an ApplicationError a person can act on when the message cannot
    be built or may not go; returns the outbox row otherwise — REFUSED with its reason when a filter said no (kept,
    never dropped), QUEUED with the reason it waits, or what ``at_once`` dispatching made of it. Without
    ``at_once`` the dispatcher sends it (a file is uploaded there, not in the request)."""
    if kind not in SEND_KINDS:
        raise WhatsAppSendInvalid(
            _("Unknown message type “%(kind)s”; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(SEND_KINDS)},
            details={"field": "type"},
        )
    if to not in lead_whatsapp_phones(lead=lead):
        raise WhatsAppSendInvalid(_("Choose one of the lead's phone numbers."), details={"field": "to"})
    decision = may_contact(contact=to, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=ConsentPurpose.SERVICE)
    if not decision.allowed and decision.code in ("suppressed", "revoked"):
        raise WhatsAppRecipientRefused(decision.reason, details={"reason": decision.code})
    if number is None:
        window = wa_selectors.window_for_contacts(contacts=[to])
        number = window.number if window else wa_selectors.numbers_usable().first()
    if number is None:
        raise NumberUnavailable(_("No WhatsApp number is available to send from."))
    outgoing = _build(kind, to, number, _without_nul(fields), upload)
    if outgoing.payload.get("type") == "audio":
        preference = contact_preferences_many(contacts=[to], kind="phone").get(to)
        if preference is not None and preference.no_audio:
            raise WhatsAppRecipientRefused(
                _("The person asked for written messages instead of audio."), details={"reason": "no_audio"}
            )
    window_open = wa_selectors.window_open_until(number=number, contact=to) is not None
    if not outgoing.template_name and not window_open:
        raise WindowClosed()
    row = outbox_enqueue(
        contact=to,
        priority=outgoing.priority,
        payload=outgoing.payload,
        text=outgoing.text,
        template_name=outgoing.template_name,
        lead_id=lead.pk,
        created_by_id=actor.pk,
        # a reply inside a window goes from the window's number; a template opening a conversation goes from the
        # number the pipeline picks (one in warm-up may not send marketing: pinned to it, it waited forever)
        pinned_number=number if window_open else None,
        kick=False,
        kind=payloads.payload_kind(outgoing.payload),
        media=outgoing.media,
        media_type=outgoing.media_type,
    )
    if row.state == OutboxState.REFUSED:
        return row
    if at_once:
        row = outbox_dispatch_now(row_id=row.pk)
        if row.state == OutboxState.QUEUED:
            outbox_kick()
    else:
        transaction.on_commit(outbox_kick)
    event = timeline_event_record(
        lead=lead,
        kind=EventKind.MESSAGE_OUT,
        channel=EventChannel.WHATSAPP,
        actor=actor,
        payload={
            "message_id": row.message_id,
            "outbox_id": row.pk,
            "type": outgoing.payload["type"],
            "kind": row.kind,
            "text": outgoing.text[:1000],
            "status": row.state,
            **({"suggestion_id": suggestion_id} if suggestion_id else {}),
        },
    )
    # lock order (docs/locks.md): antiban.OutboxMessage, then leads.Lead; lead_message_sent's receivers run after commit
    lead_contacted_on_first_message(lead_id=lead.pk, actor=actor)
    sender, lead_id, event_id, text = type(lead), lead.pk, event.pk, outgoing.text
    # on commit: a receiver (qualification, assignment, ai_middleware) queues work that must see the message
    transaction.on_commit(
        lambda: lead_message_sent.send(
            sender=sender, lead_id=lead_id, event_id=event_id, text=text, suggestion_id=suggestion_id
        ),
        robust=True,
    )
    return row


def _build(kind: str, to: str, number, fields: dict, upload) -> _Outgoing:
    if kind == "text":
        body = str(fields.get("body") or "").strip()
        if not body:
            raise WhatsAppSendInvalid(_("Write a message first."), details={"field": "body"})
        return _Outgoing(Priority.REPLY, payloads.text_payload(to, body), body)
    if kind == "template":
        template = (
            wa_selectors.templates_approved(account_id=number.account_id).filter(pk=fields.get("template") or 0).first()
        )
        if template is None:
            raise WhatsAppSendInvalid(_("Choose an approved template."), details={"field": "template"})
        params = {"body": [str(v) for v in fields.get("body_param") or []]}
        payload = payloads.template_payload(
            to, name=template.name, language=template.language, components=template.components, params=params
        )
        priority = Priority.MARKETING if template.category == "MARKETING" else Priority.UTILITY
        # the footer too: a marketing template's "Responda SAIR" is there (without it every one was refused)
        return _Outgoing(priority, payload, payloads.template_full_text(template.components, params), template.name)
    if kind in (*payloads.UPLOAD_KINDS, "file"):
        return _media(kind, to, fields, upload)
    if kind == "buttons":
        payload = payloads.buttons_from_titles(to, str(fields.get("body") or ""), _strings(fields.get("buttons")))
    elif kind == "list":
        rows = [r if isinstance(r, dict) else {"title": r} for r in fields.get("rows") or []]
        body, button, section = (str(fields.get(k) or "") for k in ("body", "button", "section"))
        payload = payloads.list_from_rows(to, body, button, rows, section=section)
    elif kind == "location":
        payload = payloads.location_checked(
            to,
            latitude=fields.get("latitude"),
            longitude=fields.get("longitude"),
            name=str(fields.get("name") or ""),
            address=str(fields.get("address") or ""),
        )
    else:  # contacts
        payload = payloads.contact_card(
            to,
            name=str(fields.get("name") or ""),
            phone=str(fields.get("phone") or ""),
            email=str(fields.get("email") or ""),
        )
    return _Outgoing(Priority.REPLY, payload, payloads.payload_summary(payload))


def _without_nul(value):
    """NUL characters carry nothing a person wrote and PostgreSQL refuses them in text: dropped."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    return value


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    return [str(v) for v in value or [] if v is not None]


def _media(kind: str, to: str, fields: dict, upload) -> _Outgoing:
    """The file's real type from its bytes and its size against WhatsApp's limit for ``kind``, before anything is
    stored; ``kind`` may be left to the file (images, audio and video as themselves, anything else a document)."""
    if upload is None:
        raise WhatsAppSendInvalid(_("Attach a file to send."), details={"field": "file"})
    if not upload.size:
        raise MediaInvalid(_("The file is empty."), details={"field": "file"})
    head = upload.read(8192)
    upload.seek(0)
    mime = payloads.media_sniff(head, declared=getattr(upload, "content_type", "") or "")
    if kind == "file":
        kind = payloads.media_kind_for(mime)
    payloads.media_check(kind, size=upload.size, mime_type=mime)
    original = "".join(c for c in (upload.name or "") if c.isprintable()).rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    original = original.strip()[:200] or "arquivo"
    caption = str(fields.get("caption") or "").strip()
    payload = payloads.media_payload_to_upload(to, kind, caption=caption, filename=original)
    extension = "".join(c for c in original.rsplit(".", 1)[-1] if c.isascii() and c.isalnum())[:8].lower()
    extension = extension if "." in original and extension else "bin"
    stored = File(upload, name=f"{uuid.uuid4().hex}.{extension}")  # no personal names in storage paths
    return _Outgoing(Priority.REPLY, payload, caption or original, media=stored, media_type=mime)
