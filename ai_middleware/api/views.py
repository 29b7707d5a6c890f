"""What the AI read, for integrators: a lead's AI profile with provenance and its latest extractions, and the
extraction of a free text (the same object ``manage.py ai_extract`` prints)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ai_middleware import engine, selectors
from common.api import ErrorSerializer
from leads import selectors as lead_selectors


class ExtractionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField()
    provider = serializers.CharField()
    model = serializers.CharField()
    prompt = serializers.CharField(source="prompt.label", default=None)
    escalated = serializers.BooleanField()
    result = serializers.DictField()
    confidence = serializers.DictField(child=serializers.FloatField())
    applied = serializers.ListField(child=serializers.CharField(), help_text="Lead fields this extraction filled.")


class LeadAiSerializer(serializers.Serializer):
    profile = serializers.DictField(help_text="intent, sentiment, urgency, budget, place, objections, stage…")
    provenance = serializers.DictField(help_text="Per field: extraction id, provider, prompt version, confidence.")
    extractions = ExtractionSerializer(many=True)


class LeadAiApi(APIView):
    required_scopes = {"GET": "leads:read"}

    @extend_schema(
        operation_id="lead_ai",
        summary="What the AI read from a lead's messages",
        responses={200: LeadAiSerializer, 404: ErrorSerializer},
    )
    def get(self, request, lead_id: int):
        lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        attributes = lead.attributes or {}
        data = {
            "profile": attributes.get("ai") or {},
            "provenance": attributes.get("ai_provenance") or {},
            "extractions": selectors.extractions_for_lead(lead_id=lead.pk, limit=20),
        }
        return Response(LeadAiSerializer(data).data)


class ExtractInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class ExtractOutputSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    prompt = serializers.CharField(allow_null=True)
    result = serializers.DictField()


class AiExtractApi(APIView):
    """Extraction of one text with the local engine, escalated to the configured LLM when unsure. Nothing stored
    about a person: only the usage ledger row."""

    required_scopes = {"POST": "leads:read"}

    @extend_schema(
        operation_id="ai_extract",
        summary="Extract intent, budget, urgency, objections… from a text",
        request=ExtractInputSerializer,
        responses={200: ExtractOutputSerializer, 400: ErrorSerializer, 502: ErrorSerializer},
    )
    def post(self, request):
        data = ExtractInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = engine.extract(data.validated_data["text"], provider_name="auto")
        return Response(
            ExtractOutputSerializer(
                {
                    "provider": answer.provider,
                    "model": answer.model,
                    "prompt": answer.prompt.label if answer.prompt else None,
                    "result": answer.value.model_dump(),
                }
            ).data
        )
