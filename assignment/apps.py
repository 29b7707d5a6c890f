"""Consultants, teams, availability, roulette, SLA."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentConfig(AppConfig):
    name = "assignment"
    verbose_name = _("Assignment")

    def ready(self) -> None:
        from compliance.teams import team_directory_register
        from leads import signals
        from qualification.signals import leads_scored

        from . import receivers, selectors

        team_directory_register(selectors)  # the lower layers' visibility rule reads teams through this

        leads_scored.connect(receivers.on_leads_scored, dispatch_uid="assignment.route")

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from assignment.models import Team
        from leads.receivers import lead_list_choices_changed

        # a team or its members changed: the lead list's cached owner choices are stale
        post_save.connect(lead_list_choices_changed, sender=Team, dispatch_uid="assignment.choices.save.team")
        post_delete.connect(lead_list_choices_changed, sender=Team, dispatch_uid="assignment.choices.delete.team")
        m2m_changed.connect(
            lead_list_choices_changed, sender=Team.members.through, dispatch_uid="assignment.choices.m2m.members"
        )
        signals.lead_message_sent.connect(receivers.on_lead_message_sent, dispatch_uid="assignment.first_contact")
        signals.lead_stage_changed.connect(receivers.on_lead_stage_changed, dispatch_uid="assignment.stage")
