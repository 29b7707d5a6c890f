from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from qualification import services
from qualification.models import LeadScore, Trigger
from qualification.selectors import WAITING_KEY

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


def scoring_wait_for_reading(*, lead_ids: list[int]) -> None:
    """New leads whose AI reading is on its way: their first score waits for ``extraction_recorded`` (one score,
    with the facts the AI read) instead of scoring now and again when the reading lands. The wait is bounded:
    ``score_pending_task`` (beat, every minute) scores a lead still waiting after QUALIFICATION_READING_WAIT_S (the
    extraction failed, the ai queue is down, or the message was never handed to the AI: an opt-out)."""
    _redis().zadd(WAITING_KEY, {str(i): time.time() for i in lead_ids}, nx=True)


def scoring_wait_end(*, lead_id: int) -> bool:
    """The lead's reading arrived: it waits no more. True when it was waiting."""
    return bool(_redis().zrem(WAITING_KEY, str(lead_id)))


def _waiting_release(client) -> None:
    """Leads that waited too long for their reading go into the "created" batch and are scored now; one a worker
    claimed (``zrem``) is not claimed by another. Those scored meanwhile (a page asked for the score) are dropped."""
    ceiling = time.time() - settings.QUALIFICATION_READING_WAIT_S
    expired = client.zrangebyscore(WAITING_KEY, "-inf", ceiling)
    if not expired:
        return
    pipe = client.pipeline()
    for member in expired:
        pipe.zrem(WAITING_KEY, member)
    claimed = [int(member) for member, removed in zip(expired, pipe.execute(), strict=True) if removed]
    unscored = set(claimed) - set(LeadScore.objects.filter(lead_id__in=claimed).values_list("lead_id", flat=True))
    if unscored:
        logger.info("scoring: %d leads waited too long for their AI reading, scored without it", len(unscored))
        client.sadd(PENDING_KEY + Trigger.CREATED, *unscored)


@shared_task(name="qualification.score_pending", acks_late=True)
def score_pending_task() -> int:
    """Score every waiting lead, ``BATCH`` at a time per trigger; beat runs it every minute as a safety net. An id
    popped by a worker that then dies is scored again by the next event on that lead or the hourly decay. New leads
    that waited too long for their AI reading (``scoring_wait_for_reading``) join the "created" batch first."""
    client = _redis()
    _waiting_release(client)
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
