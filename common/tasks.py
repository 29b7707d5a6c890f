"""Plumbing tasks: the worker heartbeat shown on the supervisor home."""

from __future__ import annotations

import time

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache

HEARTBEAT_KEY = "fluxo:worker-heartbeat"


@shared_task(name="common.heartbeat", ignore_result=True)
def heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


def worker_last_seen() -> float | None:
    """Seconds since the worker last ran the heartbeat (beat schedules it every minute)."""
    stamp = cache.get(HEARTBEAT_KEY)
    return None if stamp is None else max(0.0, time.time() - stamp)


@worker_ready.connect
def _heartbeat_on_start(**kwargs) -> None:
    """Report at once instead of waiting for beat's first minute."""
    heartbeat.delay()
