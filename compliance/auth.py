"""DRF authentication with scoped API tokens, and the permission that checks a view's scopes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from compliance.models import ApiToken
from compliance.services.tokens import api_token_authenticate


class ScopedTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token fx_…``. Revoked, expired or unknown tokens get 401."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: use `Authorization: Token <key>`."))
        token = api_token_authenticate(header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class TwoFactorRequired(exceptions.PermissionDenied):
    default_detail = _(
        "This session has not passed the two-factor code step. Verify it at /accounts/2fa/verify/ "
        "(or use an API token) and try again."
    )
    default_code = "two_factor_required"


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, as DRF's, plus the rule the pages follow (compliance.twofactor): a person with a
    confirmed TOTP device reaches the API only from a session that passed the code step (else 403)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if user_has_device(user, confirmed=True) and not (hasattr(user, "is_verified") and user.is_verified()):
            raise TwoFactorRequired()
        return result


class TokenHasScope(permissions.BasePermission):
    """A token reaches a view only with the scope the view names for the method (``required_scopes``).
    Browser sessions act within their role and are not scoped."""

    message = _("This token lacks the scope this endpoint needs.")

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return True
        required = getattr(view, "required_scopes", {}).get(request.method)
        if required is None and request.method in ("HEAD", "OPTIONS"):
            required = getattr(view, "required_scopes", {}).get("GET")
        if required is None:
            return False
        self.message = _("This token lacks the “%(scope)s” scope.") % {"scope": required}
        return required in request.auth.scopes


class ScopedTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token scheme in the OpenAPI schema (Swagger's Authorize button)."""

    target_class = "compliance.auth.ScopedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token fx_…` — issue one at POST /api/v1/auth/tokens/ with the scopes you need.",
        }


class VerifiedSessionScheme(SessionScheme):
    """The browser session in the schema (the API's pages in Swagger UI use it)."""

    target_class = "compliance.auth.VerifiedSessionAuthentication"
