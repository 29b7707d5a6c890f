"""The after-commit kick (common.kick): one run at once, one trailing run for what is committed inside the window,
never more, across processes (real Redis)."""

from common.kick import Kick


def test_a_call_inside_the_window_gets_one_trailing_run_not_a_dropped_one(db):
    sent, later = [], []
    first_process = Kick("test:kick:trailing", seconds=60)
    second_process = Kick("test:kick:trailing", seconds=60)  # another web worker: its own clock, the same Redis key

    first_process(lambda: sent.append(1), later=later.append)
    assert (sent, later) == ([1], [])  # the first event kicks at once

    first_process(lambda: sent.append(1), later=later.append)
    second_process(lambda: sent.append(1), later=later.append)
    first_process(lambda: sent.append(1), later=later.append)
    # Committed while the window is closed: one trailing run at its end covers them all, whichever process asked.
    assert (sent, later) == ([1], [60])


def test_without_later_a_call_inside_the_window_is_left_to_beat(db):
    sent = []
    kick = Kick("test:kick:plain", seconds=60)
    kick(lambda: sent.append(1))
    kick(lambda: sent.append(1))
    assert sent == [1]
