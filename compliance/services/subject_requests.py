"""Data-subject requests (LGPD Art. 18/19): receive, check identity, fulfil, answer within 15 days, audit it all."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import mail_admins, send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.contacts import email_normalize, phone_normalize
from common.errors import ApplicationError
from compliance.models import (
    AuditCategory,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    LegalBasis,
    SubjectRequest,
    SubjectRequestChannel,
    SubjectRequestStatus,
    SubjectRight,
    SuppressionEntry,
    SuppressionReason,
)
from compliance.providers import SubjectQuery, SubjectRef, provider, providers
from compliance.security import xlsx_export
from compliance.services.audit import audit_record
from compliance.services.consent import consent_record, contact_index, suppression_add
from compliance.signals import verification_code_issued

logger = logging.getLogger(__name__)

DEADLINE = timedelta(days=15)  # Art. 19 II
MAX_CODE_ATTEMPTS = 5
# Fulfilled as soon as the identity is checked. The others (correction, anonymization, deletion) are irreversible or
# judgement-bound: they wait for a person (an admin) to fulfil them after the identity check.
AUTOMATIC = {
    SubjectRight.CONFIRMATION,
    SubjectRight.ACCESS,
    SubjectRight.PORTABILITY,
    SubjectRight.SHARING_INFO,
    SubjectRight.CONSENT_REVOCATION,
}


class SubjectRequestError(ApplicationError):
    code = "subject_request_error"


def _code_hash(request: SubjectRequest, code: str) -> str:
    return hashlib.sha256(f"{request.public_id}:{code}:{settings.SECRET_KEY}".encode()).hexdigest()


def _audit(request: SubjectRequest, action: str, actor=None, **details) -> None:
    audit_record(
        action=f"subject_request.{action}",
        category=AuditCategory.SUBJECT_RIGHTS,
        obj=request,
        actor=actor,
        details={"kind": request.kind, **details},
    )


def subject_request_contact_check(contact: str, contact_kind: str) -> str:
    """The stored form of the contact a code will be sent to, or SubjectRequestError (naming the ``contact``
    field) when it is not a phone or e-mail we could send to. E-mails go through email-validator (internationalized
    addresses included), phones through the same normalization as leads."""
    if contact_kind == "email":
        email = email_normalize(contact)
        if email.is_valid:
            return email.value
        message = _("“%(contact)s” is not an e-mail address we can send the code to.") % {"contact": contact[:254]}
    elif contact_kind == "phone":
        phone = phone_normalize(contact)
        if phone.is_valid:
            return phone.e164
        message = _("“%(contact)s” is not a phone number we can send the code to.") % {"contact": contact[:40]}
    else:
        message = _("Say whether the contact is a phone or an e-mail.")
        raise SubjectRequestError(message, code="invalid", details={"contact_kind": [message]})
    if not contact.strip():
        message = _("Give a phone or e-mail where we can confirm it is you.")
    raise SubjectRequestError(message, code="invalid", details={"contact": [message]})


def subject_request_create(
    *,
    kind: SubjectRight,
    requester_name: str,
    contact: str,
    contact_kind: str,
    channel: SubjectRequestChannel,
    document: str = "",
    details: str = "",
    corrections: dict | None = None,
) -> tuple[SubjectRequest, str]:
    """Register the request and issue a one-time code to the contact given. Returns (request, code).

    The contact is checked before anything is saved. The code is sent once the request is committed; when sending
    fails (mail server down, address refused) the request is kept, the failure is audited, and
    ``request.code_sent`` is False so the caller can say so: staff can then check the identity another way."""
    normalized = subject_request_contact_check(contact, contact_kind)
    with transaction.atomic():
        now = timezone.now()
        request = SubjectRequest(
            public_id=uuid.uuid4(),
            kind=kind,
            channel=channel,
            requester_name=requester_name.strip()[:200],
            contact=normalized,
            contact_kind=contact_kind,
            document="".join(c for c in document if c.isdigit()),
            details=details.strip()[:4000],
            corrections=corrections or {},
            created_at=now,
            due_at=now + DEADLINE,
        )
        code = f"{secrets.randbelow(10**6):06d}"
        request.verification_code_hash = _code_hash(request, code)
        request.save()
        _audit(request, "received", channel=channel)
    request.code_sent = _deliver_code(request, code)
    return request, code


def _deliver_code(request: SubjectRequest, code: str) -> bool:
    """Send the code; True when it left. A failure is logged (no contact in the log) and audited, never raised:
    the request is already registered and its 15-day clock running."""
    try:
        if request.contact_kind == "email":
            send_mail(
                _("Your Fluxo privacy request code"),
                _(
                    "Use the code %(code)s to confirm your request %(id)s. "
                    "If you did not ask for it, ignore this message."
                )
                % {"code": code, "id": request.public_id},
                None,
                [request.contact],
            )
        verification_code_issued.send(sender=SubjectRequest, request=request, code=code)
    except Exception as exc:  # an external service at the boundary: whatever it raises, the request stays
        logger.warning("subject request %s: code not sent (%s)", request.public_id, type(exc).__name__)
        _audit(request, "code_not_sent", error=type(exc).__name__)
        return False
    return True


def subject_request_verify(*, request: SubjectRequest, code: str) -> SubjectRequest:
    """The person proves they own the contact; automatic rights are fulfilled at once."""
    with transaction.atomic():
        request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != SubjectRequestStatus.AWAITING_IDENTITY:
            raise SubjectRequestError(_("This request is not waiting for a code."))
        if request.verification_attempts >= MAX_CODE_ATTEMPTS:
            raise SubjectRequestError(_("Too many wrong codes: open a new request."))
        if secrets.compare_digest(request.verification_code_hash, _code_hash(request, code.strip())):
            return _mark_verified(request, actor=None, method="code")
        request.verification_attempts += 1
        request.save(update_fields=["verification_attempts"])
        _audit(request, "code_rejected")
    raise SubjectRequestError(_("Wrong code."))  # raised after the commit, so the attempt is counted


@transaction.atomic
def subject_request_verify_manually(*, request: SubjectRequest, actor, note: str) -> SubjectRequest:
    """Staff confirmed the identity another way (a call back, a document check)."""
    if not note.strip():
        raise SubjectRequestError(_("Say how the identity was checked."))
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SubjectRequestStatus.AWAITING_IDENTITY:
        raise SubjectRequestError(_("This request is not waiting for an identity check."))
    return _mark_verified(request, actor=actor, method="staff", note=note.strip()[:300])


def _mark_verified(request: SubjectRequest, *, actor, method: str, note: str = "") -> SubjectRequest:
    request.status = SubjectRequestStatus.VERIFIED
    request.verified_at = timezone.now()
    request.verified_by_id = getattr(actor, "pk", None)
    request.verification_code_hash = ""
    request.save(update_fields=["status", "verified_at", "verified_by_id", "verification_code_hash"])
    _audit(request, "verified", actor=actor, method=method, note=note)
    if request.kind in AUTOMATIC:
        return subject_request_fulfil(request=request, actor=actor)
    return request


def _subject_query(request: SubjectRequest) -> SubjectQuery:
    return SubjectQuery(contacts=((request.contact, request.contact_kind),), document=request.document)


def _refs(request: SubjectRequest) -> list[SubjectRef]:
    query = _subject_query(request)
    return [ref for provider in providers() for ref in provider.find(query)]


def _by_provider(ref: SubjectRef):
    return provider(ref.provider)


def _compliance_export(request: SubjectRequest, records: list[dict]) -> dict:
    """Consents and opt-outs of the contact given and of every contact point found in the person's records."""
    contacts = {(request.contact, request.contact_kind)}
    contacts |= {(p["value"], p["kind"]) for r in records for p in r.get("contact_points", []) if "value" in p}
    index = [contact_index(value, kind) for value, kind in contacts]
    return {
        "consents": list(
            ConsentRecord.objects.filter(subject_index__in=index)
            .order_by("occurred_at")
            .values(
                "purpose", "channel", "legal_basis", "status", "source", "occurred_at", "text__version", "text__text"
            )
        ),
        "do_not_contact": list(SuppressionEntry.objects.filter(subject_index__in=index).values("reason", "created_at")),
    }


@transaction.atomic
def subject_request_fulfil(*, request: SubjectRequest, actor) -> SubjectRequest:
    # lock order (docs/locks.md): compliance.SubjectRequest, then the provider's rows (leads.Lead)
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SubjectRequestStatus.VERIFIED:
        raise SubjectRequestError(_("Only a request with a verified identity can be fulfilled."))
    refs = _refs(request)
    kind = request.kind
    result: dict = {"records_found": len(refs)}
    if kind == SubjectRight.CONFIRMATION:
        result["we_process_your_data"] = bool(refs)
    elif kind in (SubjectRight.ACCESS, SubjectRight.PORTABILITY):
        _write_exports(request, refs)
        result["files"] = ["json", "xlsx"]
    elif kind == SubjectRight.CORRECTION:
        result["corrected"] = {
            f"{r.object_type}:{r.object_id}": _by_provider(r).correct(r, request.corrections, actor) for r in refs
        }
    elif kind == SubjectRight.ANONYMIZATION:
        for ref in refs:
            _by_provider(ref).anonymize(ref, actor)
        result["anonymized"] = len(refs)
    elif kind == SubjectRight.DELETION:
        for ref in refs:
            _by_provider(ref).delete(ref, actor)
        result["deleted"] = len(refs)
        # The opt-out survives deletion (only a keyed hash is kept), so a re-import can never contact them again.
        suppression_add(contact=request.contact, kind=request.contact_kind, reason=SuppressionReason.SUBJECT_REQUEST)
    elif kind == SubjectRight.SHARING_INFO:
        result["shared_with"] = [entry for ref in refs for entry in _by_provider(ref).shared_with(ref)]
    elif kind == SubjectRight.CONSENT_REVOCATION:
        for purpose in ConsentPurpose.values:
            consent_record(
                contact=request.contact,
                kind=request.contact_kind,
                purpose=purpose,
                channel=ConsentChannel.ANY,
                legal_basis=LegalBasis.CONSENT,
                status=ConsentStatus.REVOKED,
                source=ConsentSource.SUBJECT_REQUEST,
                evidence={"request": str(request.public_id)},
            )
        suppression_add(contact=request.contact, kind=request.contact_kind, reason=SuppressionReason.SUBJECT_REQUEST)
        result["revoked"] = True
    request.status = SubjectRequestStatus.COMPLETED
    request.completed_at = timezone.now()
    request.result = json.loads(json.dumps(result, cls=DjangoJSONEncoder))
    request.save(update_fields=["status", "completed_at", "result", "export_json", "export_xlsx"])
    _audit(request, "completed", actor=actor, records=len(refs))
    return request


def _write_exports(request: SubjectRequest, refs: list[SubjectRef]) -> None:
    records = [{"type": r.object_type, **_by_provider(r).export(r)} for r in refs]
    data = {
        "request": {"id": str(request.public_id), "kind": request.kind, "generated_at": timezone.now()},
        "records": records,
        **_compliance_export(request, records),
    }
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    request.export_json.save(f"{request.public_id}.json", ContentFile(body), save=False)
    sheets: dict = {}
    for record in data["records"]:
        for section, content in record.items():
            rows = content if isinstance(content, list) else [content] if isinstance(content, dict) else []
            if not rows:
                continue
            header = sorted({key for row in rows for key in row})
            existing = sheets.setdefault(section[:31], (header, []))
            existing[1].extend([[_cell(row.get(h)) for h in existing[0]] for row in rows])
    for section in ("consents", "do_not_contact"):
        rows = data[section]
        if rows:
            header = sorted(rows[0])
            sheets[section] = (header, [[_cell(row.get(h)) for h in header] for row in rows])
    if not sheets:
        sheets["data"] = (["message"], [["No personal data found for this contact."]])
    request.export_xlsx.save(f"{request.public_id}.xlsx", ContentFile(xlsx_export(sheets)), save=False)
    _audit(request, "exported", files=["json", "xlsx"])


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def subject_request_download_record(*, request: SubjectRequest, fmt: str) -> None:
    _audit(request, "downloaded", format=fmt)


@transaction.atomic
def subject_request_reject(*, request: SubjectRequest, actor, reason: str) -> SubjectRequest:
    """Staff refuse an open request; the reason is shown on the person's request page and audited."""
    if not reason.strip():
        raise SubjectRequestError(_("Say why the request is rejected: the person must be told (Art. 18 §4)."))
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise SubjectRequestError(_("Only an open request can be rejected."))
    request.status = SubjectRequestStatus.REJECTED
    request.rejection_reason = reason.strip()
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "rejection_reason", "completed_at"])
    _audit(request, "rejected", actor=actor, reason=request.rejection_reason[:300])
    return request


def subject_requests_deadline_alert(*, warn_days: int = 3) -> int:
    """Tell admins about open requests due within ``warn_days`` (or overdue), once per request."""
    now = timezone.now()
    due = SubjectRequest.objects.filter(
        status__in=[SubjectRequestStatus.AWAITING_IDENTITY, SubjectRequestStatus.VERIFIED],
        due_at__lte=now + timedelta(days=warn_days),
        deadline_alerted_at__isnull=True,
    ).order_by("due_at")
    alerted = list(due)
    if not alerted:
        return 0
    lines = [
        f"- {r.get_kind_display()} {r.public_id}: due {r.due_at:%Y-%m-%d}" + (" (OVERDUE)" if r.due_at < now else "")
        for r in alerted
    ]
    mail_admins(_("LGPD requests close to their 15-day deadline"), "\n".join(lines))
    SubjectRequest.objects.filter(pk__in=[r.pk for r in alerted]).update(deadline_alerted_at=now)
    for request in alerted:
        _audit(request, "deadline_alert")
    return len(alerted)
