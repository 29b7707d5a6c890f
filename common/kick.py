"""Kicking a worker after a commit without flooding the broker: at most once a second across every process, plus
one trailing kick at the end of the second for work committed after the first one had already finished."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger(__name__)


class Kick:
    """``kick(send)`` calls ``send`` (e.g. a task's ``delay``) at most once per ``seconds`` across processes (Redis
    ``SET NX`` on ``key``), and without a Redis round trip per call (a process checks its own clock first). A broker
    hiccup only delays: beat runs the same task on its schedule.

    A call inside the window is not dropped when ``later`` is given (``later(countdown)``, e.g. a task's
    ``apply_async(countdown=...)``): one trailing run per window across processes (``SET NX`` on ``key:later``) starts
    ``seconds`` after it, so work committed just after the first run finished waits about a second, not until beat."""

    def __init__(self, key: str, *, seconds: int = 1, failure: str = ""):
        self.key, self.seconds, self.failure = key, seconds, failure
        self._last = 0.0
        self._last_later = 0.0

    def __call__(self, send: Callable[[], object], *, later: Callable[[int], object] | None = None) -> None:
        now = time.monotonic()
        try:
            if now - self._last >= self.seconds:
                self._last = now
                if cache.add(self.key, 1, timeout=self.seconds):
                    send()
                    return
            if later is None or now - self._last_later < self.seconds:
                return  # no trailing run wanted, or this process asked for one that starts after this call
            self._last_later = now
            if cache.add(f"{self.key}:later", 1, timeout=self.seconds):
                later(self.seconds)
        except Exception:
            logger.warning(self.failure or f"{self.key}: not kicked; beat will run it")
