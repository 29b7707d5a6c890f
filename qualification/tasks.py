from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django_redis import get_redis_connection

from qualification import services
from qualification.models import Trigger

logger = logging.getLogger(__name__)


@shared_task(name="qualification.score_leads", acks_late=True)
def score_leads_task(lead_ids: list[int], trigger: str = Trigger.MANUAL) -> dict:
    run = services.leads_score(lead_ids=lead_ids, trigger=trigger)
    return {"scored": run.scored, "changed_class": len(run.changed_class)}


PENDING_KEY = "fluxo:scoring:pending:"  # + trigger: a Redis set of lead ids waiting to be scored
KICK_KEY = "fluxo:scoring:kick"  # set while a score_pending task is on its way
BATCH = 2000


def _redis():
    return get_redis_connection("default")


def score_pending_add(*, lead_ids: list[int], trigger: str) -> None:
    """Queue leads for the next batch: into the trigger's set first, then at most one ``score_pending_task`` on its way
    (the kick key); that task empties every set, so ids added meanwhile ride along."""
    _redis().sadd(PENDING_KEY + trigger, *lead_ids)
    if cache.add(KICK_KEY, 1, timeout=30):  # expires: a lost kick only delays until the next event or beat
        score_pending_task.apply_async(countdown=1)


@shared_task(name="qualification.score_pending", acks_late=True)
def score_pending_task() -> int:
    """Score every waiting lead, ``BATCH`` at a time per trigger; beat runs it every minute as a safety net. An id
    popped by a worker that then dies is scored again by the next event on that lead or the hourly decay."""
    client = _redis()
    scored = 0
    for trigger in Trigger.values:
        while ids := client.spop(PENDING_KEY + trigger, BATCH):
            scored += services.leads_score(lead_ids=sorted(int(i) for i in ids), trigger=trigger).scored
    cache.delete(KICK_KEY)
    # An id added between the last pop and the delete found the kick key still set: kick for it now.
    if any(client.scard(PENDING_KEY + t) for t in Trigger.values) and cache.add(KICK_KEY, 1, timeout=30):
        score_pending_task.apply_async(countdown=1)
    return scored


@shared_task(name="qualification.rescore_open", acks_late=True)
def rescore_open_task(trigger: str = Trigger.DECAY) -> dict:
    """Beat: time decay (an hour's worth of staleness changes scores and classes); also after a new config."""
    run = services.leads_score_open(trigger=trigger)
    logger.info("rescored %d open leads (%d changed class)", run.scored, len(run.changed_class))
    return {"scored": run.scored, "changed_class": len(run.changed_class)}
