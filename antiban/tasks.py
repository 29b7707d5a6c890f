from __future__ import annotations

from celery import shared_task

from antiban.health import numbers_health_refresh, warmup_advance_all
from antiban.services import outbox_dispatch_due, outbox_due_count, outbox_kick, outbox_sweep


@shared_task(name="antiban.outbox_dispatch", acks_late=True, ignore_result=True)
def outbox_dispatch_task() -> int:
    """Drain what may go now for a slice of time; rows that must wait keep their ``not_before`` and the sweeper
    comes back for them. A slice that ended with work left hands over to a fresh task."""
    sent = outbox_dispatch_due()
    if sent and outbox_due_count():
        outbox_dispatch_task.delay()
    return sent


@shared_task(name="antiban.outbox_sweep", ignore_result=True)
def outbox_sweep_task() -> dict:
    """Beat, every 10 s: rows whose worker died become UNKNOWN; due rows get dispatchers (after a broker restart
    lost the queued tasks, this is what brings the outbox back)."""
    result = outbox_sweep()
    if outbox_due_count():
        outbox_kick()
    return result


@shared_task(name="antiban.numbers_health_refresh", ignore_result=True)
def numbers_health_refresh_task() -> dict:
    return numbers_health_refresh()


@shared_task(name="antiban.warmup_advance", ignore_result=True)
def warmup_advance_task() -> int:
    return warmup_advance_all()
