"""The sender process (``whatsapp.lanes``): paced calls are made there and answered here; it dies with its parent
having made the calls let go before it went (in flight, or waiting for their moment) and none other; a sender that
dies fails the calls it held, and the next send starts a new one."""

from __future__ import annotations

import os
import signal
import time

import pytest

from whatsapp import lanes, payloads
from whatsapp.client import CloudApiClient, graph_answer, wamid_of
from whatsapp.tests.conftest import NUMBER_ID
from whatsapp.tests.tickets import SleepTicket


def _send_call(cloud, to: str) -> lanes.HttpCall:
    client = CloudApiClient(access_token="wa-token", base_url=cloud.url)
    return lanes.HttpCall(client.message_send_args(NUMBER_ID, payloads.text_payload(to, "Olá")))


def test_a_paced_call_is_made_by_the_sender_process_and_its_answer_comes_back(cloud):
    answer = lanes.submit(1, SleepTicket(), _send_call(cloud, "+5511987650001")).result(timeout=20)
    assert isinstance(answer, lanes.HttpAnswer) and answer.status == 200
    assert wamid_of(graph_answer(answer.status, answer.content, answer.reason)) == cloud.sent[0]["wamid"]
    assert lanes._senders[os.getpid()].process.pid != os.getpid()

    refused = lanes.submit(1, SleepTicket(fail="Redis is gone"), _send_call(cloud, "+5511987650002"))
    with pytest.raises(lanes.SendFailed, match="RuntimeError: Redis is gone"):
        refused.result(timeout=20)
    assert len(cloud.sent) == 1  # a ticket that refuses lets nothing go

    unreachable = lanes.HttpCall({**_send_call(cloud, "+5511987650003").args, "url": "http://127.0.0.1:9/v1/x"})
    assert lanes.submit(1, SleepTicket(), unreachable).result(timeout=20).status == 0  # no answer: said, not raised


def test_when_its_parent_goes_the_sender_makes_the_calls_let_go_and_starts_no_other(cloud):
    sender = lanes._Sender(lanes.sender_env())
    assert sender.submit(6, SleepTicket(), _send_call(cloud, "+5511987650010")).result(timeout=20).status == 200
    cloud.latency_s = 0.6
    in_flight = sender.submit(7, SleepTicket(), _send_call(cloud, "+5511987650011"))
    reserved = sender.submit(8, SleepTicket(moment_in=0.2), _send_call(cloud, "+5511987650012"))
    queued = sender.submit(8, SleepTicket(), _send_call(cloud, "+5511987650013"))  # behind it in its lane
    let_go_later = sender.submit(9, SleepTicket(seconds=0.5), _send_call(cloud, "+5511987650014"))
    time.sleep(0.1)
    sender._down.close()  # what the parent's death does to the pipe
    assert sender.process.wait(timeout=15) == 0
    assert in_flight.result(timeout=5).status == 200 and reserved.result(timeout=5).status == 200
    for never in (queued, let_go_later):
        with pytest.raises(lanes.SenderGone):
            never.result(timeout=5)
    time.sleep(1)  # the late ticket's moment has passed: still nothing more
    assert sorted(s["payload"]["to"] for s in cloud.sent) == ["5511987650010", "5511987650011", "5511987650012"]


def test_a_sender_that_dies_fails_the_calls_it_held_and_the_next_send_starts_a_new_one(cloud):
    held = lanes.submit(2, SleepTicket(seconds=30), _send_call(cloud, "+5511987650021"))
    first = lanes._senders[os.getpid()].process
    time.sleep(0.3)
    first.send_signal(signal.SIGKILL)
    with pytest.raises(lanes.SenderGone, match="stopped"):
        held.result(timeout=15)
    answer = lanes.submit(2, SleepTicket(), _send_call(cloud, "+5511987650022")).result(timeout=20)
    assert answer.status == 200
    assert lanes._senders[os.getpid()].process.pid != first.pid
    assert [s["payload"]["to"] for s in cloud.sent] == ["5511987650022"]
