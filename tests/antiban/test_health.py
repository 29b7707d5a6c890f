"""The adaptive and reactive layers against real Redis and PostgreSQL and the simulator: paced send slots under
concurrency, warm-up caps advancing and halting, the circuit breaker's probes and recovery, the health score,
identical bodies, the bulk-send traffic light with its approval, the dashboard and the metrics API."""

import threading
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_redis import get_redis_connection

from antiban.bulk import bulk_send_create
from antiban.health import numbers_health_refresh, warmup_advance
from antiban.models import (
    Breaker,
    BulkSend,
    Incident,
    NumberMode,
    NumberState,
    OutboxMessage,
    OutboxState,
    Priority,
)
from antiban.services import outbox_dispatch_due, outbox_enqueue
from compliance.services.consent import (
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    ConsentStatus,
    ConsentText,
    LegalBasis,
    consent_record,
)
from conftest import api_client_for
from tests.factories import consultant, supervisor
from whatsapp import payloads
from whatsapp.models import Message, PhoneNumber, ServiceWindow, Template

pytestmark = pytest.mark.django_db
PEOPLE = [f"+55119876500{i:02d}" for i in range(12)]
OPT_OUT_FOOTER = {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."}


def _template(number, name="lembrete", category="UTILITY", footer=True):
    components = [{"type": "BODY", "text": "Olá {{1}}, sua visita é amanhã."}]
    if footer:
        components.append(OPT_OUT_FOOTER)
    return Template.objects.create(
        account=number.account, name=name, language="pt_BR", category=category, status="APPROVED", components=components
    )


def _utility(contact, template):
    params = {"body": ["Bia"]}
    return outbox_enqueue(
        contact=contact,
        priority=Priority.UTILITY,
        payload=payloads.template_payload(
            contact, name=template.name, language="pt_BR", components=template.components, params=params
        ),
        text=payloads.template_preview(template.components, params),
        template_name=template.name,
    )


def _marketing_consent(contact):
    text = ConsentText.objects.get_or_create(purpose=ConsentPurpose.MARKETING, version=1, defaults={"text": "Aceito"})[
        0
    ]
    consent_record(
        contact=contact,
        kind="phone",
        purpose=ConsentPurpose.MARKETING,
        channel=ConsentChannel.WHATSAPP,
        legal_basis=LegalBasis.CONSENT,
        status=ConsentStatus.GRANTED,
        source=ConsentSource.FORM,
        text=text,
    )


@pytest.mark.django_db(transaction=True)
def test_racing_dispatchers_never_put_more_than_the_rate_into_one_second_at_meta(
    cloud, number, settings, contact_hours_open
):
    """Three dispatchers (threads with their own connections, as Celery workers would be) drain 50 sends for a
    number rated 20/s; the simulator, counting as Meta does on arrival, refuses anything over 20 in one second."""
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    cloud.throughput_mps = 20
    PhoneNumber.objects.filter(pk=number.pk).update(throughput_mps=20)
    template = _template(number)
    rows = [_utility(f"+551198770{i:04d}", template) for i in range(50)]
    sent = []

    def dispatcher():
        # Each drains for a few seconds at a time until nothing is left (a deadline, not a speed: on a busy machine
        # the 50 sends may take longer than the 2.5 s the rate allows; the rate is bench/dispatch.py's business).
        deadline = time.monotonic() + 300
        try:
            while time.monotonic() < deadline:
                sent.append(outbox_dispatch_due(seconds=4))
                if not OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).exclude(state="sent").exists():
                    break
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = cloud.stats()
    assert sum(sent) == 50
    assert set(OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", flat=True)) == {"sent"}
    assert stats["refused"] == {} and stats["duplicates"] == 0
    assert 1 <= stats["numbers"][number.phone_number_id]["max_in_1s"] <= 20


def test_a_new_number_warms_up_replies_first_with_daily_caps_and_advances_only_while_healthy(
    cloud, settings, contact_hours_open
):
    from whatsapp.models import BusinessAccount

    settings.ANTIBAN_WARMUP_PLAN = [2, 3]
    settings.ANTIBAN_WARMUP_REPLIES_FIRST_DAYS = 1
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    account = BusinessAccount.objects.create(name="Nova", waba_id="102290129340398", access_token="wa-token")
    number = PhoneNumber.objects.create(
        account=account, phone_number_id="106540352242922", display_number="+5511955550000"
    )
    template = _template(number)
    rows = [_utility(contact, template) for contact in PEOPLE[:3]]
    _marketing_consent(PEOPLE[5])
    promo = _template(number, name="promo", category="MARKETING")
    params = {"body": ["Ana"]}
    marketing = outbox_enqueue(
        contact=PEOPLE[5],
        priority=Priority.MARKETING,
        payload=payloads.template_payload(
            PEOPLE[5], name="promo", language="pt_BR", components=promo.components, params=params
        ),
        text=payloads.template_preview(promo.components, params) + " Fluxo. Responda SAIR.",
        template_name="promo",
    )
    outbox_dispatch_due(seconds=5)
    state = NumberState.objects.get(number=number)
    assert state.warmup_day == 1
    states = [OutboxMessage.objects.get(pk=r.pk).state for r in rows]
    assert states.count(OutboxState.SENT) == 2 and states.count(OutboxState.QUEUED) == 1  # the day-1 cap of 2
    waiting = OutboxMessage.objects.get(pk=rows[states.index(OutboxState.QUEUED)].pk)
    assert waiting.not_before > timezone.now() + timedelta(minutes=30)
    marketing.refresh_from_db()
    assert marketing.state == OutboxState.QUEUED  # replies and utility first: no marketing on day 1

    Incident.objects.create(number=number, severity="high", reason="x")
    assert warmup_advance(state=state).warmup_day == 1 and state.warmup_note  # halted by a fresh incident
    Incident.objects.all().update(opened_at=timezone.now() - timedelta(days=2))
    assert warmup_advance(state=state).warmup_day == 2  # healthy: one step up
    state.health = 30
    assert warmup_advance(state=state).warmup_day == 1  # sick: one step back
    state.health = 100
    warmup_advance(state=state)
    assert warmup_advance(state=state).warmup_day == 0  # past the plan: warmed up


def test_the_breaker_opens_probes_half_open_and_recovers_step_by_step(cloud, number, settings, contact_hours_open):
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    settings.ANTIBAN_PROBES = 2
    template = _template(number)
    cloud.fault_push(status=400, code=131048, message="Spam rate limit hit")
    first = _utility(PEOPLE[0], template)
    outbox_dispatch_due(seconds=5)
    state = NumberState.objects.get(number=number)
    assert (state.breaker, state.mode) == (Breaker.OPEN, NumberMode.PAUSED)
    first_pause = state.paused_until - timezone.now()
    assert first_pause > timedelta(hours=5)
    assert OutboxMessage.objects.get(pk=first.pk).state == OutboxState.FAILED

    # the pause ends: half-open, a failed probe re-opens for twice as long
    NumberState.objects.filter(pk=state.pk).update(paused_until=timezone.now() - timedelta(seconds=1))
    cloud.fault_push(status=400, code=131048, message="Spam rate limit hit")
    _utility(PEOPLE[1], template)
    outbox_dispatch_due(seconds=5)
    state.refresh_from_db()
    assert state.breaker == Breaker.OPEN and state.paused_until - timezone.now() > first_pause * 1.9

    # the next pause ends: probes succeed, the breaker closes into restrictive mode, then normal once healthy
    NumberState.objects.filter(pk=state.pk).update(paused_until=timezone.now() - timedelta(seconds=1))
    probes = [_utility(contact, template) for contact in PEOPLE[2:4]]
    settings.ANTIBAN_PROBE_INTERVAL_S = 0.05
    get_redis_connection("default").delete(f"fluxo:slot:number:{number.pk}")  # the last probe's 10 s went by
    outbox_dispatch_due(seconds=5)
    state.refresh_from_db()
    assert [OutboxMessage.objects.get(pk=p.pk).state for p in probes] == [OutboxState.SENT] * 2
    assert (state.breaker, state.mode) == (Breaker.CLOSED, NumberMode.RESTRICTIVE)
    NumberState.objects.filter(pk=state.pk).update(restrictive_until=timezone.now() - timedelta(seconds=1))
    Incident.objects.update(closed_at=timezone.now())
    Message.objects.filter(error_code=131048).delete()  # a day later the spam signals are out of the window
    numbers_health_refresh()
    state.refresh_from_db()
    assert (state.mode, state.breaker_trips) == (NumberMode.NORMAL, 0)


def test_the_health_score_explains_itself_and_a_sick_number_rests(cloud, number):
    for index in range(30):
        status, code = ("failed", 131049) if index < 16 else ("read", None)
        Message.objects.create(
            number=number, contact=PEOPLE[index % 12], direction="out", kind="text", status=status, error_code=code
        )
    health = numbers_health_refresh()[number.pk]
    state = NumberState.objects.get(number=number)
    deductions = state.health_details["deductions"]
    assert set(deductions) == {"error_rate", "blocks"}
    assert health == state.health == 90 - sum(deductions.values())
    assert health < 40 and state.paused_until > timezone.now()  # resting, not tripped
    assert state.breaker == Breaker.CLOSED


def test_the_same_free_text_to_many_people_is_refused_for_marketing_and_flagged_otherwise(
    cloud, number, settings, contact_hours_open
):
    settings.ANTIBAN_IDENTICAL_PER_HOUR = 2
    text = "Fluxo: lançamento no Centro com desconto. Responda SAIR para não receber."
    for contact in PEOPLE[:3]:
        _marketing_consent(contact)
    rows = [
        outbox_enqueue(
            contact=c, priority=Priority.MARKETING, payload=payloads.text_payload(c, text), text=text.upper().lower()
        )
        for c in PEOPLE[:3]
    ]
    assert [r.state for r in rows] == [OutboxState.QUEUED, OutboxState.QUEUED, OutboxState.REFUSED]
    assert rows[2].decisions[0]["failed"][0]["name"] == "identical_bodies"
    utility = outbox_enqueue(
        contact=PEOPLE[4], priority=Priority.UTILITY, payload=payloads.text_payload(PEOPLE[4], text), text=text
    )
    assert utility.state == OutboxState.QUEUED
    assert [c["name"] for c in utility.decisions[0]["failed"]] == ["identical_bodies"]  # a warning only


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


def test_the_dashboard_shows_each_number_and_refreshes_and_only_supervisors_see_it(client, cloud, number):
    numbers_health_refresh()
    Incident.objects.create(number=number, severity="critical", reason="Spam rate limit")
    client.force_login(supervisor(username="sup"))
    page = client.get(reverse("antiban:dashboard")).content.decode()
    assert f'data-testid="health-{number.pk}"' in page and 'hx-trigger="every 10s"' in page
    assert "Spam rate limit" in page
    partial = client.get(reverse("antiban:dashboard"), HTTP_HX_REQUEST="true").content.decode()
    assert f'data-testid="health-{number.pk}"' in partial and "<html" not in partial
    client.force_login(consultant(username="c1"))
    assert client.get(reverse("antiban:dashboard")).status_code == 404


def test_the_metrics_api_reports_health_and_the_outbox(cloud, number, integrator):
    numbers_health_refresh()
    response = api_client_for(integrator, scopes=("whatsapp:read",)).get("/api/v1/antiban/metrics/")
    assert response.status_code == 200
    body = response.json()
    assert body["numbers"][0]["display_number"] == "+5511955550000" and body["numbers"][0]["health"] == 90
    assert set(body["outbox"]) >= {"queued", "sent", "unknown"}
    assert api_client_for(integrator, scopes=("leads:read",)).get("/api/v1/antiban/metrics/").status_code == 403


def test_a_reply_goes_from_the_number_holding_the_window(cloud, number, settings):
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    other = PhoneNumber.objects.create(
        account=number.account,
        phone_number_id="106540352242923",
        display_number="+5511955550001",
        created_at=number.created_at,  # as established as the first
    )
    cloud.number_add("106540352242923", "+5511955550001", "102290129340398")
    NumberState.objects.create(number=number, health=50)
    NumberState.objects.create(number=other, health=100)  # healthier, but the window is on ``number``
    now = timezone.now()
    ServiceWindow.objects.create(
        number=number, contact=PEOPLE[0], last_inbound_at=now, expires_at=now + timedelta(hours=1)
    )
    row = outbox_enqueue(
        contact=PEOPLE[0],
        priority=Priority.REPLY,
        payload=payloads.text_payload(PEOPLE[0], "Oi!"),
        text="Oi!",
        pinned_number=number,
    )
    outbox_dispatch_due(seconds=5)
    row.refresh_from_db()
    assert (row.state, row.number_id) == (OutboxState.SENT, number.pk)
