from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from leads.selectors import STALE_CACHE_KEY, stale_leads_count


@shared_task(name="leads.stale_leads_count_refresh", ignore_result=True)
def stale_leads_count_refresh() -> int:
    """Leads still NEW after FLUXO_STALE_LEAD_DAYS, cached for the supervisor home (beat: every 15 min)."""
    count = stale_leads_count(days=settings.FLUXO_STALE_LEAD_DAYS)
    cache.set(STALE_CACHE_KEY, count, timeout=None)
    return count


@shared_task(name="leads.lead_counts_compact", ignore_result=True)
def lead_counts_compact_task() -> int:
    """Fold the lead counts' delta rows (``leads.selectors.lead_counts_compact``)."""
    from leads.selectors import lead_counts_compact

    return lead_counts_compact()


@shared_task(name="leads.import_run", bind=True, acks_late=True, max_retries=3, ignore_result=True)
def import_run(self, job_id: int) -> None:
    """Run or resume an import. Safe to redeliver: chunks already committed are skipped (rows_done)."""
    from common.errors import ApplicationError
    from leads.ingest.pipeline import import_job_run

    try:
        import_job_run(job_id=job_id)
    except ApplicationError:
        return  # the job records the reason; retrying cannot fix a bad file


@shared_task(
    name="leads.facebook_lead_fetch",
    bind=True,
    acks_late=True,
    max_retries=10,
    ignore_result=True,
)
def facebook_lead_fetch_task(self, delivery_id: int) -> None:
    """Fetch and ingest one lead-ads delivery; Graph outages and throttling retry with growing backoff
    (1 min … ~8 h). A delivery still pending after that is picked up again by the beat sweep."""
    from leads.errors import LeadAdsTransientError
    from leads.ingest.facebook import facebook_lead_fetch

    try:
        facebook_lead_fetch(delivery_id=delivery_id)
    except LeadAdsTransientError as exc:
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 8 * 3600)) from exc


@shared_task(name="leads.facebook_leads_sweep", ignore_result=True)
def facebook_leads_sweep() -> int:
    """Re-queue lead-ads deliveries pending for more than 15 minutes (a lost message, a worker restart)."""
    from leads.selectors import ad_lead_deliveries_stale

    stale = list(ad_lead_deliveries_stale(minutes=15).values_list("pk", flat=True)[:500])
    for pk in stale:
        facebook_lead_fetch_task.delay(pk)
    return len(stale)
