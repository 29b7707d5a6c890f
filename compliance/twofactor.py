"""Optional TOTP two-factor authentication for admins and supervisors (django-otp).

Once a person confirms a TOTP device, every session of theirs must pass the code step before anything else
(pages, HTMX partials, the admin; the API through compliance.auth.VerifiedSessionAuthentication, which answers
403 in the API's error shape instead of redirecting). Integrators use scoped API tokens instead; issuing one to an
account with a device takes the current code too (compliance.api.views.TokenIssueApi).
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp import user_has_device, verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance.models import AuditCategory
from compliance.roles import Role, user_has_role
from compliance.services.audit import audit_record

TWO_FACTOR_ROLES = (Role.ADMIN, Role.SUPERVISOR)
# /api/ answers for itself (VerifiedSessionAuthentication): a redirect to a page means nothing to an API client.
_EXEMPT_PREFIXES = ("/accounts/2fa/verify/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/api/")


def two_factor_code_check(user, code: str):
    """The confirmed device of ``user`` that accepts ``code`` now, or None. django-otp throttles repeated
    failures and refuses a code already used."""
    code = (code or "").strip()
    if not code:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if verify_token(user, device.persistent_id, code):
            return device
    return None


class RequireOTPMiddleware:
    """After django_otp.middleware.OTPMiddleware: people with a confirmed device must verify this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        request.otp_pending = bool(
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and user_has_device(user, confirmed=True)
        )
        if request.otp_pending and not request.path.startswith(_EXEMPT_PREFIXES):
            if request.headers.get("HX-Request"):
                # A partial (the bell's polling, a panel) must not swap the code page into the page it is on:
                # htmx sends the whole window to the code step instead; pages hide their polling meanwhile.
                current = urlsplit(request.headers.get("HX-Current-URL", "/"))
                return HttpResponseClientRedirect(
                    f"{reverse('two_factor_verify')}?{urlencode({'next': current.path or '/'})}"
                )
            return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
        return self.get_response(request)


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup_view(request):
    if not user_has_role(request.user, *TWO_FACTOR_ROLES):
        return redirect("home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
        user=request.user, name="Fluxo", confirmed=False
    )
    error = None
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
            otp_login(request, device)
            audit_record(action="auth.2fa_enabled", category=AuditCategory.SECURITY, obj=request.user)
            return redirect("home")
        error = _("That code did not match. Check the phone's clock and try the newest code.")
    context = {
        "secret": device.config_url.split("secret=")[1].split("&")[0],
        "qr": _qr_svg(device.config_url),
        "error": error,
        "enabled": user_has_device(request.user, confirmed=True),
    }
    return render(request, "compliance/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify_view(request):
    next_url = request.GET.get("next") or request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    error = None
    if request.method == "POST":
        device = two_factor_code_check(request.user, request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            audit_record(action="auth.2fa_verified", category=AuditCategory.SECURITY, obj=request.user)
            return redirect(next_url)
        audit_record(action="auth.2fa_failed", category=AuditCategory.SECURITY, obj=request.user)
        error = _("Wrong or expired code.")
    return render(request, "compliance/two_factor_verify.html", {"error": error, "next": next_url})
