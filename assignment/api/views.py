"""Assignment for integrators and supervisors' tools: who has a lead and why, manual assignment (the caps hold),
and the team load board."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assignment import selectors, services
from common.api import ErrorSerializer
from common.errors import ApplicationError, NotFoundError
from leads import selectors as lead_selectors


class AssignmentSerializer(serializers.Serializer):
    consultant_id = serializers.IntegerField()
    consultant = serializers.CharField(source="consultant.get_full_name")
    kind = serializers.CharField()
    category = serializers.CharField()
    assigned_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    first_contact_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    reasons = serializers.DictField(help_text="The roulette's factors and reasons, and the runners-up.")


class AssignInputSerializer(serializers.Serializer):
    consultant_id = serializers.IntegerField(required=False, help_text="Leave out to spin the roulette.")
    reason = serializers.CharField(max_length=200, required=False, default="")


class LeadAssignmentApi(APIView):
    required_scopes = {"GET": "leads:read", "POST": "leads:write"}

    @extend_schema(
        operation_id="lead_assignment",
        summary="Who has the lead, since when, why, and the SLA",
        responses={200: AssignmentSerializer, 404: ErrorSerializer},
    )
    def get(self, request, lead_id: int):
        lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        active = selectors.assignment_active_for_lead(lead_id=lead.pk)
        if active is None:
            raise NotFoundError(_("This lead is in nobody's queue."), code="not_assigned", details={"lead": lead.pk})
        return Response(AssignmentSerializer(active).data)

    @extend_schema(
        operation_id="lead_assign",
        summary="Assign a lead (to a consultant, or by the roulette)",
        request=AssignInputSerializer,
        responses={200: AssignmentSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request, lead_id: int):
        # Who may hand which lead to whom is the service's rule (the lead page uses the same one).
        lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultant_id = data.validated_data.get("consultant_id")
        reason = data.validated_data["reason"]
        if consultant_id is None:
            result = services.lead_assign(lead_id=lead.pk, kind="manual", actor=request.user, reason=reason)
            if result is None:
                raise ApplicationError(_("Nobody available has room for this lead now."), code="nobody_available")
        else:
            consultant = get_user_model().objects.filter(pk=consultant_id).first()
            if consultant is None:
                raise ApplicationError(
                    _("No such consultant."), code="consultant_unknown", details={"consultant_id": consultant_id}
                )
            result = services.lead_assign_to(lead_id=lead.pk, consultant=consultant, actor=request.user, reason=reason)
        return Response(AssignmentSerializer(result).data)


class LoadRowSerializer(serializers.Serializer):
    consultant_id = serializers.IntegerField(source="user.pk")
    consultant = serializers.CharField(source="user.get_full_name")
    open = serializers.IntegerField()
    max_open = serializers.IntegerField(allow_null=True)
    new_today = serializers.IntegerField()
    max_new = serializers.IntegerField(allow_null=True)
    awaiting = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    breached = serializers.IntegerField()
    paused = serializers.BooleanField()
    online = serializers.BooleanField()


class TeamLoadApi(APIView):
    required_scopes = {"GET": "leads:read"}

    @extend_schema(
        operation_id="team_load",
        summary="Team load board: open, due and breached per consultant",
        responses={200: LoadRowSerializer(many=True)},
    )
    def get(self, request):
        teams = selectors.teams_managed_by(request.user)
        return Response(LoadRowSerializer(selectors.load_board(teams=teams, now=timezone.now()), many=True).data)
