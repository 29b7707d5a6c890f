"""Receivers of compliance: security events and changes into the audit log, the e-mail opt-out confirmation.
Connected in ComplianceConfig.ready() (``connect``); the domain signals this app sends are in ``compliance.signals``.

Changes are audited for the models listed in settings.AUDIT_MODELS ("app_label.model" or "app_label.*"), so this
app never imports another Fluxo app. The lead timeline is its own append-only ledger and is not listed.
A change is recorded with the names of the fields saved, never their values (personal data, secrets).
"""

from __future__ import annotations

from axes.signals import user_locked_out
from celery.signals import worker_process_init
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.mail import send_mail
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from compliance.models import AuditCategory, AuditEntry
from compliance.optout import optout_model
from compliance.services.audit import audit_record
from compliance.services.consent import suppression_confirmation_mark
from compliance.signals import contact_suppressed


def _audited(sender) -> bool:
    if sender is AuditEntry or sender.__module__ == "__fake__":  # migrations' historical models
        return False
    label = sender._meta.label_lower
    patterns = getattr(settings, "AUDIT_MODELS", [])
    return label in patterns or f"{sender._meta.app_label}.*" in patterns


def _on_save(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    fields = sorted(update_fields) if update_fields else []
    audit_record(
        action=f"{sender._meta.model_name}.{'created' if created else 'changed'}",
        category=AuditCategory.CHANGE,
        obj=instance,
        details={"fields": fields} if fields else {},
    )


def _on_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    audit_record(action=f"{sender._meta.model_name}.deleted", category=AuditCategory.DELETE, obj=instance)


def _on_login(sender, request, user, **kwargs):
    audit_record(action="auth.login", category=AuditCategory.SECURITY, obj=user, actor=user)


def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", category=AuditCategory.SECURITY, obj=user, actor=user)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        action="auth.login_failed",
        category=AuditCategory.SECURITY,
        details={"username": str(credentials.get("username", ""))[:150]},
    )


def _on_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(action="auth.locked_out", category=AuditCategory.SECURITY, details={"username": username or ""})


def _confirm_email_opt_out(sender, entry, contact, kind, **kwargs):
    """E-mail opt-outs are confirmed here, once; WhatsApp confirmations belong to the WhatsApp gateway."""
    if kind != "email":
        return
    if suppression_confirmation_mark(entry=entry):
        send_mail(
            _("You will not receive more messages from us"),
            _("We registered your request: this address will not be contacted again. Nothing else to do."),
            None,
            [contact],
            fail_silently=True,
        )


def _warm_optout_model(**kwargs) -> None:
    """Train the opt-out classifier when a worker process starts, not on the first inbound message it screens."""
    optout_model()


def connect() -> None:
    worker_process_init.connect(_warm_optout_model, dispatch_uid="compliance_warm_optout_model", weak=False)

    contact_suppressed.connect(_confirm_email_opt_out, dispatch_uid="compliance_confirm_email_opt_out")
    post_save.connect(_on_save, dispatch_uid="compliance_audit_save")
    post_delete.connect(_on_delete, dispatch_uid="compliance_audit_delete")
    user_logged_in.connect(_on_login, dispatch_uid="compliance_audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="compliance_audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="compliance_audit_login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="compliance_audit_locked_out")
