"""REST API v1 for leads: input/output serializers, one selector or service per call, no logic here."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from compliance.roles import Role, contacts_unmasked_in_lists, user_has_role
from compliance.services.audit import audit_personal_data_read
from leads import selectors, services
from leads.api.serializers import (
    IngestInputSerializer,
    IngestOutputSerializer,
    LeadCreateInputSerializer,
    LeadEventOutputSerializer,
    LeadOutputSerializer,
    LeadStageChangeInputSerializer,
    LeadUpdateInputSerializer,
    NoteCreateInputSerializer,
)
from leads.errors import IngestKeyMissing
from leads.filters import LeadFilter
from leads.models import EventChannel, LeadEvent
from leads.services.ingest import ingest_batch_run, ingest_request_find

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class LeadFilterBackend(DjangoFilterBackend):
    """The selector already applies LeadFilter (so HTML and API filter alike); this backend documents it."""

    def filter_queryset(self, request, queryset, view):
        return queryset

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


READ_WRITE = {"GET": "leads:read", "POST": "leads:write", "PATCH": "leads:write"}


class LeadListCreateApi(generics.ListAPIView):
    required_scopes = READ_WRITE
    serializer_class = LeadOutputSerializer
    filter_backends = [LeadFilterBackend]
    filterset_class = LeadFilter

    def get_queryset(self):
        return selectors.lead_list(user=self.request.user, filters=self.request.query_params)

    def get_serializer_context(self):
        return super().get_serializer_context() | {"mask_contacts": not contacts_unmasked_in_lists(self.request.user)}

    @extend_schema(operation_id="leads_list", summary="List the leads you may see, filtered and paginated")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="leads_create",
        summary="Create a lead",
        request=LeadCreateInputSerializer,
        responses={201: LeadOutputSerializer, **ERRORS},
    )
    def post(self, request):
        data = LeadCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        owner = fields.pop("owner", None)
        if owner is None and user_has_role(request.user, Role.CONSULTANT):
            owner = request.user  # a consultant's own lead, so that they can see it
        lead = services.lead_create(actor=request.user, channel=EventChannel.API, owner=owner, **fields)
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead.pk)
        return Response(LeadOutputSerializer(lead).data, status=status.HTTP_201_CREATED)


class LeadDetailApi(APIView):
    required_scopes = READ_WRITE

    @extend_schema(operation_id="leads_retrieve", responses={200: LeadOutputSerializer, **ERRORS})
    def get(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        audit_personal_data_read(obj=lead, actor=request.user)
        return Response(LeadOutputSerializer(lead).data)

    @extend_schema(
        operation_id="leads_update", request=LeadUpdateInputSerializer, responses={200: LeadOutputSerializer, **ERRORS}
    )
    def patch(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = LeadUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.lead_update(lead=lead, actor=request.user, data=dict(data.validated_data), channel=EventChannel.API)
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        return Response(LeadOutputSerializer(lead).data)


class LeadStageChangeApi(APIView):
    required_scopes = READ_WRITE

    @extend_schema(
        operation_id="leads_stage_change",
        request=LeadStageChangeInputSerializer,
        responses={200: LeadOutputSerializer, **ERRORS},
    )
    def post(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = LeadStageChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.lead_change_stage(lead=lead, actor=request.user, channel=EventChannel.API, **data.validated_data)
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        return Response(LeadOutputSerializer(lead).data)


class LeadTimelineApi(generics.ListAPIView):
    required_scopes = READ_WRITE
    serializer_class = LeadEventOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no lead
            return LeadEvent.objects.none()
        lead = selectors.lead_get_for_user(user=self.request.user, lead_id=self.kwargs["lead_id"])
        return selectors.lead_timeline(lead=lead)

    @extend_schema(operation_id="leads_timeline_list", responses={200: LeadEventOutputSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LeadNoteCreateApi(APIView):
    required_scopes = READ_WRITE

    @extend_schema(
        operation_id="leads_notes_create",
        request=NoteCreateInputSerializer,
        responses={201: LeadEventOutputSerializer, **ERRORS},
    )
    def post(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = NoteCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.lead_add_note(
            lead=lead, actor=request.user, text=data.validated_data["text"], channel=EventChannel.API
        )
        return Response(LeadEventOutputSerializer(event).data, status=status.HTTP_201_CREATED)


class LeadIngestApi(APIView):
    """Batch push from an integrator: each item is normalized, deduplicated and merged like a spreadsheet row.
    Send an ``Idempotency-Key`` header: repeating it returns the first answer and writes nothing."""

    required_scopes = {"POST": "leads:write"}

    @extend_schema(
        operation_id="leads_ingest",
        request=IngestInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        responses={200: IngestOutputSerializer, **ERRORS},
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 200 or not key.isprintable():
            raise IngestKeyMissing(_("Send an Idempotency-Key header (up to 200 characters) with every batch."))
        stored = ingest_request_find(user=request.user, key=key)
        if stored is not None:
            return Response(stored.response, status=stored.status_code, headers={"Idempotent-Replay": "true"})
        data = IngestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = ingest_batch_run(
            user=request.user, key=key, source=data.validated_data["source"], items=data.validated_data["leads"]
        )
        return Response(response.response, status=response.status_code)
