"""REST API v1: send a WhatsApp message to a lead — text, a file, reply buttons, a list, a location or a contact
card — through the same road as the lead page (the 24-hour window, opt-outs, the anti-ban outbox)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from leads import selectors
from leads.services.whatsapp_send import lead_whatsapp_phones, lead_whatsapp_send
from whatsapp import payloads
from whatsapp import selectors as wa_selectors

API_KINDS = ("text", *payloads.RICH_KINDS)


class ListRowSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=24)
    description = serializers.CharField(max_length=72, required=False, allow_blank=True)


class WhatsAppMessageInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=API_KINDS)
    to = serializers.CharField(
        required=False,
        max_length=20,
        help_text="One of the lead's phones (E.164); default: the one with an open window",
    )
    body = serializers.CharField(required=False, allow_blank=True, max_length=4096, help_text="text, buttons, list")
    file = serializers.FileField(required=False, help_text="image, audio, video, document (multipart)")
    caption = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    buttons = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=3)
    button = serializers.CharField(required=False, max_length=20, help_text="list: the label of its button")
    section = serializers.CharField(required=False, allow_blank=True, max_length=24)
    rows = ListRowSerializer(many=True, required=False)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="location, contacts")
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    phone = serializers.CharField(required=False, max_length=30, help_text="contacts: the card's phone")
    email = serializers.EmailField(required=False, allow_blank=True)


class WhatsAppMessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the outbox row")
    kind = serializers.CharField()
    state = serializers.CharField(help_text="queued, sending, sent, failed, unknown")
    reason = serializers.CharField(source="last_reason")
    not_before = serializers.DateTimeField()
    to = serializers.CharField(source="contact")


class LeadWhatsAppMessageCreateApi(APIView):
    """Queue a message for the lead in the anti-ban outbox; the dispatcher uploads a file and sends it. Free-form
    messages go only inside the 24-hour customer-service window (outside it WhatsApp takes approved templates
    only). A filter's refusal answers 422 with its reason; the refused row is kept."""

    required_scopes = {"POST": "whatsapp:write"}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="leads_whatsapp_messages_create",
        request={
            "application/json": WhatsAppMessageInputSerializer,
            "multipart/form-data": WhatsAppMessageInputSerializer,
        },
        responses={
            202: WhatsAppMessageOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            422: ErrorSerializer,
        },
    )
    def post(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = WhatsAppMessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        kind, upload = fields.pop("type"), fields.pop("file", None)
        to = fields.pop("to", "") or _default_phone(lead)
        row = lead_whatsapp_send(
            lead=lead, actor=request.user, to=to, kind=kind, fields=fields, upload=upload, at_once=False
        )
        if row.state == "refused":
            return Response(
                {"code": "send_refused", "message": row.last_reason, "details": {"outbox_id": row.pk}},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(WhatsAppMessageOutputSerializer(row).data, status=status.HTTP_202_ACCEPTED)


def _default_phone(lead) -> str:
    phones = lead_whatsapp_phones(lead=lead)
    window = wa_selectors.window_for_contacts(contacts=phones) if phones else None
    return window.contact if window else (phones[0] if phones else "")
