"""The outbound pipeline: outbox, filters, limits, warm-up, health, rotation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AntibanConfig(AppConfig):
    name = "antiban"
    verbose_name = _("Anti-ban")

    def ready(self) -> None:
        from antiban import receivers
        from whatsapp import signals

        signals.message_status_changed.connect(receivers.on_message_status_changed, dispatch_uid="antiban.status")
        signals.number_quality_changed.connect(receivers.on_number_quality_changed, dispatch_uid="antiban.quality")
        signals.status_for_unsaved_send.connect(receivers.on_status_for_unsaved_send, dispatch_uid="antiban.reconcile")
