"""The outbound pipeline: enqueue (filters, decision log), claim (priority, SKIP LOCKED, number choice, limits),
send through the gateway's one primitive, retry with backoff, reconcile UNKNOWN rows, react to error signals."""

from __future__ import annotations

import logging
import math
import os
import random
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antiban.filters import Check, body_hash, content_checks, recipient_checks, recipient_checks_many, refusals
from antiban.health import effective, number_states
from antiban.limits import limiter
from antiban.models import NumberState, OutboxMessage, OutboxState, Priority
from antiban.pacing import SendTicket
from common.db import rows_update
from common.errors import ApplicationError
from common.tasks import task_send
from whatsapp import selectors as wa_selectors
from whatsapp import services as wa_services
from whatsapp.errors import meta_error_info
from whatsapp.payloads import payload_kind

logger = logging.getLogger(__name__)

TIER_LIMITS = {"TIER_250": 250, "TIER_1K": 1000, "TIER_2K": 2000, "TIER_10K": 10_000, "TIER_100K": 100_000}


def _log(stage: str, checks: list[Check] | None = None, **extra) -> dict:
    entry = {"at": timezone.now().isoformat(), "stage": stage, **extra}
    if checks is not None:  # failures in full, passes by name: a log per message, kept small
        entry["passed"] = [c.name for c in checks if c.passed]
        entry["failed"] = [c.as_log() for c in checks if not c.passed]
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
    pinned_number=None,
    bulk=None,
    variant: int | None = None,
    not_before=None,
    kick: bool = True,
    kind: str = "",
    media=None,
    media_type: str = "",
    now=None,
) -> OutboxMessage:
    """Every business-initiated message enters here, in the caller's transaction. Content and recipient checks run
    now (a refusal is stored with its reasons, never silently dropped); the send waits for a dispatcher. ``kind``
    names what the payload is (default: read from it); ``media`` is a file (Django ``File``) the dispatch uploads
    to Meta before sending; ``now`` is the clock the checks read (default: the real one)."""
    now = now or timezone.now()
    checks = content_checks(text, priority, templated=bool(template_name)) + recipient_checks(
        contact, priority, now=now
    )
    refused = refusals(checks)
    waits = [c.wait_until for c in checks if not c.passed and c.wait_until]
    if not_before:
        waits.append(not_before)
    row = OutboxMessage.objects.create(
        pinned_number=pinned_number,
        bulk=bulk,
        variant=variant,
        body_hash=body_hash(text) if text and not template_name else "",
        contact=contact,
        priority=priority,
        payload=payload,
        kind=kind or payload_kind(payload),
        media=media or "",
        media_type=media_type,
        text=text,
        template_name=template_name,
        lead_id=lead_id,
        campaign=campaign,
        created_by_id=created_by_id,
        state=OutboxState.REFUSED if refused else OutboxState.QUEUED,
        last_reason=refused[0].reason
        if refused
        else (_("Waiting for contact hours.") if any(c.wait_until for c in checks) else ""),
        not_before=max(waits) if waits else now,
        decisions=[_log("enqueue", checks)],
    )
    if not refused and kick:
        transaction.on_commit(_kick)
    return row


def _kick() -> None:
    outbox_kick()


def outbox_kick(*, force: bool = False) -> None:
    """Start dispatchers (at most once a second for everyone: a bulk enqueue of 10,000 rows kicks once)."""
    try:
        if force or limiter().once("outbox:kick", seconds=1.0):
            for _dispatcher in range(settings.ANTIBAN_DISPATCHERS):
                task_send("antiban.outbox_dispatch")
    except Exception:
        logger.warning("outbox: dispatcher not kicked; the sweeper will pick the row up")


def outbox_due_count() -> int:
    return OutboxMessage.objects.filter(state=OutboxState.QUEUED, not_before__lte=timezone.now()).count()


def _sticky_numbers(contacts: set[str]) -> dict[str, int]:
    """The number each person last heard from (a lead keeps hearing from the same number)."""
    rows = (
        OutboxMessage.objects.filter(contact__in=contacts, state=OutboxState.SENT, number__isnull=False)
        .order_by("contact", "-created_at")
        .distinct("contact")
        .values_list("contact", "number_id")
    )
    return dict(rows)


@dataclass
class _Verdict:
    state: NumberState | None = None
    reason: str = ""
    wait: float = 0.0
    short: bool = False  # "in a moment": leave the row untouched and come back


def _sent_today(number_id: int) -> int:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        OutboxMessage.objects.filter(number_id=number_id, state=OutboxState.SENT, created_at__gte=start)
        .exclude(priority=Priority.REPLY)
        .count()
    )


@dataclass
class _Claim:
    """What one claim knows about the numbers: their states, what each may do now, who last spoke to whom, the
    free places left in each backlog, and which numbers ran out of them during this claim."""

    states: dict[int, NumberState]
    allowed: dict
    sticky: dict[str, int]
    room: dict[int, int]
    full: dict


def _pool(row: OutboxMessage, claim: _Claim) -> list[NumberState]:
    """Candidates in order: the pinned number alone; else the sticky one alone unless it is resting or paused
    (only then does a lead change number); else every number, healthiest first."""
    states = claim.states
    if row.pinned_number_id:
        return [states[row.pinned_number_id]] if row.pinned_number_id in states else []
    previous = states.get(claim.sticky.get(row.contact, 0))
    allowed = claim.allowed[previous.number_id] if previous is not None else None
    # a lead keeps its number, for marketing only if that number may send marketing (not in its first warm-up days)
    if allowed is not None and allowed.may_send and (row.priority != Priority.MARKETING or allowed.marketing):
        return [previous]
    return sorted(states.values(), key=lambda s: (-s.health, s.number_id))


def _choose(row: OutboxMessage, checks: list[Check], claim: _Claim, now) -> _Verdict:
    """Which number should send ``row`` now, or why not and for how long. ``checks`` are the recipient checks run
    again at dispatch (suppression, contact hours may have changed since enqueue); then the candidates, with the
    room their backlogs had when the claim began (the backlog and the pair limit are taken in Redis afterwards,
    for the whole claim at once: ``_take_places``)."""
    full = claim.full
    refused = refusals(checks)
    if refused:
        row.state, row.last_reason = OutboxState.REFUSED, refused[0].reason
        row.decisions = [*row.decisions, _log("dispatch", checks)]
        return _Verdict(reason=refused[0].reason)
    opens = next((c.wait_until for c in checks if c.wait_until), None)
    if opens:
        return _Verdict(reason=_("Outside contact hours."), wait=(opens - now).total_seconds())
    verdict = _Verdict(reason=_("No number available (all paused, resting or restricted)."), wait=60.0)
    for state in _pool(row, claim):
        number = state.number
        allowed = claim.allowed[number.pk]
        if not allowed.may_send or (row.priority == Priority.MARKETING and not allowed.marketing):
            continue
        if number.pk in full or claim.room.get(number.pk, 0) <= 0:
            full[number.pk] = _("Number at its messages-per-second limit.")
            verdict = _Verdict(reason=full[number.pk], wait=_NAP, short=True)
            continue
        refusal = _number_limits(row, number, allowed)
        if refusal is not None:
            verdict = refusal
            continue
        claim.room[number.pk] -= 1
        return _Verdict(state=state)
    return verdict


def _daily_counted(row: OutboxMessage, allowed) -> bool:
    return allowed.daily_cap is not None and row.priority != Priority.REPLY


def _number_limits(row: OutboxMessage, number, allowed) -> _Verdict | None:
    """The warm-up day cap and the account's 24-hour people limit (None: both allow ``row``)."""
    if _daily_counted(row, allowed) and not limiter().daily_take(
        f"warmup:{number.pk}:{timezone.localdate()}", cap=allowed.daily_cap, seed=lambda n=number.pk: _sent_today(n)
    ):
        return _Verdict(reason=_("Warm-up: today's cap for this number is reached."), wait=3600.0)
    if row.priority != Priority.REPLY:
        tier = TIER_LIMITS.get(number.messaging_limit)
        if tier and not limiter().window_count(
            f"portfolio:{number.account_id}", row.contact, window_seconds=86400, limit=tier
        ):
            return _Verdict(
                reason=_("The account's 24-hour limit of people reached (%(tier)s).") % {"tier": tier},
                wait=3600.0,
            )
    return None


_NAP = 0.1  # seconds: a dispatcher whose numbers' backlogs are full comes back after this


def _backlog_cap(allowed) -> int:
    """Rows a number may have claimed and not yet sent: ANTIBAN_DISPATCH_AHEAD_S of its rate (at least one)."""
    return max(1, math.ceil(allowed.rate_per_s * settings.ANTIBAN_DISPATCH_AHEAD_S))


def outbox_claim(*, batch: int | None = None, only: list[int] | None = None) -> tuple[list[int], float | None]:
    """Claim up to ``batch`` due rows that may go now (priority order, SKIP LOCKED), each into the backlog of the
    number that will send it, create their gateway messages and commit them as SENDING — before any HTTP. Rows
    that must wait long get ``not_before`` moved; rows that wait only for room in a backlog are left untouched.
    Returns (claimed ids, seconds until trying again is worth it)."""
    batch = batch or settings.ANTIBAN_DISPATCH_BATCH
    now = timezone.now()
    states = number_states(wa_selectors.numbers_usable())
    claimed: list[int] = []
    retry_in: float | None = None
    with transaction.atomic():
        # lock order (docs/locks.md): antiban.OutboxMessage, then whatsapp.Message
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            state=OutboxState.QUEUED, not_before__lte=now
        )
        if only is not None:
            due = due.filter(pk__in=only)
        allowed = {number_id: effective(state, now) for number_id, state in states.items()}
        rooms, cap = _room(allowed)
        room = sum(rooms.values())
        if only is None and 0 < room < cap // 4:  # backlogs nearly full: claim a worthwhile batch a moment later
            return [], _NAP
        rows = list(due.order_by("priority", "not_before", "id")[: min(batch, room) + 4])
        if not rows:
            return [], (_NAP if room < cap else None)
        claim = _Claim(
            states=states,
            allowed=allowed,
            sticky=_sticky_numbers({r.contact for r in rows if not r.pinned_number_id}),
            room=rooms,
            full={},
        )
        checks = recipient_checks_many([(r.contact, r.priority) for r in rows], now=now)
        verdicts: list[tuple[OutboxMessage, _Verdict]] = []
        chosen = 0
        for row, row_checks in zip(rows, checks, strict=True):
            if chosen >= batch:
                break
            verdict = _choose(row, row_checks, claim, now)
            verdicts.append((row, verdict))
            if verdict.state is not None:
                chosen += 1
                claim.sticky.setdefault(row.contact, verdict.state.number_id)
        _take_places(verdicts, claim)
        waiting: list[OutboxMessage] = []
        admitted: list[tuple[OutboxMessage, NumberState]] = []
        for row, verdict in verdicts:
            if verdict.state is not None:
                admitted.append((row, verdict.state))
            elif verdict.short:
                retry_in = verdict.wait if retry_in is None else min(retry_in, verdict.wait)
            else:
                if row.state == OutboxState.QUEUED:
                    row.not_before = now + timedelta(seconds=max(verdict.wait, 0.05))
                row.last_reason, row.updated_at = verdict.reason, now
                waiting.append(row)
        rows_update(OutboxMessage, waiting, ["state", "not_before", "last_reason", "decisions", "updated_at"])
        if admitted:
            claimed = _claim(admitted)
    return claimed, (0.0 if claimed else retry_in)


def _room(allowed: dict) -> tuple[dict[int, int], int]:
    """({number: free places}, places) in the backlogs of the numbers that may send."""
    caps = {number_id: _backlog_cap(permits) for number_id, permits in allowed.items() if permits.may_send}
    held = limiter().backlogs([f"number:{number_id}" for number_id in caps])
    rooms = {number_id: max(0, cap - n) for (number_id, cap), n in zip(caps.items(), held, strict=True)}
    return rooms, sum(caps.values())


def _take_places(verdicts: list[tuple[OutboxMessage, _Verdict]], claim: _Claim) -> None:
    """Take the chosen rows' places in their numbers' backlogs and their pair intervals: one Redis round trip for
    the whole claim, each row's step atomic. A row whose place went to another dispatcher meanwhile waits a moment;
    one whose person heard from that number seconds ago waits for the pair interval. Either way a warm-up count
    taken for it is given back."""
    chosen = [(index, row, verdict.state) for index, (row, verdict) in enumerate(verdicts) if verdict.state]
    outcomes = limiter().admit_many(
        [
            (
                f"number:{state.number_id}",
                f"o:{row.pk}",
                f"{state.number_id}:{row.contact}",
                _backlog_cap(claim.allowed[state.number_id]),
            )
            for _index, row, state in chosen
        ],
        pair_s=settings.ANTIBAN_PAIR_INTERVAL_S,
        ahead_s=settings.ANTIBAN_DISPATCH_AHEAD_S,
    )
    for (index, row, state), (outcome, seconds) in zip(chosen, outcomes, strict=True):
        if outcome == "ok":
            continue
        if _daily_counted(row, claim.allowed[state.number_id]):
            limiter().daily_give_back(f"warmup:{state.number_id}:{timezone.localdate()}")
        if outcome == "full":
            verdicts[index] = (
                row,
                _Verdict(reason=_("Number at its messages-per-second limit."), wait=_NAP, short=True),
            )
        else:
            reason = _("Pair limit: the same person heard from this number seconds ago.")
            verdicts[index] = (row, _Verdict(reason=reason, wait=seconds))


def _claim(admitted: list[tuple[OutboxMessage, NumberState]]) -> list[int]:
    """Create the gateway messages of the admitted rows (one INSERT) and mark the rows SENDING (one statement),
    inside the claim's transaction: committed, synchronously, before any HTTP."""
    templates: dict = {}
    items = []
    for row, state in admitted:
        payload = {**row.payload, "biz_opaque_callback_data": f"outbox:{row.pk}"}
        template = None
        if payload.get("type") == "template":
            wanted = payload["template"]
            key = (state.number.account_id, wanted["name"], wanted.get("language", {}).get("code", ""))
            if key not in templates:
                templates[key] = wa_selectors.template_for_send(account_id=key[0], name=key[1], language=key[2])
            template = templates[key]
        items.append(
            {
                "number": state.number,
                "to": row.contact,
                "payload": payload,
                "text": row.text,
                "template": template,
                "media": row.media.name if row.media else "",
                "media_type": row.media_type,
            }
        )
    now = timezone.now()
    claimed = []
    for (row, state), outcome in zip(admitted, wa_services.messages_prepare(items), strict=True):
        row.updated_at = now
        if isinstance(outcome, ApplicationError):
            limiter().backlog_release(f"number:{state.number_id}", f"o:{row.pk}")
            limiter().pair_release(f"{state.number_id}:{row.contact}")
            row.state, row.last_reason = OutboxState.FAILED, outcome.message
            row.decisions = [*row.decisions, _log("prepare", error=outcome.message)]
            continue
        row.state, row.number, row.message_id = OutboxState.SENDING, state.number, outcome.pk
        row.attempts += 1
        row.decisions = [*row.decisions, _log("claim", number=state.number.display_number)]
        claimed.append(row.pk)
    rows_update(
        OutboxMessage,
        [row for row, _state in admitted],
        ["state", "last_reason", "number", "message_id", "attempts", "decisions", "updated_at"],
    )
    return claimed


def outbox_send_many(*, row_ids: list[int]) -> list[OutboxMessage]:
    """Hand SENDING rows' gateway messages to Meta (paced per number) and record the outcomes; retryable refusals go
    back to the queue with exponential backoff and jitter, bounded by ANTIBAN_MAX_ATTEMPTS. The outcome commit may
    be asynchronous: losing it leaves the row SENDING, which the sweeper turns UNKNOWN and the status webhook
    reconciles."""
    rows = list(OutboxMessage.objects.filter(pk__in=row_ids).order_by("pk"))
    sending = [row for row in rows if row.state == OutboxState.SENDING]
    messages = {
        m.pk: m
        for m in wa_services.messages_dispatch(message_ids=[row.message_id for row in sending], gate=_Pacer(sending))
    }
    done = []
    for row in sending:
        message = messages[row.message_id]
        if message.status == "pending":  # another process holds it: its outcome is that process's to record
            continue
        done.append(row)
        row.updated_at = timezone.now()
        if message.status == "failed" and message.error_raw.get("may_have_arrived"):
            # the connection failed after the request was written: Meta may have the message, so it is never sent
            # again blindly; Meta's status webhook (which names this row) reconciles it, or it expires
            row.state, row.error_code = OutboxState.UNKNOWN, None
            row.last_reason = str(_("The connection to Meta failed mid-send: waiting for Meta's status."))
            row.decisions = [*row.decisions, _log("result", unknown=message.error_title)]
        elif message.status == "failed":
            limiter().pair_release(f"{message.number_id}:{row.contact}")
            info = meta_error_info(message.error_code)
            retry = bool(message.error_raw.get("retryable")) and row.attempts < settings.ANTIBAN_MAX_ATTEMPTS
            row.error_code, row.last_reason = message.error_code, str(info.explanation)
            if retry:
                backoff = min(2**row.attempts, 300) * (0.5 + random.random())
                if message.error_code == 131056:  # that person: wait at least Meta's pair interval
                    backoff = max(backoff, settings.ANTIBAN_PAIR_INTERVAL_S * 2)
                row.state, row.not_before = OutboxState.QUEUED, timezone.now() + timedelta(seconds=backoff)
                row.decisions = [*row.decisions, {"stage": "attempt", "message_id": row.message_id}]
                row.message_id = None
            else:
                row.state = OutboxState.FAILED
            row.decisions = [*row.decisions, _log("result", error_code=message.error_code, retry=retry)]
        else:
            row.state, row.wamid = OutboxState.SENT, message.wamid or ""
            row.decisions = [*row.decisions, _log("result", wamid=row.wamid)]
    if done:
        with transaction.atomic():
            rows_update(
                OutboxMessage,
                done,
                ["state", "wamid", "error_code", "last_reason", "not_before", "message_id", "decisions", "updated_at"],
                synchronous=False,
            )
    return rows


class _Pacer:
    """The gate of a batch of sends (see ``whatsapp.lanes``): a ticket per message (``antiban.pacing``) carrying its
    number's rate, read once here — the sender process never touches the database."""

    def __init__(self, rows: list[OutboxMessage]):
        self.rows = {row.message_id: row for row in rows}
        states = NumberState.objects.filter(number_id__in={row.number_id for row in rows}).select_related("number")
        self.rates = {state.number_id: effective(state).rate_per_s for state in states}

    def ticket(self, message) -> SendTicket:
        row = self.rows[message.pk]
        return SendTicket(
            number_id=message.number_id,
            message_id=message.pk,
            row_id=row.pk,
            contact=row.contact,
            rate=self.rates.get(message.number_id, 1.0),
            pair_s=settings.ANTIBAN_PAIR_INTERVAL_S,
            inflight_s=settings.META_HTTP_TIMEOUT + 5,
        )


def outbox_dispatch_due(*, limit: int = 100_000, seconds: float | None = None) -> int:
    """Claim and send due rows until none may go soon, ``limit`` is reached or ``seconds`` have passed. Several
    workers run this at once. Claims keep each number's backlog about ANTIBAN_DISPATCH_AHEAD_S of sends deep; while
    batches are being sent (on batch threads with their own database connections, each number's calls paced in
    its lane of the sender process), the loop claims the next, so no number waits for a claim. Inside a caller's
    transaction (nothing committed is visible to another connection) batches are sent in line instead."""
    if seconds is None:  # dispatchers started together hand over at different moments: never all at once
        seconds = settings.ANTIBAN_DISPATCH_SLICE_S * random.uniform(0.75, 1.25)
    deadline = time.monotonic() + seconds
    pipelined = not transaction.get_connection().in_atomic_block
    in_flight: list[Future] = []
    sent = 0
    try:
        while sent < limit and time.monotonic() < deadline:
            claimed, retry_in = outbox_claim(batch=min(settings.ANTIBAN_DISPATCH_BATCH, limit - sent))
            if claimed:
                sent += len(claimed)
                if not pipelined:
                    outbox_send_many(row_ids=claimed)
                    continue
                in_flight.append(_senders().submit(_send_batch, claimed))
                in_flight = [f for f in in_flight if not f.done() or f.result()]
                if len(in_flight) >= settings.ANTIBAN_BATCHES_IN_FLIGHT:
                    wait(in_flight, return_when=FIRST_COMPLETED)
                continue
            if retry_in is None or retry_in > settings.ANTIBAN_DISPATCH_MAX_NAP_S:
                break
            time.sleep(max(retry_in, 0.001))
    finally:
        for future in in_flight:
            future.result()
    return sent


def _send_batch(row_ids: list[int]) -> None:
    try:
        outbox_send_many(row_ids=row_ids)
    finally:
        close_old_connections()


_sender_pools: dict[int, ThreadPoolExecutor] = {}


def _senders() -> ThreadPoolExecutor:
    pid = os.getpid()
    if pid not in _sender_pools:
        _sender_pools[pid] = ThreadPoolExecutor(
            max_workers=settings.ANTIBAN_BATCHES_IN_FLIGHT, thread_name_prefix="outbox-send"
        )
    return _sender_pools[pid]


def outbox_dispatch_now(*, row_id: int) -> OutboxMessage:
    """A consultant's send: try this row at once (same checks and limits); if it must wait, it stays queued."""
    claimed, _retry = outbox_claim(batch=1, only=[row_id])
    if claimed:
        return outbox_send_many(row_ids=claimed)[0]
    return OutboxMessage.objects.get(pk=row_id)


def outbox_for_message(*, message_id: int) -> OutboxMessage | None:
    """The outbox row that claimed a gateway message (its latest attempt or an earlier one)."""
    return (
        OutboxMessage.objects.filter(message_id=message_id).first()
        or OutboxMessage.objects.filter(decisions__contains=[{"message_id": message_id}]).first()
    )


def outbox_retry_now(*, row: OutboxMessage, actor_id: int | None = None) -> OutboxMessage:
    """A consultant's "retry": a FAILED row with a retryable error is queued again; a row already waiting for its
    backoff goes now. Rows that may have reached Meta (SENT, SENDING, UNKNOWN) are never retried."""
    if row.state == OutboxState.FAILED:
        row = outbox_requeue(row=row, actor_id=actor_id)
    elif row.state == OutboxState.QUEUED:
        OutboxMessage.objects.filter(pk=row.pk).update(not_before=timezone.now())
    else:
        raise ApplicationError(_("This message cannot be retried."))
    return outbox_dispatch_now(row_id=row.pk)


def outbox_requeue(*, row: OutboxMessage, actor_id: int | None = None) -> OutboxMessage:
    """Send a FAILED row again when its error says retrying makes sense (never a SENT or UNKNOWN one)."""
    if row.state != OutboxState.FAILED or not meta_error_info(row.error_code).retryable:
        raise ApplicationError(_("This message cannot be retried."))
    row.decisions = [
        *row.decisions,
        {"stage": "attempt", "message_id": row.message_id},
        _log("requeued", actor=actor_id),
    ]
    row.state, row.not_before, row.message_id = OutboxState.QUEUED, timezone.now(), None
    row.save()
    return row


def outbox_sweep() -> dict[str, int]:
    """Beat: rows stuck in SENDING may have lost their worker. A row whose gateway message is still locked by a
    sender's transaction is not lost, only slow (a live sender holds its messages from before its HTTP calls until
    their outcomes are saved; a dead one's locks died with its connection): it is left alone. A row whose message
    got its wamid (the worker died after the send was saved, before the row was) is SENT. Of the others, if
    Redis shows the HTTP call never started (no attempt marker, and Redis has been up since the claim so no marker
    was lost), the row goes back to the queue; else it becomes UNKNOWN and waits for Meta's status webhook — never
    a blind resend."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.ANTIBAN_SENDING_TIMEOUT_S)
    with transaction.atomic():
        # lock order (docs/locks.md): antiban.OutboxMessage, then whatsapp.Message (messages_lock_idle)
        stuck = list(
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(
                state=OutboxState.SENDING, updated_at__lt=cutoff
            )
        )
        if not stuck:
            return {"sent": 0, "unknown": 0, "requeued": 0, "expired": _unknown_expire(now)}
        idle = wa_services.messages_lock_idle(message_ids=[row.message_id for row in stuck if row.message_id])
        stuck = [row for row in stuck if not row.message_id or row.message_id in idle]
        sent = [row for row in stuck if idle.get(row.message_id)]
        stuck = [row for row in stuck if row not in sent]
        for row in sent:
            row.state, row.wamid, row.updated_at = OutboxState.SENT, idle[row.message_id], now
            row.decisions = [*row.decisions, _log("reconciled", wamid=row.wamid)]
        marked = limiter().attempts_marked([row.message_id for row in stuck if row.message_id])
        redis_since = now - timedelta(seconds=limiter().uptime_seconds())
        requeue = [row for row in stuck if row.message_id not in marked and row.updated_at > redis_since]
        unknown = [row for row in stuck if row not in requeue]
        wa_services.messages_abandon(
            message_ids=[row.message_id for row in requeue],
            reason=_("Not sent: the worker stopped before calling Meta; the outbox sends it again."),
        )
        for row in requeue:
            limiter().pair_release(f"{row.number_id}:{row.contact}")  # the person heard nothing
            limiter().backlog_release(f"number:{row.number_id}", f"o:{row.pk}")
            row.decisions = [*row.decisions, {"stage": "attempt", "message_id": row.message_id}, _log("requeued")]
            row.state, row.message_id, row.not_before, row.updated_at = OutboxState.QUEUED, None, now, now
        for row in unknown:
            row.state, row.updated_at = OutboxState.UNKNOWN, now
            row.last_reason = _("The worker stopped during the send: waiting for Meta's status.")
        rows_update(OutboxMessage, requeue, ["state", "message_id", "not_before", "decisions", "updated_at"])
        rows_update(OutboxMessage, unknown, ["state", "last_reason", "updated_at"])
        rows_update(OutboxMessage, sent, ["state", "wamid", "decisions", "updated_at"])
    return {"sent": len(sent), "unknown": len(unknown), "requeued": len(requeue), "expired": _unknown_expire(now)}


def _unknown_expire(now) -> int:
    """UNKNOWN rows Meta never reported on are failed (never sent again); ``outbox_reconcile`` still takes a late
    status for them."""
    cutoff = now - timedelta(seconds=settings.ANTIBAN_UNKNOWN_EXPIRY_S)
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(
                state=OutboxState.UNKNOWN, updated_at__lt=cutoff
            )
        )
        for row in rows:
            row.state, row.updated_at = OutboxState.FAILED, now
            row.last_reason = _("Meta never confirmed this send: it was not sent again.")
            row.decisions = [*row.decisions, _log("expired")]
        rows_update(OutboxMessage, rows, ["state", "last_reason", "decisions", "updated_at"])
    return len(rows)


def outbox_reconcile(*, status: dict) -> bool:
    """A status for a send whose answer we never saved: the opaque data names the outbox row."""
    opaque = str(status.get("biz_opaque_callback_data") or "")
    if not opaque.startswith("outbox:"):
        return False
    row = OutboxMessage.objects.filter(pk=int(opaque.split(":", 1)[1] or 0)).first()
    if row is None:
        return False
    wamid = str(status.get("id") or "")
    expired = row.state == OutboxState.FAILED and bool(row.decisions) and row.decisions[-1].get("stage") == "expired"
    if row.state in (OutboxState.SENDING, OutboxState.UNKNOWN) or expired:
        row.wamid = wamid
        row.state = OutboxState.FAILED if status.get("status") == "failed" else OutboxState.SENT
        row.decisions = [*row.decisions, _log("reconciled", wamid=wamid, status=status.get("status"))]
        row.save(update_fields=["wamid", "state", "decisions", "updated_at"])
        if row.message_id:
            wa_services.message_adopt_wamid(message_id=row.message_id, wamid=wamid)
    return True


def content_review(*, text: str, marketing: bool = True) -> list[dict]:
    """The content rules a text meets or fails, for drafts written before any send (AI campaign drafts): each with
    its name, whether it passed, why, and whether failing refuses the message or only warns."""
    priority = Priority.MARKETING if marketing else Priority.UTILITY
    return [
        {"name": check.name, "passed": check.passed, "reason": str(check.reason), "fatal": check.fatal}
        for check in content_checks(text, priority)
    ]
