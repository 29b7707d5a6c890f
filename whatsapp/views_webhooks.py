"""``/webhooks/whatsapp/``: the subscription handshake, then signed POSTs stored raw and acknowledged at once."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.meta import meta_subscription_answer
from whatsapp.receiver import BodyRefused, webhook_receive, wsgi_body


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return meta_subscription_answer(request, verify_token=settings.WHATSAPP_VERIFY_TOKEN)
    body = request.body
    if not body and hasattr(request, "environ") and "CONTENT_LENGTH" not in request.META:
        try:  # chunked (no Content-Length): Django's WSGI request reads nothing without a length
            body = wsgi_body(request.environ)
        except BodyRefused as refused:
            return JsonResponse({"status": refused.reason}, status=refused.status)
    status, reason = webhook_receive(body=body, signature=request.headers.get("X-Hub-Signature-256"))
    return JsonResponse({"status": reason}, status=status)
