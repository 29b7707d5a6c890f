from __future__ import annotations

from celery import shared_task


@shared_task(name="whatsapp.webhook_events_drain", ignore_result=True)
def webhook_events_drain(now: str | None = None) -> int:
    """Process pending events (and failed ones whose retry is due) oldest first until none is left. Kicked by the
    receiver (at most once a second) and run by beat every minute, so a worker that was down catches up on its own.
    A status that beat our own save of its wamid stays pending and is tried again by the next drain. An event whose
    processing fails is parked with its reason (``webhook_event_process`` isolates it) and the drain goes on: it is
    tried again by a later drain, never twice in this one."""
    from django.utils.dateparse import parse_datetime

    from whatsapp.services import StatusNotYetMatched, webhook_event_process, webhook_events_pending

    at = parse_datetime(now) if now else None  # an injected clock (ISO 8601) for tests; beat passes none

    done = 0
    skipped: set[str] = set()
    while True:
        batch = [pk for pk in webhook_events_pending(limit=500 + len(skipped), now=at) if pk not in skipped]
        if not batch:
            return done
        for event_id in batch:
            try:
                event = webhook_event_process(event_id=event_id, now=at)
            except StatusNotYetMatched:
                event = None
            if event is None or event.status != "done":
                skipped.add(event_id)  # locked by another drain, waiting for its message, or failed (retried later)
            if event is not None and event.status != "pending":
                done += 1


@shared_task(name="whatsapp.message_dispatch", acks_late=True, ignore_result=True)
def message_dispatch_task(message_id: int) -> None:
    from whatsapp.services import message_dispatch

    message_dispatch(message_id=message_id)


@shared_task(name="whatsapp.media_fetch", bind=True, acks_late=True, max_retries=5, ignore_result=True)
def media_fetch_task(self, message_id: int) -> None:
    from whatsapp.errors import MetaApiError, MetaUnreachable
    from whatsapp.services import media_fetch

    try:
        media_fetch(message_id=message_id)
    except MetaApiError as exc:
        if exc.retryable or isinstance(exc, MetaUnreachable):  # a download may always be fetched again
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(name="whatsapp.templates_sync_all", ignore_result=True)
def templates_sync_all() -> int:
    from whatsapp.models import BusinessAccount
    from whatsapp.services import templates_sync

    return sum(templates_sync(account=a) for a in BusinessAccount.objects.filter(is_active=True))
