"""Issue #19, break 4 — "Outbound URL check never runs": a Graph answer pointing an inbound message's media at
another loopback port, a private address, or redirecting there, must not receive a request (let alone the bearer
token). The configured Graph base (here the simulator on loopback) is trusted by an explicit allow-list, not by
switching the check off. README: "Media are downloaded into storage by a task" and the SSRF guard of
compliance.security."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.scenarios.conftest import NUMBER_ID

pytestmark = pytest.mark.django_db
WA_ID = "5511987654321"


@pytest.fixture
def bystander():
    """A tiny HTTP server on another loopback port that records every request it gets (and its token)."""
    hits: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append({"path": self.path, "authorization": self.headers.get("Authorization")})
            body = b"\xff\xd8\xff internal secret"
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.hits = hits
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def deliver_and_work(meta_post, django_capture_on_commit_callbacks):
    """Meta posts the signed webhook; then a worker drains it and runs the tasks it queues (the media download)."""
    from config.celery import app
    from whatsapp.tasks import webhook_events_drain_task

    def _deliver(body: bytes) -> None:
        assert meta_post(body, drain=False).status_code == 200
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                webhook_events_drain_task()
        finally:
            app.conf.task_always_eager = False

    return _deliver


def _inbound_image(wa, media_id: str) -> bytes:
    return wa.inbound_notification(
        NUMBER_ID, WA_ID, {"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg"}}
    )


def _message():
    from whatsapp.models import Message

    return Message.objects.get(direction="in")


def test_media_on_the_configured_graph_host_is_downloaded(wa, deliver_and_work):
    """The simulator is the configured Graph base (WHATSAPP_GRAPH_URL on 127.0.0.1): trusted, so the inbound
    photo is downloaded by the task with the token."""
    media_id = wa.media_add(b"\xff\xd8\xff foto do imovel", "image/jpeg")
    deliver_and_work(_inbound_image(wa, media_id))
    message = _message()
    assert message.media.read() == b"\xff\xd8\xff foto do imovel"
    assert message.error_title == ""


@pytest.mark.parametrize("where", ["other_loopback_port", "loopback_https", "private_address"])
def test_a_media_url_pointing_inside_is_refused_and_gets_no_request(wa, deliver_and_work, bystander, where):
    """Break 4: the Graph answer says the media lives on another loopback port (or a private address): the fetch
    is refused before any request, the bystander sees nothing (no token), and the message says why."""
    port = bystander.server_address[1]
    url, named = {
        "other_loopback_port": (f"{bystander.url}/latest/meta-data/", "http"),
        "loopback_https": (f"https://127.0.0.1:{port}/latest/meta-data/", "127.0.0.1"),
        "private_address": ("https://10.20.30.40/media/1", "10.20.30.40"),
    }[where]
    media_id = wa.media_add(b"\xff\xd8\xff", "image/jpeg", url=url)
    deliver_and_work(_inbound_image(wa, media_id))
    message = _message()
    assert bystander.hits == []
    assert not message.media
    assert named in message.error_title  # the reason, in the operator's language, names what was refused
    assert message.error_raw == {"media_refused": True, "retryable": False}


def test_a_redirect_from_the_graph_host_to_loopback_is_not_followed(wa, deliver_and_work, bystander):
    """Break 4: the trusted Graph host answers the download with a 302 to 127.0.0.1:<other port>: every hop is
    checked, so the redirect is not followed and the token never reaches the bystander."""
    media_id = wa.media_add(b"\xff\xd8\xff", "image/jpeg", redirect_to=f"{bystander.url}/admin")
    deliver_and_work(_inbound_image(wa, media_id))
    message = _message()
    assert bystander.hits == []
    assert not message.media
    assert message.error_raw == {"media_refused": True, "retryable": False}


def test_an_operator_trusted_origin_is_allowed_but_only_that_port(wa, deliver_and_work, bystander, settings):
    """OUTBOUND_TRUSTED_ORIGINS names scheme://host:port the operator trusts (e.g. an internal media proxy): it is
    fetched, and the same host on another port still is not."""
    settings.OUTBOUND_TRUSTED_ORIGINS = [bystander.url]
    media_id = wa.media_add(b"", "image/jpeg", url=f"{bystander.url}/media/1")
    deliver_and_work(_inbound_image(wa, media_id))
    assert _message().media.read() == b"\xff\xd8\xff internal secret"
    assert len(bystander.hits) == 1

    from compliance.security import OutboundUrlRefused, outbound_url_check

    port = int(bystander.url.rsplit(":", 1)[1])
    with pytest.raises(OutboundUrlRefused):
        outbound_url_check(f"http://127.0.0.1:{port + 1}/x")
