"""The production WSGI path for /webhooks/whatsapp/ (before Django's middleware): verified, stored byte for byte,
deduplicated."""

import pytest

from tests.whatsapp.conftest import NUMBER_ID
from whatsapp.models import WebhookEvent

pytestmark = pytest.mark.django_db


def _wsgi_post(body: bytes, signature: str | None):
    """Through config.wsgi.application exactly as gunicorn calls it (the lean path, before Django's middleware)."""
    import io
    from wsgiref.util import setup_testing_defaults

    from config.wsgi import application

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/webhooks/whatsapp/",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
    }
    if signature:
        environ["HTTP_X_HUB_SIGNATURE_256"] = signature
    setup_testing_defaults(environ)
    answer = {}
    chunks = application(environ, lambda status, headers: answer.update(status=status))
    return answer["status"], b"".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_the_production_wsgi_path_verifies_stores_and_dedups_like_the_view(cloud, number):
    body = cloud.inbound_notification(NUMBER_ID, "5511987654321", {"type": "text", "text": {"body": "Oi"}})
    assert _wsgi_post(body, None)[0] == "403 Forbidden"
    assert _wsgi_post(body, "sha256=" + "0" * 64)[0] == "403 Forbidden"
    assert not WebhookEvent.objects.exists()
    assert _wsgi_post(body, cloud.signature(body)) == ("200 OK", b'{"status": "stored"}')
    assert _wsgi_post(body, cloud.signature(body)) == ("200 OK", b'{"status": "duplicate"}')
    assert WebhookEvent.objects.filter(status="pending").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_batch_writer_stores_each_body_byte_for_byte(cloud, number):
    """Quotes, backslashes, braces, commas and accents go into the batch's arrays and come back exactly."""
    texts = ['Oi, "tudo" bem?', "C:\\\\casa\\\\nova {x}", "Amanhã às 9h — R$ 500.000,00 🏠", "NULL", ""]
    bodies = [
        cloud.inbound_notification(NUMBER_ID, "5511987654321", {"type": "text", "text": {"body": text}})
        for text in texts
    ]
    for body in bodies:
        assert _wsgi_post(body, cloud.signature(body))[0] == "200 OK"
    stored = {event.body for event in WebhookEvent.objects.all()}
    assert stored == {body.decode() for body in bodies}
