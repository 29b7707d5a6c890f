"""Shared plumbing: errors, API conventions, navigation, heartbeat."""

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.network import trusted_proxies


def _trusted_proxies_check(app_configs, **kwargs):
    """A mistyped FLUXO_TRUSTED_PROXIES stops `manage.py check` (and runserver) instead of every request."""
    try:
        trusted_proxies()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="common.E001")]
    return []


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Common")

    def ready(self):
        checks.register(_trusted_proxies_check, checks.Tags.security)
