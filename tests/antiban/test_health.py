"""The adaptive layer against real Redis and PostgreSQL and the simulator: warm-up caps advancing and halting, the
circuit breaker's probes and recovery, the health score."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_redis import get_redis_connection

from antiban.health import numbers_health_refresh, warmup_advance
from antiban.models import Breaker, Incident, NumberMode, NumberState, OutboxMessage, OutboxState, Priority
from antiban.services import outbox_dispatch_due, outbox_enqueue
from tests.antiban.builders import PEOPLE, _marketing_consent, _template, _utility
from whatsapp import payloads
from whatsapp.models import Message, PhoneNumber

pytestmark = pytest.mark.django_db


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
