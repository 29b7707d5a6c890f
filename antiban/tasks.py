from __future__ import annotations

from celery import shared_task


@shared_task(name="antiban.outbox_dispatch", acks_late=True, ignore_result=True)
def outbox_dispatch_task() -> int:
    """Drain what may go now; rows that must wait keep their ``not_before`` and the sweeper comes back for them."""
    from antiban.services import outbox_dispatch_due

    return outbox_dispatch_due()


@shared_task(name="antiban.outbox_sweep", ignore_result=True)
def outbox_sweep_task() -> int:
    """Beat, every 10 s: mark rows whose worker died as UNKNOWN, then dispatch anything due."""
    from antiban.services import outbox_dispatch_due, outbox_sweep

    outbox_sweep()
    return outbox_dispatch_due()
