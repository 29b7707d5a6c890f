from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.services.consent import contact_mask
from leads.ingest.dedup import reason_label
from leads.models import (
    BrazilianState,
    ContactPoint,
    InterestType,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStage,
)
from leads.normalization import contacts_reachable


class ContactPointOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPoint
        fields = ["id", "kind", "value", "is_primary", "is_valid", "is_whatsapp", "label"]


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class LeadOutputSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")
    source_kind = serializers.CharField(source="source.kind")
    owner = UserRefSerializer(allow_null=True)
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    tags = serializers.SerializerMethodField()
    contact_points = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = [
            "id",
            "full_name",
            "city",
            "state",
            "budget_min",
            "budget_max",
            "currency",
            "interest_type",
            "source",
            "source_kind",
            "external_ref",
            "campaign_ref",
            "ad_ref",
            "stage",
            "stage_changed_at",
            "owner",
            "team",
            "tags",
            "contact_points",
            "attributes",
            "recurrence_count",
            "last_interest_at",
            "created_at",
            "updated_at",
        ]

    @cached_property
    def _contact_points_serializer(self) -> serializers.ListSerializer:
        """One nested serializer for every row of a page: building a ModelSerializer's fields costs more than
        serializing a row with them (100 rows: ~1 ms each)."""
        return ContactPointOutputSerializer(many=True)

    def get_tags(self, lead: Lead) -> list[str]:
        tags = getattr(lead, "tag_list", None)  # preloaded by the list
        return [tag.path for tag in (lead.tags.all() if tags is None else tags)]

    @extend_schema_field(ContactPointOutputSerializer(many=True))
    def get_contact_points(self, lead: Lead) -> list[dict]:
        points = getattr(lead, "primary_contacts", None)
        if points is None:
            points = lead.contact_points.all()
        data = self._contact_points_serializer.to_representation(points)
        if self.context.get("mask_contacts"):
            for row in data:
                row["value"] = contact_mask(row["value"], row["kind"])
        return data


class LeadCreateInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    source = serializers.PrimaryKeyRelatedField(queryset=LeadSource.objects.filter(is_active=True))
    phones = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    emails = serializers.ListField(child=serializers.CharField(max_length=254), required=False, default=list)
    document = serializers.CharField(max_length=14, required=False, default="")
    city = serializers.CharField(max_length=120, required=False, default="")
    state = serializers.ChoiceField(choices=BrazilianState.choices, required=False, default="")
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    interest_type = serializers.ChoiceField(choices=InterestType.choices, required=False, default="")
    external_ref = serializers.CharField(max_length=120, required=False, allow_null=True, default=None)
    campaign_ref = serializers.CharField(max_length=120, required=False, default="")
    ad_ref = serializers.CharField(max_length=120, required=False, default="")
    attributes = serializers.DictField(required=False, default=dict)
    tags = serializers.ListField(child=serializers.CharField(max_length=400), required=False, default=list)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Consultants: leave out (the lead is yours) or give yourself. Supervisors: someone in your teams.",
    )

    def validate(self, attrs):
        if not attrs.get("phones") and not attrs.get("emails"):
            raise serializers.ValidationError({"phones": [_("Give at least one phone or e-mail.")]})
        if not contacts_reachable(attrs.get("phones", ()), attrs.get("emails", ())):
            # Under the key of what was given: a bad e-mail alone is an "emails" error, not a "phones" one.
            message = [_("None of the phones or e-mails given is valid: give at least one that is.")]
            raise serializers.ValidationError({key: message for key in ("phones", "emails") if attrs.get(key)})
        low, high = attrs.get("budget_min"), attrs.get("budget_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"budget_max": [_("Must be greater than or equal to budget_min.")]})
        return attrs


class LeadUpdateInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False)
    document = serializers.CharField(max_length=14, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120, required=False, allow_blank=True)
    state = serializers.ChoiceField(choices=BrazilianState.choices, required=False, allow_blank=True)
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    interest_type = serializers.ChoiceField(choices=InterestType.choices, required=False, allow_blank=True)
    campaign_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    ad_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    attributes = serializers.DictField(required=False)


class LeadStageChangeInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=LeadStage.choices)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class NoteCreateInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class LeadEventOutputSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(allow_null=True)

    class Meta:
        model = LeadEvent
        fields = ["id", "kind", "channel", "actor", "occurred_at", "created_at", "payload"]


class IngestLeadSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    emails = serializers.ListField(child=serializers.CharField(max_length=254), required=False)
    document = serializers.CharField(max_length=20, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120, required=False, allow_blank=True)
    state = serializers.CharField(max_length=40, required=False, allow_blank=True)
    budget = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Free text: 'R$ 350 mil', '1,5 milhão', 'entre 200 e 300 mil'",
    )
    interest = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    external_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    campaign_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    ad_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    attributes = serializers.DictField(required=False)


class IngestInputSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=LeadSource.objects.filter(is_active=True))
    leads = IngestLeadSerializer(many=True, allow_empty=False, max_length=1000)


class IngestItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "merged", "review", "rejected"])
    lead_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class IngestOutputSerializer(serializers.Serializer):
    results = IngestItemResultSerializer(many=True)


class DuplicateCandidateSerializer(serializers.ModelSerializer):
    owner = UserRefSerializer(allow_null=True)
    contact_points = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = ["id", "full_name", "city", "state", "stage", "owner", "contact_points"]

    @extend_schema_field(ContactPointOutputSerializer(many=True))
    def get_contact_points(self, lead: Lead) -> list[dict]:
        return LeadOutputSerializer(context=self.context).get_contact_points(lead)


class DuplicateWarningSerializer(serializers.Serializer):
    """409 on create: a likely duplicate. ``candidates`` lists it only if you may see it; ``hidden`` says one exists
    outside what you may see. Repeat the call with ``confirm_duplicate=true`` to create anyway."""

    code = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    reason = serializers.CharField(help_text='A stable code ("same phone", "same e-mail, different name"…).')
    detail = serializers.SerializerMethodField(help_text="The reason in the caller's language, for people.")
    confidence = serializers.FloatField()
    hidden = serializers.BooleanField()
    candidates = DuplicateCandidateSerializer(many=True)

    def get_code(self, warning) -> str:
        return "likely_duplicate"

    def get_detail(self, warning) -> str:
        return reason_label(warning.reason)

    def get_message(self, warning) -> str:

        if warning.hidden:
            return _(
                "A lead with these details probably exists already, outside your portfolio. Ask your supervisor, "
                "or send confirm_duplicate=true to create it anyway."
            )
        return _(
            "This person is probably already a lead (see candidates). Open the existing lead, or send "
            "confirm_duplicate=true to create a new one anyway."
        )
