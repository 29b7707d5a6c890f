"""Subscriptions to the signals of the apps below (connected in QualificationConfig.ready): every relevant event
re-scores the lead — in batches: the ids wait in a Redis set per trigger and one ``qualification.score_pending``
task scores thousands at a time (an AI backfill or an import used to queue one task per lead)."""

from __future__ import annotations

import logging

from common.tasks import task_send
from qualification.models import Trigger
from qualification.tasks import score_pending_add

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
    _rescore(lead_ids, Trigger.CREATED)


def on_lead_message(sender, *, lead_id: int, **kwargs) -> None:
    _rescore([lead_id], Trigger.MESSAGE)


def on_lead_stage_changed(sender, *, lead_id: int, **kwargs) -> None:
    _rescore([lead_id], Trigger.STAGE)


def on_extraction_recorded(sender, *, lead_id: int | None, **kwargs) -> None:
    _rescore([lead_id], Trigger.EXTRACTION)
