"""Tickets for the sender process's tests: plain data with no Django, importable by that lean process.

A ticket runs in the sender process, so the test talks to it through files: ``gate`` (a path) holds the ticket's
wait until the test creates it, and ``mark`` (a path) is written when the ticket lets its call go. Tests wait on
those instead of sleeping, so they hold on a busy machine."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

DEADLINE_S = 60.0


def wait_for_path(path: str | Path, deadline_s: float = DEADLINE_S) -> None:
    """Poll (5 ms) until ``path`` exists; a deadline, never a fixed sleep."""
    end = time.monotonic() + deadline_s
    while not Path(path).exists():
        if time.monotonic() > end:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.005)


@dataclass
class SleepTicket:
    """Lets its call go after ``seconds`` (or once ``gate`` exists) for a moment ``moment_in`` later, or raises
    ``fail`` instead; writes ``mark`` as it lets the call go."""

    seconds: float = 0.0
    fail: str = ""
    moment_in: float = 0.0  # once let go, the call starts this much later (a reserved moment)
    gate: str = ""
    mark: str = ""

    def wait(self) -> float:
        if self.fail:
            raise RuntimeError(self.fail)
        if self.gate:
            wait_for_path(self.gate)
        time.sleep(self.seconds)
        if self.mark:
            Path(self.mark).touch()
        return self.moment_in

    def done(self) -> None:
        return None
