from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError


class LeadError(ApplicationError):
    code = "lead_error"


class LeadContactMissing(LeadError):
    code = "lead_contact_missing"
    default_message = _("A lead needs at least one phone or e-mail.")


class LeadExternalRefTaken(LeadError):
    code = "lead_external_ref_taken"
    http_status = 409


class LeadStageUnchanged(LeadError):
    code = "lead_stage_unchanged"


class LeadStageReasonRequired(LeadError):
    """A person moved a lead to a stage that must be explained (``LEADS_STAGES_REQUIRING_REASON``) without a reason;
    ``details`` names the field: {"reason": [message]}."""

    code = "stage_reason_required"


class LeadNoteInvalid(LeadError):
    code = "lead_note_invalid"


class LeadOwnerInvalid(LeadError):
    code = "lead_owner_invalid"


class LeadOwnerNotAllowed(LeadError):
    """The creator may not give the lead to that person (a consultant creates only leads they own)."""

    code = "owner_not_allowed"
    http_status = 403


class LeadFilterInvalid(LeadError):
    code = "invalid_filter"


class IngestKeyMissing(LeadError):
    code = "idempotency_key_missing"


class LeadAdsFetchError(LeadError):
    """A lead-ads delivery that cannot be fetched until a person fixes something (source, token, permissions)."""

    code = "lead_ads_fetch_failed"


class LeadAdsTransientError(LeadError):
    """The Graph API was down, slow or throttling: retrying later may succeed."""

    code = "lead_ads_temporarily_unavailable"
