"""The GCRA limiter against real Redis, including many threads racing for the same bucket."""

import threading
import time

from antiban.limits import limiter


def test_strict_spacing_never_lets_more_than_the_rate_into_one_second():
    allowed_at = []
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        if limiter().hit("t:spacing", rate_per_s=20).allowed:
            allowed_at.append(time.monotonic())
    worst = max(sum(1 for t in allowed_at if start <= t < start + 1.0) for start in allowed_at)
    assert 19 <= worst <= 20 + 1  # one cell of clock granularity at the window's edge
    assert len(allowed_at) >= 25  # and it does not starve either


def test_a_refusal_says_how_long_to_wait():
    assert limiter().hit("t:wait", rate_per_s=2).allowed
    refused = limiter().hit("t:wait", rate_per_s=2)
    assert not refused.allowed and 0.3 < refused.wait_seconds <= 0.5


def test_concurrent_workers_share_one_budget_exactly():
    grants = []
    lock = threading.Lock()

    def worker():
        local = 0
        for _ in range(200):
            if limiter().hit("t:race", rate_per_s=1, burst=50).allowed:
                local += 1
        with lock:
            grants.append(local)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(grants) in (50, 51)  # the burst, plus at most one refill during the race


def test_the_unique_recipient_window_counts_people_not_messages():
    for person in ("a", "b", "a", "b"):
        assert limiter().window_count("t:portfolio", person, window_seconds=60, limit=2)
    assert not limiter().window_count("t:portfolio", "c", window_seconds=60, limit=2)
    assert limiter().window_count("t:portfolio", "a", window_seconds=60, limit=2)
