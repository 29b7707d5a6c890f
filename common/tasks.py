"""Plumbing tasks: the worker heartbeat shown on the supervisor home, and the one way services queue tasks.

The convention (docs/architecture in README, ARCHITECTURE.md "Inside an app"): an app's ``tasks.py`` imports its
services at module level and each task calls one service; services never import tasks — they queue one by its
Celery name with ``task_send``/``task_send_on_commit`` (as Zulip names its queues). No import cycle between a
service and its task, nothing imported inside a function to dodge one, and a test checks every name used here is
a registered task."""

from __future__ import annotations

import time
from importlib import import_module

from celery import current_app, shared_task
from celery.signals import worker_ready
from django.core.cache import cache
from django.db import transaction

HEARTBEAT_KEY = "fluxo:worker-heartbeat"


@shared_task(name="common.heartbeat", ignore_result=True)
def heartbeat_task() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


def worker_last_seen() -> float | None:
    """Seconds since the worker last ran the heartbeat (beat schedules it every minute)."""
    stamp = cache.get(HEARTBEAT_KEY)
    return None if stamp is None else max(0.0, time.time() - stamp)


@worker_ready.connect
def _heartbeat_on_start(**kwargs) -> None:
    """Report at once instead of waiting for beat's first minute."""
    heartbeat_task.delay()


def task_send(name: str, *args, countdown: float | None = None) -> None:
    """Queue the task registered as ``name`` (``<app>.<task>``) with positional ``args``; eager mode honoured."""
    _registered(name).apply_async(args=args, countdown=countdown)


def task_send_on_commit(name: str, *args, countdown: float | None = None) -> None:
    """Queue it once the current transaction commits (a worker must see the rows the task is about)."""
    transaction.on_commit(lambda: task_send(name, *args, countdown=countdown))


def _registered(name: str):
    import_module(f"{name.split('.', 1)[0]}.tasks")  # registers the app's tasks in this process (a no-op after once)
    return current_app.tasks[name]
