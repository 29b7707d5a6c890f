"""Lead webhooks from ad platforms. A request that fails verification is refused and changes nothing."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework import serializers

from common.jsonbody import JsonBodyInvalid, json_body_loads
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

# The shapes the ad platforms document. A body with a valid key or signature but another shape is refused with a
# 400 naming each wrong field (Meta and Google show it in their delivery logs) and nothing is stored.


class GoogleColumnSerializer(serializers.Serializer):
    column_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    column_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    string_value = serializers.CharField(max_length=2000, required=False, allow_blank=True, trim_whitespace=True)


class GoogleLeadSerializer(serializers.Serializer):
    lead_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    campaign_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    creative_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    form_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    adgroup_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    gcl_id = serializers.CharField(max_length=400, required=False, allow_blank=True)
    api_version = serializers.CharField(max_length=20, required=False, allow_blank=True)
    is_test = serializers.BooleanField(required=False, default=False)
    user_column_data = GoogleColumnSerializer(many=True, required=False)


class LeadgenValueSerializer(serializers.Serializer):
    leadgen_id = serializers.CharField(max_length=40)
    page_id = serializers.CharField(max_length=40, required=False, allow_blank=True)


class LeadgenChangeSerializer(serializers.Serializer):
    field = serializers.CharField(max_length=100)
    value = serializers.JSONField(required=False)

    def validate(self, attrs):
        if attrs["field"] == "leadgen":
            value = LeadgenValueSerializer(data=attrs.get("value"))
            if not value.is_valid():
                raise serializers.ValidationError({"value": value.errors})
        return attrs


class LeadgenEntrySerializer(serializers.Serializer):
    id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    changes = LeadgenChangeSerializer(many=True, required=False)


class LeadgenNotificationSerializer(serializers.Serializer):
    object = serializers.CharField(max_length=100)
    entry = LeadgenEntrySerializer(many=True, required=False)


def _refused(exc: JsonBodyInvalid) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": exc.message, "details": exc.details}, status=400)


def _invalid(errors) -> JsonResponse:
    return JsonResponse(
        {
            "code": "invalid",
            "message": _("The body has fields of the wrong shape; nothing was stored."),
            "details": errors,
        },
        status=400,
    )


def _not_an_object() -> JsonResponse:
    return JsonResponse({"code": "invalid_json", "message": _("Expected a JSON object."), "details": {}}, status=400)


@csrf_exempt
@require_POST
def google_ads_lead_view(request: HttpRequest, source_id: int) -> HttpResponse:
    """Google Ads lead-form webhook: JSON with ``google_key`` checked against the source's webhook key."""
    source = get_object_or_404(LeadSource, pk=source_id, is_active=True)
    try:
        payload = json_body_loads(request.body)
    except JsonBodyInvalid as exc:
        return _refused(exc)
    if not isinstance(payload, dict):
        return _not_an_object()
    key = payload.get("google_key")
    key = key if isinstance(key, str) else ""
    if not source.webhook_key or not hmac.compare_digest(key.encode(), source.webhook_key.encode()):
        return JsonResponse({"code": "forbidden", "message": "Wrong google_key."}, status=403)
    shape = GoogleLeadSerializer(data=payload)
    if not shape.is_valid():
        return _invalid(shape.errors)
    payload = {**payload, **shape.validated_data}
    lead_id = payload.get("lead_id", "")
    if lead_id and lead_external_ref_exists(source=source, external_ref=lead_id):
        return JsonResponse({"status": "duplicate delivery"}, status=200)  # Google retries: a no-op
    item: dict = {
        "external_ref": lead_id or None,
        "campaign_ref": str(payload.get("campaign_id", "") or ""),
        "ad_ref": str(payload.get("creative_id", "") or ""),
        "attributes": {},
    }
    for column in payload.get("user_column_data") or []:
        column_id, value = column.get("column_id", ""), column.get("string_value", "")
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
        payload = json_body_loads(body)
    except JsonBodyInvalid as exc:
        return _refused(exc)
    if not isinstance(payload, dict):
        return _not_an_object()
    shape = LeadgenNotificationSerializer(data=payload)
    if not shape.is_valid():
        return _invalid(shape.errors)
    stored = leadgen_deliveries_store(payload)
    return JsonResponse({"stored": len(stored)}, status=200)
