"""Outside-in scenarios: each test drives Fluxo the way a user, Meta or an integrator would — HTTP requests
through the whole middleware stack (Django's test client is a WSGI client), signed webhooks, the Cloud API
simulator, management commands — and asserts what that person would see. Each test names the README line (or
issue promise) it proves in its docstring.

Shared here: a WhatsApp world (simulator + number) whose webhooks are POSTed signed over HTTP and drained by the
same task beat runs, and logins that go through the real login form (and the code step when 2FA is on)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
BUSINESS_NUMBER = "+5511955550000"
DEMO_PASSWORD = "s3nha-de-teste-Fluxo"


@pytest.fixture
def wa(settings, db):
    """The Cloud API simulator on loopback with one registered business number, Fluxo pointed at it."""
    from whatsapp.models import BusinessAccount, PhoneNumber
    from whatsapp.simulator import GraphSimulator

    settings.META_APP_SECRET = settings.WHATSAPP_APP_SECRET = "wa-app-secret"
    settings.WHATSAPP_VERIFY_TOKEN = "wa-verify"
    settings.WHATSAPP_BACKEND = "simulator"
    with GraphSimulator(access_token="wa-token", app_secret="wa-app-secret", pair_interval_s=0.0) as simulator:
        settings.WHATSAPP_GRAPH_URL = simulator.url
        simulator.number_add(NUMBER_ID, BUSINESS_NUMBER, WABA_ID)
        account = BusinessAccount.objects.create(name="Fluxo Imóveis", waba_id=WABA_ID, access_token="wa-token")
        # A number registered months ago, past its warm-up ramp; a scenario about warm-up registers a new one.
        simulator.number = PhoneNumber.objects.create(
            account=account,
            phone_number_id=NUMBER_ID,
            display_number=BUSINESS_NUMBER,
            verified_name="Fluxo",
            created_at=timezone.now() - timedelta(days=120),
        )
        yield simulator


def inbound_text_body(*, wa_id: str, text: str, name: str = "Cliente", wamid: str | None = None) -> bytes:
    """A Meta-shaped ``messages`` webhook carrying one inbound text from ``wa_id``."""
    wamid = wamid or f"wamid.scn{time.monotonic_ns()}"
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": BUSINESS_NUMBER.lstrip("+"), "phone_number_id": NUMBER_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [
            {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
def meta_post(client, wa, django_capture_on_commit_callbacks):
    """POST a body to ``/webhooks/whatsapp/`` signed as Meta signs it, then run the drain task beat runs
    (``whatsapp.webhook_events_drain``) so the stored events are processed as in production."""
    from whatsapp.tasks import webhook_events_drain_task

    def _post(body: bytes, *, drain: bool = True):
        # What the request commits runs its on-commit work (with eager Celery, the drain it kicks runs inline).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/webhooks/whatsapp/",
                body,
                content_type="application/json",
                HTTP_X_HUB_SIGNATURE_256=wa.signature(body),
            )
        if drain:
            with django_capture_on_commit_callbacks(execute=True):
                webhook_events_drain_task()
        return response

    return _post


@pytest.fixture
def login(client):
    """Log ``user`` in through the real login form (and the TOTP step when the user has a device); returns a
    fresh test client holding that session."""
    from django.test import Client

    def _login(user, *, password: str = DEMO_PASSWORD, otp_device=None) -> Client:
        user.set_password(password)
        user.save(update_fields=["password"])
        browser = Client()
        response = browser.post("/accounts/login/", {"username": user.username, "password": password})
        assert response.status_code == 302, response.content[:500]
        if otp_device is not None:
            from django_otp.oath import totp

            code = f"{totp(otp_device.bin_key, otp_device.step, otp_device.t0, otp_device.digits):06d}"
            response = browser.post("/accounts/2fa/verify/", {"token": code})
            assert response.status_code == 302
        return browser

    return _login
