"""What every Meta webhook and Graph API call shares: the subscription handshake, the body signature and the
``appsecret_proof``. Used by the lead-ads adapter (leads) and the WhatsApp gateway (whatsapp)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def meta_signature_valid(*, body: bytes, header: str | None, app_secret: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex>`` is an HMAC-SHA256 of the exact raw bytes with the App Secret."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def meta_signature(*, body: bytes, app_secret: str) -> str:
    """The header value Meta would send for ``body`` (the simulator signs its deliveries with it)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_subscription_answer(request: HttpRequest, *, verify_token: str) -> HttpResponse:
    """The GET handshake: echo ``hub.challenge`` when ``hub.mode=subscribe`` and the verify token matches."""
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode == "subscribe" and verify_token and hmac.compare_digest(token.encode(), verify_token.encode()):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("verification failed", status=403, content_type="text/plain")


def meta_appsecret_proof(access_token: str, app_secret: str | None = None) -> str | None:
    """Graph calls carry ``appsecret_proof`` (HMAC of the token with the App Secret) when a secret is configured."""
    secret = settings.META_APP_SECRET if app_secret is None else app_secret
    if not secret:
        return None
    return hmac.new(secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def meta_graph_url(path: str) -> str:
    """``https://graph.facebook.com/v24.0/<path>``, or the simulator's address when META_GRAPH_URL points there."""
    return f"{settings.META_GRAPH_URL.rstrip('/')}/{settings.META_GRAPH_VERSION}/{path.lstrip('/')}"
