"""Lead webhooks from ad platforms. A request that fails verification is refused and changes nothing."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from common.meta import meta_signature_valid, meta_subscription_answer
from leads.ingest.facebook import leadgen_deliveries_store
from leads.ingest.pipeline import leads_ingest_batch
from leads.models import LeadSource
from leads.selectors import lead_external_ref_exists

# Google Ads lead-form column ids → the ingestion pipeline's fields (anything else lands in attributes).
GOOGLE_COLUMNS = {
    "FULL_NAME": "full_name",
    "FIRST_NAME": "first_name",
    "LAST_NAME": "last_name",
    "EMAIL": "email",
    "WORK_EMAIL": "email",
    "PHONE_NUMBER": "phone",
    "WORK_PHONE": "phone2",
    "CITY": "city",
    "REGION": "state",
}


@csrf_exempt
@require_POST
def google_ads_lead_view(request: HttpRequest, source_id: int) -> HttpResponse:
    """Google Ads lead-form webhook: JSON with ``google_key`` checked against the source's webhook key."""
    source = get_object_or_404(LeadSource, pk=source_id, is_active=True)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"code": "invalid_json", "message": "The body is not JSON."}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"code": "invalid_json", "message": "Expected a JSON object."}, status=400)
    key = str(payload.get("google_key", ""))
    if not source.webhook_key or not hmac.compare_digest(key.encode(), source.webhook_key.encode()):
        return JsonResponse({"code": "forbidden", "message": "Wrong google_key."}, status=403)
    lead_id = str(payload.get("lead_id", ""))[:120]
    if lead_id and lead_external_ref_exists(source=source, external_ref=lead_id):
        return JsonResponse({"status": "duplicate delivery"}, status=200)  # Google retries: a no-op
    item: dict = {
        "external_ref": lead_id or None,
        "campaign_ref": str(payload.get("campaign_id", "") or ""),
        "ad_ref": str(payload.get("creative_id", "") or ""),
        "attributes": {},
    }
    for column in payload.get("user_column_data") or []:
        column_id, value = str(column.get("column_id", "")), str(column.get("string_value", "")).strip()
        field = GOOGLE_COLUMNS.get(column_id)
        if field in ("phone", "phone2", "email"):
            item.setdefault(field, []).append(value)
        elif field:
            item[field] = value
        elif value:
            item["attributes"][column.get("column_name") or column_id] = value
    for extra in ("form_id", "adgroup_id", "gcl_id", "api_version"):
        if payload.get(extra):
            item["attributes"][f"google_{extra}"] = str(payload[extra])
    if payload.get("is_test"):
        item["attributes"]["google_test_lead"] = "true"
    result = leads_ingest_batch(source=source, items=[item], actor=None, label=f"Google Ads {lead_id}")[0]
    return JsonResponse({"status": result["status"]}, status=200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def facebook_leadgen_view(request: HttpRequest) -> HttpResponse:
    """Facebook/Instagram Lead Ads (``page`` object, ``leadgen`` field). GET is the subscription handshake; a POST
    must carry ``X-Hub-Signature-256`` over the raw body. Deliveries are stored, then fetched by a task."""
    if request.method == "GET":
        return meta_subscription_answer(request, verify_token=settings.META_VERIFY_TOKEN)
    body = request.body
    if not meta_signature_valid(
        body=body, header=request.headers.get("X-Hub-Signature-256"), app_secret=settings.META_APP_SECRET
    ):
        return JsonResponse({"code": "invalid_signature", "message": "X-Hub-Signature-256 does not match."}, status=403)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"code": "invalid_json", "message": "The body is not JSON."}, status=400)
    stored = leadgen_deliveries_store(payload)
    return JsonResponse({"stored": len(stored)}, status=200)
