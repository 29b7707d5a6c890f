"""Integrator tokens (scopes, expiry, revocation) and brute-force lockout on every door."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from compliance.models import ApiToken
from compliance.roles import Role
from compliance.services.tokens import api_token_issue, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


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


def test_login_page_and_admin_lock_out_after_repeated_failures(client, settings):
    UserFactory(username="boss", role=Role.ADMIN, is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "boss", "password": "nope"})
    locked = client.post(reverse("login"), {"username": "boss", "password": PASSWORD})
    assert locked.status_code == 429
    assert not client.get(reverse("leads:list")).wsgi_request.user.is_authenticated

    UserFactory(username="chefe", role=Role.ADMIN, is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "chefe", "password": "nope"})
    assert client.post(reverse("admin:login"), {"username": "chefe", "password": PASSWORD}).status_code == 429


def test_session_is_rotated_at_login_and_dead_after_logout_or_deactivation(client, world):
    client.get(reverse("login"))
    client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    first_key = client.session.session_key
    assert client.get(reverse("leads:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("leads:list")).status_code == 302

    client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    assert client.session.session_key != first_key
    world["ana"].is_active = False
    world["ana"].save()
    assert client.get(reverse("leads:list")).status_code == 302  # sent to log in: the session is dead
