"""Every LGPD Art. 18 right end to end: request, identity check, fulfilment, deadline, audit."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from compliance.models import (
    AuditEntry,
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    ConsentStatus,
    ConsentText,
    LegalBasis,
    SubjectRequest,
    SubjectRequestChannel,
    SubjectRequestStatus,
    SubjectRight,
)
from compliance.services.audit import audit_chain_verify
from compliance.services.consent import consent_record, may_contact
from compliance.services.subject_requests import (
    SubjectRequestError,
    subject_request_create,
    subject_request_fulfil,
    subject_request_verify,
    subject_request_verify_manually,
    subject_requests_deadline_alert,
)
from leads.models import ContactPoint, EventKind, Lead, LeadEvent
from leads.services import lead_add_note, lead_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PHONE, EMAIL, CPF = "+5511988887777", "maria@exemplo.com.br", "52998224725"


@pytest.fixture
def maria(world):
    lead = lead_create(
        actor=None,
        source=world["source"],
        owner=world["ana"],
        team=world["team_a"],
        full_name="Maria Souza",
        phones=[PHONE],
        emails=[EMAIL],
        document=CPF,
        city="Santos",
        state="SP",
    )
    lead_add_note(lead=lead, actor=world["ana"], text="Maria quer 3 quartos perto da praia")
    text = ConsentText.objects.get(purpose="marketing", version=1)  # shipped by a migration
    consent_record(
        contact=PHONE,
        kind="phone",
        purpose=ConsentPurpose.MARKETING,
        channel=ConsentChannel.WHATSAPP,
        legal_basis=LegalBasis.CONSENT,
        status=ConsentStatus.GRANTED,
        source=ConsentSource.FORM,
        text=text,
    )
    return lead


def _request(kind, contact=PHONE, contact_kind="phone", **extra):
    request, code = subject_request_create(
        kind=kind,
        requester_name="Maria",
        contact=contact,
        contact_kind=contact_kind,
        channel=SubjectRequestChannel.API,
        **extra,
    )
    return request, code


def test_access_through_the_public_page_with_an_emailed_code_and_downloads(
    client, maria, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("privacy_request"),
            {
                "kind": "access",
                "requester_name": "Maria",
                "contact_kind": "email",
                "contact": "MARIA@exemplo.com.br",
                "document": "",
                "details": "",
                "website": "",
            },
        )
    assert page.status_code == 302
    subject_request = SubjectRequest.objects.get()
    assert subject_request.due_at - subject_request.created_at == timedelta(days=15)
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)

    wrong = client.post(page.url, {"code": "000000" if code != "000000" else "111111"})
    assert 'data-testid="status"' in wrong.content.decode()
    client.post(page.url, {"code": code})

    subject_request.refresh_from_db()
    assert subject_request.status == SubjectRequestStatus.COMPLETED
    exported = json.loads(
        b"".join(client.get(reverse("privacy_download", args=[subject_request.public_id, "json"])).streaming_content)
    )
    record = exported["records"][0]
    assert record["lead"]["full_name"] == "Maria Souza"
    assert record["lead"]["document"] == CPF
    assert {c["value"] for c in record["contact_points"]} == {PHONE, EMAIL}
    assert any(e["payload"].get("text") == "Maria quer 3 quartos perto da praia" for e in record["timeline"])
    assert exported["consents"][0]["text__text"] == ConsentText.objects.get(purpose="marketing", version=1).text
    xlsx = b"".join(client.get(reverse("privacy_download", args=[subject_request.public_id, "xlsx"])).streaming_content)
    assert {"lead", "contact_points", "timeline", "consents"} <= set(load_workbook(io.BytesIO(xlsx)).sheetnames)
    other_browser = client.__class__()
    assert other_browser.get(reverse("privacy_download", args=[subject_request.public_id, "json"])).status_code == 404


def test_confirmation_and_portability_and_sharing_info(maria):
    confirmation, code = _request(SubjectRight.CONFIRMATION)
    assert subject_request_verify(request=confirmation, code=code).result["we_process_your_data"] is True
    nobody, code = _request(SubjectRight.CONFIRMATION, contact="+5521977776666")
    assert subject_request_verify(request=nobody, code=code).result["we_process_your_data"] is False

    portability, code = _request(SubjectRight.PORTABILITY, contact_kind="email", contact=EMAIL)
    done = subject_request_verify(request=portability, code=code)
    assert done.export_json and done.export_xlsx

    sharing, code = _request(SubjectRight.SHARING_INFO)
    entities = {e["entity"] for e in subject_request_verify(request=sharing, code=code).result["shared_with"]}
    assert {"Site", "Equipe A"} <= entities


def test_correction_waits_for_review_then_changes_the_lead_with_a_timeline_event(maria, world):
    request, code = _request(SubjectRight.CORRECTION, corrections={"full_name": "Maria Souza Lima", "city": "Guarujá"})
    verified = subject_request_verify(request=request, code=code)
    assert verified.status == SubjectRequestStatus.VERIFIED  # a person reviews corrections
    subject_request_fulfil(request=verified, actor=UserFactory(username="dpo"))
    maria.refresh_from_db()
    assert (maria.full_name, maria.city) == ("Maria Souza Lima", "Guarujá")
    assert LeadEvent.objects.filter(lead=maria, kind=EventKind.UPDATED).exists()


def test_anonymization_replaces_identifiers_and_scrubs_the_timeline_but_keeps_aggregates(maria):
    request, code = _request(SubjectRight.ANONYMIZATION, document=CPF)
    subject_request_fulfil(request=subject_request_verify(request=request, code=code), actor=None)
    lead = Lead.objects.get(pk=maria.pk)
    assert lead.full_name == f"Anonimizado #{lead.pk}"
    assert (lead.document, lead.document_index, lead.city) == ("", "", "")
    assert (lead.stage, lead.state, lead.source_id) == (maria.stage, "SP", maria.source_id)
    assert not ContactPoint.objects.filter(lead=lead).exists()
    texts = [e.payload.get("text") for e in LeadEvent.objects.filter(lead=lead, kind=EventKind.NOTE)]
    assert texts == ["[removido: LGPD]"]


def test_deletion_removes_the_lead_and_keeps_the_contact_suppressed(maria):
    request, code = _request(SubjectRight.DELETION, contact_kind="email", contact=EMAIL)
    subject_request_fulfil(request=subject_request_verify(request=request, code=code), actor=None)
    assert not Lead.objects.filter(pk=maria.pk).exists()
    assert not LeadEvent.objects.filter(lead_id=maria.pk).exists()
    decision = may_contact(contact=EMAIL, kind="email", channel=ConsentChannel.EMAIL, purpose=ConsentPurpose.SERVICE)
    assert decision.code == "suppressed"


def test_revocation_revokes_every_purpose_and_suppresses(maria):
    assert may_contact(
        contact=PHONE, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=ConsentPurpose.MARKETING
    ).allowed
    request, code = _request(SubjectRight.CONSENT_REVOCATION)
    assert subject_request_verify(request=request, code=code).result["revoked"] is True
    decision = may_contact(
        contact=PHONE, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=ConsentPurpose.MARKETING
    )
    assert decision.code == "suppressed"


def test_wrong_codes_are_limited_and_staff_can_verify_another_way(maria):
    request, code = _request(SubjectRight.ACCESS)
    wrong = "999999" if code != "999999" else "888888"
    for _ in range(5):
        with pytest.raises(SubjectRequestError):
            subject_request_verify(request=request, code=wrong)
    with pytest.raises(SubjectRequestError) as blocked:
        subject_request_verify(request=request, code=code)  # even the right code: too many attempts
    assert SubjectRequest.objects.get(pk=request.pk).verification_attempts == 5
    assert blocked.value.message != "Wrong code."
    done = subject_request_verify_manually(request=request, actor=UserFactory(username="dpo"), note="ligou de volta")
    assert done.status == SubjectRequestStatus.COMPLETED


def test_deadline_alerts_go_to_admins_once(settings, maria):
    settings.ADMINS = [("DPO", "dpo@example.com")]
    late, _ = _request(SubjectRight.ACCESS)
    SubjectRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() + timedelta(days=1))
    _request(SubjectRight.ACCESS)  # due in 15 days: no alert yet
    mail.outbox.clear()
    assert subject_requests_deadline_alert() == 1
    assert subject_requests_deadline_alert() == 0
    assert str(late.public_id) in mail.outbox[0].body


def test_every_step_is_in_the_audit_log(maria):
    request, code = _request(SubjectRight.ACCESS)
    subject_request_verify(request=request, code=code)
    actions = set(AuditEntry.objects.filter(object_id=str(request.pk)).values_list("action", flat=True))
    assert {
        "subject_request.received",
        "subject_request.verified",
        "subject_request.exported",
        "subject_request.completed",
    } <= actions
    assert audit_chain_verify().ok


def test_integrators_relay_requests_with_the_privacy_scope(integrator, api_for, maria):
    body = {"kind": "access", "requester_name": "Maria", "contact": PHONE, "contact_kind": "phone"}
    assert api_for(integrator).post("/api/v1/privacy/requests/", body, format="json").status_code == 403
    created = api_for(integrator, scopes=["privacy:write"]).post("/api/v1/privacy/requests/", body, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "awaiting_identity"
