"""``/webhooks/whatsapp/``: the subscription handshake, then signed POSTs stored raw and acknowledged at once."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.meta import meta_signature_valid, meta_subscription_answer
from whatsapp.services import webhook_event_store


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return meta_subscription_answer(request, verify_token=settings.WHATSAPP_VERIFY_TOKEN)
    body = request.body
    if not meta_signature_valid(
        body=body, header=request.headers.get("X-Hub-Signature-256"), app_secret=settings.WHATSAPP_APP_SECRET
    ):
        return JsonResponse({"code": "invalid_signature", "message": "X-Hub-Signature-256 does not match."}, status=403)
    try:
        webhook_event_store(body=body)
    except DatabaseError:
        # Not stored: answer 5xx so Meta delivers it again later.
        return JsonResponse({"code": "unavailable", "message": "Could not store the event; retry."}, status=503)
    return HttpResponse(status=200)
