"""The Redis limits against real Redis: the send window as Meta counts it, with many threads racing and answers
coming back late; the claim backlog and the pair limit; the unique-recipient window."""

import random
import threading
import time

import pytest

from antiban.limits import limiter


def _peak(moments: list[float], seconds: float = 1.0) -> int:
    moments = sorted(moments)
    return max(sum(1 for t in moments if start <= t < start + seconds) for start in moments)


@pytest.mark.parametrize("horizon", [0.0, 0.25])
def test_the_send_window_holds_where_meta_counts_with_racing_workers_and_slow_answers(horizon):
    """Each call reaches "Meta" some time after it was let go and answers some time later; however those delays
    vary, no one-second window at the receiving end holds more than the limit, and the window does not starve —
    whether callers ask again when a moment comes or reserve it ahead (``horizon``) and start when it comes."""
    arrivals, granted, lock, ids = [], [], threading.Lock(), iter(range(1, 10_000))
    deadline = time.monotonic() + 2.2

    def worker(seed: int):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            with lock:
                message_id = next(ids)
            decision = limiter().send_acquire(
                "t:send",
                f"m:{message_id}",
                message_id,
                limit=20,
                window_s=1.0,
                gap_s=0.025,
                inflight_s=5,
                horizon_s=horizon,
            )
            if not decision.allowed:
                time.sleep(min(decision.wait_seconds, 0.05))
                continue
            time.sleep(decision.start_in)  # its reserved moment
            time.sleep(rng.uniform(0, 0.03))  # on its way
            with lock:
                arrivals.append(time.monotonic())
                granted.append(message_id)
            time.sleep(rng.uniform(0, 0.03))  # the answer on its way back
            limiter().send_done("t:send", f"m:{message_id}", f"o:{message_id}", f"t:{message_id}", pair_s=0)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _peak(arrivals) <= 20
    assert len(arrivals) >= 40  # two windows' worth and more: the answers' delays cost little
    tried = range(1, max(granted) + 1)
    assert limiter().attempts_marked(list(tried)) == set(granted)  # marked when let go, and only then


class HandClock:
    """The limiter's clock, moved by hand (ms): exact waits whatever the machine is doing."""

    def __init__(self):
        self.ms = 1_000_000_000.0

    def __call__(self) -> float:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += seconds * 1000.0


@pytest.fixture
def clock():
    hand = HandClock()
    limiter().clock = hand
    yield hand
    limiter().clock = None


def test_the_send_window_says_how_long_to_wait_and_keeps_a_gap(clock):
    go = limiter().send_acquire("t:wait", "m:1", 1, limit=2, window_s=1.0, gap_s=0.2, inflight_s=5)
    assert go.allowed
    too_soon = limiter().send_acquire("t:wait", "m:2", 2, limit=2, window_s=1.0, gap_s=0.2, inflight_s=5)
    assert not too_soon.allowed and too_soon.wait_seconds == pytest.approx(0.2)
    clock.advance(0.21)
    assert limiter().send_acquire("t:wait", "m:2", 2, limit=2, window_s=1.0, gap_s=0.2, inflight_s=5).allowed
    limiter().send_done("t:wait", "m:1", "o:1", "t:1", pair_s=0)
    clock.advance(0.21)
    full = limiter().send_acquire("t:wait", "m:3", 3, limit=2, window_s=1.0, gap_s=0.2, inflight_s=5)
    assert not full.allowed and full.wait_seconds == pytest.approx(0.79)  # the first send's answer frees its place


def test_the_backlog_admits_up_to_its_cap_and_the_pair_limit_makes_a_person_wait():
    def admit(*rows):
        return limiter().admit_many([("t:backlog", member, pair, 3) for member, pair in rows], pair_s=6, ahead_s=1)

    outcomes = admit(("o:0", "t:0"), ("o:1", "t:1"), ("o:2", "t:2"), ("o:3", "t:3"))
    assert [outcome for outcome, _ in outcomes] == ["ok", "ok", "ok", "full"]  # one round trip, each row atomic
    assert limiter().backlogs(["t:backlog", "t:other"]) == [3, 0]
    limiter().backlog_release("t:backlog", "o:0")
    [(outcome, wait)] = admit(("o:9", "t:1"))
    assert outcome == "pair" and 6.5 < wait <= 7.0  # the person will have heard by the end of the backlog
    assert admit(("o:9", "t:9")) == [("ok", 0.0)]
    limiter().send_done("t:backlog", "m:1", "o:1", "t:1", pair_s=6)  # sent: the pair interval runs from now
    [(outcome, wait)] = admit(("o:10", "t:1"))
    assert outcome == "pair" and 5.5 < wait <= 6.0


def test_the_unique_recipient_window_counts_people_not_messages():
    for person in ("a", "b", "a", "b"):
        assert limiter().window_count("t:portfolio", person, window_seconds=60, limit=2)
    assert not limiter().window_count("t:portfolio", "c", window_seconds=60, limit=2)
    assert limiter().window_count("t:portfolio", "a", window_seconds=60, limit=2)


def test_a_send_counts_from_its_answer_never_later_than_when_it_is_recorded(clock):
    def go(message_id):
        return limiter().send_acquire(
            "t:answer", f"m:{message_id}", message_id, limit=1, window_s=1.0, gap_s=0, inflight_s=5
        )

    first = go(1)
    assert first.allowed and first.at_ms > 0
    clock.advance(0.3)  # the answer came 1 ms after the call was let go; it is recorded 300 ms later
    limiter().send_done("t:answer", "m:1", "o:1", "t:1", pair_s=0, answered_ms=first.at_ms + 1)
    waiting = go(2)
    assert not waiting.allowed and waiting.wait_seconds == pytest.approx(0.701)  # a second from the answer, not now
    clock.advance(waiting.wait_seconds + 0.01)
    second = go(2)
    assert second.allowed
    limiter().send_done("t:answer", "m:2", "o:2", "t:2", pair_s=0, answered_ms=second.at_ms + 60_000)
    later = go(3)
    assert not later.allowed and later.wait_seconds == pytest.approx(1.0)  # an answer "in the future" counts from now


def test_a_moment_near_enough_is_reserved_and_racing_callers_get_successive_ones(clock):
    def go(message_id):
        return limiter().send_acquire(
            "t:ahead", f"m:{message_id}", message_id, limit=2, window_s=1.0, gap_s=0, inflight_s=5, horizon_s=0.5
        )

    first, second = go(1), go(2)
    assert first.allowed and second.allowed and first.start_in == second.start_in == 0
    clock.advance(0.001)
    limiter().send_done("t:ahead", "m:1", "o:1", "t:1", pair_s=0, answered_ms=first.at_ms + 1)
    clock.advance(0.11)  # (an answer is never counted later than when it is recorded)
    limiter().send_done("t:ahead", "m:2", "o:2", "t:2", pair_s=0, answered_ms=second.at_ms + 101)
    early = go(3)
    assert not early.allowed and early.wait_seconds == pytest.approx(0.89)  # a second after the first answer
    clock.advance(early.wait_seconds - 0.3)
    third, fourth = go(3), go(4)
    assert third.allowed and third.start_in == pytest.approx(0.3)  # reserved: it starts when the first place frees

    def moment(decision):
        return decision.at_ms + decision.start_in * 1000

    assert abs(moment(third) - (first.at_ms + 1 + 1000)) < 1
    assert fourth.allowed and abs(moment(fourth) - (second.at_ms + 101 + 1000)) < 1  # the next moment, not the same
    assert not go(5).allowed  # both places are taken until those two are answered
    assert limiter().attempts_marked([3, 4, 5]) == {3, 4}
