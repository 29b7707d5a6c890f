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
        message_status_changed.connect(whatsapp_message_status_changed, dispatch_uid="leads.first_contact")
