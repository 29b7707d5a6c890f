"""Roles, consent, suppression, subject rights, audit log, field encryption."""

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from compliance import receivers

        receivers.connect()
        _third_party_labels()


def _third_party_labels() -> None:
    """The admin speaks pt-BR for the login-security apps too: their app names and django-otp's untranslatable
    model name (a plain str upstream). Same English msgids as upstream, so migrations see no change."""
    labels = {"axes": _("Login attempts"), "otp_totp": _("Two-factor authentication (TOTP)")}
    for label, verbose_name in labels.items():
        if apps.is_installed(apps.get_app_config(label).name):
            apps.get_app_config(label).verbose_name = verbose_name
    totp = apps.get_model("otp_totp", "TOTPDevice")
    totp._meta.verbose_name = _("TOTP device")
    totp._meta.verbose_name_plural = _("TOTP devices")
