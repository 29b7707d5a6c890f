"""Writes of the WhatsApp gateway: outbound messages (one send primitive), raw webhook events and their
processing (statuses forward-only, inbound messages, windows, templates, number quality), template sync."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.contacts import phone_normalize
from common.db import rows_update
from common.errors import ApplicationError
from common.tasks import task_send_on_commit
from common.text import fold
from compliance.optout import STOP, OptOutDecision
from compliance.security import OutboundUrlRefused, outbound_url_check
from compliance.services.audit import audit_change
from compliance.services.consent import ConsentSource, inbound_text_screen, marketing_consent_from_meta
from whatsapp import lanes, payloads
from whatsapp.client import CloudApiClient, client_for, graph_answer, wamid_of
from whatsapp.errors import (
    MediaInvalid,
    MessageNotRetryable,
    MetaApiError,
    MetaUnreachable,
    NumberUnavailable,
    TemplateInvalid,
    WindowClosed,
    meta_error_info,
)
from whatsapp.models import (
    STATUS_RANK,
    BusinessAccount,
    Direction,
    EventStatus,
    Message,
    MessageStatus,
    NumberStatus,
    PhoneNumber,
    Template,
    TemplateStatus,
    WebhookEvent,
)
from whatsapp.selectors import UNREAD_VERSION_KEY, unread_inbound, window_open_until
from whatsapp.signals import (
    inbound_message_received,
    message_status_changed,
    number_quality_changed,
    status_for_unsaved_send,
)

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
AD_ENTRY_WINDOW = timedelta(hours=72)
UNMATCHED_STATUS_GRACE = timedelta(minutes=10)  # a status may beat our own save of the wamid


# --- outbound ------------------------------------------------------------------------------------------------------
def _usable_number(number: PhoneNumber) -> None:
    if not number.is_active or number.status == NumberStatus.DISCONNECTED or not number.account.is_active:
        raise NumberUnavailable(_("The number %(number)s is not available for sending.") % {"number": number})


def messages_prepare(items: list[dict]) -> list[Message | ApplicationError]:
    """Check the window rule and store outbound messages as *pending* (one INSERT): free-form messages need an open
    customer-service window, outside it only approved templates go. Each item is checked on its own and answered
    with its pending message or the error that refused it. An item's ``media`` (a stored file's name) is uploaded
    to Meta when the message is dispatched."""
    outcomes: list[Message | ApplicationError] = []
    for item in items:
        number, payload, template = item["number"], item["payload"], item.get("template")
        try:
            _usable_number(number)
            if payload["type"] == "template":
                if template is None or template.status != TemplateStatus.APPROVED:
                    raise TemplateInvalid(_("Only approved templates can be sent."))
            elif window_open_until(number=number, contact=item["to"]) is None:
                raise WindowClosed()
        except ApplicationError as exc:
            outcomes.append(exc)
            continue
        outcomes.append(
            Message(
                number=number,
                contact=item["to"],
                direction=Direction.OUTBOUND,
                kind=payload["type"],
                text=item.get("text", ""),
                payload=payload,
                template=template,
                media=item.get("media") or "",
                media_type=(item.get("media_type") or "")[:100],
                status=MessageStatus.PENDING,
                sent_by_id=item.get("sent_by_id"),
            )
        )
    Message.objects.bulk_create([m for m in outcomes if isinstance(m, Message)])
    return outcomes


def message_dispatch(*, message_id: int) -> Message:
    """The one call that hands a pending message to Meta (the anti-ban pipeline wraps this). Idempotent: a message
    that is no longer pending is returned as it is. Meta's refusals are stored on the message with their code."""
    return messages_dispatch(message_ids=[message_id])[0]


def messages_dispatch(*, message_ids: list[int], gate: lanes.Gate | None = None) -> list[Message]:
    """``message_dispatch`` for a batch: the pending ones are locked, sent concurrently over the shared connection
    pool, and their outcomes written in one transaction. That commit may be asynchronous (``synchronous_commit``
    off): if the database lost it in a crash, the messages would be pending again and the anti-ban outbox — whose
    SENDING state was committed synchronously before any HTTP — turns them UNKNOWN and reconciles them from
    Meta's status webhooks; nothing is sent twice. ``gate`` paces the sends (the anti-ban pipeline's): each
    number's calls start one by one when the gate lets them, in their number's lane (see ``whatsapp.lanes``)."""
    with transaction.atomic():
        pending = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("number__account")
            .filter(pk__in=message_ids, status=MessageStatus.PENDING)
            .order_by("pk")
        )
        if pending:
            outcomes = _media_uploads(pending)
            ready = [message for message in pending if message.pk not in outcomes]
            outcomes.update(zip((m.pk for m in ready), _sends(ready, gate), strict=True))
            for message in pending:
                outcome = outcomes[message.pk]
                if isinstance(outcome, MetaApiError):
                    message.status = MessageStatus.FAILED
                    message.failed_at = timezone.now()
                    message.error_code = outcome.meta_code
                    message.error_title = (outcome.title or str(outcome.info.explanation))[:300]
                    message.error_raw = {**outcome.raw, "retryable": outcome.retryable}
                    if getattr(outcome, "may_have_arrived", False):
                        message.error_raw["may_have_arrived"] = True  # reconciled from Meta's status webhook
                    logger.info("whatsapp send %s refused: code %s", message.pk, outcome.meta_code)
                elif isinstance(outcome, ApplicationError):  # our own check refused it (a file WhatsApp would not take)
                    message.status, message.failed_at = MessageStatus.FAILED, timezone.now()
                    message.error_title = outcome.message[:300]
                    message.error_raw = {"code": outcome.code, "retryable": False}
                else:
                    message.wamid, message.status, message.sent_at = outcome, MessageStatus.SENT, timezone.now()
            rows_update(
                Message,
                pending,
                ["wamid", "status", "sent_at", "failed_at", "error_code", "error_title", "error_raw", "payload"],
                synchronous=False,
            )
    for message in pending:
        message_status_changed.send(sender=Message, message=message)
    done = {m.pk: m for m in pending}
    missing = [pk for pk in message_ids if pk not in done]
    if missing:
        done.update(Message.objects.in_bulk(missing))
    return [done[pk] for pk in message_ids if pk in done]


def _media_uploads(messages: list[Message]) -> dict[int, ApplicationError]:
    """Upload the files of media messages that carry one (``POST /{phone-number-id}/media``) and put the media id
    in their payload; the type and size are checked again first. Returns the errors of those that failed."""
    failed: dict[int, ApplicationError] = {}
    for message in messages:
        if not (message.media and payloads.media_awaits_upload(message.payload)):
            continue
        try:
            with message.media.open("rb") as handle:
                content = handle.read()
            payloads.media_check(message.payload["type"], size=len(content), mime_type=message.media_type)
            client = client_for(message.number.account.access_token)
            try:
                media_id = client.media_upload(
                    message.number.phone_number_id,
                    content=content,
                    mime_type=message.media_type,
                    filename=message.media.name.rsplit("/", 1)[-1],
                )
            finally:
                client.close()
        except ApplicationError as exc:
            failed[message.pk] = exc
            continue
        except OSError:
            failed[message.pk] = MediaInvalid(_("The file to send is missing from storage."))
            continue
        message.payload = payloads.media_attach(message.payload, media_id)
    return failed


def _send_call(message: Message):
    """The wamid of one send, or the MetaApiError Meta answered with."""
    client = client_for(message.number.account.access_token)
    try:
        return client.message_send(message.number.phone_number_id, message.payload)
    except MetaApiError as exc:
        return exc
    finally:
        client.close()


def _sends(messages: list[Message], gate: lanes.Gate | None = None) -> list:
    """Each send's outcome (wamid or MetaApiError): paced by ``gate`` in the numbers' lanes of the sender process,
    else all at once from this process."""
    if gate is not None:
        futures = [
            (message, lanes.submit(message.number_id, gate.ticket(message), _paced_call(message)))
            for message in messages
        ]
        return [_paced_outcome(message, future.result()) for message, future in futures]
    if len(messages) == 1:
        return [_send_call(messages[0])]
    return list(lanes.call_pool().map(_send_call, messages))


def _paced_call(message: Message):
    """What the sender process does once the gate lets ``message`` go: the HTTP call, or nothing for a backend that
    makes none (console: it sends here, after the grant)."""
    client = client_for(message.number.account.access_token)
    if isinstance(client, CloudApiClient):
        return lanes.HttpCall(client.message_send_args(message.number.phone_number_id, message.payload))
    return lanes.granted


def _paced_outcome(message: Message, answer):
    if not isinstance(answer, lanes.HttpAnswer):
        return _send_call(message)
    if not answer.status:
        return MetaUnreachable(answer.reason)
    try:
        return wamid_of(graph_answer(answer.status, answer.content, answer.reason))
    except MetaApiError as exc:
        return exc


def messages_lock_idle(*, message_ids: list[int]) -> dict[int, str]:
    """Lock, for the caller's transaction, those of ``message_ids`` no sender is holding, with the wamid each got
    ("" if none). ``messages_dispatch`` keeps its messages locked from before its HTTP calls until their outcomes are
    saved, so a message it holds is left out: its worker is alive, only slow. Must run inside a transaction."""
    if not message_ids:
        return {}
    rows = Message.objects.select_for_update(skip_locked=True).filter(pk__in=message_ids).values_list("pk", "wamid")
    return {pk: wamid or "" for pk, wamid in rows}


def messages_abandon(*, message_ids: list[int], reason: str) -> int:
    """Pending messages that will never be handed to Meta (their sender stopped before the call)."""
    return Message.objects.filter(pk__in=message_ids, status=MessageStatus.PENDING).update(
        status=MessageStatus.FAILED,
        failed_at=timezone.now(),
        error_title=reason[:300],
        error_raw={"retryable": False, "abandoned": True},
    )


def message_retry(*, message: Message) -> Message:
    """Send a failed message again, when its error says retrying makes sense."""
    if message.status != MessageStatus.FAILED or not message.error_raw.get("retryable"):
        raise MessageNotRetryable(_("This message cannot be retried."))
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.PENDING, failed_at=None)
    return message_dispatch(message_id=message.pk)


# --- webhooks ------------------------------------------------------------------------------------------------------
def webhook_event_store(*, body: bytes) -> str | None:
    """Store a verified POST as received. Returns the event's key (the body's SHA-256), or None when the same body
    was already stored (a redelivery). Processing is the drain's job (kicked by the receiver, and by beat)."""
    digest = hashlib.sha256(body).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO whatsapp_webhookevent (body_sha256, body, received_at, status, error, unknown_types)"
            " VALUES (%s, %s, now(), 'pending', '', '[]') ON CONFLICT (body_sha256) DO NOTHING RETURNING body_sha256",
            [digest, body_text(body)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def webhook_events_pending(limit: int = 200, *, now: datetime | None = None) -> list[str]:
    """Events to process, oldest first: the pending ones and the failed ones whose next attempt is due."""
    now = now or timezone.now()
    pending = WebhookEvent.objects.filter(status=EventStatus.PENDING).order_by("received_at")
    due = WebhookEvent.objects.filter(status=EventStatus.FAILED, next_attempt_at__lte=now).order_by("received_at")
    rows = [*pending.values_list("pk", "received_at")[:limit], *due.values_list("pk", "received_at")[:limit]]
    return [pk for pk, _received in sorted(rows, key=lambda row: row[1])[:limit]]


def webhook_event_reprocess(*, event_id: str) -> WebhookEvent | None:
    """Admin: run a stored event through processing again (after a fix), with a fresh count of attempts."""
    WebhookEvent.objects.filter(pk=event_id).update(
        status=EventStatus.PENDING, error="", attempts=0, next_attempt_at=None
    )
    return webhook_event_process(event_id=event_id)


def webhook_event_process(*, event_id: str, now: datetime | None = None) -> WebhookEvent | None:
    """Apply one stored event. Idempotent (inbound wamids are unique, statuses only move forward). A status for a
    message we do not know yet keeps the event pending for a while: our own save of the wamid may be late.

    Poison isolation: the event's work runs in its own savepoint. Whatever it raises (a bug, a value the database
    refuses) rolls back this event's work only; the event is parked as failed with a reason that names the error
    and where it happened — never the message's content — and is tried again after an exponential backoff, up to
    ``WHATSAPP_EVENT_MAX_ATTEMPTS`` times. Never raises except ``StatusNotYetMatched``."""
    now = now or timezone.now()
    with transaction.atomic():
        # lock order (docs/locks.md): whatsapp, compliance, then leads/antiban via inbound_message_received
        event = WebhookEvent.objects.select_for_update(skip_locked=True).filter(pk=event_id).first()
        if event is None:
            return None  # another worker holds it
        if event.status == EventStatus.DONE or (
            event.status == EventStatus.FAILED and (event.next_attempt_at is None or event.next_attempt_at > now)
        ):
            return event
        try:
            payload = json.loads(event.body)
        except ValueError as exc:  # the stored body never changes: trying again cannot help
            return _event_fail(event, f"{type(exc).__name__}: {exc}"[:500], retry=False, now=now)
        try:
            with transaction.atomic():  # savepoint: a failure undoes this event's partial work, nothing else
                unknown, unmatched = _envelope_apply(_db_safe(payload))
                if unmatched and now - event.received_at < UNMATCHED_STATUS_GRACE:
                    raise StatusNotYetMatched
        except StatusNotYetMatched:
            raise
        except Exception as exc:
            return _event_fail(event, _failure_reason(exc), retry=True, now=now)
        event.unknown_types = sorted(set(unknown))
        event.status, event.processed_at, event.next_attempt_at = EventStatus.DONE, now, None
        event.error = (_("Statuses for unknown messages ignored: %(n)s") % {"n": len(unmatched)}) if unmatched else ""
        event.save(update_fields=["status", "processed_at", "unknown_types", "error", "next_attempt_at"])
    return event


class StatusNotYetMatched(Exception):
    """Rolls the event's partial work back; the task retries it shortly."""


def _event_fail(event: WebhookEvent, reason: str, *, retry: bool, now: datetime) -> WebhookEvent:
    """Park a failed event: the reason, one more attempt counted, and when to try again (none past the limit)."""
    event.attempts += 1
    event.status, event.error, event.processed_at = EventStatus.FAILED, reason, now
    retry = retry and event.attempts < settings.WHATSAPP_EVENT_MAX_ATTEMPTS
    delay = timedelta(seconds=settings.WHATSAPP_EVENT_RETRY_S * 2 ** (event.attempts - 1))
    event.next_attempt_at = now + delay if retry else None
    event.save(update_fields=["status", "error", "processed_at", "attempts", "next_attempt_at"])
    logger.warning(  # the reason names the error and the code, never the event's content
        "whatsapp webhook event %s failed (attempt %s, %s): %s",
        event.pk[:12],
        event.attempts,
        "retry at " + event.next_attempt_at.isoformat() if event.next_attempt_at else "no retry left",
        reason,
    )
    return event


def _failure_reason(exc: BaseException) -> str:
    """``DataError in leads/services/lead.py:120 (lead_create): StringDataRightTruncation [22001]``. Only the
    exception's type, where it was raised in Fluxo's code and, for database errors, PostgreSQL's condition name and
    SQLSTATE — never an exception's message, which may quote the data (``invalid input syntax … "<value>"``)."""
    base = str(Path(settings.BASE_DIR).resolve())
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(base)]
    frames = [f for f in frames if "/site-packages/" not in f.filename and "/.venv/" not in f.filename] or frames
    where = ""
    if frames:
        frame = frames[-1]
        where = f" in {frame.filename.removeprefix(base).lstrip('/')}:{frame.lineno} ({frame.name})"
    cause = exc.__cause__ if isinstance(exc.__cause__, psycopg.Error) else exc
    detail = ""
    if isinstance(cause, psycopg.Error):
        detail = f": {type(cause).__name__}" + (f" [{cause.sqlstate}]" if cause.sqlstate else "")
    return f"{type(exc).__name__}{where}{detail}"[:500]


def _db_safe(value):
    """What PostgreSQL cannot store leaves the payload before anything reads it: NUL characters (refused by text
    and jsonb) are stripped, lone surrogates (not UTF-8) become U+FFFD."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        return value
    if isinstance(value, dict):
        return {_db_safe(str(key)): _db_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_db_safe(item) for item in value]
    return value


def _envelope_apply(payload: dict) -> tuple[list[str], list[str]]:
    unknown: list[str] = []
    unmatched: list[str] = []
    if payload.get("object") != "whatsapp_business_account":
        return [f"object:{payload.get('object')}"], unmatched
    for entry in payload.get("entry") or []:
        waba_id = str(entry.get("id") or "")
        for change in entry.get("changes") or []:
            field, value = change.get("field"), change.get("value") or {}
            if field == "messages":
                number = _number_for(value.get("metadata") or {})
                if number is None:
                    unknown.append("messages:unknown_number")
                    continue
                profiles = {
                    str(c.get("wa_id") or c.get("user_id") or ""): str((c.get("profile") or {}).get("name") or "")
                    for c in value.get("contacts") or []
                }
                for message in value.get("messages") or []:
                    kind = _inbound_record(number, message, profiles)
                    if kind:
                        unknown.append(f"message:{kind}")
                for status in value.get("statuses") or []:
                    if not _status_apply(status):
                        unmatched.append(str(status.get("id")))
                for error in value.get("errors") or []:
                    unknown.append(f"error:{error.get('code')}")
            elif field == "message_template_status_update":
                _template_status_apply(waba_id, value)
            elif field == "message_template_quality_update":
                _template_quality_apply(waba_id, value)
            elif field == "phone_number_quality_update":
                _number_quality_apply(value)
            elif field == "user_preferences":
                for preference in value.get("user_preferences") or []:
                    if not _user_preference_apply(preference):
                        unknown.append(f"user_preferences:{preference.get('category')}:{preference.get('value')}")
            else:
                unknown.append(f"field:{field}")
    return unknown, unmatched


def _number_for(metadata: dict) -> PhoneNumber | None:
    return (
        PhoneNumber.objects.select_related("account")
        .filter(phone_number_id=str(metadata.get("phone_number_id") or ""))
        .first()
    )


def contact_from_wa_id(wa_id: str) -> str:
    """``wa_id`` → E.164. Brazilian mobiles registered before the ninth digit arrive with 12 digits
    (55 + DDD + 8); normalizing adds the 9 so they match the lead's stored number."""
    if not wa_id:
        return ""
    normalized = phone_normalize("+" + wa_id.lstrip("+"))
    return normalized.e164 or ("+" + wa_id.lstrip("+"))


def _timestamp(value) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # absent, not a number, or past what a date holds
        return timezone.now()


INBOUND_TEXT = {
    "text": lambda m: (m.get("text") or {}).get("body", ""),
    "button": lambda m: (m.get("button") or {}).get("text", ""),
    "interactive": lambda m: (
        (m.get("interactive") or {}).get("button_reply") or (m.get("interactive") or {}).get("list_reply") or {}
    ).get("title", ""),
    "reaction": lambda m: (m.get("reaction") or {}).get("emoji", ""),
    "location": lambda m: " ".join(
        str(v)
        for v in (
            (m.get("location") or {}).get("name", ""),
            (m.get("location") or {}).get("address", ""),
            (m.get("location") or {}).get("latitude", ""),
            (m.get("location") or {}).get("longitude", ""),
        )
        if v != ""
    ),
    "contacts": lambda m: ", ".join((c.get("name") or {}).get("formatted_name", "") for c in m.get("contacts") or []),
}
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


def _inbound_said(kind: str, data: dict, text: str) -> list[str]:
    """What the person said, for the opt-out screen: the text or caption, and for a quick-reply or interactive
    answer both its title and its payload/id (a button "Não quero mais" may carry the payload ``SAIR``). Location
    names, contact cards and reactions are not the person's words."""
    if kind == "button":
        button = data.get("button") or {}
        return [str(button.get("text") or ""), str(button.get("payload") or "")]
    if kind == "interactive":
        interactive = data.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return [str(reply.get(key) or "") for key in ("title", "id", "description")]
    if kind == "text" or kind in MEDIA_TYPES:
        return [text]
    return []


def _inbound_screen(contact: str, said: list[str]):
    """The compliance screen, before anything else reads the message: a stop puts the contact on the
    do-not-contact list (consent ledger) at once. Returns the first decision that asks something (a stop, a
    confirmation question, a preference, a resume), or None."""
    if not contact:
        return None  # a username-only contact: no phone to suppress
    for words in said:
        if words.strip():
            decision = inbound_text_screen(contact=contact, kind="phone", text=words, source=ConsentSource.WHATSAPP)
            if decision.action != "none":
                return decision
    return None


def _inbound_record(number: PhoneNumber, data: dict, profiles: dict[str, str]) -> str | None:
    """Store one inbound message (a redelivered wamid is ignored), screen it for an opt-out, refresh the window,
    tell the leads app. Returns the type when Fluxo has no special handling for it (stored and shown anyway)."""
    kind = str(data.get("type") or "unknown")
    wa_id = str(data.get("from") or "")
    user_id = str(data.get("from_user_id") or "")
    contact = contact_from_wa_id(wa_id)
    received_at = _timestamp(data.get("timestamp"))
    media = data.get(kind) if kind in MEDIA_TYPES else None
    text = INBOUND_TEXT[kind](data) if kind in INBOUND_TEXT else ((media or {}).get("caption") or "")
    try:
        with transaction.atomic():
            message = Message.objects.create(
                number=number,
                contact=contact[:20],
                contact_user_id=user_id[:80],
                direction=Direction.INBOUND,
                wamid=str(data.get("id"))[:128],
                kind=kind[:20],
                text=text,
                payload=data,
                media_type=(media or {}).get("mime_type", "")[:100],
                status=MessageStatus.RECEIVED,
                created_at=received_at,
            )
    except IntegrityError:
        return None  # the same message delivered twice
    transaction.on_commit(_unread_changed)  # after the commit: a count read meanwhile would be kept as new
    if kind == "button" and _is_marketing_stop_button(data):
        opt_out = _marketing_stop(contact, "stop_button")  # Meta's own signal first: it means marketing, no more
    else:
        opt_out = _inbound_screen(contact, _inbound_said(kind, data, text))
    referral = data.get("referral") or None
    if contact and kind not in ("reaction",):
        _window_refresh(number, contact, received_at, from_ad=bool(referral and referral.get("ctwa_clid")))
    if media and media.get("id"):
        task_send_on_commit("whatsapp.media_fetch", message.pk)
    inbound_message_received.send(
        sender=Message,
        message=message,
        profile_name=profiles.get(wa_id) or profiles.get(user_id) or "",
        referral=referral,
        opt_out=opt_out.evidence.get("rule", "") if opt_out and opt_out.is_stop else "",
        optout_decision=opt_out,
    )
    handled = set(INBOUND_TEXT) | set(MEDIA_TYPES)
    return None if kind in handled else kind


def _is_marketing_stop_button(data: dict) -> bool:
    """The marketing template's "stop" quick-reply button (Meta's "Parar promoções" / "Stop promotions"): its payload
    or its text is one of ``WHATSAPP_MARKETING_STOP_PAYLOADS`` (compared folded: case, accents, spaces)."""
    button = data.get("button") or {}
    said = {" ".join(fold(str(button.get(key) or "")).split()) for key in ("payload", "text")}
    wanted = {" ".join(fold(str(p)).split()) for p in settings.WHATSAPP_MARKETING_STOP_PAYLOADS}
    return bool(said & wanted - {""})


def _marketing_stop(contact: str, signal: str):
    """Meta's own stop of marketing messages: the WhatsApp marketing consent revoked at once (not a suppression:
    the person may still be served and may still write to us). Returns the decision the apps above are told."""
    evidence = {"layer": "meta", "signal": signal}
    if contact:
        marketing_consent_from_meta(contact=contact, kind="phone", stopped=True, evidence=evidence)
    return OptOutDecision(STOP, {"channels": ["whatsapp"], "purposes": ["marketing"]}, evidence)


def _user_preference_apply(preference: dict) -> bool:
    """One item of the ``user_preferences`` webhook: ``category`` marketing_messages, ``value`` stop or resume.
    False for anything else (kept in the event's unknown types)."""
    value = str(preference.get("value") or "").lower()
    if preference.get("category") != "marketing_messages" or value not in ("stop", "resume"):
        return False
    contact = contact_from_wa_id(str(preference.get("wa_id") or ""))
    if not contact:
        return False
    marketing_consent_from_meta(
        contact=contact,
        kind="phone",
        stopped=value == "stop",
        evidence={"layer": "meta", "signal": "user_preferences", "value": value},
    )
    return True


def _window_refresh(number: PhoneNumber, contact: str, at: datetime, *, from_ad: bool) -> None:
    expires = at + (AD_ENTRY_WINDOW if from_ad else WINDOW)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO whatsapp_servicewindow (number_id, contact, last_inbound_at, expires_at, entry_point)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (number_id, contact) DO UPDATE SET"
            " last_inbound_at = GREATEST(whatsapp_servicewindow.last_inbound_at, EXCLUDED.last_inbound_at),"
            " expires_at = GREATEST(whatsapp_servicewindow.expires_at, EXCLUDED.expires_at),"
            " entry_point = CASE WHEN EXCLUDED.expires_at > whatsapp_servicewindow.expires_at"
            " THEN EXCLUDED.entry_point ELSE whatsapp_servicewindow.entry_point END",
            [number.pk, contact, at, expires, "ctwa" if from_ad else ""],
        )


def _status_apply(status: dict) -> bool:
    """Move an outbound message forward only (read may arrive before delivered; duplicates happen). Missing
    timestamps are filled even when the status itself does not move. False when the wamid is unknown."""
    wamid, new = str(status.get("id") or ""), str(status.get("status") or "")
    if new not in STATUS_RANK:
        return True
    # lock order (docs/locks.md): whatsapp.Message, then antiban.OutboxMessage through status_for_unsaved_send
    message = Message.objects.select_for_update().filter(wamid=wamid, direction=Direction.OUTBOUND).first()
    if message is None:
        if status.get("biz_opaque_callback_data"):
            responses = status_for_unsaved_send.send(sender=Message, status=status)
            return any(handled for _receiver, handled in responses)
        return False
    at = _timestamp(status.get("timestamp"))
    fields: list[str] = []
    stamp = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}.get(new)
    if stamp and getattr(message, stamp) is None:
        setattr(message, stamp, at)
        fields.append(stamp)
    if new == "read" and message.delivered_at is None:
        message.delivered_at = at  # read implies delivered
        fields.append("delivered_at")
    if STATUS_RANK[new] > STATUS_RANK[message.status]:
        message.status = new
        fields.append("status")
        if new == "failed":
            error = (status.get("errors") or [{}])[0]
            info = meta_error_info(error.get("code"))
            message.error_code = error.get("code")
            message.error_title = str((error.get("error_data") or {}).get("details") or error.get("title") or "")[:300]
            message.error_raw = {**error, "retryable": info.retryable}
            fields += ["error_code", "error_title", "error_raw"]
    if fields:
        message.save(update_fields=fields)
        if "status" in fields:
            transaction.on_commit(lambda: message_status_changed.send(sender=Message, message=message))
    return True


def _template_status_apply(waba_id: str, value: dict) -> None:
    event = str(value.get("event") or "").upper()
    if event not in TemplateStatus.values:
        return
    Template.objects.filter(
        account__waba_id=waba_id,
        name=value.get("message_template_name"),
        language=value.get("message_template_language"),
    ).update(status=event, status_reason=str(value.get("reason") or "")[:200], updated_at=timezone.now())


def _template_quality_apply(waba_id: str, value: dict) -> None:
    Template.objects.filter(account__waba_id=waba_id, meta_id=str(value.get("message_template_id") or "")).update(
        quality_score=str(value.get("new_quality_score") or "")[:10], updated_at=timezone.now()
    )


def _number_quality_apply(value: dict) -> None:
    """``phone_number_quality_update``: event FLAGGED / UNFLAGGED / UPGRADE / DOWNGRADE and the current limit."""
    display = phone_normalize("+" + str(value.get("display_phone_number") or "").lstrip("+")).e164
    number = PhoneNumber.objects.filter(display_number=display).first()
    if number is None:
        return
    event = str(value.get("event") or "").upper()
    limit = str(value.get("current_limit") or value.get("messaging_limit_tier") or "")
    old_quality = number.quality_rating
    if event == "FLAGGED":
        number.status, number.quality_rating = NumberStatus.FLAGGED, "RED" if old_quality == "RED" else "YELLOW"
    elif event == "UNFLAGGED":
        number.status = NumberStatus.CONNECTED
    if value.get("new_quality_score") or value.get("quality_rating"):
        number.quality_rating = str(value.get("new_quality_score") or value.get("quality_rating")).upper()[:10]
    if limit:
        number.messaging_limit = limit[:20]
    number.save(update_fields=["status", "quality_rating", "messaging_limit", "updated_at"])
    transaction.on_commit(
        lambda: number_quality_changed.send(sender=PhoneNumber, number=number, event=event, previous=old_quality)
    )


# --- templates -----------------------------------------------------------------------------------------------------
def templates_sync(*, account: BusinessAccount) -> int:
    """Fetch every template of the account (paginated) into the local catalog; returns how many were seen."""
    client = client_for(account.access_token)
    seen = 0
    try:
        for data in client.templates_list(account.waba_id):
            Template.objects.update_or_create(
                account=account,
                name=data["name"],
                language=data.get("language", ""),
                defaults={
                    "meta_id": str(data.get("id") or ""),
                    "category": str(data.get("category") or "").upper(),
                    "status": str(data.get("status") or "").upper(),
                    "components": data.get("components") or [],
                    "quality_score": str((data.get("quality_score") or {}).get("score") or "")[:10],
                    "updated_at": timezone.now(),
                },
            )
            seen += 1
    finally:
        client.close()
    BusinessAccount.objects.filter(pk=account.pk).update(templates_synced_at=timezone.now())
    return seen


def media_fetch(*, message_id: int) -> Message:
    """Download an inbound message's media through the Graph media URL into Django storage (size-capped). The URL
    comes from Meta's answer, so it passes the outbound URL check (as does every redirect hop) before the token is
    sent to it; a refused URL leaves the message without its media and says why."""
    message = Message.objects.select_related("number__account").get(pk=message_id)
    if message.media:
        return message
    media = message.payload.get(message.kind) or {}
    limit, _types = payloads.MEDIA_LIMITS.get(message.kind, (100 * 1024**2, None))
    client = client_for(message.number.account.access_token)
    try:
        info = client.media_info(media["id"])
        content = client.media_download(str(info.get("url") or ""), max_bytes=limit, url_check=media_url_check)
    except OutboundUrlRefused as exc:
        message.error_title = (_("Media not downloaded: %(reason)s") % {"reason": exc.message})[:300]
        message.error_raw = {"media_refused": True, "retryable": False}
        message.save(update_fields=["error_title", "error_raw"])
        logger.warning("whatsapp media of message %s refused: outbound URL check", message.pk)
        return message
    finally:
        client.close()
    extension = (info.get("mime_type") or message.media_type or "application/octet-stream").split("/")[-1].split(";")[0]
    message.media.save(f"{media['id']}.{extension[:8]}", ContentFile(content), save=False)
    message.media_type = (info.get("mime_type") or message.media_type)[:100]
    message.save(update_fields=["media", "media_type"])
    return message


def media_url_check(url: str) -> str:
    """``compliance.security.outbound_url_check`` for URLs from Graph answers: public HTTPS only, except the Graph
    base the operator configured (``WHATSAPP_GRAPH_URL``, ``META_GRAPH_URL``: the simulator on loopback in
    development), and ``OUTBOUND_TRUSTED_ORIGINS``."""
    return outbound_url_check(url, trusted_origins=(settings.WHATSAPP_GRAPH_URL, settings.META_GRAPH_URL))


def whatsapp_demo_number_ensure() -> PhoneNumber:
    """The demo's business account and number (served by the simulator); idempotent."""
    account, _created = BusinessAccount.objects.get_or_create(
        waba_id="100000000000000", defaults={"name": "Fluxo Demo", "access_token": secrets.token_urlsafe(32)}
    )
    number, _created = PhoneNumber.objects.get_or_create(
        phone_number_id="100000000000001",
        defaults={
            "account": account,
            "display_number": "+5511955550000",
            "verified_name": "Fluxo Imóveis",
            "quality_rating": "GREEN",
            "messaging_limit": "TIER_1K",
        },
    )
    return number


DEMO_WARMED_DAYS = 30  # days of sending history behind the warmed-up demo number's tier


def whatsapp_demo_warmed_number_ensure(*, account: BusinessAccount) -> PhoneNumber:
    """A second demo number, registered months ago, with the sending history that justifies its tier: a month of
    business-initiated templates ramping from 20 to 250 people a day, nearly all delivered and most read (the
    pattern Meta rewards with the 1K tier and a GREEN rating). Beside the fresh number in warm-up, it lets the demo
    show a small bulk send going green and a large one refused with its reasons. Idempotent."""
    number, created = PhoneNumber.objects.get_or_create(
        phone_number_id="100000000000002",
        defaults={
            "account": account,
            "display_number": "+5511955550001",
            "verified_name": "Fluxo Imóveis Vendas",
            "quality_rating": "GREEN",
            "messaging_limit": "TIER_1K",
            "created_at": timezone.now() - timedelta(days=120),
        },
    )
    if not created:
        return number
    rng = random.Random(2026)
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    rows = []
    for day in range(DEMO_WARMED_DAYS, 0, -1):
        people = 20 + (250 - 20) * (DEMO_WARMED_DAYS - day) // (DEMO_WARMED_DAYS - 1)
        start = today - timedelta(days=day)
        for index in range(people):
            at = start + timedelta(seconds=index * 20)
            delivered = day <= 2 or rng.random() > 0.01  # the last days clean: no error in the last 24 h
            read = delivered and rng.random() < 0.7
            rows.append(
                Message(
                    number=number,
                    contact=f"+55119{rng.randrange(10**7, 10**8)}",
                    direction=Direction.OUTBOUND,
                    wamid=f"wamid.demo-history-{day}-{index}",
                    kind="template",
                    text="Olá! Temos novidades de imóveis na sua região. Responda SAIR para não receber.",
                    status=(MessageStatus.READ if read else MessageStatus.DELIVERED)
                    if delivered
                    else MessageStatus.FAILED,
                    created_at=at,
                    sent_at=at,
                    delivered_at=at + timedelta(seconds=3) if delivered else None,
                    read_at=at + timedelta(minutes=rng.randrange(1, 240)) if read else None,
                    failed_at=None if delivered else at + timedelta(seconds=3),
                    error_code=None if delivered else 131026,
                )
            )
    Message.objects.bulk_create(rows, batch_size=2000)
    return number


def number_set_active(*, number: PhoneNumber, active: bool, actor) -> PhoneNumber:
    """A supervisor takes a number out of (or back into) the rotation; audited."""
    if number.is_active != active:
        number.is_active = active
        number.save(update_fields=["is_active", "updated_at"])
        audit_change(action="whatsapp.number_active" if active else "whatsapp.number_paused", obj=number, actor=actor)
    return number


def _unread_changed() -> None:
    """Unread counts cached under ``selectors.unread_version`` are stale now (run it once the change committed)."""
    try:
        cache.incr(UNREAD_VERSION_KEY)
    except ValueError:  # not set yet (or Redis lost it)
        cache.set(UNREAD_VERSION_KEY, 1, timeout=None)


def inbound_mark_read(*, contacts: list[str]) -> int:
    """A consultant opened the conversation: mark its unread inbound messages read in Fluxo and tell WhatsApp (blue
    ticks for the customer; marking the newest marks the earlier ones). Meta refusing the receipt changes nothing
    here. Returns how many messages were marked."""
    unread = unread_inbound(contacts=contacts)
    newest_per_number: dict[int, Message] = {}
    for message in unread.select_related("number__account").order_by("created_at"):
        newest_per_number[message.number_id] = message
    for message in newest_per_number.values():
        client = client_for(message.number.account.access_token)
        try:
            client.message_mark_read(message.number.phone_number_id, message.wamid)
        except MetaApiError as exc:
            logger.info("read receipt for message %s refused: code %s", message.pk, exc.meta_code)
        finally:
            client.close()
    marked = unread.update(read_at=timezone.now())
    if marked:
        transaction.on_commit(_unread_changed)
    return marked


def message_adopt_wamid(*, message_id: int, wamid: str) -> bool:
    """Give a pending outbound message the wamid Meta assigned, learnt from a status webhook after a crash."""
    return bool(
        Message.objects.filter(pk=message_id, wamid__isnull=True).update(
            wamid=wamid, status=MessageStatus.SENT, sent_at=timezone.now()
        )
    )


def body_text(body: bytes) -> str:
    """The body as PostgreSQL text: invalid UTF-8 and raw NUL bytes (which text columns refuse, and which no valid
    JSON holds) become U+FFFD, so such a body is stored — and fails its processing with a reason — instead of
    failing the INSERT of every body batched with it. The key stays the hash of the bytes as received."""
    text = body.decode("utf-8", errors="replace")
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def webhook_events_drain(*, now=None) -> int:
    """Process pending events (and failed ones whose retry is due) oldest first until none is left. Kicked by the
    receiver (at most once a second) and run by beat every minute, so a worker that was down catches up on its own.
    A status that beat our own save of its wamid stays pending and is tried again by the next drain. An event whose
    processing fails is parked with its reason (``webhook_event_process`` isolates it) and the drain goes on: it is
    tried again by a later drain, never twice in this one."""
    done = 0
    skipped: set[str] = set()
    while True:
        batch = [pk for pk in webhook_events_pending(limit=500 + len(skipped), now=now) if pk not in skipped]
        if not batch:
            return done
        for event_id in batch:
            try:
                event = webhook_event_process(event_id=event_id, now=now)
            except StatusNotYetMatched:
                event = None
            if event is None or event.status != "done":
                skipped.add(event_id)  # locked by another drain, waiting for its message, or failed (retried later)
            if event is not None and event.status != "pending":
                done += 1


def templates_sync_all() -> int:
    """Every active account's templates, from Meta (beat, hourly)."""
    return sum(templates_sync(account=account) for account in BusinessAccount.objects.filter(is_active=True))
