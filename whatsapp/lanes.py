"""Paced sends happen in a sender process, one per process that sends (a Celery worker, a web worker): a lean child
that does nothing but ask the gate (the anti-ban pacer, in Redis) when each call may start and make the HTTP calls.
The parent keeps everything else — the database, the locks on the messages, the outcomes — and waits for answers.

Why a process: a number sends its next message when the one sent a window earlier was *answered* a window ago, so
every millisecond between Meta's answer and the moment we notice it is lost throughput. In a worker whose other
threads build model instances, an HTTP thread waits for the GIL after each blocking read (measured: 21–42 ms per
call against 1 ms from an idle process). The sender has no such threads.

In the sender, each number has a lane: it asks its ticket, one message at a time, for the moment the next call may
start, hands the call to a shared pool of HTTP threads and asks again at once; a number waiting for its next moment
never holds a thread another number needs, and a late call never wastes the moment of the ones behind it.

The sender dies with its parent (its end of the pipe closes): calls let go before are made, others never start, so
the parent's locks, released by its death, tell the outbox sweeper the truth (see ``antiban.services.outbox_sweep``
and ``serve``)."""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from queue import SimpleQueue
from typing import Protocol

import httpx
from django.conf import settings

from whatsapp.client import shared_pool

HTTP_THREADS = 16


class Gate(Protocol):
    def ticket(self, message) -> Ticket:
        """The ticket of one of the gate's messages."""


class Ticket(Protocol):
    """One paced send, as plain data (it is pickled to the sender process)."""

    def wait(self) -> float:
        """Block until the call is let go (and record that it may have been made); then the call starts after the
        seconds returned (its reserved moment; 0: at once)."""

    def done(self) -> None:
        """The call is over (answered, refused or failed)."""


@dataclass(frozen=True)
class HttpAnswer:
    status: int  # 0: no answer (``reason`` names the httpx error)
    content: bytes
    reason: str


@dataclass(frozen=True)
class HttpCall:
    """One HTTP request, ``httpx.Client.request``'s arguments, made by the sender's keep-alive pool."""

    args: dict

    def __call__(self) -> HttpAnswer:
        try:
            response = shared_pool().request(**self.args)
        except httpx.HTTPError as exc:
            return HttpAnswer(0, b"", type(exc).__name__)
        return HttpAnswer(response.status_code, response.content, response.reason_phrase)


def granted() -> None:
    """The call of a send that makes no HTTP call (the console backend): the grant is all it needs."""
    return None


class SendFailed(RuntimeError):
    """The ticket or the call raised in the sender process (its type and message, as text)."""


class SenderGone(RuntimeError):
    """The sender process stopped before answering (it crashed or was killed): nothing is known of those calls."""


# --- the parent's side ---------------------------------------------------------------------------------------------
class _Sender:
    def __init__(self, env: dict[str, str]):
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        command = [sys.executable, "-c", f"from whatsapp.lanes import serve; serve({down_r}, {up_w})"]
        self.process = subprocess.Popen(
            command, pass_fds=(down_r, up_w), cwd=Path(__file__).resolve().parent.parent, env=env
        )
        os.close(down_r)
        os.close(up_w)
        self._down = Connection(down_w, readable=False)
        self._up = Connection(up_r, writable=False)
        self._futures: dict[int, Future] = {}
        self._ids = itertools.count()
        self._write = threading.Lock()
        self.alive = True
        threading.Thread(target=self._read, name="whatsapp-sender-answers", daemon=True).start()

    def submit(self, lane: int, ticket: Ticket, call) -> Future:
        future: Future = Future()
        job_id = next(self._ids)
        self._futures[job_id] = future
        try:
            with self._write:
                self._down.send((job_id, lane, pickle.dumps((ticket, call))))
        except OSError as exc:
            self._futures.pop(job_id, None)
            self.alive = False
            raise SenderGone(f"the sender process is gone: {exc}") from exc
        return future

    def _read(self) -> None:
        while True:
            try:
                job_id, ok, value = self._up.recv()
            except (EOFError, OSError):
                break
            future = self._futures.pop(job_id, None)
            if future is None:
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(SendFailed(value))
        self.alive = False
        code = self.process.wait()
        for job_id in list(self._futures):
            future = self._futures.pop(job_id, None)
            if future is not None:
                future.set_exception(SenderGone(f"the sender process stopped (exit {code}) before answering"))


_senders: dict[int, _Sender] = {}
_lock = threading.Lock()


def sender_env() -> dict[str, str]:
    """The sender's environment: this process's, without Django (it needs only Redis, for the tickets' pacing, and
    httpx) and with this process's Redis."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return {**env, "REDIS_URL": settings.REDIS_URL}


def _sender() -> _Sender:
    pid = os.getpid()
    sender = _senders.get(pid)
    if sender is None or not sender.alive:
        with _lock:
            sender = _senders.get(pid)
            if sender is None or not sender.alive:
                sender = _senders[pid] = _Sender(sender_env())
    return sender


def submit(lane: int, ticket: Ticket, call) -> Future:
    """Queue ``call()`` (picklable, e.g. an ``HttpCall``) on ``lane`` (a number's id) in the sender process, to
    start when ``ticket`` says so; the future holds what ``call`` returned."""
    return _sender().submit(lane, ticket, call)


_pools: dict[int, ThreadPoolExecutor] = {}


def call_pool() -> ThreadPoolExecutor:
    """Threads for concurrent unpaced HTTP in this process (they never touch the database); one pool per process."""
    pid = os.getpid()
    if pid not in _pools:
        with _lock:
            if pid not in _pools:
                _pools[pid] = ThreadPoolExecutor(max_workers=HTTP_THREADS, thread_name_prefix="whatsapp-send")
    return _pools[pid]


# --- the sender process -----------------------------------------------------------------------------------------------
class _Stop:
    """When the parent went (monotonic clock); None while it is alive."""

    at: float | None = None


class _Lane:
    def __init__(self, key: int, pool: ThreadPoolExecutor, answer):
        self.queue: SimpleQueue = SimpleQueue()
        self.holding = False  # let go, sleeping until its moment
        self._pool, self._answer = pool, answer
        threading.Thread(target=self._run, name=f"whatsapp-lane-{key}", daemon=True).start()

    def _run(self) -> None:
        while True:
            job_id, ticket, call = self.queue.get()
            if _Stop.at is not None:  # the parent is gone: no new wait starts
                continue
            try:
                delay = ticket.wait() or 0.0
            except BaseException as exc:  # nothing was sent: the parent decides
                self._answer(job_id, False, f"{type(exc).__name__}: {exc}")
                continue
            self.holding = True
            try:
                if _Stop.at is not None:  # let go after the parent went (maybe after the sweeper looked): never
                    continue
                time.sleep(delay)
                self._pool.submit(self._call, job_id, ticket, call)
            except RuntimeError:  # the pool closed: this call never starts
                return
            finally:
                self.holding = False

    def _call(self, job_id: int, ticket: Ticket, call) -> None:
        try:
            outcome, ok = call(), True
        except BaseException as exc:
            outcome, ok = f"{type(exc).__name__}: {exc}", False
        try:
            ticket.done()
        except Exception as exc:  # the call happened: its outcome must still reach the parent
            print(
                f"whatsapp sender: the pacer could not record the end of a call: {type(exc).__name__}", file=sys.stderr
            )
        self._answer(job_id, ok, outcome)


def serve(down_fd: int, up_fd: int) -> None:
    """The sender process's main loop: jobs come down the pipe, answers go up, until the parent is gone."""
    down = Connection(down_fd, writable=False)
    up = Connection(up_fd, readable=False)
    write = threading.Lock()

    def answer(job_id: int, ok: bool, value) -> None:
        with write, contextlib.suppress(OSError):  # the parent is gone: no one is waiting for this answer
            up.send((job_id, ok, value))

    pool = ThreadPoolExecutor(max_workers=HTTP_THREADS, thread_name_prefix="whatsapp-send")
    lanes: dict[int, _Lane] = {}
    while True:
        try:
            job_id, lane, job = down.recv()
        except (EOFError, OSError):
            # The parent died or stopped. Calls let go before that (their attempt markers written) are made and let
            # finish — one let go for a moment still ahead waits for it, at most a quarter of a second — so the
            # sweeper turns their rows UNKNOWN and Meta's status webhooks settle them as SENT. No new wait starts,
            # and a ticket that lets its call go from now on is dropped: the sweeper may have requeued that row
            # already (no marker when it looked), and this process must not send it as well.
            _Stop.at = time.monotonic()
            while any(lane.holding for lane in lanes.values()):
                time.sleep(0.005)
            pool.shutdown(wait=True)
            os._exit(0)
        try:
            ticket, call = pickle.loads(job)  # noqa: S301 - our parent, over a private pipe
        except Exception as exc:
            answer(job_id, False, f"{type(exc).__name__}: {exc}")
            continue
        if lane not in lanes:
            lanes[lane] = _Lane(lane, pool, answer)
        lanes[lane].queue.put((job_id, ticket, call))
