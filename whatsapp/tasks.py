from __future__ import annotations

from celery import shared_task


@shared_task(name="whatsapp.webhook_event_process", bind=True, acks_late=True, max_retries=20, ignore_result=True)
def webhook_event_process_task(self, event_id: int) -> None:
    """Apply one stored webhook event. A status that beat our own save of its wamid is retried shortly."""
    from whatsapp.services import StatusNotYetMatched, webhook_event_process

    try:
        webhook_event_process(event_id=event_id)
    except StatusNotYetMatched as exc:
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from exc


@shared_task(name="whatsapp.webhook_events_drain", ignore_result=True)
def webhook_events_drain() -> int:
    """Beat, every minute: process whatever is still pending (a worker that was down, a lost queue message)."""
    from whatsapp.services import StatusNotYetMatched, webhook_event_process, webhook_events_pending

    done = 0
    for event_id in webhook_events_pending(limit=5000):
        try:
            webhook_event_process(event_id=event_id)
            done += 1
        except StatusNotYetMatched:
            continue
    return done


@shared_task(name="whatsapp.message_dispatch", acks_late=True, ignore_result=True)
def message_dispatch_task(message_id: int) -> None:
    from whatsapp.services import message_dispatch

    message_dispatch(message_id=message_id)


@shared_task(name="whatsapp.media_fetch", bind=True, acks_late=True, max_retries=5, ignore_result=True)
def media_fetch_task(self, message_id: int) -> None:
    from whatsapp.errors import MetaApiError
    from whatsapp.services import media_fetch

    try:
        media_fetch(message_id=message_id)
    except MetaApiError as exc:
        if exc.retryable:
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(name="whatsapp.templates_sync_all", ignore_result=True)
def templates_sync_all() -> int:
    from whatsapp.models import BusinessAccount
    from whatsapp.services import templates_sync

    return sum(templates_sync(account=a) for a in BusinessAccount.objects.filter(is_active=True))
