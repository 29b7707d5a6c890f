"""Send lanes: one per number in each process. When the caller passes a gate (the anti-ban pacer), a lane asks it,
one message at a time, for the moment the next HTTP call of its number may start, then hands the call to a shared
pool and asks again at once; a number waiting for its next moment never holds a thread another number needs, and
a late call never wastes the moment of the ones behind it."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from queue import SimpleQueue
from typing import Protocol

logger = logging.getLogger(__name__)


class Gate(Protocol):
    def wait(self, message) -> None:
        """Block until ``message`` may be handed to Meta (and record that it may have been)."""

    def done(self, message) -> None:
        """The HTTP call of ``message`` is over (answered, refused or failed)."""


@dataclass
class _Job:
    message: object
    gate: Gate
    call: Callable
    future: Future = field(default_factory=Future)


class _Lane:
    def __init__(self, key: int):
        self.queue: SimpleQueue[_Job] = SimpleQueue()
        threading.Thread(target=self._run, name=f"whatsapp-lane-{key}", daemon=True).start()

    def _run(self) -> None:
        while True:
            job = self.queue.get()
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.gate.wait(job.message)
            except BaseException as exc:  # handed to the caller, who decides
                job.future.set_exception(exc)
                continue
            call_pool().submit(_call, job)


def _call(job: _Job) -> None:
    try:
        outcome = job.call(job.message)
    except BaseException as exc:  # handed to the caller
        _done(job)
        job.future.set_exception(exc)
        return
    _done(job)
    job.future.set_result(outcome)


def _done(job: _Job) -> None:
    try:
        job.gate.done(job.message)
    except Exception:  # the call happened: its outcome must still reach the caller
        logger.warning("whatsapp send %s: the pacer could not record the end of the call", job.message.pk)


_lanes: dict[tuple[int, int], _Lane] = {}
_pools: dict[int, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def call_pool() -> ThreadPoolExecutor:
    """Threads for concurrent HTTP only (they never touch the database); one pool per process."""
    pid = os.getpid()
    if pid not in _pools:
        with _lock:
            if pid not in _pools:
                _pools[pid] = ThreadPoolExecutor(max_workers=16, thread_name_prefix="whatsapp-send")
    return _pools[pid]


def submit(lane: int, message, gate: Gate, call: Callable) -> Future:
    """Queue ``call(message)`` on ``lane`` (a number's id), to start when ``gate`` says so."""
    key = (os.getpid(), lane)
    if key not in _lanes:
        with _lock:
            if key not in _lanes:
                _lanes[key] = _Lane(lane)
    job = _Job(message, gate, call)
    _lanes[key].queue.put(job)
    return job.future
