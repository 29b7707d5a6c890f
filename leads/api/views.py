"""REST API v1 for leads: input/output serializers, one selector or service per call, no logic here."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from compliance.roles import contacts_unmasked_in_lists
from compliance.services.audit import audit_personal_data_read
from leads import selectors, services
from leads.api.serializers import (
    DuplicateWarningSerializer,
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
from leads.services.dedup_check import lead_duplicate_warning
from leads.services.export import lead_export
from leads.services.ingest import ingest_batch_run, ingest_request_find
from leads.views import lead_export_response

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class LeadFilterBackend(DjangoFilterBackend):
    """The selector already applies LeadFilter (so HTML and API filter alike); this backend documents it."""

    def filter_queryset(self, request, queryset, view):
        return queryset

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


READ_WRITE = {"GET": "leads:read", "POST": "leads:write", "PATCH": "leads:write"}


def _confirmed(value) -> bool:
    return value is True or str(value).strip().lower() in {"1", "true", "yes", "on"}


def _duplicate_conflict(request, fields: dict) -> Response | None:
    """409 with the likely duplicate (only if the caller may see it, contacts masked as lists mask them) unless the
    client confirms with ``?confirm_duplicate=true`` or ``"confirm_duplicate": true`` in the body."""
    if _confirmed(request.query_params.get("confirm_duplicate")) or _confirmed(request.data.get("confirm_duplicate")):
        return None
    warning = lead_duplicate_warning(
        user=request.user,
        full_name=fields["full_name"],
        phones=fields.get("phones", ()),
        emails=fields.get("emails", ()),
        document=fields.get("document", ""),
        city=fields.get("city", ""),
        source_id=fields["source"].pk,
        external_ref=fields.get("external_ref"),
    )
    if warning is None:
        return None
    mask = not contacts_unmasked_in_lists(request.user)
    body = DuplicateWarningSerializer(warning, context={"mask_contacts": mask}).data
    return Response(body, status=status.HTTP_409_CONFLICT)


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
        parameters=[
            OpenApiParameter("confirm_duplicate", bool, description="Create even if a likely duplicate exists")
        ],
        responses={
            201: LeadOutputSerializer,
            403: ErrorSerializer,
            # A likely duplicate (confirm to create anyway), or the source already holds this external_ref.
            409: PolymorphicProxySerializer(
                component_name="LeadCreateConflict",
                serializers=[DuplicateWarningSerializer, ErrorSerializer],
                resource_type_field_name=None,
            ),
            **ERRORS,
        },
    )
    def post(self, request):
        data = LeadCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        # Checked before writing: whoever creates a lead can see it (a consultant's lead is their own); then the
        # likely-duplicate warning, unless the client confirms.
        owner, team = selectors.lead_placement_for_create(user=request.user, owner=fields.pop("owner", None))
        conflict = _duplicate_conflict(request, fields)
        if conflict is not None:
            return conflict
        with transaction.atomic():
            lead = services.lead_create(actor=request.user, channel=EventChannel.API, owner=owner, team=team, **fields)
            lead = selectors.lead_get_for_user(user=request.user, lead_id=lead.pk)  # a 404 here keeps nothing
        return Response(LeadOutputSerializer(lead).data, status=status.HTTP_201_CREATED)


class LeadExportApi(APIView):
    """The leads you may see, filtered like the list, as a CSV (streamed) or XLSX file: contacts masked as lists
    mask them for your role, text cells formula-safe, the export audited (filters and row count)."""

    required_scopes = {"GET": "leads:read"}

    def perform_content_negotiation(self, request, force=False):
        # ``format`` names the file, not DRF's renderer; errors are always JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        operation_id="leads_export",
        summary="Export the filtered leads as CSV or XLSX",
        parameters=[
            OpenApiParameter("format", str, enum=["csv", "xlsx"], default="csv"),
            OpenApiParameter("stage", str, many=True),
            OpenApiParameter("owner", int),
            OpenApiParameter("unassigned", bool),
            OpenApiParameter("source", int),
            OpenApiParameter("tag", str),
            OpenApiParameter("city", str),
            OpenApiParameter("state", str),
            OpenApiParameter("created_after", OpenApiTypes.DATE),
            OpenApiParameter("created_before", OpenApiTypes.DATE),
            OpenApiParameter("q", str),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            **ERRORS,
        },
    )
    def get(self, request):
        export = lead_export(
            user=request.user, filters=request.query_params, file_format=request.query_params.get("format", "csv")
        )
        return lead_export_response(export)


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
