"""Integrator tokens: scopes, expiry, revocation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from compliance.models import ApiToken
from compliance.services.tokens import api_token_issue, api_token_revoke

pytestmark = pytest.mark.django_db


def _client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_scopes_decide_what_a_token_may_do(integrator, world):
    _t, read_key = api_token_issue(user=integrator, name="bi", scopes=["leads:read"])
    reader = _client(read_key)
    assert reader.get("/api/v1/leads/").status_code == 200
    refused = reader.post("/api/v1/leads/", {"full_name": "X", "source": world["source"].pk, "phones": ["11999990000"]})
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "leads:write" in refused.json()["message"]


def test_expired_revoked_and_deactivated_tokens_are_refused(integrator):
    token, key = api_token_issue(user=integrator, name="x", scopes=["leads:read"])
    assert _client(key).get("/api/v1/leads/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(key).get("/api/v1/leads/").status_code == 401

    token2, key2 = api_token_issue(user=integrator, name="y", scopes=["leads:read"])
    api_token_revoke(token=token2)
    assert _client(key2).get("/api/v1/leads/").status_code == 401

    _t3, key3 = api_token_issue(user=integrator, name="z", scopes=["leads:read"])
    integrator.is_active = False
    integrator.save()
    assert _client(key3).get("/api/v1/leads/").status_code == 401
    assert _client(key3[:-2] + "xx").get("/api/v1/leads/").status_code == 401
