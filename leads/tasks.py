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
