"""Schemathesis over ``/api/schema/``: every documented operation, fed generated valid and invalid input as an
integrator (a token with every scope) and as a consultant (a token of a user who may see only their own leads),
answers without a server error — issue #19, break 9: "A schemathesis run over `/api/schema/` must end with 0
server errors." README: "REST API … errors as {code, message, details}".

Deterministic (``derandomize``) and bounded (``max_examples`` per operation), so it runs in the suite on a busy
machine. The app is driven through its WSGI entry point, the whole middleware stack included."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from compliance.roles import Role
from compliance.services.tokens import SCOPES, api_token_issue
from tests.factories import LeadFactory, LeadSourceFactory, TeamFactory, UserFactory, consultant

MAX_EXAMPLES = 15  # generated per operation and role, beyond schemathesis' deterministic coverage cases


class _InTransactionWSGI:
    """Django's WSGI handler, minus the "close old connections" hooks a real server runs around each request:
    the test's database transaction (rolled back afterwards) must survive the requests, as with Django's
    test client."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


def _schema():
    from django.conf import settings as django_settings

    hosts = django_settings.ALLOWED_HOSTS
    django_settings.ALLOWED_HOSTS = [*hosts, "localhost"]  # the host the WSGI client sends
    try:
        return schemathesis.openapi.from_wsgi("/api/schema/", _InTransactionWSGI())
    finally:
        django_settings.ALLOWED_HOSTS = hosts


schema = _schema()


@pytest.fixture(autouse=True)
def _localhost_allowed(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]


def _world():
    source = LeadSourceFactory(name="API")
    ana = consultant(username="ana")
    team = TeamFactory(name="Equipe A", members=[ana])
    leads = [LeadFactory(owner=ana, team=team, source=source) for _ in range(2)]
    return ana, {"lead_ids": [lead.pk for lead in leads], "source_id": source.pk, "user_ids": [ana.pk]}


def _principal(user, world):
    _token, key = api_token_issue(user=user, name="fuzz", scopes=sorted(SCOPES))
    return {"headers": {"Authorization": f"Token {key}"}, **world, "user_ids": [*world["user_ids"], user.pk]}


@pytest.fixture
def integrator_token(db):
    """An integrator's token with every scope, and leads it may reach."""
    _ana, world = _world()
    return _principal(UserFactory(username="integrator", role=Role.INTEGRATOR), world)


@pytest.fixture
def consultant_token(db):
    """A consultant's token (every scope: the role, not the token, limits what they see) and their leads."""
    ana, world = _world()
    return _principal(ana, world)


def _real(value, choices):
    """Even generated ids become real ones (deterministically), so generated bodies also get past the lookups
    and reach the services; odd ones stay as generated, for the 404/400 paths."""
    if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
        return choices[value // 2 % len(choices)]
    return value


def _call(case, principal):
    if case.path_parameters and "lead_id" in case.path_parameters:
        case.path_parameters["lead_id"] = _real(case.path_parameters["lead_id"], principal["lead_ids"])
    if isinstance(case.body, dict):
        if "source" in case.body:
            case.body["source"] = _real(case.body["source"], [principal["source_id"]])
        for field in ("owner", "consultant_id"):
            if field in case.body:
                case.body[field] = _real(case.body[field], principal["user_ids"])
    case.call_and_validate(headers=principal["headers"], checks=[not_a_server_error, response_schema_conformance])


FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_as_an_integrator_the_api_answers_every_generated_request_without_a_server_error(case, integrator_token):
    """Issue #19 break 9: 0 server errors over /api/schema/ with an all-scopes integrator token; responses
    conform to the schema."""
    _call(case, integrator_token)


@schema.parametrize()
@settings(FUZZ, phases=[Phase.generate])  # the coverage cases ran as the integrator; here generated ones only
def test_as_a_consultant_the_api_answers_every_generated_request_without_a_server_error(case, consultant_token):
    """Issue #19 break 9: the same run as a consultant, who sees only their own leads."""
    _call(case, consultant_token)
