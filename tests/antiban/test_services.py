"""The outbound pipeline end to end against the simulator (real Redis and PostgreSQL): priority, limits, retries,
crash reconciliation and the reactive layer; paced send slots under concurrency, identical bodies, the number that
holds the window."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from antiban.limits import limiter
from antiban.models import Incident, NumberMode, NumberState, OutboxMessage, OutboxState, Priority
from antiban.services import outbox_claim, outbox_dispatch_due, outbox_enqueue, outbox_sweep
from tests.antiban.builders import PEOPLE, _marketing_consent, _template, _utility
from whatsapp import payloads
from whatsapp import services as wa_services
from whatsapp.models import Message, PhoneNumber, ServiceWindow, Template

pytestmark = pytest.mark.django_db
LEAD = "+5511987654321"


def outbox_claim_one():
    """What a dispatcher's claim does for one due row (committed SENDING), without its send: a worker that dies
    right after claiming."""
    claimed, _retry = outbox_claim(batch=1)
    return next(iter(claimed), None)


def _open_window(number, contact=LEAD):
    now = timezone.now()
    ServiceWindow.objects.create(
        number=number, contact=contact, last_inbound_at=now, expires_at=now + timedelta(hours=2)
    )


def _reply(text="Olá! Seguem os detalhes.", contact=LEAD):
    return outbox_enqueue(
        contact=contact, priority=Priority.REPLY, payload=payloads.text_payload(contact, text), text=text
    )


def test_a_refused_message_is_kept_with_its_reasons(cloud, number, contact_hours_open):
    row = outbox_enqueue(
        contact=LEAD, priority=Priority.MARKETING, payload=payloads.text_payload(LEAD, "Promo!"), text="Promo!"
    )
    assert row.state == OutboxState.REFUSED
    failed = {c["name"] for c in row.decisions[0]["failed"]}
    assert "valid_mobile" in row.decisions[0]["passed"]
    assert {"consent", "opt_out_instruction", "business_identification"} <= failed
    assert outbox_dispatch_due() == 0 and cloud.sent == []


def test_replies_go_first_and_through_the_gateway(cloud, number, settings, contact_hours_open):
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    settings.ANTIBAN_DISPATCH_BATCH = 1  # one claim per send, so the order of sends shows the order of claims
    other = "+5511987650002"
    _open_window(number)
    _open_window(number, other)
    Template.objects.create(
        account=number.account,
        name="lembrete",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Olá {{1}}, sua visita é amanhã."}],
    )
    utility = outbox_enqueue(
        contact=other,
        priority=Priority.UTILITY,
        payload=payloads.template_payload(
            other,
            name="lembrete",
            language="pt_BR",
            components=Template.objects.get().components,
            params={"body": ["Bia"]},
        ),
        text="Olá Bia, sua visita é amanhã.",
    )
    OutboxMessage.objects.filter(pk=utility.pk).update(not_before=timezone.now() - timedelta(minutes=5))
    reply = _reply()
    assert outbox_dispatch_due() == 2
    assert [s["payload"]["type"] for s in cloud.sent] == ["text", "template"]  # the reply jumped the queue
    reply.refresh_from_db()
    utility.refresh_from_db()
    assert (reply.state, utility.state) == (OutboxState.SENT, OutboxState.SENT)
    assert reply.wamid == Message.objects.get(pk=reply.message_id).wamid
    assert cloud.sent[0]["payload"]["biz_opaque_callback_data"] == f"outbox:{reply.pk}"


def test_with_the_console_backend_a_paced_send_is_logged_not_posted(cloud, number, settings):
    """A first run with nothing configured: the gate still paces the send (in the sender process), then the console
    backend "sends" it here, and the row ends SENT with a made-up wamid."""
    settings.WHATSAPP_BACKEND = "console"
    _open_window(number)
    row = _reply()
    assert outbox_dispatch_due() == 1
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.wamid.startswith("wamid.console.")
    assert cloud.sent == [] and cloud.calls == []
    assert limiter().backlogs([f"number:{number.pk}"]) == [0]  # the gate recorded the end of the call


def test_the_pair_limit_makes_the_second_message_wait(cloud, number):
    _open_window(number)
    first, second = _reply("Primeira"), _reply("Segunda")
    assert outbox_dispatch_due() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == OutboxState.SENT and len(cloud.sent) == 1
    assert second.state == OutboxState.QUEUED and second.not_before > timezone.now() + timedelta(seconds=4)
    assert second.number is None and second.last_reason


def test_a_retryable_error_is_retried_with_backoff_and_a_permanent_one_fails(cloud, number, settings):
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    _open_window(number)
    cloud.fault_push(status=400, code=130429, message="Rate limit hit")
    row = _reply()
    outbox_dispatch_due()
    row.refresh_from_db()
    assert (row.state, row.error_code, row.attempts) == (OutboxState.QUEUED, 130429, 1)
    assert row.not_before > timezone.now()
    OutboxMessage.objects.filter(pk=row.pk).update(not_before=timezone.now())
    outbox_dispatch_due()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.SENT, 2)

    _open_window(number, "+5511987650003")
    cloud.fault_push(status=400, code=131026, message="Message undeliverable")
    permanent = _reply(contact="+5511987650003")
    outbox_dispatch_due()
    permanent.refresh_from_db()
    assert (permanent.state, permanent.error_code) == (OutboxState.FAILED, 131026)


def test_a_worker_killed_mid_send_leaves_unknown_and_the_status_webhook_reconciles_it(cloud, number, deliver):
    _open_window(number)
    row = _reply()
    assert outbox_claim_one() == row.pk  # SENDING committed
    message_id = OutboxMessage.objects.get(pk=row.pk).message_id  # the "worker" is let go, then dies mid-call
    assert limiter().send_acquire("number:t", "m:t", message_id, limit=1, window_s=1, gap_s=0, inflight_s=5).allowed
    OutboxMessage.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert outbox_sweep() == {"sent": 0, "unknown": 1, "requeued": 0, "expired": 0}
    assert outbox_dispatch_due() == 0  # never resent blindly
    # Meta had accepted it: its status carries our opaque data
    body = cloud.status_notification(
        "106540352242922", "5511987654321", "wamid.LOST1", "delivered", opaque=f"outbox:{row.pk}"
    )
    deliver(body)
    row.refresh_from_db()
    assert (row.state, row.wamid) == (OutboxState.SENT, "wamid.LOST1")
    assert Message.objects.get(pk=row.message_id).wamid == "wamid.LOST1"
    assert cloud.sent == []


def test_a_connection_dropped_after_meta_accepted_the_send_is_never_resent_and_the_status_reconciles_it(
    cloud, number, deliver, settings
):
    """Meta took the message but the answer was lost (a read timeout, a reset): the row waits UNKNOWN for the status
    webhook instead of going back to the queue, so the person gets it once."""
    _open_window(number)
    cloud.drop_after_accept()
    row = _reply()
    outbox_dispatch_due()
    row.refresh_from_db()
    assert row.state == OutboxState.UNKNOWN and row.error_code is None
    assert Message.objects.get(pk=row.message_id).error_raw["may_have_arrived"] is True
    assert outbox_dispatch_due() == 0 and len(cloud.sent) == 1  # never resent blindly
    wamid = cloud.sent[0]["wamid"]
    deliver(cloud.status_notification("106540352242922", "5511987654321", wamid, "sent", opaque=f"outbox:{row.pk}"))
    row.refresh_from_db()
    assert (row.state, row.wamid) == (OutboxState.SENT, wamid)
    assert Message.objects.get(pk=row.message_id).status in ("sent", "delivered", "read")
    assert len(cloud.sent) == 1


def test_an_unknown_row_meta_never_reports_on_expires_failed_and_a_late_status_still_reconciles_it(
    cloud, number, deliver, settings
):
    _open_window(number)
    cloud.drop_after_accept()
    row = _reply()
    outbox_dispatch_due()
    OutboxMessage.objects.filter(pk=row.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.ANTIBAN_UNKNOWN_EXPIRY_S + 1)
    )
    assert outbox_sweep() == {"sent": 0, "unknown": 0, "requeued": 0, "expired": 1}
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and "not sent again" in row.last_reason
    assert outbox_dispatch_due() == 0 and len(cloud.sent) == 1
    wamid = cloud.sent[0]["wamid"]
    late = cloud.status_notification("106540352242922", "5511987654321", wamid, "delivered", opaque=f"outbox:{row.pk}")
    deliver(late)
    row.refresh_from_db()
    assert (row.state, row.wamid) == (OutboxState.SENT, wamid)


def test_a_connect_error_never_reached_meta_and_the_row_is_sent_again(cloud, number, settings):
    """Nothing listens where Meta should be: the request was never written, so the outbox queues it again."""
    _open_window(number)
    row = _reply()
    graph, settings.WHATSAPP_GRAPH_URL = settings.WHATSAPP_GRAPH_URL, "http://127.0.0.1:9"  # a closed port
    outbox_dispatch_due()
    row.refresh_from_db()
    assert row.state == OutboxState.QUEUED and row.message_id is None
    assert cloud.sent == []
    settings.WHATSAPP_GRAPH_URL = graph
    OutboxMessage.objects.filter(pk=row.pk).update(not_before=timezone.now())
    outbox_dispatch_due()
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and len(cloud.sent) == 1


def test_a_worker_killed_before_its_http_call_leaves_a_row_that_is_sent_once(cloud, number, settings):
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    settings.ANTIBAN_SENDING_TIMEOUT_S = 0  # (claimed after Redis last started, so a missing marker is meaningful)
    _open_window(number)
    row = _reply()
    assert outbox_claim_one() == row.pk  # SENDING committed, then the worker dies before calling Meta
    first_message = OutboxMessage.objects.get(pk=row.pk).message_id
    # no attempt marker: Meta never saw it
    assert outbox_sweep() == {"sent": 0, "unknown": 0, "requeued": 1, "expired": 0}
    assert Message.objects.get(pk=first_message).status == "failed"
    assert outbox_dispatch_due() == 1
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and len(cloud.sent) == 1


def test_a_worker_killed_after_saving_the_send_but_before_the_row_leaves_it_sent(cloud, number, settings):
    settings.ANTIBAN_SENDING_TIMEOUT_S = 0
    _open_window(number)
    row = _reply()
    assert outbox_claim_one() == row.pk
    message_id = OutboxMessage.objects.get(pk=row.pk).message_id
    wa_services.messages_dispatch(message_ids=[message_id])  # Meta answered and the message was saved; then death
    assert outbox_sweep() == {"sent": 1, "unknown": 0, "requeued": 0, "expired": 0}
    row.refresh_from_db()
    assert (row.state, row.wamid) == (OutboxState.SENT, Message.objects.get(pk=message_id).wamid)
    assert len(cloud.sent) == 1


@pytest.mark.django_db(transaction=True)
def test_a_slow_sender_keeps_its_rows_and_only_a_dead_one_loses_them(cloud, number, settings):
    """A sender holds its messages locked until their outcomes are saved: the sweeper leaves those rows alone
    however long they take (requeueing them would send twice); once the holder is gone, the row is requeued."""
    settings.ANTIBAN_SENDING_TIMEOUT_S = 0
    _open_window(number)
    row = _reply()
    assert outbox_claim_one() == row.pk
    message_id = OutboxMessage.objects.get(pk=row.pk).message_id
    holding, release = threading.Event(), threading.Event()

    def slow_sender():
        with transaction.atomic():
            Message.objects.select_for_update().get(pk=message_id)
            holding.set()
            release.wait(10)
        connection.close()

    sender = threading.Thread(target=slow_sender)
    sender.start()
    holding.wait(10)
    try:
        assert outbox_sweep() == {"sent": 0, "unknown": 0, "requeued": 0, "expired": 0}
        assert OutboxMessage.objects.get(pk=row.pk).state == OutboxState.SENDING
    finally:
        release.set()
        sender.join()
    # no attempt marker: Meta never saw it
    assert outbox_sweep() == {"sent": 0, "unknown": 0, "requeued": 1, "expired": 0}
    assert Message.objects.get(pk=message_id).status == "failed"


def test_spam_signals_pause_the_number_and_open_an_incident(cloud, number, settings):
    settings.ANTIBAN_PAIR_INTERVAL_S = 0.001
    _open_window(number)
    cloud.fault_push(status=400, code=131048, message="Spam rate limit hit")
    row = _reply()
    outbox_dispatch_due()
    state = NumberState.objects.get(number=number)
    assert state.mode == NumberMode.PAUSED and state.paused_until > timezone.now()
    assert Incident.objects.get().severity == "critical"
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED  # 131048 is not retryable
    nxt = _reply("Outra")
    outbox_dispatch_due()
    nxt.refresh_from_db()
    assert (nxt.state == OutboxState.QUEUED and "No number available" in nxt.last_reason) or "Nenhum" in nxt.last_reason


def test_a_quality_drop_restricts_then_a_flag_pauses(cloud, number, deliver, django_capture_on_commit_callbacks):
    import json

    from whatsapp.models import WebhookEvent
    from whatsapp.services import webhook_event_process

    def change(event, quality=None):
        value = {"display_phone_number": "5511955550000", "event": event, "current_limit": "TIER_1K"}
        if quality:
            value["new_quality_score"] = quality
        change = {"field": "phone_number_quality_update", "value": value}
        return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()

    for body, mode in ((change("DOWNGRADE", "YELLOW"), NumberMode.RESTRICTIVE), (change("FLAGGED"), NumberMode.PAUSED)):
        deliver(body, process=False)
        with django_capture_on_commit_callbacks(execute=True):
            webhook_event_process(event_id=WebhookEvent.objects.get(status="pending").pk)
        assert NumberState.objects.get(number=number).mode == mode
    assert Incident.objects.count() == 2


def test_outside_contact_hours_a_utility_message_waits_but_a_reply_goes(cloud, number, settings):
    opens = timezone.localtime() + timedelta(hours=2)  # a one-minute contact window two hours from now
    settings.ANTIBAN_CONTACT_HOURS = [opens.strftime("%H:%M"), (opens + timedelta(minutes=1)).strftime("%H:%M")]
    settings.ANTIBAN_CONTACT_DAYS = list(range(7))
    settings.ANTIBAN_SKIP_HOLIDAYS = False
    _open_window(number)
    text = "Olá, sua visita é amanhã às 10h."
    utility = outbox_enqueue(
        contact=LEAD, priority=Priority.UTILITY, payload=payloads.text_payload(LEAD, text), text=text
    )
    assert utility.state == OutboxState.QUEUED and utility.not_before > timezone.now()
    assert timezone.localtime(utility.not_before).strftime("%H:%M") == opens.strftime("%H:%M")
    reply = _reply()
    assert outbox_dispatch_due() == 1
    reply.refresh_from_db()
    assert reply.state == OutboxState.SENT


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
