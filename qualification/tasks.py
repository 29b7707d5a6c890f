from __future__ import annotations

import logging

from celery import shared_task

from qualification import services
from qualification.models import Trigger

logger = logging.getLogger(__name__)


@shared_task(name="qualification.score_leads", acks_late=True)
def score_leads(lead_ids: list[int], trigger: str = Trigger.MANUAL) -> dict:
    run = services.leads_score(lead_ids=lead_ids, trigger=trigger)
    return {"scored": run.scored, "changed_class": len(run.changed_class)}


@shared_task(name="qualification.rescore_open", acks_late=True)
def rescore_open(trigger: str = Trigger.DECAY) -> dict:
    """Beat: time decay (an hour's worth of staleness changes scores and classes); also after a new config."""
    run = services.leads_score_open(trigger=trigger)
    logger.info("rescored %d open leads (%d changed class)", run.scored, len(run.changed_class))
    return {"scored": run.scored, "changed_class": len(run.changed_class)}
