"""Providers, prompts, context, validation, usage ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AiMiddlewareConfig(AppConfig):
    name = "ai_middleware"
    verbose_name = _("AI middleware")
