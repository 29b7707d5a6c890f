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


@shared_task(name="leads.import_run", bind=True, acks_late=True, max_retries=3, ignore_result=True)
def import_run(self, job_id: int) -> None:
    """Run or resume an import. Safe to redeliver: chunks already committed are skipped (rows_done)."""
    from common.errors import ApplicationError
    from leads.ingest.pipeline import import_job_run

    try:
        import_job_run(job_id=job_id)
    except ApplicationError:
        return  # the job records the reason; retrying cannot fix a bad file
