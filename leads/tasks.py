from __future__ import annotations

from celery import shared_task

from common.errors import ApplicationError
from leads.errors import LeadAdsTransientError
from leads.ingest.facebook import facebook_deliveries_requeue_stale, facebook_lead_fetch
from leads.ingest.pipeline import import_job_run
from leads.selectors import lead_counts_compact


@shared_task(name="leads.lead_counts_compact", ignore_result=True)
def lead_counts_compact_task() -> int:
    """Fold the lead counts' delta rows (``leads.selectors.lead_counts_compact``)."""
    return lead_counts_compact()


@shared_task(name="leads.import_run", bind=True, acks_late=True, max_retries=3, ignore_result=True)
def import_run_task(self, job_id: int) -> None:
    """Run or resume an import. Safe to redeliver: chunks already committed are skipped (rows_done)."""
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
    try:
        facebook_lead_fetch(delivery_id=delivery_id)
    except LeadAdsTransientError as exc:
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 8 * 3600)) from exc


@shared_task(name="leads.facebook_leads_sweep", ignore_result=True)
def facebook_leads_sweep_task() -> int:
    """Beat: deliveries a lost message or a restart left pending (``facebook_deliveries_requeue_stale``)."""
    return facebook_deliveries_requeue_stale()
