"""Providers, prompts, context, validation, usage ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AiMiddlewareConfig(AppConfig):
    name = "ai_middleware"
    verbose_name = _("AI middleware")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from leads import signals

        from . import receivers

        signals.lead_message_received.connect(receivers.on_lead_message_received, dispatch_uid="ai.extract")
        signals.lead_message_sent.connect(receivers.on_lead_message_sent, dispatch_uid="ai.suggestion_used")
        signals.lead_stage_changed.connect(receivers.on_lead_stage_changed, dispatch_uid="ai.converted")
        signals.optout_confirmation_declined.connect(
            receivers.on_optout_confirmation_declined, dispatch_uid="ai.optout_declined_example"
        )
        # A person's edit of the profile is a timeline event: corrections of AI-filled fields become labelled examples.
        post_save.connect(receivers.on_lead_event_saved, sender="leads.LeadEvent", dispatch_uid="ai.corrections")
