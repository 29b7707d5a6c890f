"""Bad input gets a clear 4xx saying what and where, never a 500, and nothing is written half-way — issue #19,
break 9 ("500s on bad input"), and ARCHITECTURE habit 6 ("Errors speak to people … No bare 500s"). Each test
sends what an integrator, a person, Meta or Google would send, over HTTP through the whole middleware stack."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket

import pytest
from django.core import mail

from ai_middleware.models import Suggestion, SuggestionOutcome
from compliance.models import AuditEntry, SubjectRequest, SubjectRequestStatus
from compliance.roles import Role
from leads.models import AdLeadDelivery, IngestRequest, Lead, LeadSource
from tests.factories import LeadFactory, LeadSourceFactory, TeamFactory, UserFactory, consultant

pytestmark = pytest.mark.django_db

NUL = "\u0000"


@pytest.fixture
def integrator_api(api_for):
    return api_for(
        UserFactory(username="integrator", role=Role.INTEGRATOR), scopes=("leads:read", "leads:write", "privacy:write")
    )


def _nested(depth: int) -> str:
    return '{"full_name": "Ana", "attributes": {"x": ' + "[" * depth + "]" * depth + "}}"


# --- (a) NUL characters -------------------------------------------------------------------------------------


def test_a_nul_in_a_leads_attributes_is_refused_naming_the_field_and_the_lead_is_unchanged(integrator_api):
    """Issue #19 break 9: "NUL bytes in attributes (PATCH lead)" was a 500 from PostgreSQL; now a 400 naming
    ``attributes.nota`` and the lead keeps its attributes."""
    lead = LeadFactory(attributes={"nota": "antes"})

    response = integrator_api.patch(
        f"/api/v1/leads/{lead.pk}/", {"attributes": {"nota": f"oi{NUL}tudo"}, "city": "Campinas"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "null_character"
    assert "attributes.nota" in body["message"]
    assert list(body["details"]) == ["attributes.nota"]
    lead.refresh_from_db()
    assert lead.attributes == {"nota": "antes"}
    assert lead.city == "São Paulo"


def test_a_nul_in_a_new_leads_attribute_key_or_name_is_refused_and_no_lead_is_created(integrator_api):
    """Issue #19 break 9: "NUL bytes in attributes (POST lead)": 400 with the path, nothing created."""
    source = LeadSourceFactory(name="Site")
    base = {"full_name": "Ana", "source": source.pk, "phones": ["+5511987650001"]}

    in_key = integrator_api.post("/api/v1/leads/", {**base, "attributes": {f"a{NUL}b": "x"}}, format="json")
    in_name = integrator_api.post("/api/v1/leads/", {**base, "full_name": f"Ana{NUL}"}, format="json")

    assert in_key.status_code == 400
    assert in_key.json()["code"] == "null_character"
    assert "attributes.a\\u0000b" in in_key.json()["details"]
    assert in_name.status_code == 400
    assert "full_name" in in_name.json()["details"]
    assert not Lead.objects.filter(source=source).exists()


def test_a_nul_inside_an_ingest_batch_refuses_the_batch_naming_the_item_and_writes_nothing(integrator_api):
    """Issue #19 break 9: "NUL bytes in attributes (ingest)": the answer names ``leads[1].attributes.obs``; no
    lead is written and the idempotency key stays free, so the corrected batch can be sent with it."""
    source = LeadSourceFactory(name="Parceiro")
    items = [
        {"full_name": "Ana", "phones": ["+5511987650002"]},
        {"full_name": "Bia", "phones": ["+5511987650003"], "attributes": {"obs": f"x{NUL}"}},
    ]

    response = integrator_api.post(
        "/api/v1/leads/ingest/", {"source": source.pk, "leads": items}, format="json", HTTP_IDEMPOTENCY_KEY="lote-1"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "null_character"
    assert "leads[1].attributes.obs" in response.json()["details"]
    assert not Lead.objects.filter(source=source).exists()
    assert not IngestRequest.objects.exists()

    items[1]["attributes"] = {"obs": "x"}
    retry = integrator_api.post(
        "/api/v1/leads/ingest/", {"source": source.pk, "leads": items}, format="json", HTTP_IDEMPOTENCY_KEY="lote-1"
    )
    assert retry.status_code == 200
    assert Lead.objects.filter(source=source).count() == 2


def test_form_bodies_and_idempotency_keys_with_nul_are_refused_too(integrator_api):
    """Issue #19 break 9 (NUL in any string field): a form-encoded PATCH with a NUL in ``attributes.x`` and an
    ingest batch whose Idempotency-Key carries a NUL are 400s, not PostgreSQL errors."""
    lead = LeadFactory(attributes={"nota": "antes"})
    source = LeadSourceFactory(name="Parceiro")

    form = integrator_api.patch(
        f"/api/v1/leads/{lead.pk}/", "attributes.x=a%00b", content_type="application/x-www-form-urlencoded"
    )
    key = integrator_api.post(
        "/api/v1/leads/ingest/", {"source": source.pk, "leads": []}, format="json", HTTP_IDEMPOTENCY_KEY=f"k{NUL}1"
    )

    assert form.status_code == 400
    assert list(form.json()["details"]) == ["attributes.x"]
    assert key.status_code == 400
    assert key.json()["code"] == "idempotency_key_missing"
    lead.refresh_from_db()
    assert lead.attributes == {"nota": "antes"}
    assert not IngestRequest.objects.exists()


# --- (b) JSON nested thousands deep ---------------------------------------------------------------------


@pytest.mark.parametrize("depth", [5000, 40])
def test_json_nested_too_deep_is_a_400_saying_so(integrator_api, depth):
    """Issue #19 break 9: "JSON nested 5,000 deep" was a RecursionError 500; now a 400 "too deeply nested" — for
    5,000 levels (the parser's limit) and for 40 (our cap of 32, with where it is exceeded)."""
    lead = LeadFactory(attributes={"nota": "antes"})

    response = integrator_api.generic(
        "PATCH", f"/api/v1/leads/{lead.pk}/", _nested(depth), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "too_deeply_nested"
    assert "too deeply nested" in body["message"]
    portuguese = integrator_api.generic(
        "PATCH",
        f"/api/v1/leads/{lead.pk}/",
        _nested(depth),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )
    assert "aninhado demais" in portuguese.json()["message"]
    assert body["details"]["max_depth"] == 32
    lead.refresh_from_db()
    assert lead.attributes == {"nota": "antes"}


def test_webhooks_answer_400_to_json_nested_too_deep(client, settings):
    """Issue #19 break 9: the depth cap covers the ad-platform webhooks too (a valid signature, a 5,000-deep
    body)."""
    settings.META_APP_SECRET = FB_SECRET
    body = _nested(5000).encode()

    response = client.post(
        "/webhooks/facebook/leadgen/", body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=_sign(body)
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_deeply_nested"


# --- (c) privacy requests: the contact is checked before saving; a failed send is said, not a 500 ------------


def test_a_privacy_request_to_an_internationalized_email_is_registered_and_the_code_is_sent(integrator_api):
    """Issue #19 break 9: "POST /api/v1/privacy/requests/ with a non-ASCII address" answered 500 after saving,
    so no code went out. Now 201, ``code_sent`` true, and the code is in the mail to that address."""
    response = integrator_api.post(
        "/api/v1/privacy/requests/",
        {"kind": "access", "requester_name": "José", "contact": "José@Exêmplo.com.br", "contact_kind": "email"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["code_sent"] is True
    assert SubjectRequest.objects.get().contact == "josé@exêmplo.com.br"
    assert mail.outbox[-1].to == ["josé@exêmplo.com.br"]


@pytest.mark.parametrize(
    ("contact", "contact_kind"), [("not-an-email", "email"), ("maria@", "email"), ("12", "phone"), ("", "phone")]
)
def test_a_privacy_request_with_a_contact_we_cannot_reach_is_refused_before_anything_is_saved(
    integrator_api, contact, contact_kind
):
    """Issue #19 break 9: ""not-an-email" is accepted" — now a 400 naming ``contact``; no request is stored."""
    response = integrator_api.post(
        "/api/v1/privacy/requests/",
        {"kind": "access", "requester_name": "Maria", "contact": contact, "contact_kind": contact_kind},
        format="json",
    )

    assert response.status_code == 400
    assert "contact" in response.json()["details"]
    assert not SubjectRequest.objects.exists()
    assert not mail.outbox


def test_when_the_code_cannot_be_sent_the_request_is_kept_and_the_answer_says_so(integrator_api, settings):
    """Issue #19 break 9: "if sending the code fails after saving, the request is kept and the answer says so".
    The mail server is unreachable (a closed loopback port): 201 with ``code_sent`` false and a message, the
    request open with its deadline, the failure in the audit log."""
    _smtp_unreachable(settings)

    response = integrator_api.post(
        "/api/v1/privacy/requests/",
        {"kind": "deletion", "requester_name": "Maria", "contact": "maria@exemplo.com.br", "contact_kind": "email"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["code_sent"] is False
    assert "could not be sent" in body["message"]
    request = SubjectRequest.objects.get()
    assert request.status == SubjectRequestStatus.AWAITING_IDENTITY
    assert AuditEntry.objects.filter(action="subject_request.code_not_sent", object_id=str(request.pk)).exists()


def _smtp_unreachable(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_TIMEOUT = 5


def test_on_the_public_privacy_page_a_bad_contact_is_explained_and_a_failed_send_is_said(client, settings):
    """Issue #19 break 9 on the public page (README "Data-subject rights at /privacidade/"): "not-an-email" is
    explained on the form and nothing is saved; when the code cannot be sent, the person lands on the request's
    page and is told so."""
    form = {"kind": "access", "requester_name": "Maria", "contact_kind": "email", "document": "", "details": ""}

    bad = client.post("/privacidade/", {**form, "contact": "not-an-email"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200
    assert "is not an e-mail address we can send the code to" in bad.content.decode()
    assert not SubjectRequest.objects.exists()

    _smtp_unreachable(settings)
    sent = client.post("/privacidade/", {**form, "contact": "maria@exemplo.com.br"}, HTTP_ACCEPT_LANGUAGE="en")
    assert sent.status_code == 302
    page = client.get(sent.url, HTTP_ACCEPT_LANGUAGE="en")
    assert "we could not send the code" in page.content.decode()
    assert SubjectRequest.objects.get().status == SubjectRequestStatus.AWAITING_IDENTITY


def test_staff_reject_a_request_with_a_reason_the_person_then_reads(login, client):
    """Unwired ``subject_request_reject`` is now an admin action: an admin rejects with a reason (asked on a
    page of its own), the request closes, the reason is audited and shown on the person's status page."""
    from compliance.services.subject_requests import subject_request_create

    request, _code = subject_request_create(
        kind="deletion",
        requester_name="Maria",
        contact="maria@exemplo.com.br",
        contact_kind="email",
        channel="api",
    )
    admin = login(UserFactory(username="dpo", role=Role.ADMIN, is_staff=True, is_superuser=True))
    changelist = "/admin/compliance/subjectrequest/"

    ask = admin.post(changelist, {"action": "reject", "_selected_action": [request.pk]})
    assert ask.status_code == 200
    assert 'name="reason"' in ask.content.decode()
    done = admin.post(
        changelist,
        {"action": "reject", "apply": "1", "_selected_action": [request.pk], "reason": "Pedido duplicado do nº 12."},
    )

    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == SubjectRequestStatus.REJECTED
    assert AuditEntry.objects.filter(action="subject_request.rejected", object_id=str(request.pk)).exists()
    page = client.get(f"/privacidade/{request.public_id}/")
    assert "Pedido duplicado do nº 12." in page.content.decode()


# --- (d) another lead's suggestion ---------------------------------------------------------------------------


def test_discarding_another_leads_suggestion_through_this_lead_is_a_404_and_changes_nothing(login):
    """Issue #19 break 9: "discarding another lead's suggestion" was a 500 (DoesNotExist); now 404, and the
    other lead's suggestion stays pending."""
    ana = consultant(username="ana")
    TeamFactory(name="Equipe A", members=[ana])
    mine, other = LeadFactory(owner=ana), LeadFactory(owner=ana)
    suggestion = Suggestion.objects.create(lead_id=other.pk, provider="local", drafts=[{"text": "Oi!"}])
    browser = login(ana)

    response = browser.post(f"/ai/leads/{mine.pk}/suggestions/{suggestion.pk}/discard/", HTTP_HX_REQUEST="true")

    assert response.status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.outcome == SuggestionOutcome.PENDING
    ok = browser.post(f"/ai/leads/{other.pk}/suggestions/{suggestion.pk}/discard/", HTTP_HX_REQUEST="true")
    assert ok.status_code == 200


# --- (e) ad-platform webhooks with a valid key and a malformed body ----------------------------------------


FB_SECRET = "fb-secret"


def _sign(body: bytes) -> str:
    return "sha256=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"not json", "body"),
        (b"[1, 2]", None),
        (json.dumps({"object": "page", "entry": {"id": "1"}}).encode(), "entry"),
        (json.dumps({"object": "page", "entry": ["x"]}).encode(), "entry"),
        (
            json.dumps(
                {"object": "page", "entry": [{"id": "1", "changes": [{"field": "leadgen", "value": "x"}]}]}
            ).encode(),
            "entry",
        ),
        (
            json.dumps(
                {"object": "page", "entry": [{"changes": [{"field": "leadgen", "value": {"leadgen_id": {"a": 1}}}]}]}
            ).encode(),
            "entry",
        ),
        (
            json.dumps(
                {"object": "page", "entry": [{"changes": [{"field": "leadgen", "value": {"leadgen_id": f"1{NUL}"}}]}]}
            ).encode(),
            None,
        ),
    ],
)
def test_a_signed_facebook_leadgen_post_with_a_malformed_body_is_a_400_and_stores_nothing(
    client, settings, body, where
):
    """Issue #19 break 9: "Facebook lead webhooks with a valid key and a malformed body" (not JSON, not an
    object, wrong types) — a 400 with a message naming the field, and no delivery stored."""
    settings.META_APP_SECRET = FB_SECRET

    response = client.post(
        "/webhooks/facebook/leadgen/", body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=_sign(body)
    )

    assert response.status_code == 400
    answer = response.json()
    assert answer["message"]
    if where:
        assert where in answer["details"]
    assert not AdLeadDelivery.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"user_column_data": {"column_id": "FULL_NAME"}}, "user_column_data"),
        ({"user_column_data": ["FERNANDA"]}, "user_column_data"),
        ({"user_column_data": [{"column_id": "EMAIL", "string_value": ["a@b.com"]}]}, "user_column_data"),
        ({"lead_id": {"id": 1}}, "lead_id"),
        ({"user_column_data": [{"column_id": "FULL_NAME", "string_value": f"Ana{NUL}"}]}, None),
    ],
)
def test_a_google_ads_lead_with_the_right_key_and_a_malformed_body_is_a_400_and_creates_no_lead(
    client, overrides, where
):
    """Issue #19 break 9: "Google lead webhooks with a valid key and a malformed body" — 400 naming the field,
    no lead."""
    source = LeadSource.objects.create(name="Google Ads", kind="ads", webhook_key="g-key")
    payload = {
        "lead_id": "L-1",
        "google_key": "g-key",
        "user_column_data": [{"column_id": "PHONE_NUMBER", "string_value": "+55 11 98765-0000"}],
        **overrides,
    }

    response = client.post(f"/webhooks/google-ads/{source.pk}/", json.dumps(payload), content_type="application/json")

    assert response.status_code == 400
    if where:
        assert where in response.json()["details"]
    assert not Lead.objects.filter(source=source).exists()
    not_json = client.post(f"/webhooks/google-ads/{source.pk}/", b"{", content_type="application/json")
    assert not_json.status_code == 400


def test_a_lead_whose_only_contact_is_not_a_phone_is_refused_naming_the_field(world, api_for, login):
    """Found trying it: ``POST /api/v1/leads/`` with ``"phones": ["abc"]`` answered 201 with an unusable contact.
    README: "create (at least one phone or e-mail)" — a valid one, as imports require per row. The API answers 400
    naming ``phones`` and writes nothing; the staff form says the same; a bad phone beside a good e-mail is kept."""
    from leads.models import Lead

    before = Lead.objects.count()
    api = api_for(world["ana"], scopes=("leads:read", "leads:write"))
    body = {"full_name": "Sem Contato", "phones": ["abc"], "source": world["source"].pk}
    refused = api.post("/api/v1/leads/", body, format="json", HTTP_ACCEPT_LANGUAGE="pt-br")
    assert refused.status_code == 400, refused.content
    assert "phones" in refused.json()["details"] and "válido" in refused.json()["details"]["phones"][0]
    assert Lead.objects.count() == before
    kept = api.post(
        "/api/v1/leads/?confirm_duplicate=true",
        {**body, "emails": ["sem.contato@example.com"]},
        format="json",
    )
    assert kept.status_code == 201, kept.content
    browser = login(world["ana"])
    form = browser.post(
        "/leads/new/",
        {"full_name": "Sem Contato", "phone": "abc", "source": world["source"].pk},
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )
    assert form.status_code == 400 and "Nenhum dos telefones ou e-mails informados é válido" in form.content.decode()
    assert Lead.objects.count() == before + 1
