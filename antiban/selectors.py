"""Reads of the anti-ban layer: the number health dashboard, its alerts, bulk sends awaiting a decision, and the
metrics the API exposes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from antiban.health import effective, number_states
from antiban.limits import limiter
from antiban.models import BulkSend, BulkStatus, Incident, OutboxMessage, OutboxState
from antiban.services import TIER_LIMITS
from whatsapp import selectors as wa_selectors


def numbers_health() -> list[dict]:
    """Per number: mode, breaker, health and why, warm-up stage and today's cap, the rate it may send at now,
    messages in the last minute, people reached in 24 h against the tier, errors by code and open incidents."""
    now = timezone.now()
    states = number_states(wa_selectors.numbers_usable())
    last_minute = wa_selectors.numbers_sent_since(since=now - timedelta(minutes=1))
    incidents = dict(
        Incident.objects.filter(closed_at__isnull=True)
        .values_list("number_id")
        .annotate(n=Count("pk"))
        .values_list("number_id", "n")
    )
    rows = []
    for state in sorted(states.values(), key=lambda s: s.number.display_number):
        number, allowed = state.number, effective(state, now)
        plan = settings.ANTIBAN_WARMUP_PLAN
        rows.append(
            {
                "number_id": number.pk,
                "display_number": number.display_number,
                "verified_name": number.verified_name,
                "quality": number.quality_rating or "UNKNOWN",
                "quality_label": number.get_quality_rating_display(),
                "messaging_limit": number.messaging_limit,
                "mode": state.mode,
                "mode_label": state.get_mode_display(),
                "breaker": state.breaker,
                "breaker_label": state.get_breaker_display(),
                "paused_until": state.paused_until,
                "health": state.health,
                "health_deductions": state.health_details.get("deductions", {}),
                "errors_24h": state.health_details.get("errors", {}),
                "warmup_day": state.warmup_day,
                "warmup_days": len(plan),
                "warmup_cap": allowed.daily_cap,
                "warmup_note": state.warmup_note,
                "may_send": allowed.may_send,
                "why_not": allowed.why_not,
                "rate_per_s": round(allowed.rate_per_s, 1) if allowed.may_send else 0,
                "configured_rate": number.throughput_mps,
                "sent_last_minute": last_minute.get(number.pk, 0),
                "people_24h": limiter().window_size(f"portfolio:{number.account_id}", window_seconds=86400),
                "tier": TIER_LIMITS.get(number.messaging_limit),
                "open_incidents": incidents.get(number.pk, 0),
            }
        )
    return rows


def incidents_recent(*, limit: int = 20):
    return Incident.objects.select_related("number").order_by("closed_at", "-opened_at")[:limit]


def bulk_sends_pending():
    return BulkSend.objects.filter(status=BulkStatus.PENDING).order_by("created_at")


def bulk_sends_recent(*, limit: int = 10):
    return BulkSend.objects.exclude(status=BulkStatus.PENDING).order_by("-created_at")[:limit]


def outbox_counts() -> dict[str, int]:
    counts = dict(OutboxMessage.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return {state: counts.get(state, 0) for state in OutboxState.values}


def outbox_lead_for_message(*, contact: str, message_id: int) -> tuple[int, int | None, int] | None:
    """(lead id, who sent it, outbox row id) of an outbound gateway message (bulk sends, campaigns, replies), if the
    outbox knows the lead. Served by the (contact, created) index."""
    return (
        OutboxMessage.objects.filter(contact=contact, message_id=message_id, lead_id__isnull=False)
        .values_list("lead_id", "created_by_id", "pk")
        .first()
    )
