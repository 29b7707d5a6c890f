"""Subscriptions (connected in AssignmentConfig.ready): scored leads are routed, contacts stop the SLA clock,
closed leads free the consultant's slot."""

from __future__ import annotations

from django.conf import settings

from assignment import services, task_services
from common.tasks import task_send


def on_leads_scored(sender, *, lead_ids, trigger: str = "", **kwargs) -> None:
    services.sla_retime(lead_ids=list(lead_ids))
    task_services.tasks_from_recommendations(lead_ids=list(lead_ids))  # leads that have an owner already
    if settings.ASSIGNMENT_AUTO:
        task_send("assignment.assign_leads", list(lead_ids))


def on_lead_message_sent(sender, *, lead_id: int, **kwargs) -> None:
    services.first_contact_record(lead_id=lead_id)


def on_lead_stage_changed(sender, *, lead_id: int, stage: str, previous: str = "", **kwargs) -> None:
    if stage in services.CLOSED_STAGES:
        services.lead_closed(lead_id=lead_id)
        task_services.tasks_drop_for_closed_lead(lead_id=lead_id)
    elif stage != "new":
        services.first_contact_record(lead_id=lead_id)
