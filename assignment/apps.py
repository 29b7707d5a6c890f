"""Consultants, teams, availability, roulette, SLA."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentConfig(AppConfig):
    name = "assignment"
    verbose_name = _("Assignment")

    def ready(self) -> None:
        from leads import signals
        from qualification.signals import leads_scored

        from . import receivers

        leads_scored.connect(receivers.on_leads_scored, dispatch_uid="assignment.route")
        signals.lead_message_sent.connect(receivers.on_lead_message_sent, dispatch_uid="assignment.first_contact")
        signals.lead_stage_changed.connect(receivers.on_lead_stage_changed, dispatch_uid="assignment.stage")
