"""Subscriptions to the signals of the apps below (connected in QualificationConfig.ready): every relevant event
re-scores the lead on the ``scoring`` path of the default queue."""

from __future__ import annotations

from qualification.models import Trigger


def _rescore(lead_ids, trigger: str) -> None:
    from qualification.tasks import score_leads

    ids = [int(i) for i in lead_ids if i]
    if ids:
        score_leads.delay(ids, trigger)


def on_leads_created(sender, *, lead_ids, **kwargs) -> None:
    _rescore(lead_ids, Trigger.CREATED)


def on_lead_message(sender, *, lead_id: int, **kwargs) -> None:
    _rescore([lead_id], Trigger.MESSAGE)


def on_lead_stage_changed(sender, *, lead_id: int, **kwargs) -> None:
    _rescore([lead_id], Trigger.STAGE)


def on_extraction_recorded(sender, *, lead_id: int | None, **kwargs) -> None:
    _rescore([lead_id], Trigger.EXTRACTION)
