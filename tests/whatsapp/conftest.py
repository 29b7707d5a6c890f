"""A business account with one number, the Graph/Cloud API simulator on loopback, and helpers that deliver
signed webhooks through Django's test client and process the stored events like the worker would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from whatsapp.models import BusinessAccount, EventStatus, PhoneNumber, WebhookEvent
from whatsapp.services import webhook_event_process

NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"


@pytest.fixture
def cloud(settings):
    from whatsapp.simulator import GraphSimulator

    settings.META_APP_SECRET = settings.WHATSAPP_APP_SECRET = "wa-app-secret"
    settings.WHATSAPP_VERIFY_TOKEN = "wa-verify"
    settings.WHATSAPP_BACKEND = "simulator"
    with GraphSimulator(access_token="wa-token", app_secret="wa-app-secret", pair_interval_s=0.0) as simulator:
        settings.WHATSAPP_GRAPH_URL = simulator.url
        simulator.number_add(NUMBER_ID, "+5511955550000", WABA_ID)
        yield simulator


@pytest.fixture
def number(db, cloud):
    account = BusinessAccount.objects.create(name="Fluxo Imóveis", waba_id=WABA_ID, access_token="wa-token")
    # A number registered months ago: past its warm-up ramp (tests of the ramp register a new one).
    return PhoneNumber.objects.create(
        account=account,
        phone_number_id=NUMBER_ID,
        display_number="+5511955550000",
        verified_name="Fluxo",
        created_at=timezone.now() - timedelta(days=120),
    )


@pytest.fixture
def deliver(client, cloud, django_capture_on_commit_callbacks):
    """POST signed bodies to /webhooks/whatsapp/, then process every pending event; returns the responses."""

    def _deliver(*bodies: bytes, process: bool = True):
        responses = []
        for body in bodies:
            with django_capture_on_commit_callbacks():
                responses.append(
                    client.post(
                        "/webhooks/whatsapp/",
                        body,
                        content_type="application/json",
                        HTTP_X_HUB_SIGNATURE_256=cloud.signature(body),
                    )
                )
        if process:
            for event_id in WebhookEvent.objects.filter(status=EventStatus.PENDING).values_list("pk", flat=True):
                with django_capture_on_commit_callbacks(execute=False):
                    webhook_event_process(event_id=event_id)
        return responses

    return _deliver
