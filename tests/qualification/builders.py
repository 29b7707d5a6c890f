"""Leads, messages and scores the qualification tests build (shared by the test modules of each part)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from leads.models import EventChannel, EventKind, LeadEvent, SourceKind
from qualification import services
from qualification.models import LeadScore
from tests.factories import LeadFactory, LeadSourceFactory

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
