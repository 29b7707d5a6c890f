"""Issue #19, break 9 (chunked WhatsApp POST) — "a chunked signed WhatsApp POST (403: only Content-Length is
read)". Meta (or a proxy in front of Fluxo) may send the webhook with ``Transfer-Encoding: chunked`` and no
Content-Length: the signed body is read to its end and stored; past the size cap the answer is 413, never a 403
or a 500. README: "every POST must carry a valid X-Hub-Signature-256 … Valid bodies are stored raw"."""

from __future__ import annotations

import http.client
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.scenarios.conftest import inbound_text_body

BASE_DIR = Path(__file__).resolve().parents[2]


def _chunked_environ(body: bytes, signature: str, *, terminated: bool = True) -> dict:
    """What gunicorn hands the WSGI app for a chunked request: no CONTENT_LENGTH, the de-chunked body as
    ``wsgi.input`` and ``wsgi.input_terminated`` set (the stream ends after the last chunk)."""
    from wsgiref.util import setup_testing_defaults

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/webhooks/whatsapp/",
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "HTTP_X_HUB_SIGNATURE_256": signature,
        "wsgi.input": io.BytesIO(body),
    }
    if terminated:
        environ["wsgi.input_terminated"] = True
    setup_testing_defaults(environ)
    environ.pop("CONTENT_LENGTH", None)
    return environ


def _call(environ) -> tuple[str, bytes]:
    from config.wsgi import application

    answer = {}
    chunks = application(environ, lambda status, headers: answer.update(status=status))
    return answer["status"], b"".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_a_chunked_signed_post_is_stored_through_the_wsgi_app(wa):
    """Break 9: config.wsgi.application (the production entry point) given a chunked request as gunicorn passes
    it: 200 stored, the event is processed like any other; a chunked body past the cap is 413; a chunked body the
    server does not terminate is 411 (reading it would wait for the client), never a 403."""
    from whatsapp.models import WebhookEvent
    from whatsapp.receiver import MAX_BODY

    body = inbound_text_body(wa_id="5511987654321", text="Oi, chegou em partes")
    assert _call(_chunked_environ(body, wa.signature(body))) == ("200 OK", b'{"status": "stored"}')
    assert WebhookEvent.objects.get().body == body.decode()

    huge = b'{"object": "whatsapp_business_account", "pad": "' + b"x" * MAX_BODY + b'"}'
    assert _call(_chunked_environ(huge, wa.signature(huge)))[0] == "413 Payload Too Large"
    other = inbound_text_body(wa_id="5511987654321", text="outra")
    assert _call(_chunked_environ(other, wa.signature(other), terminated=False))[0] == "411 Length Required"
    assert WebhookEvent.objects.count() == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_gunicorn(transactional_db, wa, settings):
    """The real server: gunicorn (gthread, as deployed) serving config.wsgi:application on a loopback port, on the
    test database."""
    from django.db import connection

    port = _free_port()
    db = connection.settings_dict  # the test database wherever it runs (a configured server or the embedded one)
    credentials = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "WHATSAPP_APP_SECRET": settings.WHATSAPP_APP_SECRET,
        "PYTHONPATH": str(BASE_DIR),
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-k", "gthread", "--threads", "4"]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [*command, "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    log.seek(0)
                    pytest.fail("gunicorn did not start: " + log.read().decode()[-2000:])
                time.sleep(0.1)  # polling for the port with a deadline, not a timed assertion
        yield port
        server.terminate()
        server.wait(timeout=60)


def test_a_chunked_signed_post_to_live_gunicorn_is_stored(wa, live_gunicorn):
    """Break 9, over a real socket: http.client sends the signed body in three chunks with Transfer-Encoding:
    chunked and no Content-Length; gunicorn answers 200 and the event is in PostgreSQL."""
    from whatsapp.models import WebhookEvent

    body = inbound_text_body(wa_id="5511987654321", text="Oi, mandei em pedaços")
    parts = [body[:40], body[40:200], body[200:]]
    conn = http.client.HTTPConnection("127.0.0.1", live_gunicorn, timeout=60)
    conn.request(
        "POST",
        "/webhooks/whatsapp/",
        body=iter(parts),
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": wa.signature(body)},
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert (response.status, response.read()) == (200, b'{"status": "stored"}')
    conn.close()
    assert WebhookEvent.objects.get().body == body.decode()
