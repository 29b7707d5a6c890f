"""Tickets for the sender process's tests: plain data with no Django, importable by that lean process."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class SleepTicket:
    """Lets its call go after ``seconds``, or raises ``fail`` instead."""

    seconds: float = 0.0
    fail: str = ""

    def wait(self) -> None:
        if self.fail:
            raise RuntimeError(self.fail)
        time.sleep(self.seconds)

    def done(self) -> None:
        return None
