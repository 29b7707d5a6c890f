from __future__ import annotations

from celery import shared_task

from assignment import services, task_services


@shared_task(name="assignment.assign_leads", acks_late=True)
def assign_leads_task(lead_ids: list[int]) -> dict:
    return services.leads_assign(lead_ids=lead_ids)


@shared_task(name="assignment.unassigned_sweep")
def unassigned_sweep_task() -> dict:
    """Beat: leads nobody could take when they arrived (everyone full, off hours) get another spin, hot first."""
    return services.unassigned_sweep()


@shared_task(name="assignment.sla_watch")
def sla_watch_task() -> dict:
    return services.sla_watch()


@shared_task(name="assignment.counters_reconcile")
def counters_reconcile_task() -> int:
    return services.counters_reconcile()


@shared_task(name="assignment.tasks_remind_due")
def tasks_remind_due_task() -> int:
    """Beat: a notification for each task coming due."""
    return task_services.tasks_remind_due()


@shared_task(name="assignment.owner_move_rebalance", acks_late=True)
def owner_move_rebalance_task(move_id: int) -> dict:
    """A supervisor's rebalance (a departing consultant's leads to the others), out of the web request; resumable."""
    return services.consultant_rebalance(move_id=move_id)


@shared_task(name="assignment.owner_move_undo", acks_late=True)
def owner_move_undo_task(move_id: int) -> dict:
    """The undo of a bulk assignment or a rebalance, out of the web request; a redelivery finds it done."""
    return services.owner_move_undo(move_id=move_id)
