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

        from leads.receivers import whatsapp_inbound_received
        from whatsapp.signals import inbound_message_received

        inbound_message_received.connect(whatsapp_inbound_received, dispatch_uid="leads.whatsapp_inbound")
