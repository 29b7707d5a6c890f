"""A lead's qualification for integrators: score, class, SLA, action, confidence, the explanation in words (the
dimensions' points sum to the score), the learned model's probability when one serves, and the history."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from leads import selectors as lead_selectors
from qualification import selectors, services


class DimensionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    points = serializers.FloatField()


class FactorSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    points = serializers.FloatField()


class HistorySerializer(serializers.Serializer):
    score = serializers.FloatField()
    category = serializers.CharField()
    confidence = serializers.FloatField()
    config_version = serializers.IntegerField()
    model_version = serializers.IntegerField(allow_null=True)
    trigger = serializers.CharField()
    created_at = serializers.DateTimeField()


class QualificationSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text="Rules composite, 0–100: the sum of the dimensions' points.")
    category = serializers.ChoiceField(choices=["hot", "warm", "cold"])
    confidence = serializers.FloatField(help_text="Share of the indicators' weight that was known (0–1).")
    sla_minutes = serializers.IntegerField()
    action = serializers.CharField()
    trend = serializers.CharField()
    probability = serializers.FloatField(allow_null=True, help_text="The serving learned model's, if one serves.")
    model_version = serializers.IntegerField(allow_null=True)
    config_version = serializers.IntegerField()
    segment = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    dimensions = DimensionSerializer(many=True)
    up = FactorSerializer(many=True)
    down = FactorSerializer(many=True)
    scored_at = serializers.DateTimeField()
    history = HistorySerializer(many=True)


class LeadQualificationApi(APIView):
    required_scopes = {"GET": "leads:read"}

    @extend_schema(
        operation_id="lead_qualification",
        summary="A lead's score, class, SLA and why",
        responses={200: QualificationSerializer, 404: ErrorSerializer},
    )
    def get(self, request, lead_id: int):
        lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        score = services.lead_score_current(lead_id=lead.pk)
        said = selectors.explanation(score)
        data = {
            "score": score.score,
            "category": score.category,
            "confidence": score.confidence,
            "sla_minutes": score.sla_minutes,
            "action": score.action,
            "trend": score.trend,
            "probability": score.probability,
            "model_version": score.model_version,
            "config_version": score.config_version,
            "segment": score.segment,
            "tags": score.rule_tags,
            "dimensions": said["dimensions"],
            "up": said["up"],
            "down": said["down"],
            "scored_at": score.scored_at,
            "history": selectors.history_for_lead(lead_id=lead.pk),
        }
        return Response(QualificationSerializer(data).data)
