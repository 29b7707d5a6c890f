"""Optional TOTP for admins and supervisors: once enabled, every session needs the code."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_supervisor_enables_totp_and_then_needs_it_at_every_login(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a failure; this test retries at once
    client.post(reverse("login"), {"username": "sup_a", "password": PASSWORD})
    page = client.get(reverse("two_factor_setup"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world["sup_a"])
    assert client.post(reverse("two_factor_setup"), {"token": "000000"}).status_code == 200
    client.post(reverse("two_factor_setup"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed

    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "sup_a", "password": PASSWORD})
    blocked = client.get(reverse("assignment:supervisor_home"))
    assert blocked.status_code == 302
    assert blocked.url.startswith(reverse("two_factor_verify"))
    assert client.get(reverse("leads:list")).status_code == 302  # HTMX partials and every page alike

    assert (
        client.post(
            reverse("two_factor_verify"), {"token": "123456" if _code(device) != "123456" else "654321"}
        ).status_code
        == 200
    )
    device.refresh_from_db()
    device.last_t = -1  # allow reusing the current time step in this test
    device.save()
    client.post(reverse("two_factor_verify"), {"token": _code(device), "next": "/supervisor/"})
    assert client.get(reverse("assignment:supervisor_home")).status_code == 200


def test_people_without_a_device_are_not_asked_and_consultants_cannot_enroll(client, world):
    client.force_login(world["ana"])
    assert client.get(reverse("leads:list")).status_code == 200
    assert client.get(reverse("two_factor_setup")).status_code == 302
    assert not TOTPDevice.objects.exists()
