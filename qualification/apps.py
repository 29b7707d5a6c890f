"""Scoring configs, score history, explanations, classes, learned models, segmentation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualificationConfig(AppConfig):
    name = "qualification"
    verbose_name = _("Qualification")

    def ready(self) -> None:
        from ai_middleware.signals import extraction_recorded
        from leads import signals

        from . import list_columns, receivers

        list_columns.register()

        signals.leads_created.connect(receivers.on_leads_created, dispatch_uid="qualification.created")
        signals.lead_message_received.connect(receivers.on_lead_message, dispatch_uid="qualification.message_in")
        signals.lead_message_sent.connect(receivers.on_lead_message, dispatch_uid="qualification.message_out")
        signals.lead_stage_changed.connect(receivers.on_lead_stage_changed, dispatch_uid="qualification.stage")
        extraction_recorded.connect(receivers.on_extraction_recorded, dispatch_uid="qualification.extraction")
