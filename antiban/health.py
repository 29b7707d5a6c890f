"""The adaptive and reactive layers for each business number: health score, warm-up ramp, circuit breaker
(closed → open → half-open probes → closed in restrictive mode → normal) and the reactions to Meta's signals."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antiban.limits import limiter
from antiban.models import Breaker, Incident, NumberMode, NumberState, Severity
from compliance.roles import Role, role_emails
from whatsapp import selectors as wa_selectors
from whatsapp.errors import meta_error_info

logger = logging.getLogger(__name__)

QUALITY_BASE = {"GREEN": 100, "UNKNOWN": 90, "": 90, "YELLOW": 60, "RED": 20}
PAUSE_CODES = {131048: timedelta(hours=6), 368: timedelta(hours=24)}  # spam rate limit, policy block
RESTRICT_CODES = {131049}  # Meta held messages back to keep the ecosystem healthy
BLOCK_CODES = {131049, 131050}  # people stopping us
SLOW_DOWN_SECONDS = 30  # after a 130429 the number sends at 80 % for this long


@dataclass(frozen=True)
class Effective:
    """What a number may do right now, derived from its state."""

    rate_per_s: float
    may_send: bool
    marketing: bool
    probing: bool
    daily_cap: int | None  # business-initiated sends per day while warming up
    why_not: str = ""


def number_state_get(number) -> NumberState:
    state, _created = NumberState.objects.get_or_create(number=number, defaults=_new_state_defaults(number))
    return state


def _new_state_defaults(number) -> dict:
    """A number registered recently starts its warm-up ramp (``ANTIBAN_WARMUP_NEW_NUMBERS``)."""
    if settings.ANTIBAN_WARMUP_NEW_NUMBERS and number.created_at > timezone.now() - timedelta(days=2):
        return {"warmup_day": 1, "warmup_started_on": timezone.localdate()}
    return {}


def number_states(numbers) -> dict[int, NumberState]:
    """The state of each number (created on first sight), with breakers whose pause ended moved to half-open."""
    numbers = list(numbers)
    existing = {
        s.number_id: s for s in NumberState.objects.filter(number__in=numbers).select_related("number__account")
    }
    missing = [n for n in numbers if n.pk not in existing]
    if missing:
        NumberState.objects.bulk_create(
            [NumberState(number=n, **_new_state_defaults(n)) for n in missing], ignore_conflicts=True
        )
        existing = {
            s.number_id: s for s in NumberState.objects.filter(number__in=numbers).select_related("number__account")
        }
    now = timezone.now()
    for state in existing.values():
        if state.breaker == Breaker.OPEN and state.paused_until and state.paused_until <= now:
            breaker_half_open(state)
    return existing


def effective(state: NumberState, now=None) -> Effective:
    """Rate, permission and caps from mode, breaker, health, warm-up and a recent 130429."""
    now = now or timezone.now()
    number = state.number
    if not number.is_active or number.status == "FLAGGED":
        return Effective(0, False, False, False, None, _("The number is inactive or flagged by Meta."))
    if state.breaker == Breaker.OPEN or state.mode == NumberMode.PAUSED:
        return Effective(0, False, False, False, None, _("The number is paused."))
    if state.paused_until and state.paused_until > now:
        return Effective(0, False, False, False, None, _("The number is resting."))
    rate = float(number.throughput_mps) * settings.ANTIBAN_RATE_HEADROOM
    if state.health < 60:
        rate *= 0.25
    elif state.health < 80:
        rate *= 0.5
    if state.mode == NumberMode.RESTRICTIVE:
        rate *= 0.5
    if limiter().flag(f"slow:{number.pk}", max_age=1.0):
        rate *= 0.8
    cap = None
    plan = settings.ANTIBAN_WARMUP_PLAN
    if state.warmup_day:
        cap = plan[min(state.warmup_day, len(plan)) - 1]
    marketing = (
        state.mode == NumberMode.NORMAL
        and state.breaker == Breaker.CLOSED
        and not (state.warmup_day and state.warmup_day <= settings.ANTIBAN_WARMUP_REPLIES_FIRST_DAYS)
    )
    probing = state.breaker == Breaker.HALF_OPEN
    if probing:
        rate = min(rate, 1.0 / settings.ANTIBAN_PROBE_INTERVAL_S)
    return Effective(max(rate, 0.1), True, marketing, probing, cap)


# --- circuit breaker ------------------------------------------------------------------------------------------------
def breaker_trip(*, state: NumberState, pause: timedelta, severity: str, reason: str, details: dict) -> Incident:
    """Open the breaker: the number stops; each consecutive trip doubles the pause (at most 7 days)."""
    state.breaker_trips = min(state.breaker_trips + 1, 10)
    pause = min(pause * (2 ** (state.breaker_trips - 1)), timedelta(days=7))
    state.breaker, state.mode = Breaker.OPEN, NumberMode.PAUSED
    state.paused_until, state.probes_ok = timezone.now() + pause, 0
    state.save()
    return incident_open(number_id=state.number_id, severity=severity, reason=reason, details=details)


def breaker_half_open(state: NumberState) -> None:
    """The pause is over: a few probes (replies and utility, spaced) test the water before traffic returns."""
    state.breaker, state.mode, state.probes_ok = Breaker.HALF_OPEN, NumberMode.RESTRICTIVE, 0
    state.paused_until = None
    state.save(update_fields=["breaker", "mode", "probes_ok", "paused_until", "updated_at"])
    limiter().flag_set(f"probing:{state.number_id}", seconds=7 * 86400)


def breaker_probe_result(*, state: NumberState, ok: bool, code: int | None = None) -> None:
    if state.breaker != Breaker.HALF_OPEN:
        return
    if not ok:
        breaker_trip(
            state=state,
            pause=PAUSE_CODES.get(code or 0, timedelta(hours=1)),
            severity=Severity.CRITICAL,
            reason=_("A probe after the pause failed (%(code)s): paused again for longer.") % {"code": code},
            details={"error_code": code},
        )
        return
    state.probes_ok += 1
    if state.probes_ok >= settings.ANTIBAN_PROBES:
        # closed again, but one recovery step at a time: restrictive (half speed, no marketing) for a while
        state.breaker, state.mode = Breaker.CLOSED, NumberMode.RESTRICTIVE
        state.restrictive_until = timezone.now() + timedelta(hours=settings.ANTIBAN_RECOVERY_HOURS)
        Incident.objects.filter(number_id=state.number_id, closed_at__isnull=True, severity=Severity.CRITICAL).update(
            closed_at=timezone.now()
        )
        limiter().flag_clear(f"probing:{state.number_id}")
    state.save()


# --- reactions ------------------------------------------------------------------------------------------------------
def number_react_to_message(*, message) -> None:
    """Outcomes from the gateway: slow down, restrict or pause the number, open incidents, count probes."""
    if message.direction != "out" or message.status not in ("sent", "failed"):
        return
    if message.status == "sent" and not limiter().flag(f"probing:{message.number_id}", max_age=1.0):
        return  # the common case: a success while no breaker is probing needs no database read
    state = NumberState.objects.filter(number_id=message.number_id).select_related("number").first()
    if state is None:
        return
    code = message.error_code if message.status == "failed" else None
    if state.breaker == Breaker.HALF_OPEN:
        breaker_probe_result(state=state, ok=code is None or code not in {*PAUSE_CODES, *RESTRICT_CODES}, code=code)
        return
    if code is None:
        return
    if code == 130429:
        limiter().flag_set(f"slow:{message.number_id}", seconds=SLOW_DOWN_SECONDS)
    elif code in PAUSE_CODES:
        breaker_trip(
            state=state,
            pause=PAUSE_CODES[code],
            severity=Severity.CRITICAL,
            reason=str(meta_error_info(code).explanation),
            details={"error_code": code, "message_id": message.pk},
        )
    elif code in RESTRICT_CODES and state.mode == NumberMode.NORMAL:
        state.mode = NumberMode.RESTRICTIVE
        state.restrictive_until = timezone.now() + timedelta(hours=settings.ANTIBAN_RECOVERY_HOURS)
        state.save()
        incident_open(
            number_id=message.number_id,
            severity=Severity.HIGH,
            reason=str(meta_error_info(code).explanation),
            details={"error_code": code},
        )


def number_react_to_quality(*, number, event: str, previous: str) -> None:
    state = number_state_get(number)
    reason = _("Quality went from %(old)s to %(new)s (%(event)s).") % {
        "old": previous or "-",
        "new": number.quality_rating,
        "event": event or "-",
    }
    if number.quality_rating == "RED" or event == "FLAGGED":
        state.health = min(state.health, 20)
        breaker_trip(state=state, pause=timedelta(hours=24), severity=Severity.CRITICAL, reason=reason, details={})
    elif number.quality_rating == "YELLOW" and state.mode == NumberMode.NORMAL:
        state.mode, state.health = NumberMode.RESTRICTIVE, min(state.health, 60)
        state.restrictive_until = timezone.now() + timedelta(hours=settings.ANTIBAN_RECOVERY_HOURS)
        state.save()
        incident_open(number_id=number.pk, severity=Severity.HIGH, reason=reason)


def incident_open(*, number_id: int, severity: str, reason: str, details: dict | None = None) -> Incident:
    incident = Incident.objects.create(number_id=number_id, severity=severity, reason=reason, details=details or {})
    transaction.on_commit(lambda: _notify_supervisors(incident.pk))
    return incident


def _notify_supervisors(incident_id: int) -> None:
    """E-mail supervisors (the dashboard lists the incident too). Never names a customer."""
    incident = Incident.objects.select_related("number").get(pk=incident_id)
    emails = role_emails(Role.SUPERVISOR)
    if not emails:
        return
    subject = _("WhatsApp number %(number)s: %(severity)s incident") % {
        "number": incident.number.display_number,
        "severity": incident.get_severity_display(),
    }
    try:
        send_mail(subject, incident.reason, None, emails)
    except Exception:
        logger.warning("incident %s: supervisors not e-mailed", incident_id)


# --- health score ---------------------------------------------------------------------------------------------------
def health_compute(*, number, state: NumberState, now=None) -> tuple[int, dict]:
    """0–100 from the quality rating, the last 24 h of outcomes (errors by code, blocks, read and reply ratios)
    and open incidents; every deduction is kept so the dashboard can explain the figure."""
    now = now or timezone.now()
    outcomes = wa_selectors.number_outcomes(number_id=number.pk, since=now - timedelta(hours=24))
    score = QUALITY_BASE.get(number.quality_rating, 90)
    details: dict = {"quality": number.quality_rating or "UNKNOWN", "base": score, "deductions": {}, **outcomes}
    total = outcomes["sent"] + outcomes["failed"]

    def deduct(name: str, points: int) -> None:
        nonlocal score
        if points > 0:
            details["deductions"][name] = points
            score -= points

    if total >= 20:
        deduct("error_rate", min(30, round(100 * outcomes["failed"] / total * 0.5)))
    errors = outcomes["errors"]
    deduct("blocks", min(25, 5 * sum(errors.get(str(c), 0) for c in BLOCK_CODES)))
    deduct("spam_signals", min(60, 30 * sum(errors.get(str(c), 0) for c in PAUSE_CODES)))
    delivered = outcomes["delivered"]
    if delivered >= 20 and outcomes["read"] / delivered < 0.3:
        deduct("low_read_ratio", 10)
    if outcomes["contacts"] >= 20 and outcomes["replies"] / outcomes["contacts"] < 0.05:
        deduct("low_reply_ratio", 10)
    open_incidents = list(
        Incident.objects.filter(number=number, closed_at__isnull=True).values_list("severity", flat=True)
    )
    deduct("incidents", sum(25 if s == Severity.CRITICAL else 10 if s == Severity.HIGH else 3 for s in open_incidents))
    return max(0, min(100, score)), details


def numbers_health_refresh() -> dict[int, int]:
    """Beat, every minute: recompute each number's health; rest a sick number, step recovered ones back up."""
    now = timezone.now()
    result = {}
    for state in number_states(wa_selectors.numbers_usable()).values():
        health, details = health_compute(number=state.number, state=state, now=now)
        state.health, state.health_details = health, details
        if health < settings.ANTIBAN_REST_BELOW and state.breaker == Breaker.CLOSED and not state.paused_until:
            state.paused_until = now + timedelta(minutes=settings.ANTIBAN_REST_MINUTES)  # a rest, not a trip
            state.health_details["resting"] = True
        elif state.paused_until and state.paused_until <= now and state.breaker == Breaker.CLOSED:
            state.paused_until = None
        if (
            state.mode == NumberMode.RESTRICTIVE
            and state.breaker == Breaker.CLOSED
            and (state.restrictive_until is None or state.restrictive_until <= now)
            and health >= 80
            and state.number.quality_rating not in ("YELLOW", "RED")
        ):
            state.mode, state.restrictive_until, state.breaker_trips = NumberMode.NORMAL, None, 0
        state.save()
        result[state.number_id] = health
    return result


# --- warm-up --------------------------------------------------------------------------------------------------------
def warmup_start(*, number) -> NumberState:
    state = number_state_get(number)
    state.warmup_day, state.warmup_started_on, state.warmup_note = 1, timezone.localdate(), ""
    state.save()
    return state


def warmup_advance(*, state: NumberState, now=None) -> NumberState:
    """Once a day: one step up the ramp while health holds; halt when it wobbles; one step back when it fails."""
    now = now or timezone.now()
    if not state.warmup_day:
        return state
    recent = Incident.objects.filter(number_id=state.number_id, opened_at__gte=now - timedelta(hours=24)).exists()
    if state.health >= settings.ANTIBAN_WARMUP_MIN_HEALTH and not recent and state.breaker == Breaker.CLOSED:
        state.warmup_day += 1
        state.warmup_note = ""
        if state.warmup_day > len(settings.ANTIBAN_WARMUP_PLAN):
            state.warmup_day, state.warmup_note = 0, _("Warm-up finished.")
    elif state.health < settings.ANTIBAN_REST_BELOW or state.breaker != Breaker.CLOSED:
        state.warmup_day = max(1, state.warmup_day - 1)
        state.warmup_note = _("Stepped back: health %(health)s or the number was paused.") % {"health": state.health}
    else:
        state.warmup_note = _("Halted: health %(health)s or an incident in the last 24 h.") % {"health": state.health}
    state.save()
    return state


def warmup_advance_all() -> int:
    states = NumberState.objects.filter(warmup_day__gt=0).select_related("number")
    return sum(1 for state in states if warmup_advance(state=state).warmup_day)
