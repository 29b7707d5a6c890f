"""Password reset by e-mail: Django's auth views with pt-BR templates, under the login's rules.

- Never tells whether an address belongs to someone: every request ends on the same "check your e-mail" page.
- The same lockout as the login (django-axes): an address asking too often is refused with the login's lockout page;
  a person locked out of the login gets no reset link while the lockout lasts (silently: the page still says
  "sent"); a wrong or expired link counts as a failed login for that person (audited, towards the lockout).
- Audited like logins: ``auth.password_reset_requested`` (actor: the person, when the address is known; no address
  in the entry), ``auth.password_reset`` when the new password is set (the person's lockout is cleared then).
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse_lazy

from common.network import client_ip
from common.ratelimit import rate_limit_hit
from compliance.models import AuditCategory
from compliance.services.audit import audit_record
from compliance.views import lockout_response


class _LockoutAwareResetForm(PasswordResetForm):
    """Skips the people the login has locked out from this address (they get no mail; the page is the same)."""

    request = None

    def get_users(self, email):
        for user in super().get_users(email):
            audit_record(action="auth.password_reset_requested", category=AuditCategory.SECURITY, actor=user)
            if AxesProxyHandler.is_locked(self.request, credentials={"username": user.get_username()}):
                continue
            yield user


class PasswordResetRequestView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = _LockoutAwareResetForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        # As many requests per address and cool-off as the login allows failures: then the login's lockout page.
        window = int(settings.AXES_COOLOFF_TIME * 3600)
        if rate_limit_hit(
            f"password-reset:{client_ip(request)}", limit=settings.AXES_FAILURE_LIMIT, window_seconds=window
        ):
            audit_record(action="auth.password_reset_throttled", category=AuditCategory.SECURITY)
            return lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        form.request = self.request
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, *args, **kwargs):
        user = self.get_user(kwargs.get("uidb64", ""))
        if user is not None and AxesProxyHandler.is_locked(self.request, credentials={"username": user.get_username()}):
            return lockout_response(self.request)
        response = super().dispatch(*args, **kwargs)
        if user is not None and not self.validlink and response.status_code == 200:
            # A wrong, used or expired link for a real person: a failed login (audited, counted by django-axes).
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=self.request)
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action="auth.password_reset", category=AuditCategory.SECURITY, actor=form.user)
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
