"""Subscriptions to the signals of the apps below (connected in QualificationConfig.ready): every relevant event
re-scores the lead — in batches: the ids wait in a Redis set per trigger and one ``qualification.score_pending``
task scores thousands at a time (an AI backfill or an import used to queue one task per lead).

A new lead is scored once its first facts are known (issue #22): a lead created by an inbound message whose AI
reading is on its way is not scored on ``leads_created`` nor on the message, but when ``extraction_recorded``
arrives — or, if it never does, by ``score_pending`` after QUALIFICATION_READING_WAIT_S. The roulette routes it on
that score (``leads_scored``). Leads created with their facts (imports, API, forms) are scored at creation."""

from __future__ import annotations

import logging

from ai_middleware import selectors as ai_selectors
from common.tasks import task_send
from qualification import selectors
from qualification.models import Trigger
from qualification.tasks import score_pending_add, scoring_wait_end, scoring_wait_for_reading

logger = logging.getLogger(__name__)


def _rescore(lead_ids, trigger: str) -> None:
    ids = [int(i) for i in lead_ids if i]
    if not ids:
        return
    try:
        score_pending_add(lead_ids=ids, trigger=trigger)
    except Exception:  # Redis unreachable: score these leads with a task of their own, as before
        logger.warning("scoring: batch queue unavailable, one task for %d leads", len(ids))
        task_send("qualification.score_leads", ids, trigger)


def on_leads_created(sender, *, lead_ids, **kwargs) -> None:
    ids = [int(i) for i in lead_ids if i]
    reading = ai_selectors.lead_ids_reading_pending(lead_ids=ids)
    if reading:
        try:
            scoring_wait_for_reading(lead_ids=sorted(reading))
        except Exception:  # Redis unreachable: no wait, scored now (and again when the reading lands)
            logger.warning(
                "scoring: waiting set unavailable, %d new leads scored before their AI reading", len(reading)
            )
            reading = set()
    _rescore([i for i in ids if i not in reading], Trigger.CREATED)


def on_lead_message(sender, *, lead_id: int, **kwargs) -> None:
    if selectors.lead_ids_waiting_for_reading(lead_ids=[lead_id]):
        return  # a new lead whose first score waits for the reading of its first message
    _rescore([lead_id], Trigger.MESSAGE)


def on_lead_stage_changed(sender, *, lead_id: int, **kwargs) -> None:
    _rescore([lead_id], Trigger.STAGE)


def on_extraction_recorded(sender, *, lead_id: int | None, **kwargs) -> None:
    if lead_id:
        try:
            scoring_wait_end(lead_id=lead_id)
        except Exception:  # Redis unreachable: the fallback finds it scored and drops it
            logger.warning("scoring: waiting set unavailable for lead %s", lead_id)
    _rescore([lead_id], Trigger.EXTRACTION)
