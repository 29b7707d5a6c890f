from __future__ import annotations

from celery import shared_task
from django.utils.dateparse import parse_datetime

from whatsapp.errors import MetaApiError, MetaUnreachable
from whatsapp.services import media_fetch, message_dispatch, templates_sync_all, webhook_events_drain


@shared_task(name="whatsapp.webhook_events_drain", ignore_result=True)
def webhook_events_drain_task(now: str | None = None) -> int:
    """Kicked by the receiver (at most once a second) and run by beat every minute (``webhook_events_drain``)."""
    return webhook_events_drain(now=parse_datetime(now) if now else None)  # an injected clock (ISO 8601) for tests


@shared_task(name="whatsapp.message_dispatch", acks_late=True, ignore_result=True)
def message_dispatch_task(message_id: int) -> None:
    message_dispatch(message_id=message_id)


@shared_task(name="whatsapp.media_fetch", bind=True, acks_late=True, max_retries=5, ignore_result=True)
def media_fetch_task(self, message_id: int) -> None:
    try:
        media_fetch(message_id=message_id)
    except MetaApiError as exc:
        if exc.retryable or isinstance(exc, MetaUnreachable):  # a download may always be fetched again
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(name="whatsapp.templates_sync_all", ignore_result=True)
def templates_sync_all_task() -> int:
    return templates_sync_all()
