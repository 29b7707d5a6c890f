"""Lead, contact points, sources, tags, the append-only timeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from compliance.providers import provider_register
        from leads.privacy import LeadDataProvider

        provider_register(LeadDataProvider())

        from leads.receivers import whatsapp_inbound_received, whatsapp_message_status_changed
        from whatsapp.signals import inbound_message_received, message_status_changed

        inbound_message_received.connect(whatsapp_inbound_received, dispatch_uid="leads.whatsapp_inbound")

        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from leads.models import LeadSource
        from leads.receivers import lead_list_choices_changed

        # the list form's cached sources and owners; teams and their members are connected by assignment, the app
        # above this one (leads imports nothing of it)
        user_model = get_user_model()
        for model in (LeadSource, user_model):
            post_save.connect(lead_list_choices_changed, sender=model, dispatch_uid=f"leads.choices.save.{model}")
            post_delete.connect(lead_list_choices_changed, sender=model, dispatch_uid=f"leads.choices.delete.{model}")
        m2m_changed.connect(
            lead_list_choices_changed, sender=user_model.groups.through, dispatch_uid="leads.choices.m2m.groups"
        )
        message_status_changed.connect(whatsapp_message_status_changed, dispatch_uid="leads.first_contact")
