"""Brute-force lockout on the login page and the admin; sessions rotated at login and dead after logout."""

import pytest
from django.urls import reverse

from compliance.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


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


def test_the_site_root_sends_each_role_to_its_start_page(client, world):
    """``home``: supervisors to their home, consultants to their leads, and an integrator (an API account, no desk)
    to the API's documentation instead of a page its role may not open (user test, #22)."""
    integrator = UserFactory(username="api-bot", role=Role.INTEGRATOR)
    for user, start in (
        (world["sup_a"], reverse("assignment:supervisor_home")),
        (world["ana"], reverse("leads:list")),
        (integrator, reverse("api-docs")),
    ):
        client.force_login(user)
        response = client.get("/", follow=True)
        assert response.redirect_chain[-1][0] == start and response.status_code == 200
