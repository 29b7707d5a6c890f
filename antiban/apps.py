"""The outbound pipeline: outbox, filters, limits, warm-up, health, rotation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AntibanConfig(AppConfig):
    name = "antiban"
    verbose_name = _("Anti-ban")
