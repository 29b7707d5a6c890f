"""The WhatsApp webhook's POST path, lean enough for bursts of thousands of events per second.

Meta posts status and message events in bursts (a campaign of 10,000 templates comes back as 20,000–30,000
statuses within minutes). The POST needs no session, CSRF, locale or template: only the signature check and one
INSERT. ``config/wsgi.py`` routes ``POST /webhooks/whatsapp/`` here before Django's middleware; the Django view
(handshake, and the same POST for the test client and ``runserver``) calls the same ``webhook_receive``.

Processing is kicked at most once per second through Redis (``SET NX``) instead of one queue message per event, with
one trailing kick a second later for events stored after that drain had already finished (without it such an event
waited for beat, up to a minute); beat also drains every minute, so nothing depends on the kick arriving.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection

from common.kick import Kick
from common.meta import meta_signature_valid
from common.tasks import task_send
from whatsapp.services import body_text, webhook_event_store

logger = logging.getLogger(__name__)

KICK_KEY = "whatsapp:drain:kick"
PATH = "/webhooks/whatsapp/"
MAX_BODY = 3 * 1024 * 1024  # Meta batches up to 1,000 updates per POST; that is far below 3 MB


def webhook_receive(*, body: bytes, signature: str | None, store=None) -> tuple[int, str]:
    """(HTTP status, short reason). 403 for a bad signature (nothing stored), 503 when the event could not be stored
    (Meta retries), 200 once it is committed in PostgreSQL. ``store`` defaults to one INSERT on this thread's
    connection; the WSGI path passes the process's batch writer."""
    if not meta_signature_valid(body=body, header=signature, app_secret=settings.WHATSAPP_APP_SECRET):
        return 403, "invalid_signature"
    try:
        stored = (store or (lambda b: webhook_event_store(body=b)))(body)
    except DatabaseError:
        logger.exception("whatsapp webhook: event not stored")
        return 503, "unavailable"
    if stored is not None:
        drain_kick()
    return 200, "stored" if stored is not None else "duplicate"


_kick = Kick(KICK_KEY, failure="whatsapp webhook: drain not kicked; beat will pick the events up")


def drain_kick() -> None:
    """Ask a worker to drain pending events, at most once a second across all processes (Redis ``SET NX``), and
    without a Redis round trip per event (a process checks its own clock first). A broker hiccup only delays."""
    _kick(
        lambda: task_send("whatsapp.webhook_events_drain"),
        later=lambda seconds: task_send("whatsapp.webhook_events_drain", countdown=seconds),
    )


class _Slot:
    """One request's place in a batch. ``done`` is a bare lock taken at creation and released by the writer: the
    request thread blocks on it in C, with none of ``threading.Event``'s Condition bookkeeping under the GIL."""

    __slots__ = ("done", "result")

    def __init__(self):
        self.done = threading.Lock()
        self.done.acquire()
        self.result: str | Exception | None = None


_INSERT_BATCH = (
    "INSERT INTO whatsapp_webhookevent (body_sha256, body, received_at, status, error, unknown_types)"
    " SELECT d, b, now(), 'pending', '', '[]' FROM unnest(%b::text[], %b::text[]) AS t(d, b)"
    " ON CONFLICT (body_sha256) DO NOTHING RETURNING body_sha256"
)


class BatchWriter:
    """Group commit for the webhook burst: request threads hand their body to one writer thread per process, which
    inserts whatever has queued up in one statement (``unnest`` arrays, ON CONFLICT DO NOTHING) and wakes each
    request once its row is committed. Same guarantee as one INSERT per request — 200 only after commit — with
    one round trip, one plan and one WAL flush per batch instead of per event."""

    MAX_BATCH = 500
    LINGER_S = 0.001
    CHECK_EVERY_S = 1.0

    def __init__(self):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> str | None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="webhook-writer", daemon=True)
                    self._thread.start()
        slot = _Slot()
        self._queue.put((hashlib.sha256(body).hexdigest(), body_text(body), slot))
        if not slot.done.acquire(timeout=20):
            raise DatabaseError("webhook writer did not answer in time")
        if isinstance(slot.result, Exception):
            raise slot.result
        return slot.result

    def _run(self) -> None:
        checked = 0.0
        while True:
            batch = [self._queue.get()]
            if self._queue.empty():
                time.sleep(self.LINGER_S)  # under a burst, a moment's wait turns many commits into one
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                if time.monotonic() - checked > self.CHECK_EVERY_S:
                    # the health check (a SELECT 1) once a second, not once per batch
                    connection.close_if_unusable_or_obsolete()
                    connection.close_if_health_check_failed()
                    checked = time.monotonic()
                connection.ensure_connection()
                # Server-side parameters on a prepared statement: no quoting of 500 bodies into the SQL text
                # (Django's cursors bind client-side), no parse or plan per batch. The arrays go in binary (%b):
                # psycopg's text array dumper escapes every quote of every JSON body with a regex, in Python,
                # ~100 µs per body under the GIL on this writer thread; the binary one packs lengths (~1 µs).
                with psycopg.Cursor(connection.connection) as cursor:
                    cursor.execute(
                        _INSERT_BATCH,
                        [[digest for digest, _b, _s in batch], [text for _d, text, _s in batch]],
                        prepare=True,
                    )
                    stored = {row[0] for row in cursor.fetchall()}
                for digest, _text, slot in batch:
                    slot.result = digest if digest in stored else None
                    stored.discard(digest)  # a second copy in the same batch is a duplicate
            except Exception as exc:
                connection.close()
                checked = 0.0
                for _digest, _text, slot in batch:
                    slot.result = exc if isinstance(exc, DatabaseError) else DatabaseError(str(exc))
            for _digest, _text, slot in batch:
                slot.done.release()
            if connection.close_at is not None and time.monotonic() >= connection.close_at:
                connection.close()  # CONN_MAX_AGE (0 under tests: closed after each batch)


batch_writer = BatchWriter()


class BodyRefused(Exception):
    """The request body cannot be read: ``status`` and ``reason`` are the answer."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def wsgi_body(environ) -> bytes:
    """The request body of a WSGI environ, with Content-Length or chunked (``Transfer-Encoding: chunked``, no
    length: the server de-chunks and, when it says so with ``wsgi.input_terminated`` — gunicorn, waitress — ends
    the stream after the last chunk, so it is read to its end). Past ``MAX_BODY``: 413, read no further. A chunked
    body the server does not terminate cannot be read safely (reading would wait for the client): 411."""
    stream = environ["wsgi.input"]
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            raise BodyRefused(413, "too_large")
        return stream.read(length) if length else b""
    if environ.get("wsgi.input_terminated"):
        chunks, size = [], 0
        while size <= MAX_BODY:
            chunk = stream.read(min(64 * 1024, MAX_BODY + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        raise BodyRefused(413, "too_large")
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        raise BodyRefused(411, "length_required")
    return b""


STATUS_LINES = {
    200: "200 OK",
    403: "403 Forbidden",
    411: "411 Length Required",
    413: "413 Payload Too Large",
    503: "503 Service Unavailable",
}


def wsgi_receive(environ, start_response):
    """The raw WSGI handler used by config/wsgi.py for POST /webhooks/whatsapp/."""
    try:
        body = wsgi_body(environ)
    except BodyRefused as refused:
        status, reason = refused.status, refused.reason
    else:
        status, reason = webhook_receive(
            body=body, signature=environ.get("HTTP_X_HUB_SIGNATURE_256"), store=batch_writer
        )
    payload = ('{"status": "%s"}' % reason).encode()  # noqa: UP031 — a fixed vocabulary, no user data
    start_response(STATUS_LINES[status], [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
