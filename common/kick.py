"""Kicking a worker after a commit without flooding the broker: at most once a second across every process."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger(__name__)


class Kick:
    """``kick(send)`` calls ``send`` (e.g. a task's ``delay``) at most once per ``seconds`` across processes (Redis
    ``SET NX`` on ``key``), and without a Redis round trip per call (a process checks its own clock first). A broker
    hiccup only delays: beat runs the same task on its schedule."""

    def __init__(self, key: str, *, seconds: int = 1, failure: str = ""):
        self.key, self.seconds, self.failure = key, seconds, failure
        self._last = 0.0

    def __call__(self, send: Callable[[], object]) -> None:
        now = time.monotonic()
        if now - self._last < self.seconds:
            return
        self._last = now
        try:
            if cache.add(self.key, 1, timeout=self.seconds):
                send()
        except Exception:
            logger.warning(self.failure or f"{self.key}: not kicked; beat will run it")
