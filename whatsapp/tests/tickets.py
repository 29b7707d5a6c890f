"""Tickets for the sender process's tests: plain data with no Django, importable by that lean process."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class SleepTicket:
    """Lets its call go after ``seconds`` for a moment ``moment_in`` later, or raises ``fail`` instead."""

    seconds: float = 0.0
    fail: str = ""
    moment_in: float = 0.0  # once let go, the call starts this much later (a reserved moment)

    def wait(self) -> float:
        if self.fail:
            raise RuntimeError(self.fail)
        time.sleep(self.seconds)
        return self.moment_in

    def done(self) -> None:
        return None
