"""Anti-ban metrics for integrators and monitoring: each number's health, limits in use and the outbox."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from antiban import selectors
from common.api import ErrorSerializer
from compliance.roles import Role, user_has_role


class NumberHealthSerializer(serializers.Serializer):
    number_id = serializers.IntegerField()
    display_number = serializers.CharField()
    quality = serializers.CharField()
    messaging_limit = serializers.CharField()
    mode = serializers.CharField()
    breaker = serializers.CharField()
    health = serializers.IntegerField()
    health_deductions = serializers.DictField(child=serializers.IntegerField())
    errors_24h = serializers.DictField(child=serializers.IntegerField())
    warmup_day = serializers.IntegerField(help_text="0: warmed up")
    warmup_cap = serializers.IntegerField(allow_null=True)
    may_send = serializers.BooleanField()
    rate_per_s = serializers.FloatField()
    configured_rate = serializers.IntegerField()
    sent_last_minute = serializers.IntegerField()
    people_24h = serializers.IntegerField()
    tier = serializers.IntegerField(allow_null=True)
    open_incidents = serializers.IntegerField()


class AntibanMetricsSerializer(serializers.Serializer):
    numbers = NumberHealthSerializer(many=True)
    outbox = serializers.DictField(child=serializers.IntegerField())


class AntibanMetricsApi(APIView):
    required_scopes = {"GET": "whatsapp:read"}

    @extend_schema(
        operation_id="antiban_metrics",
        summary="Number health, limits in use and outbox counts",
        responses={200: AntibanMetricsSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        if not user_has_role(request.user, Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATOR):
            raise PermissionDenied()
        data = {"numbers": selectors.numbers_health(), "outbox": selectors.outbox_counts()}
        return Response(AntibanMetricsSerializer(data).data)
