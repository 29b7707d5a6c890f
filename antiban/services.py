"""The outbound pipeline: enqueue (filters, decision log), claim (priority, SKIP LOCKED, number choice, limits),
send through the gateway's one primitive, retry with backoff, reconcile UNKNOWN rows, react to error signals."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antiban.filters import Check, content_checks, recipient_checks, refusals
from antiban.limits import limiter
from antiban.models import (
    Incident,
    NumberMode,
    NumberState,
    OutboxMessage,
    OutboxState,
    Priority,
    Severity,
)
from common.errors import ApplicationError
from whatsapp import selectors as wa_selectors
from whatsapp import services as wa_services
from whatsapp.errors import meta_error_info

logger = logging.getLogger(__name__)

TIER_LIMITS = {"TIER_250": 250, "TIER_1K": 1000, "TIER_2K": 2000, "TIER_10K": 10_000, "TIER_100K": 100_000}
SENDING_TIMEOUT = timedelta(minutes=2)  # a row still SENDING after this lost its worker: UNKNOWN, never resent


def _log(stage: str, checks: list[Check] | None = None, **extra) -> dict:
    entry = {"at": timezone.now().isoformat(), "stage": stage, **extra}
    if checks is not None:
        entry["checks"] = [c.as_log() for c in checks]
    return entry


def outbox_enqueue(
    *,
    contact: str,
    priority: int,
    payload: dict,
    text: str = "",
    template_name: str = "",
    lead_id: int | None = None,
    campaign: str = "",
    created_by_id: int | None = None,
) -> OutboxMessage:
    """Every business-initiated message enters here, in the caller's transaction. Content and recipient checks run
    now (a refusal is stored with its reasons, never silently dropped); the send waits for a dispatcher."""
    checks = content_checks(text, priority) + recipient_checks(contact, priority)
    refused = refusals(checks)
    waits = [c.wait_until for c in checks if not c.passed and c.wait_until]
    row = OutboxMessage.objects.create(
        contact=contact,
        priority=priority,
        payload=payload,
        text=text,
        template_name=template_name,
        lead_id=lead_id,
        campaign=campaign,
        created_by_id=created_by_id,
        state=OutboxState.REFUSED if refused else OutboxState.QUEUED,
        last_reason=refused[0].reason if refused else (_("Waiting for contact hours.") if waits else ""),
        not_before=max(waits) if waits else timezone.now(),
        decisions=[_log("enqueue", checks)],
    )
    if not refused:
        transaction.on_commit(_kick)
    return row


def _kick() -> None:
    from antiban.tasks import outbox_dispatch_task

    try:
        outbox_dispatch_task.delay()
    except Exception:
        logger.warning("outbox: dispatcher not kicked; the sweeper will pick the row up")


def _number_states() -> dict[int, NumberState]:
    numbers = list(wa_selectors.numbers_usable())
    NumberState.objects.bulk_create([NumberState(number=n) for n in numbers], ignore_conflicts=True)
    return {s.number_id: s for s in NumberState.objects.filter(number__in=numbers).select_related("number__account")}


def _candidates(row: OutboxMessage, states: dict[int, NumberState], now) -> list[NumberState]:
    usable = [
        s
        for s in states.values()
        if s.mode != NumberMode.PAUSED
        and not (s.paused_until and s.paused_until > now)
        and s.number.status != "FLAGGED"
    ]
    if row.priority == Priority.MARKETING:
        usable = [s for s in usable if s.mode == NumberMode.NORMAL]
    sticky = (
        OutboxMessage.objects.filter(contact=row.contact, state=OutboxState.SENT, number__isnull=False)
        .order_by("-created_at")
        .values_list("number_id", flat=True)
        .first()
    )
    usable.sort(key=lambda s: (s.number_id != sticky, -s.health, s.number_id))
    return usable


def _admit(row: OutboxMessage, states: dict[int, NumberState], now) -> tuple[NumberState | None, str, float]:
    """(number to send from, reason when not now, seconds to wait). Checks again what may have changed since enqueue."""
    checks = recipient_checks(row.contact, row.priority, now=now)
    refused = refusals(checks)
    if refused:
        row.state, row.last_reason = OutboxState.REFUSED, refused[0].reason
        row.decisions = [*row.decisions, _log("dispatch", checks)]
        return None, refused[0].reason, 0.0
    opens = next((c.wait_until for c in checks if c.wait_until), None)
    if opens:
        return None, _("Outside contact hours."), (opens - now).total_seconds()
    candidates = _candidates(row, states, now)
    if not candidates:
        return None, _("No number available (all paused, resting or restricted)."), 60.0
    state = candidates[0]
    number = state.number
    pair = limiter().hit(f"pair:{number.pk}:{row.contact}", rate_per_s=1 / settings.ANTIBAN_PAIR_INTERVAL_S)
    if not pair.allowed:
        return None, _("Pair limit: the same person heard from this number seconds ago."), pair.wait_seconds
    rate = number.throughput_mps * (0.5 if state.mode == NumberMode.RESTRICTIVE else 1.0)
    throughput = limiter().hit(f"number:{number.pk}", rate_per_s=rate)
    if not throughput.allowed:
        return None, _("Number at its messages-per-second limit."), throughput.wait_seconds
    if row.priority != Priority.REPLY:
        tier = TIER_LIMITS.get(number.messaging_limit)
        if tier and not limiter().window_count(
            f"portfolio:{number.account_id}", row.contact, window_seconds=86400, limit=tier
        ):
            return None, _("The account's 24-hour limit of people reached (%(tier)s).") % {"tier": tier}, 3600.0
    return state, "", 0.0


def outbox_claim_one() -> int | None:
    """Claim the most urgent due row that may go now, create its gateway message and commit it as SENDING (before
    any HTTP). Rows that must wait get their ``not_before`` moved. Returns the claimed id, or None."""
    now = timezone.now()
    states = _number_states()
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxState.QUEUED, not_before__lte=now)
            .order_by("priority", "not_before", "id")[:20]
        )
        for row in rows:
            state, reason, wait = _admit(row, states, now)
            if state is None:
                if row.state == OutboxState.QUEUED:
                    row.not_before = now + timedelta(seconds=max(wait, 0.05))
                row.last_reason = reason
                row.save(update_fields=["state", "not_before", "last_reason", "decisions", "updated_at"])
                continue
            payload = {**row.payload, "biz_opaque_callback_data": f"outbox:{row.pk}"}
            template = None
            if payload.get("type") == "template":
                template = wa_selectors.template_for_send(
                    account_id=state.number.account_id,
                    name=payload["template"]["name"],
                    language=payload["template"].get("language", {}).get("code", ""),
                )
            try:
                message = wa_services.message_prepare(
                    number=state.number, to=row.contact, payload=payload, text=row.text, template=template
                )
            except ApplicationError as exc:
                row.state, row.last_reason = OutboxState.FAILED, exc.message
                row.decisions = [*row.decisions, _log("prepare", error=exc.message)]
                row.save(update_fields=["state", "last_reason", "decisions", "updated_at"])
                continue
            row.state, row.number, row.message_id = OutboxState.SENDING, state.number, message.pk
            row.attempts += 1
            row.decisions = [*row.decisions, _log("claim", number=state.number.display_number)]
            row.save(update_fields=["state", "number", "message_id", "attempts", "decisions", "updated_at"])
            return row.pk
    return None


def outbox_send(*, row_id: int) -> OutboxMessage:
    """Hand a SENDING row's gateway message to Meta and record the outcome; retryable refusals go back to the
    queue with exponential backoff and jitter, bounded by ANTIBAN_MAX_ATTEMPTS."""
    row = OutboxMessage.objects.get(pk=row_id)
    if row.state != OutboxState.SENDING:
        return row
    message = wa_services.message_dispatch(message_id=row.message_id)
    if message.status == "failed":
        info = meta_error_info(message.error_code)
        retry = bool(message.error_raw.get("retryable")) and row.attempts < settings.ANTIBAN_MAX_ATTEMPTS
        row.error_code, row.last_reason = message.error_code, str(info.explanation)
        if retry:
            backoff = min(2**row.attempts, 300) * (0.5 + random.random())
            row.state, row.not_before = OutboxState.QUEUED, timezone.now() + timedelta(seconds=backoff)
            row.message_id = None
        else:
            row.state = OutboxState.FAILED
        row.decisions = [*row.decisions, _log("result", error_code=message.error_code, retry=retry)]
    else:
        row.state, row.wamid = OutboxState.SENT, message.wamid or ""
        row.decisions = [*row.decisions, _log("result", wamid=row.wamid)]
    row.save()
    return row


def outbox_dispatch_due(*, limit: int = 500) -> int:
    """Claim and send due rows until none may go now (or ``limit``). Several workers can run this at once."""
    sent = 0
    while sent < limit:
        row_id = outbox_claim_one()
        if row_id is None:
            return sent
        outbox_send(row_id=row_id)
        sent += 1
    return sent


def outbox_sweep() -> dict[str, int]:
    """Beat: rows stuck in SENDING lost their worker → UNKNOWN (reconciled from webhooks, never resent)."""
    stuck = OutboxMessage.objects.filter(
        state=OutboxState.SENDING, updated_at__lt=timezone.now() - SENDING_TIMEOUT
    ).update(state=OutboxState.UNKNOWN, last_reason=_("The worker stopped during the send: waiting for Meta's status."))
    return {"unknown": stuck}


def outbox_reconcile(*, status: dict) -> bool:
    """A status for a send whose answer we never saved: the opaque data names the outbox row."""
    opaque = str(status.get("biz_opaque_callback_data") or "")
    if not opaque.startswith("outbox:"):
        return False
    row = OutboxMessage.objects.filter(pk=int(opaque.split(":", 1)[1] or 0)).first()
    if row is None:
        return False
    wamid = str(status.get("id") or "")
    if row.state in (OutboxState.SENDING, OutboxState.UNKNOWN):
        row.wamid = wamid
        row.state = OutboxState.FAILED if status.get("status") == "failed" else OutboxState.SENT
        row.decisions = [*row.decisions, _log("reconciled", wamid=wamid, status=status.get("status"))]
        row.save(update_fields=["wamid", "state", "decisions", "updated_at"])
        if row.message_id:
            wa_services.message_adopt_wamid(message_id=row.message_id, wamid=wamid)
    return True


# --- reactive layer ------------------------------------------------------------------------------------------------
PAUSE_CODES = {131048: timedelta(hours=6), 368: timedelta(hours=24)}
RESTRICT_CODES = {131049}


def number_react_to_message(*, message) -> None:
    """Error signals from the gateway: slow down, restrict or pause the number, and open an incident."""
    if message.status != "failed" or not message.error_code:
        return
    code = message.error_code
    state, _created = NumberState.objects.get_or_create(number_id=message.number_id)
    if code in PAUSE_CODES:
        state.mode, state.paused_until = NumberMode.PAUSED, timezone.now() + PAUSE_CODES[code]
        state.health = max(0, state.health - 40)
        state.save()
        Incident.objects.create(
            number_id=message.number_id,
            severity=Severity.CRITICAL,
            reason=str(meta_error_info(code).explanation),
            details={"error_code": code, "message_id": message.pk},
        )
    elif code in RESTRICT_CODES and state.mode == NumberMode.NORMAL:
        state.mode, state.health = NumberMode.RESTRICTIVE, max(0, state.health - 15)
        state.save()
        Incident.objects.create(
            number_id=message.number_id,
            severity=Severity.HIGH,
            reason=str(meta_error_info(code).explanation),
            details={"error_code": code},
        )


def number_react_to_quality(*, number, event: str, previous: str) -> None:
    state, _created = NumberState.objects.get_or_create(number=number)
    if number.quality_rating == "RED" or event == "FLAGGED":
        state.mode, state.health = NumberMode.PAUSED, min(state.health, 20)
        severity = Severity.CRITICAL
    elif number.quality_rating == "YELLOW":
        state.mode, state.health = NumberMode.RESTRICTIVE, min(state.health, 60)
        severity = Severity.HIGH
    else:
        return
    state.paused_until = timezone.now() + timedelta(hours=24) if state.mode == NumberMode.PAUSED else None
    state.save()
    Incident.objects.create(
        number=number,
        severity=severity,
        reason=_("Quality went from %(old)s to %(new)s (%(event)s).")
        % {"old": previous, "new": number.quality_rating, "event": event or "-"},
    )
