"""A score's explanation sums to the score and names the factors both ways."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import EventChannel, EventKind, LeadEvent, SourceKind
from qualification import selectors, services
from qualification.models import LeadScore
from tests.factories import LeadFactory, LeadSourceFactory

pytestmark = pytest.mark.django_db

HOT_AI = {
    "intent": "schedule_meeting",
    "urgency": "high",
    "buying_stage": "decision",
    "objections": [],
    "sentiment": "positive",
}


def _messages(lead, n_in: int, *, out: int = 1, ago_days: float = 0.1):
    now = timezone.now()
    events = [
        LeadEvent(
            lead=lead,
            kind=EventKind.MESSAGE_OUT,
            channel=EventChannel.WHATSAPP,
            occurred_at=now - timedelta(days=ago_days + 1),
            payload={"text": "Olá"},
        )
        for _ in range(out)
    ]
    events += [
        LeadEvent(
            lead=lead,
            kind=EventKind.MESSAGE_IN,
            channel=EventChannel.WHATSAPP,
            occurred_at=now - timedelta(days=ago_days),
            payload={"text": "oi"},
        )
        for _ in range(n_in)
    ]
    LeadEvent.objects.bulk_create(events)


def _lead(ai=None, budget=None, kind=SourceKind.WEB_FORM, **fields):
    source = LeadSourceFactory(kind=kind)
    return LeadFactory(
        source=source,
        attributes={"ai": ai} if ai else {},
        budget_max=Decimal(budget) if budget else None,
        **fields,
    )


def _score(lead, **kwargs) -> LeadScore:
    services.leads_score(lead_ids=[lead.pk], **kwargs)
    return LeadScore.objects.get(lead=lead)


def test_explanation_sums_to_the_score_and_names_factors_both_ways():
    lead = _lead(ai={**HOT_AI, "objections": ["price", "financing"]}, budget=900_000, kind=SourceKind.REFERRAL)
    _messages(lead, 4)
    score = _score(lead)
    said = selectors.explanation(score)
    assert sum(d["points"] for d in said["dimensions"]) == pytest.approx(score.score, abs=0.05)
    assert len(said["dimensions"]) == 6
    up_keys = {f["key"] for f in said["up"]}
    assert "intent" in up_keys and len(up_keys) == 3
    assert "objections" in {f["key"] for f in said["down"]}
    assert all(f["points"] > 0 for f in said["up"]) and all(f["points"] < 0 for f in said["down"])
    assert all(": " in f["text"] for f in said["up"] + said["down"])  # "label: value" in words
    assert 0 < score.confidence <= 1
