"""The bulk-send traffic light with its approval; a rejected bulk send never reaches the outbox."""

from datetime import timedelta

import pytest
from django.urls import reverse

from antiban.bulk import bulk_send_create
from antiban.models import BulkSend, OutboxMessage, Priority
from tests.antiban.builders import PEOPLE, _template
from tests.factories import supervisor

pytestmark = pytest.mark.django_db


def _audience(n):
    return [{"lead_id": None, "contact": contact, "name": f"Pessoa {i}"} for i, contact in enumerate(PEOPLE[:n])]


def test_the_traffic_light_green_goes_spread_and_rotated_yellow_waits_red_is_refused(
    client, cloud, number, settings, contact_hours_open
):
    settings.ANTIBAN_BULK_REVIEW_SIZE = 5
    a, b = _template(number, "aviso_a"), _template(number, "aviso_b")
    green = bulk_send_create(
        name="Lembretes",
        variants=[{"name": a.name, "language": "pt_BR"}, {"name": b.name, "language": "pt_BR"}],
        audience=_audience(4),
        priority=Priority.UTILITY,
        spread_minutes=10,
    )
    assert (green.light, green.status) == ("green", "released")
    rows = list(OutboxMessage.objects.filter(bulk=green).order_by("not_before"))
    assert [r.template_name for r in rows] == ["aviso_a", "aviso_b", "aviso_a", "aviso_b"]  # A/B rotation
    assert rows[-1].not_before - rows[0].not_before >= timedelta(minutes=7)  # spread, not a burst

    yellow = bulk_send_create(
        name="Todos", variants=[{"name": a.name, "language": "pt_BR"}], audience=_audience(6), priority=Priority.UTILITY
    )
    assert (yellow.light, yellow.status) == ("yellow", "pending") and yellow.light_reasons
    assert not OutboxMessage.objects.filter(bulk=yellow).exists()
    client.force_login(supervisor(username="sup"))
    page = client.get(reverse("antiban:dashboard")).content.decode()
    assert f'data-testid="bulk-{yellow.pk}"' in page
    client.post(reverse("antiban:bulk_decide", args=[yellow.pk]), {"approve": "1"})
    yellow.refresh_from_db()
    assert yellow.status == "released" and OutboxMessage.objects.filter(bulk=yellow).count() == 6

    no_opt_out = _template(number, "promo_sem_saida", category="MARKETING", footer=False)
    red = bulk_send_create(
        name="Promo", variants=[{"name": no_opt_out.name, "language": "pt_BR"}], audience=_audience(2)
    )
    assert (red.light, red.status) == ("red", "refused")
    assert any("promo_sem_saida" in reason for reason in red.light_reasons)  # no opt-out instruction
    assert any("%" in reason for reason in red.light_reasons)  # and nobody consented to marketing
    assert not OutboxMessage.objects.filter(bulk=red).exists()


def test_a_rejected_bulk_send_never_reaches_the_outbox(client, cloud, number, settings, contact_hours_open):
    settings.ANTIBAN_BULK_REVIEW_SIZE = 1
    template = _template(number)
    bulk = bulk_send_create(
        name="X",
        variants=[{"name": template.name, "language": "pt_BR"}],
        audience=_audience(2),
        priority=Priority.UTILITY,
    )
    client.force_login(supervisor(username="sup"))
    client.post(reverse("antiban:bulk_decide", args=[bulk.pk]), {"approve": "0"})
    bulk.refresh_from_db()
    assert bulk.status == "rejected" and not OutboxMessage.objects.filter(bulk=bulk).exists()
    assert BulkSend.objects.get(pk=bulk.pk).decided_by_id
