"""Issuing integrator tokens: the key shown once, consultants refused, brute-force lockout."""

import pytest
from rest_framework.test import APIClient

from compliance.models import ApiToken

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_issuing_a_token_shows_the_key_once_and_stores_only_its_hash(integrator):
    response = APIClient().post(
        "/api/v1/auth/tokens/",
        {"username": "integrator", "password": PASSWORD, "name": "erp", "scopes": ["leads:read"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    key = response.json()["key"]
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert key not in (stored.key_hash, stored.prefix)
    assert _client(key).get("/api/v1/leads/").status_code == 200
    assert _client(key).delete(f"/api/v1/auth/tokens/{stored.pk}/").status_code == 204
    assert _client(key).get("/api/v1/leads/").status_code == 401


def test_consultants_cannot_issue_tokens(world):
    response = APIClient().post(
        "/api/v1/auth/tokens/",
        {"username": "ana", "password": PASSWORD, "name": "x", "scopes": ["leads:read"]},
        format="json",
    )
    assert response.status_code == 401


def test_api_token_issuance_locks_out_after_repeated_failures(integrator, settings):
    client = APIClient()
    body = {"username": "integrator", "password": "nope", "name": "x", "scopes": ["leads:read"]}
    codes = [
        client.post("/api/v1/auth/tokens/", body, format="json").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = client.post("/api/v1/auth/tokens/", body | {"password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
