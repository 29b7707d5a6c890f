"""The sender process (``whatsapp.lanes``): paced calls are made there and answered here; it dies with its parent
having made the calls let go before it went (in flight, or waiting for their moment) and none other; a sender that
dies fails the calls it held, and the next send starts a new one."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.whatsapp.conftest import NUMBER_ID
from tests.whatsapp.tickets import SleepTicket, wait_for_path
from whatsapp import lanes, payloads
from whatsapp.client import CloudApiClient, graph_answer, wamid_of


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


def test_when_its_parent_goes_the_sender_makes_the_calls_let_go_and_starts_no_other(cloud, tmp_path):
    sender = lanes._Sender(lanes.sender_env())
    assert sender.submit(6, SleepTicket(), _send_call(cloud, "+5511987650010")).result(timeout=20).status == 200
    cloud.latency_s = 0.6
    marks, gate = tmp_path / "marks", str(tmp_path / "never-opened-before-the-parent-goes")
    marks.mkdir()
    in_flight = sender.submit(7, SleepTicket(mark=str(marks / "in_flight")), _send_call(cloud, "+5511987650011"))
    reserved = sender.submit(
        8, SleepTicket(moment_in=0.2, mark=str(marks / "reserved")), _send_call(cloud, "+5511987650012")
    )
    queued = sender.submit(8, SleepTicket(gate=gate), _send_call(cloud, "+5511987650013"))  # behind it in its lane
    let_go_later = sender.submit(9, SleepTicket(gate=gate), _send_call(cloud, "+5511987650014"))
    wait_for_path(marks / "in_flight")
    wait_for_path(marks / "reserved")
    sender._down.close()  # what the parent's death does to the pipe
    assert sender.process.wait(timeout=30) == 0  # it did not wait for the held tickets
    assert in_flight.result(timeout=10).status == 200 and reserved.result(timeout=10).status == 200
    for never in (queued, let_go_later):
        with pytest.raises(lanes.SenderGone):
            never.result(timeout=10)
    # The process has exited: nothing it held can be sent any more.
    assert sorted(s["payload"]["to"] for s in cloud.sent) == ["5511987650010", "5511987650011", "5511987650012"]


def test_a_lane_drops_a_ticket_that_lets_its_call_go_after_the_parent_went(tmp_path, monkeypatch):
    """The sender process's lane, run here: once the parent is gone, a ticket that lets go is never called."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(lanes._Stop, "at", None)
    answers, calls, gate = [], [], str(tmp_path / "gate")
    lane = lanes._Lane(1, ThreadPoolExecutor(max_workers=1), lambda *answer: answers.append(answer))
    lane.queue.put((1, SleepTicket(mark=str(tmp_path / "first")), lambda: calls.append(1)))
    lane.queue.put((2, SleepTicket(gate=gate, mark=str(tmp_path / "second")), lambda: calls.append(2)))
    deadline = time.monotonic() + 60
    while not answers and time.monotonic() < deadline:  # the first call was made and answered
        time.sleep(0.005)
    monkeypatch.setattr(lanes._Stop, "at", time.monotonic())  # the parent went while the second ticket waited
    (tmp_path / "gate").touch()
    wait_for_path(tmp_path / "second")
    lane._pool.shutdown(wait=True)  # whatever the lane handed over has run by now
    assert calls == [1] and [a[0] for a in answers] == [1]


def test_a_sender_that_dies_fails_the_calls_it_held_and_the_next_send_starts_a_new_one(cloud, tmp_path):
    held = lanes.submit(2, SleepTicket(gate=str(tmp_path / "never")), _send_call(cloud, "+5511987650021"))
    first = lanes._senders[os.getpid()].process
    first.send_signal(signal.SIGKILL)
    with pytest.raises(lanes.SenderGone, match="stopped"):
        held.result(timeout=15)
    answer = lanes.submit(2, SleepTicket(), _send_call(cloud, "+5511987650022")).result(timeout=20)
    assert answer.status == 200
    assert lanes._senders[os.getpid()].process.pid != first.pid
    assert [s["payload"]["to"] for s in cloud.sent] == ["5511987650022"]
