"""The supervisor's numbers page: each number's health, pausing a number."""

import pytest
from django.urls import reverse

from tests.factories import consultant
from whatsapp.models import Message

pytestmark = pytest.mark.django_db
PHONE = "+5511987654321"


def test_the_supervisor_sees_each_numbers_health_and_can_pause_it(client, cloud, number):
    from tests.factories import supervisor

    Message.objects.create(number=number, contact=PHONE, direction="out", kind="text", status="failed", wamid="w1")
    Message.objects.create(number=number, contact=PHONE, direction="out", kind="text", status="read", wamid="w2")
    client.force_login(supervisor(username="sup"))
    page = client.get(reverse("whatsapp:numbers")).content.decode()
    assert "+5511955550000" in page and 'data-testid="number-106540352242922"' in page
    assert "1 delivered, 1 failed" in page or "1 entregues, 1 falharam" in page
    client.post(reverse("whatsapp:number_toggle", args=[number.pk]), {"active": "0"})
    number.refresh_from_db()
    assert number.is_active is False
    client.force_login(consultant(username="c1"))
    assert client.get(reverse("whatsapp:numbers")).status_code == 404  # other roles: not found, like every page
