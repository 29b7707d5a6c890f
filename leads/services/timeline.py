"""The single writer of timeline events. Other apps record interactions through ``timeline_event_record``."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from leads.models import EventChannel, EventKind, Lead, LeadEvent


def timeline_event_record(
    *,
    lead: Lead,
    kind: EventKind,
    channel: EventChannel = EventChannel.SYSTEM,
    actor=None,
    payload: dict | None = None,
    occurred_at: datetime | None = None,
) -> LeadEvent:
    """Append one event. Events are never edited: a correction is a new event of kind CORRECTION."""
    return LeadEvent.objects.create(
        lead=lead,
        kind=kind,
        channel=channel,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        payload=payload or {},
        occurred_at=occurred_at or timezone.now(),
    )


def lead_task_event_record(*, lead_id: int, actor, action: str, text: str, task_id: int) -> LeadEvent | None:
    """A follow-up created, snoozed or done by a person, on the lead's timeline ("Tarefa criada: Ligar de volta ·
    para 08/12 10:30"): the timeline said nothing of them (user test). ``text`` is said by the tasks' owner app."""
    lead = Lead.objects.filter(pk=lead_id).only("pk").first()
    if lead is None:
        return None
    return timeline_event_record(
        lead=lead,
        kind=EventKind.TASK,
        channel=EventChannel.WEB,
        actor=actor,
        payload={"text": text, "task": task_id, "action": action},
    )
