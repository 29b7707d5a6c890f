"""Thin Celery tasks on the dedicated ``ai`` queue (see CELERY_TASK_ROUTES): ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from . import services, usage
from .errors import ProviderError


@shared_task(name="ai_middleware.extract_event", bind=True, max_retries=5, acks_late=True)
def extract_event_task(self, event_id: int) -> int | None:
    """Idempotent: an event already extracted is not extracted twice."""
    try:
        row = services.extraction_for_event(event_id=event_id)
    except ProviderError as exc:  # only an explicit provider raises; auto falls back to the local engine
        raise self.retry(exc=exc, countdown=exc.retry_after or 30) from exc
    return row.pk if row else None


@shared_task(name="ai_middleware.extract_backfill")
def extract_backfill_task(days: int = 30, batch: int = 200) -> int:
    """Batch mode: queue the extraction of every inbound message of the last ``days`` days not yet extracted."""
    event_ids = services.extraction_backfill(days=days)
    for start in range(0, len(event_ids), batch):
        extract_batch_task.delay(event_ids[start : start + batch])
    return len(event_ids)


@shared_task(name="ai_middleware.extract_batch", acks_late=True)
def extract_batch_task(event_ids: list[int]) -> int:
    done = 0
    for event_id in event_ids:
        done += services.extraction_for_event(event_id=event_id) is not None
    return done


@shared_task(name="ai_middleware.suggestions_write", acks_late=True)
def suggestions_write_task(suggestion_id: int) -> int:
    """Reply drafts for the lead page (it polls the row until they are there)."""
    return services.suggestions_write(suggestion_id=suggestion_id).pk


@shared_task(name="ai_middleware.budget_check")
def budget_check_task() -> bool:
    return usage.budget_alert_check()
